/**
 * Keys the recipes create, with the Go recipes' layouts (client/v3/experimental/recipes/key.go):
 * - a new key: created only if absent (a txn comparing its version with 0);
 * - a unique key: `<prefix>/<Unix time in nanoseconds, decimal>`, retried with a new time if taken;
 * - a sequential key: `<prefix>/<sequence number, 16 digits zero-padded>`, one above the last key
 *   under the prefix, allocated in a txn guarded by the bookkeeping key `__<prefix>`;
 * and the claim of a key by deleting it at the revision it was read at.
 */
import { compare } from '../kv/compare.js';
import { op } from '../kv/op.js';
import { lastKey } from '../kv/range.js';
import type { KVService } from '../service-interfaces.js';
import type { KeyValue } from '../types.js';
import { KeyExistsError, UnexpectedKeyError } from '../errors/index.js';

/** Width of the sequence number of a sequential key (Go `%016d`). */
export const SEQUENCE_DIGITS = 16;

/** A key this process created: its name and the revision that created it. */
export interface CreatedKey {
  /** The key. */
  readonly key: Buffer;
  /** The revision of the transaction that created it. */
  readonly revision: number;
}

/**
 * Creates `key` with `value` (under `lease` when not 0n) only if it does not exist (etcd `KV.Txn`,
 * Go `putNewKV`). Resolves with its creation revision; rejects with `KeyExistsError` when it exists.
 */
export async function putNewKey(client: KVService, key: Buffer, value: Buffer | string, lease: bigint, signal?: AbortSignal): Promise<number> {
  const response = await client
    .txn()
    .if(compare.version(key, '=', 0))
    .then(op.put(key, value, lease === 0n ? undefined : { lease }))
    .commit({ signal });
  if (!response.succeeded) throw new KeyExistsError();
  return response.header.revision;
}

/** The current Unix time in nanoseconds (microsecond precision), as decimal digits (Go `time.Now().UnixNano()`). */
function unixNanos(): string {
  const ms = performance.timeOrigin + performance.now();
  return (BigInt(Math.floor(ms * 1000)) * 1000n).toString();
}

/**
 * Creates a unique key `<prefix>/<Unix nanoseconds>` with `value` (Go `newUniqueKV`, and
 * `newUniqueEphemeralKV` with a session's `lease`), trying another time while the name is taken.
 */
export async function putUniqueKey(client: KVService, prefix: Buffer, value: Buffer | string, lease: bigint, signal?: AbortSignal): Promise<CreatedKey> {
  for (;;) {
    const key = Buffer.concat([prefix, Buffer.from(`/${unixNanos()}`, 'latin1')]);
    try {
      return { key, revision: await putNewKey(client, key, value, lease, signal) };
    } catch (error) {
      if (!(error instanceof KeyExistsError)) throw error;
    }
  }
}

/**
 * Creates the key after the last one under `prefix`: `<prefix>/<n + 1, 16 digits>` (`/0000000000000000`
 * for the first), with `value` (Go `newSequentialKV`). The allocation is a txn that also writes the
 * bookkeeping key `__<prefix>` and holds only if that key was not written since the read of the
 * last key, so two writers never allocate the same number, nor reuse one deleted meanwhile; it
 * is retried until it holds.
 */
export async function putSequentialKey(client: KVService, prefix: Buffer, value: Buffer | string, signal?: AbortSignal): Promise<CreatedKey> {
  const baseKey = Buffer.concat([Buffer.from('__', 'latin1'), prefix]);
  for (;;) {
    const last = await client.get(prefix, { ...lastKey(), signal });
    let next = 0n;
    const kv = last.kvs[0];
    if (kv !== undefined) {
      const text = kv.key.toString('latin1');
      const field = text.slice(text.lastIndexOf('/') + 1);
      const digits = /^[+-]?\d+/.exec(field);
      if (digits === null) throw new UnexpectedKeyError(kv.key, 'does not end with a sequence number');
      next = BigInt(digits[0]) + 1n;
    }
    const key = Buffer.concat([prefix, Buffer.from(`/${next.toString().padStart(SEQUENCE_DIGITS, '0')}`, 'latin1')]);
    const response = await client
      .txn()
      .if(compare.modRevision(baseKey, '<', last.header.revision + 1))
      .then(op.put(baseKey, ''), op.put(key, value))
      .commit({ signal });
    if (response.succeeded) return { key, revision: response.header.revision };
  }
}

/**
 * Deletes `key` if it was not modified since `modRevision` (etcd `KV.Txn`, Go `deleteRevKey`);
 * resolves true if this call deleted it, false if it was gone or changed.
 */
export async function deleteAtRevision(client: KVService, key: Buffer, modRevision: number, signal?: AbortSignal): Promise<boolean> {
  const response = await client.txn().if(compare.modRevision(key, '=', modRevision)).then(op.delete(key)).commit({ signal });
  return response.succeeded;
}

/** The first of `kvs` this call could claim by deleting it (Go `claimFirstKey`), or undefined. */
export async function claimFirst(client: KVService, kvs: readonly KeyValue[], signal?: AbortSignal): Promise<KeyValue | undefined> {
  for (const kv of kvs) {
    if (await deleteAtRevision(client, kv.key, kv.modRevision, signal)) return kv;
  }
  return undefined;
}
