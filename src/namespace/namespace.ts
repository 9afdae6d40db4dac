/**
 * `client.namespace(prefix)`: a view of the client in which every key lives under `prefix` (Go's
 * `clientv3/namespace`: `NewKV`, `NewWatcher`, `NewLease` in one object). Keys given to the view
 * get the prefix; keys it returns have it taken off. The work is in src/namespace/: `prefix.ts`
 * (the key arithmetic on etcd's messages), `rpc.ts` (KV calls), `watch.ts`, `lease.ts`.
 */
import { toBuffer, toBytes } from '../internal/wire.js';
import { KV } from '../kv/kv.js';
import type { Lease } from '../lease/lease.js';
import { NamespaceLease } from './lease.js';
import { PrefixRpc } from './rpc.js';
import { namespaceWatch } from './watch.js';
import type { Op } from '../kv/op.js';
import type { Rpc } from '../rpc/types.js';
import type { Txn } from '../kv/txn.js';
import type { Watch, WatchOptions, Watcher } from '../watch/watch.js';
import type { Bytes, CallOptions } from '../types.js';
import type { SessionClient } from '../service-interfaces.js';
import type {
  CompactOptions,
  CompactResponse,
  DeleteOptions,
  DeleteResponse,
  GetResponse,
  OpResponse,
  PutOptions,
  PutResponse,
  RangeOptions,
} from '../kv/types.js';

export { NamespaceLease };

/**
 * A view of a client under a key prefix, made by `client.namespace(prefix)`.
 *
 * ```ts
 * const app = client.namespace('app/');
 * await app.put('config', 'x');            // writes the key 'app/config'
 * const { kvs } = await app.get('', { prefix: true });
 * kvs[0]?.key.toString();                   // 'config'
 * ```
 *
 * - Keys and range ends move into the namespace: `get(k)` reads `prefix + k`; `prefix: true` covers
 *   the keys starting with `prefix + k`; `rangeEnd: e` ends at `prefix + e`; `fromKey` and a range
 *   end of `"\0"` stop at the end of the namespace, never beyond it. Comparisons and ops of
 *   transactions (nested ones too) move the same way.
 * - Returned keys lose the prefix: `kvs`, `prevKv`, `prevKvs`, transaction responses, watch events
 *   (`kv` and `prevKv`), and the keys `lease.timeToLive(id, { keys: true })` lists (keys of the
 *   lease outside the namespace are left out).
 * - As in Go, a range over the whole namespace starts just after the key equal to the prefix
 *   itself (that key is the empty key inside the namespace, which cannot be written through it).
 * - Every call is the client's own (same checks, errors, retries and deadlines); the view owns no
 *   connection and needs no closing. Watches share the client's watch stream, keep-alives its
 *   keep-alive stream. `compact` is not namespaced (revisions are cluster-wide).
 */
export class Namespace implements SessionClient {
  /** The namespace's prefix, as bytes. */
  readonly prefix: Buffer;
  /** Leases as the namespace sees them (see {@link NamespaceLease}). */
  readonly lease: NamespaceLease;
  readonly #rpc: Rpc;
  readonly #kv: KV;
  readonly #watch: Watch;
  readonly #clientLease: Lease;

  /**
   * Made by `client.namespace(prefix)` from the client's call layer, Watch and Lease services.
   * Throws `InvalidArgumentError` for a prefix that is not a string or Uint8Array.
   * @internal
   */
  constructor(rpc: Rpc, watch: Watch, lease: Lease, prefix: Bytes) {
    this.prefix = Buffer.from(toBytes(prefix, 'namespace prefix'));
    this.#rpc = rpc;
    this.#kv = new KV(new PrefixRpc(rpc, this.prefix));
    this.#watch = watch;
    this.#clientLease = lease;
    this.lease = new NamespaceLease(lease, this.prefix);
  }

  /** Reads a key or range of the namespace (etcd `KV.Range`). As `client.get`. */
  get(key: Bytes, options?: RangeOptions & CallOptions): Promise<GetResponse> {
    return this.#kv.get(key, options);
  }

  /** Writes a key of the namespace (etcd `KV.Put`). As `client.put`. */
  put(key: Bytes, value: Bytes, options?: PutOptions & CallOptions): Promise<PutResponse> {
    return this.#kv.put(key, value, options);
  }

  /** Deletes a key or range of the namespace (etcd `KV.DeleteRange`). As `client.delete`. */
  delete(key: Bytes, options?: DeleteOptions & CallOptions): Promise<DeleteResponse> {
    return this.#kv.delete(key, options);
  }

  /** Compacts the whole store's history up to `revision` (etcd `KV.Compact`): not namespaced. As `client.compact`. */
  compact(revision: number, options?: CompactOptions & CallOptions): Promise<CompactResponse> {
    return this.#kv.compact(revision, options);
  }

  /** Runs one op inside the namespace (etcd `KV.Range`, `Put`, `DeleteRange` or `Txn`). As `client.do`. */
  do(o: Op, options?: CallOptions): Promise<OpResponse> {
    return this.#kv.do(o, options);
  }

  /** Starts a transaction inside the namespace (etcd `KV.Txn` on `commit()`). As `client.txn`. */
  txn(): Txn {
    return this.#kv.txn();
  }

  /**
   * Watches a key or range of the namespace (etcd `Watch.Watch`, on the client's shared stream).
   * As `client.watch`; event keys come without the prefix.
   */
  watch(key: Bytes, options?: WatchOptions): Watcher {
    return namespaceWatch(this.#watch, this.prefix, key, options);
  }

  /** A namespace inside this one: prefix `this.prefix + prefix`. */
  namespace(prefix: Bytes): Namespace {
    const inner = toBuffer(toBytes(prefix, 'namespace prefix'));
    return new Namespace(this.#rpc, this.#watch, this.#clientLease, Buffer.concat([this.prefix, inner]));
  }
}
