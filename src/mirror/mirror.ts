/**
 * Mirroring (Go's `clientv3/mirror`): `Syncer` reads the key-value state under a prefix at one
 * revision, page by page, then follows the changes after that revision with a watch. `etcdts
 * make-mirror` is built on it.
 */
import type { Client } from '../client.js';
import { checkCallOption, checkOptionsObject, unknownOption } from '../internal/validation.js';
import { describe } from '../internal/describe-value.js';
import { toBytes } from '../internal/wire.js';
import { InvalidArgumentError } from '../errors/index.js';
import { prefixRangeEnd } from '../kv/range.js';
import type { Bytes, CallOptions } from '../types.js';
import type { GetResponse, RangeOptions } from '../kv/types.js';
import type { Watcher } from '../watch/watch.js';
import type { KVService, WatchService } from '../service-interfaces.js';

/** Keys per page of `syncBase` (Go's `batchLimit`). */
export const SYNC_BATCH_LIMIT = 1000;

/** The key Go's syncer reads to learn the current revision when mirroring everything. */
const REVISION_PROBE_KEY = 'foo';

/** Options of {@link Syncer.syncBase}. */
export interface SyncBaseOptions extends CallOptions {
  /**
   * Keys per page (etcd Range `limit`), a positive integer; default {@link SYNC_BATCH_LIMIT} (1000).
   * `timeout` (ms) applies to each page's request.
   */
  limit?: number;
}

const SYNC_BASE_OPTION_NAMES: readonly string[] = ['limit', 'signal', 'timeout'];

/**
 * Reads the keys under a prefix as of one revision, then the changes after it (Go `mirror.Syncer`).
 *
 * ```ts
 * const syncer = new Syncer(source, 'app/');
 * for await (const page of syncer.syncBase()) {
 *   for (const kv of page.kvs) await destination.put(kv.key, kv.value);
 * }
 * for await (const response of syncer.syncUpdates()) {
 *   for (const event of response.events) {
 *     if (event.type === 'put') await destination.put(event.kv.key, event.kv.value);
 *     else await destination.delete(event.kv.key);
 *   }
 * }
 * ```
 */
export class Syncer<C extends KVService & WatchService = Client> {
  /** The client (or namespace view) read from, as given to the constructor. */
  readonly client: C;
  /** The prefix of the keys synced; empty for every key. */
  readonly prefix: Buffer;
  #revision: number;

  /**
   * @param client the client to read from, or a namespace view of one (`client.namespace('app/')`:
   *   the prefix is then inside it, and pages and events have keys without the namespace)
   * @param prefix the keys to sync: those starting with it; default `''` (every key)
   * @param revision the revision to read the base state at; default 0: the current revision,
   *   fixed by `syncBase` when it starts
   * @throws InvalidArgumentError for a bad prefix or revision
   */
  constructor(client: C, prefix: Bytes = '', revision = 0) {
    if (!(typeof revision === 'number' && Number.isSafeInteger(revision) && revision >= 0)) {
      throw new InvalidArgumentError(`syncer revision must be a non-negative integer, got ${describe(revision)}`);
    }
    this.client = client;
    this.prefix = Buffer.from(toBytes(prefix, 'syncer prefix'));
    this.#revision = revision;
  }

  /** The revision of the base state: as given, or fixed by `syncBase`; 0 before that. */
  get revision(): number {
    return this.#revision;
  }

  /**
   * The keys under the prefix as of `revision`, as pages of at most `limit` keys in key order
   * (etcd `KV.Range` with `revision`, `limit` and a moving start key). With revision 0, the
   * current revision is read first (etcd `KV.Range`) and kept as `revision`.
   *
   * Throws `InvalidArgumentError` for bad options (before any request), `CompactedError` when the
   * revision was compacted (the mirror must start again from a newer one), the calls' errors.
   */
  async *syncBase(options?: SyncBaseOptions): AsyncGenerator<GetResponse, void, undefined> {
    let limit = SYNC_BATCH_LIMIT;
    const call: CallOptions = {};
    checkOptionsObject(options, 'syncBase options');
    for (const name in options) {
      const value: unknown = (options as Record<string, unknown>)[name];
      if (value === undefined) continue;
      if (name === 'limit') {
        if (!(typeof value === 'number' && Number.isSafeInteger(value) && value > 0)) {
          throw new InvalidArgumentError(`syncBase limit must be a positive integer, got ${describe(value)}`);
        }
        limit = value;
      } else if (name === 'signal' || name === 'timeout') {
        checkCallOption(name, value);
        (call as Record<string, unknown>)[name] = value;
      } else {
        throw unknownOption(name, 'syncBase', SYNC_BASE_OPTION_NAMES);
      }
    }
    if (this.#revision === 0) {
      const probe = this.prefix.length === 0 ? REVISION_PROBE_KEY : this.prefix;
      this.#revision = (await this.client.get(probe, { ...call, countOnly: true })).header.revision;
    }
    const everything = this.prefix.length === 0;
    const range: RangeOptions = everything ? { fromKey: true } : { rangeEnd: prefixRangeEnd(this.prefix) };
    let key: Buffer = everything ? Buffer.from([0]) : this.prefix;
    for (;;) {
      const page = await this.client.get(key, { ...range, ...call, limit, revision: this.#revision, sort: { target: 'key', order: 'ascend' } });
      yield page;
      const last = page.kvs[page.kvs.length - 1];
      if (!page.more || last === undefined) return;
      key = Buffer.concat([last.key, Buffer.from([0])]);
    }
  }

  /**
   * The changes under the prefix after `revision` (etcd `Watch.Watch` from `revision + 1`), as a
   * watch: see `client.watch`. Throws `InvalidArgumentError` when `revision` is still 0 (call
   * `syncBase` first, or give a revision).
   *
   * @param options `signal`: aborting it ends the watch
   */
  syncUpdates(options?: { signal?: AbortSignal }): Watcher {
    if (this.#revision === 0) {
      throw new InvalidArgumentError('syncUpdates: no revision to follow from; run syncBase first or give the Syncer a revision');
    }
    return this.client.watch(this.prefix, { prefix: true, startRevision: this.#revision + 1, signal: options?.signal });
  }
}
