/**
 * Software transactional memory over etcd (Go `concurrency.NewSTM`): run a function that reads
 * and writes keys through an {@link Stm}; its writes are committed in one transaction, guarded by
 * compares on what it read, and the function runs again when the guard fails (another writer got
 * in between). Four isolation levels, Go's:
 *
 * | level             | Go                     | reads                                   | commit fails when (conflict)                              |
 * |-------------------|------------------------|-----------------------------------------|-----------------------------------------------------------|
 * | `snapshot`        | `SerializableSnapshot` | all as of the revision of the first read | a key read changed, or a key written changed after the first read |
 * | `serializable`    | `Serializable`         | all as of the revision of the first read | a key read changed                                        |
 * | `repeatable-read` | `RepeatableReads`      | each key once, from the member's state   | a key read changed                                        |
 * | `read-committed`  | `ReadCommitted`        | each key once, from the member's state   | never: last writer wins, updates may be lost              |
 */
import { compare, type Compare } from '../kv/compare.js';
import { checkCallOption, checkOptionsObject, unknownOption } from '../internal/validation.js';
import { describe } from '../internal/describe-value.js';
import { toBytes } from '../internal/wire.js';
import { DeadlineExceededError, InvalidArgumentError, StmConflictError } from '../errors/index.js';
import { op, type Op } from '../kv/op.js';
import type { Bytes, CallOptions } from '../types.js';
import type { GetResponse, PutOptions, RangeOptions, TxnResponse } from '../kv/types.js';
import type { KVService } from '../service-interfaces.js';

/** An STM isolation level; see the table in this module's documentation. */
export type StmIsolation = 'serializable' | 'snapshot' | 'repeatable-read' | 'read-committed';

/** Default isolation level: `snapshot` (Go's default, `SerializableSnapshot`). */
export const DEFAULT_STM_ISOLATION: StmIsolation = 'snapshot';

/**
 * Default bound on how many times `stm()` runs the function when its commit keeps conflicting
 * (Go's STM retries without bound). Past it, `stm()` rejects with `StmConflictError`.
 */
export const DEFAULT_STM_MAX_ATTEMPTS = 100;

/** Options of {@link stm}. */
export interface StmOptions {
  /** The isolation level; default {@link DEFAULT_STM_ISOLATION} (`snapshot`). */
  isolation?: StmIsolation;
  /**
   * Keys to read in one round trip before each run of the function (Go `WithPrefetch`): saves a
   * round trip per key the function always reads.
   */
  prefetch?: readonly Bytes[];
  /** Most runs of the function before giving up with `StmConflictError`; default {@link DEFAULT_STM_MAX_ATTEMPTS} (100). */
  maxAttempts?: number;
  /** Aborts the transaction (Go `WithAbortContext`): `stm()` rejects with `signal.reason`, nothing more is committed. */
  signal?: AbortSignal;
  /** Deadline of the whole `stm()` call including its retries, in ms; past it, `DeadlineExceededError`. */
  timeout?: number;
}

/**
 * What the function given to {@link stm} reads and writes through (Go's `STM` interface). Reads go
 * to etcd (once per key per run); writes are buffered and committed together when the function
 * returns. An error thrown by a read aborts the whole `stm()` with that error.
 */
export interface Stm {
  /**
   * The value of `keys[0]` (an empty Buffer when the key does not exist), as this transaction sees
   * it: its own write if it wrote the key, else the value read (etcd `KV.Txn` of reads, once per
   * key). Further keys are read in the same round trip, for later `get`s.
   */
  get(...keys: [Bytes, ...Bytes[]]): Promise<Buffer>;
  /** The mod revision of `key` as read by this transaction (0 when it does not exist); reads it if needed. */
  rev(key: Bytes): Promise<number>;
  /** Writes `key` on commit (with `options` such as `lease`). Throws `InvalidArgumentError` for bad arguments. */
  put(key: Bytes, value: Bytes, options?: PutOptions): void;
  /** Deletes `key` on commit. Throws `InvalidArgumentError` for a bad key. */
  del(key: Bytes): void;
}

const OPTION_NAMES: readonly string[] = ['isolation', 'prefetch', 'maxAttempts', 'signal', 'timeout'];
const ISOLATIONS: readonly StmIsolation[] = ['serializable', 'snapshot', 'repeatable-read', 'read-committed'];
const EMPTY = Buffer.alloc(0);

interface ReadEntry {
  key: Buffer;
  response: GetResponse;
}

interface WriteEntry {
  key: Buffer;
  value: Buffer;
  op: Op;
}

