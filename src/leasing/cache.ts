/**
 * The leasing KV's local state (Go's `leaseCache`): the keys this client owns (holds the leasing
 * key of, under its session's lease), the cached read of each, writes in flight on them, and the
 * keys recently given up.
 */
import type { RangeRequestInit } from '../proto/index.js';
import type { GetResponse } from '../kv/types.js';
import type { KeyValue, ResponseHeader } from '../types.js';
import { REVOKE_BACKOFF_MS } from './defaults.js';

/** A key this client owns. */
export interface Owned {
  /** The key (not the leasing key). */
  readonly key: Buffer;
  /** The revision at which the leasing key was taken (at or after its creation). */
  readonly rev: number;
  /** The key as last read or written by this client; undefined when it must be read again. */
  cached: GetResponse | undefined;
  /** Settles when the write in flight on the key ends; undefined when none is. */
  pending: Promise<void> | undefined;
  /** Aborted when the client stops owning the key (ends its watches). */
  readonly controller: AbortController;
}

/** The map key of a key: its bytes as a latin1 string (one char per byte, order preserved). */
export function keyId(key: Uint8Array): string {
  return Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('latin1');
}

function copyKeyValue(kv: KeyValue, keysOnly: boolean): KeyValue {
  return { ...kv, key: Buffer.from(kv.key), value: keysOnly ? Buffer.alloc(0) : Buffer.from(kv.value) };
}

function copyHeader(h: ResponseHeader): ResponseHeader {
  return { ...h };
}

/**
 * The answer to a single-key read from the cached read (Go `leaseKey.get`): the cached pair
 * unless `countOnly` or a revision bound leaves it out; `keysOnly` drops the value. Copies.
 */
export function answerFromCache(cached: GetResponse, request: RangeRequestInit): GetResponse {
  const kv = cached.kvs[0];
  let empty = kv === undefined || request.countOnly === true;
  if (kv !== undefined && !empty) {
    const min = (v: bigint | undefined, actual: number): boolean => v !== undefined && v > 0n && BigInt(actual) < v;
    const max = (v: bigint | undefined, actual: number): boolean => v !== undefined && v > 0n && BigInt(actual) > v;
    empty =
      min(request.minModRevision, kv.modRevision) ||
      max(request.maxModRevision, kv.modRevision) ||
      min(request.minCreateRevision, kv.createRevision) ||
      max(request.maxCreateRevision, kv.createRevision);
  }
  return {
    header: copyHeader(cached.header),
    kvs: empty || kv === undefined ? [] : [copyKeyValue(kv, request.keysOnly === true)],
    more: cached.more,
    count: cached.count,
  };
}

/** Whether a read can be answered from the cache: one key, the newest revision. */
export function cacheable(request: RangeRequestInit): boolean {
  return (request.rangeEnd === undefined || request.rangeEnd.length === 0) && (request.revision === undefined || request.revision === 0n);
}

/** Whether `key` is in `[begin, end)`; an end of `"\0"` means no upper bound, no end means `begin` alone. */
export function inRange(key: Buffer, begin: Uint8Array, end: Uint8Array | undefined): boolean {
  if (end === undefined || end.length === 0) return key.equals(begin);
  if (Buffer.compare(key, begin) < 0) return false;
  if (end.length === 1 && end[0] === 0) return true;
  return Buffer.compare(key, end) < 0;
}

/** The owned keys, their cached reads and pending writes, and recent give-ups. */
export class LeaseCache {
  readonly #owned = new Map<string, Owned>();
  readonly #revoked = new Map<string, number>();

  /** The owned entry of `key`, if any. */
  get(key: Uint8Array): Owned | undefined {
    return this.#owned.get(keyId(key));
  }

  /** Records a key now owned, with its read. Replaces (and ends) an older entry of the key. */
  add(key: Buffer, rev: number, read: GetResponse): Owned {
    const id = keyId(key);
    const previous = this.#owned.get(id);
    const owned: Owned = { key, rev, cached: read, pending: undefined, controller: new AbortController() };
    this.#owned.set(id, owned);
    previous?.controller.abort();
    return owned;
  }

  /**
   * Forgets `owned` (if it is still the entry of its key) and ends its watches; with `revoked`,
   * remembers the time, so reads of the key go to etcd for a while. Returns whether it was current.
   */
  remove(owned: Owned, revoked: boolean): boolean {
    const id = keyId(owned.key);
    const current = this.#owned.get(id) === owned;
    if (current) this.#owned.delete(id);
    owned.cached = undefined;
    owned.controller.abort();
    if (revoked) this.#revoked.set(id, Date.now());
    return current;
  }

  /** Whether reads of `key` may take it again: it was not given up in the last {@link REVOKE_BACKOFF_MS}. */
  mayAcquire(key: Uint8Array): boolean {
    const id = keyId(key);
    const at = this.#revoked.get(id);
    if (at === undefined) return true;
    if (Date.now() - at > REVOKE_BACKOFF_MS) {
      this.#revoked.delete(id);
      return true;
    }
    return false;
  }

  /** Every owned entry whose key is in `[begin, end)` (see {@link inRange}). */
  inRange(begin: Uint8Array, end: Uint8Array | undefined): Owned[] {
    const out: Owned[] = [];
    for (const owned of this.#owned.values()) if (inRange(owned.key, begin, end)) out.push(owned);
    return out;
  }

  /** Every owned entry. */
  all(): Owned[] {
    return [...this.#owned.values()];
  }

  /** Forgets every owned key (the session was lost or the KV closed). */
  clear(): void {
    for (const owned of this.#owned.values()) {
      owned.cached = undefined;
      owned.controller.abort();
    }
    this.#owned.clear();
  }

  /**
   * Marks writes in flight on `entries` (waiting first for the writes already in flight on them)
   * and returns the function that ends them. Reads of those keys wait until then.
   */
  async lock(entries: readonly Owned[]): Promise<() => void> {
    for (const owned of entries) {
      while (owned.pending !== undefined) await owned.pending;
    }
    let release: () => void = () => {};
    const done = new Promise<void>((resolve) => {
      release = resolve;
    });
    for (const owned of entries) owned.pending = done;
    return () => {
      for (const owned of entries) if (owned.pending === done) owned.pending = undefined;
      release();
    };
  }

  /** The cached read of `owned` after a put of `value` at `header` (Go `Update`), or none when the put's options make it unknown. */
  applyPut(owned: Owned, value: Buffer, header: ResponseHeader, exact: boolean): void {
    const cached = owned.cached;
    if (cached === undefined) return;
    if (!exact) {
      owned.cached = undefined;
      return;
    }
    if (cached.header.revision > header.revision) return;
    const old = cached.kvs[0];
    const kv: KeyValue = old === undefined
      ? { key: owned.key, value, createRevision: header.revision, modRevision: header.revision, version: 1, lease: 0n }
      : { ...old, value, modRevision: header.revision, version: old.version + 1 };
    owned.cached = { header: copyHeader(header), kvs: [kv], more: false, count: 1 };
  }

  /** The cached read of `owned` after its deletion at `header` (Go `delete`). */
  applyDelete(owned: Owned, header: ResponseHeader): void {
    const cached = owned.cached;
    if (cached === undefined || cached.header.revision > header.revision) return;
    owned.cached = { header: copyHeader(header), kvs: [], more: false, count: 0 };
  }
}