/** A key as bytes and as a map key (latin1: one character per byte, so distinct bytes stay distinct). */
function keyOf(key: Bytes, what: string): { bytes: Buffer; id: string } {
  const bytes = Buffer.from(toBytes(key, what));
  if (bytes.length === 0) throw new InvalidArgumentError(`${what} must not be empty`);
  return { bytes, id: bytes.toString('latin1') };
}

/** One transaction's state for one run of the function. */
class StmRun implements Stm {
  readonly #client: KVService;
  readonly #isolation: StmIsolation;
  /** snapshot and serializable: reads pinned to the first read's revision, conflict prefetch. */
  readonly #pinned: boolean;
  readonly #call: () => CallOptions;
  #reads = new Map<string, ReadEntry>();
  #writes = new Map<string, WriteEntry>();
  /** Values read by the failed commit's `else` branch, used by the next run's first reads. */
  #prefetched = new Map<string, ReadEntry>();
  /** Revision all reads are pinned to (`#pinned` levels), set by the first read. */
  #readRevision: number | undefined;

  constructor(client: KVService, isolation: StmIsolation, call: () => CallOptions) {
    this.#client = client;
    this.#isolation = isolation;
    this.#pinned = isolation === 'snapshot' || isolation === 'serializable';
    this.#call = call;
  }

  /** Starts a new run: empty read and write sets. */
  reset(): void {
    this.#reads = new Map();
    this.#writes = new Map();
    this.#readRevision = undefined;
  }

  async get(...keys: [Bytes, ...Bytes[]]): Promise<Buffer> {
    if (keys.length === 0) throw new InvalidArgumentError('stm.get needs at least one key');
    const list = keys.map((k) => keyOf(k, 'stm.get key'));
    const first = list[0]!;
    const written = this.#writes.get(first.id);
    if (written !== undefined) return written.value;
    await this.#read(list);
    return this.#reads.get(first.id)?.response.kvs[0]?.value ?? EMPTY;
  }

  async rev(key: Bytes): Promise<number> {
    const k = keyOf(key, 'stm.rev key');
    if (!this.#reads.has(k.id)) await this.#read([k]);
    return this.#reads.get(k.id)?.response.kvs[0]?.modRevision ?? 0;
  }

  put(key: Bytes, value: Bytes, options?: PutOptions): void {
    const k = keyOf(key, 'stm.put key');
    const o = op.put(k.bytes, value, options);
    this.#writes.set(k.id, { key: k.bytes, value: Buffer.from(toBytes(value, 'stm.put value')), op: o });
  }

  del(key: Bytes): void {
    const k = keyOf(key, 'stm.del key');
    this.#writes.set(k.id, { key: k.bytes, value: EMPTY, op: op.delete(k.bytes) });
  }

  /** Puts `keys` in the read set: from the prefetch, else read together in one transaction. */
  async #read(keys: readonly { bytes: Buffer; id: string }[]): Promise<void> {
    const firstRead = this.#reads.size === 0;
    for (const k of keys) {
      const prefetched = this.#prefetched.get(k.id);
      if (prefetched !== undefined && !this.#reads.has(k.id)) {
        this.#prefetched.delete(k.id);
        this.#reads.set(k.id, prefetched);
      }
    }
    const missing = keys.filter((k, i) => !this.#reads.has(k.id) && keys.findIndex((o) => o.id === k.id) === i);
    if (missing.length > 0) {
      const options: RangeOptions = {};
      if (this.#pinned) {
        if (this.#readRevision !== undefined) {
          options.revision = this.#readRevision;
          options.serializable = true;
        }
      } else {
        options.serializable = true;
      }
      const response = await this.#client
        .txn()
        .then(...missing.map((k) => op.get(k.bytes, options)))
        .commit(this.#call());
      response.responses.forEach((r, i) => {
        if (r.type === 'get') this.#reads.set(missing[i]!.id, { key: missing[i]!.bytes, response: r });
      });
    }
    if (this.#pinned && firstRead && this.#readRevision === undefined) {
      const entry = this.#reads.get(keys[0]!.id);
      if (entry !== undefined) this.#readRevision = entry.response.header.revision;
    }
  }

  /** The compares guarding the commit, by isolation level. */
  #conflicts(): Compare[] {
    if (this.#isolation === 'read-committed') return [];
    const compares: Compare[] = [];
    let firstRevision = Number.MAX_SAFE_INTEGER;
    for (const { key, response } of this.#reads.values()) {
      compares.push(compare.modRevision(key, '=', response.kvs[0]?.modRevision ?? 0));
      firstRevision = Math.min(firstRevision, response.header.revision);
    }
    if (this.#isolation === 'snapshot' && this.#reads.size > 0) {
      for (const write of this.#writes.values()) compares.push(compare.modRevision(write.key, '<', firstRevision + 1));
    }
    return compares;
  }

  /**
   * Commits the write set if the reads still hold (etcd `KV.Txn`); the response, or undefined on
   * conflict. Pinned levels read the read set again in the `else` branch, for the next run.
   */
  async commit(): Promise<TxnResponse | undefined> {
    const reads = [...this.#reads.values()];
    let txn = this.#client
      .txn()
      .if(...this.#conflicts())
      .then(...[...this.#writes.values()].map((w) => w.op));
    if (this.#pinned) txn = txn.else(...reads.map((r) => op.get(r.key)));
    const response = await txn.commit(this.#call());
    if (response.succeeded) return response;
    if (this.#pinned) {
      this.#prefetched = new Map();
      response.responses.forEach((r, i) => {
        if (r.type === 'get') this.#prefetched.set(reads[i]!.key.toString('latin1'), { key: reads[i]!.key, response: r });
      });
    }
    return undefined;
  }
}

/**
 * Runs `apply` as a transaction (Go `concurrency.NewSTM`): `apply(stm)` reads and writes through
 * `stm`; when it returns, its writes are committed in one etcd `KV.Txn` guarded by what it read (per
 * `isolation`), and if another writer got in between, `apply` runs again on fresh reads, up to
 * `maxAttempts` times. Resolves with the committing transaction's response.
 *
 * ```ts
 * await stm(client, async (s) => {
 *   const from = Number((await s.get('accounts/a')).toString());
 *   const to = Number((await s.get('accounts/b')).toString());
 *   s.put('accounts/a', String(from - 10));
 *   s.put('accounts/b', String(to + 10));
 * });
 * ```
 *
 * `client` is anything with the KV calls ({@link KVService}): a `Client`, a namespace view
 * (`client.namespace('app/')`: the keys `apply` names are inside it), or an `OrderingKV`.
 *
 * `apply` may run several times, so it should have no other side effects. Rejects with what
 * `apply` throws (nothing is committed), a call's error, `StmConflictError` after `maxAttempts`
 * conflicting runs, `signal.reason`, `DeadlineExceededError` past `timeout`, or
 * `InvalidArgumentError` for bad options (before anything is sent).
 */
export async function stm(client: KVService, apply: (stm: Stm) => void | Promise<void>, options?: StmOptions): Promise<TxnResponse> {
  if (typeof apply !== 'function') throw new InvalidArgumentError(`stm: apply must be a function, got ${describe(apply)}`);
  checkOptionsObject(options, 'stm options');
  let isolation = DEFAULT_STM_ISOLATION;
  let prefetch: Bytes[] = [];
  let maxAttempts = DEFAULT_STM_MAX_ATTEMPTS;
  let signal: AbortSignal | undefined;
  let timeout: number | undefined;
  for (const name in options) {
    const value: unknown = (options as Record<string, unknown>)[name];
    if (value === undefined) continue;
    switch (name) {
      case 'isolation':
        if (!ISOLATIONS.includes(value as StmIsolation)) {
          throw new InvalidArgumentError(`stm: isolation must be one of ${ISOLATIONS.map((i) => `'${i}'`).join(', ')}, got ${describe(value)}`);
        }
        isolation = value as StmIsolation;
        break;
      case 'prefetch':
        if (!Array.isArray(value)) throw new InvalidArgumentError(`stm: prefetch must be an array of keys, got ${describe(value)}`);
        prefetch = value.map((k: Bytes) => keyOf(k, 'stm prefetch key').bytes);
        break;
      case 'maxAttempts':
        if (!(typeof value === 'number' && Number.isSafeInteger(value) && value > 0)) {
          throw new InvalidArgumentError(`stm: maxAttempts must be a positive integer, got ${describe(value)}`);
        }
        maxAttempts = value;
        break;
      case 'signal':
      case 'timeout':
        checkCallOption(name, value);
        if (name === 'signal') signal = value as AbortSignal;
        else timeout = value as number;
        break;
      default:
        throw unknownOption(name, 'stm', OPTION_NAMES);
    }
  }
  const deadline = timeout === undefined ? undefined : Date.now() + timeout;
  const call = (): CallOptions => {
    signal?.throwIfAborted();
    if (deadline === undefined) return signal === undefined ? {} : { signal };
    const left = deadline - Date.now();
    if (left <= 0) throw new DeadlineExceededError(undefined, { timeout });
    return signal === undefined ? { timeout: left } : { signal, timeout: left };
  };
  const run = new StmRun(client, isolation, call);
  for (let attempt = 1; ; attempt++) {
    call();
    run.reset();
    if (prefetch.length > 0) await run.get(...(prefetch as [Bytes, ...Bytes[]]));
    await apply(run);
    const response = await run.commit();
    if (response !== undefined) return response;
    if (attempt >= maxAttempts) throw new StmConflictError(attempt);
  }
}
