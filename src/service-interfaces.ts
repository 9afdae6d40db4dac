/**
 * The KV, Watch and Lease services as interfaces (Go's `clientv3.KV`, `clientv3.Watcher`,
 * `clientv3.Lease`): what the layers above the client (sessions, locks, elections, STM, the
 * recipes, mirror, ordering, leasing) are typed on, so that a `Client` and a namespace view
 * (`client.namespace(prefix)`) both fit them without a cast, as Go's
 * `cli.KV = namespace.NewKV(cli.KV, pfx)` fits under `concurrency.NewSession(cli)`.
 */
import type { Op } from './kv/op.js';
import type { Txn } from './kv/txn.js';
import type {
  LeaseGrantOptions,
  LeaseGrantResponse,
  LeaseKeepAlive,
  LeaseKeepAliveResponse,
  LeaseLeasesResponse,
  LeaseRevokeResponse,
  LeaseTimeToLiveResponse,
} from './lease/lease.js';
import type { WatchOptions, Watcher } from './watch/watch.js';
import type { Bytes, CallOptions } from './types.js';
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
} from './kv/types.js';

/**
 * The KV calls of etcd's `KV` service (Go's `clientv3.KV`). A `Client`, a `Namespace`, an
 * `OrderingKV` and a `LeasingKV` all have them; `stm()` and `OrderingKV` take any of them.
 * Each method is documented on `Client` (`client.get`, ...).
 */
export interface KVService {
  /** Reads a key or range (etcd `KV.Range`). See `Client.get`. */
  get(key: Bytes, options?: RangeOptions & CallOptions): Promise<GetResponse>;
  /** Writes a key (etcd `KV.Put`). See `Client.put`. */
  put(key: Bytes, value: Bytes, options?: PutOptions & CallOptions): Promise<PutResponse>;
  /** Deletes a key or range (etcd `KV.DeleteRange`). See `Client.delete`. */
  delete(key: Bytes, options?: DeleteOptions & CallOptions): Promise<DeleteResponse>;
  /** Compacts the history up to `revision` (etcd `KV.Compact`). See `Client.compact`. */
  compact(revision: number, options?: CompactOptions & CallOptions): Promise<CompactResponse>;
  /** Runs one op (etcd `KV.Range`, `Put`, `DeleteRange` or `Txn`). See `Client.do`. */
  do(op: Op, options?: CallOptions): Promise<OpResponse>;
  /** Starts a transaction (etcd `KV.Txn` on `commit()`). See `Client.txn`. */
  txn(): Txn;
}

/**
 * Watches (Go's `clientv3.Watcher`): `watch(key, options)` as `Client.watch` (etcd `Watch.Watch`).
 * A `Client` and a `Namespace` have it.
 */
export interface WatchService {
  /** Starts a watch (etcd `Watch.Watch`) and returns it at once. See `Client.watch`. */
  watch(key: Bytes, options?: WatchOptions): Watcher;
}

/**
 * The calls of etcd's `Lease` service (Go's `clientv3.Lease`), as `client.lease` and a
 * namespace's `lease` have them. Each method is documented on `Lease` (`client.lease.grant`, ...).
 */
export interface LeaseService {
  /** Grants a lease of `ttl` seconds (etcd `Lease.LeaseGrant`). See `Lease.grant`. */
  grant(ttl: number, options?: LeaseGrantOptions): Promise<LeaseGrantResponse>;
  /** Revokes a lease (etcd `Lease.LeaseRevoke`). See `Lease.revoke`. */
  revoke(id: bigint, options?: CallOptions): Promise<LeaseRevokeResponse>;
  /** A lease's TTLs and, with `keys: true`, its keys (etcd `Lease.LeaseTimeToLive`). See `Lease.timeToLive`. */
  timeToLive(id: bigint, options?: { keys?: boolean } & CallOptions): Promise<LeaseTimeToLiveResponse>;
  /** Every lease of the cluster (etcd `Lease.LeaseLeases`). See `Lease.leases`. */
  leases(options?: CallOptions): Promise<LeaseLeasesResponse>;
  /** Renews a lease once (etcd `Lease.LeaseKeepAlive`). See `Lease.keepAliveOnce`. */
  keepAliveOnce(id: bigint, options?: CallOptions): Promise<LeaseKeepAliveResponse>;
  /** Keeps a lease alive until closed or lost (etcd `Lease.LeaseKeepAlive`). See `Lease.keepAlive`. */
  keepAlive(id: bigint, options?: { signal?: AbortSignal }): LeaseKeepAlive;
}

/**
 * What a `Session` (and so `Mutex`, `Election`, `DoubleBarrier`, `RWMutex`) and a `LeasingKV` are
 * built on: KV calls, watches, and leases as `lease` (Go's `*clientv3.Client` with its `KV`,
 * `Watcher` and `Lease`). A `Client` and a `Namespace` are both one: under a namespace, every key
 * they write (lock and election keys, leasing keys) is inside it.
 */
export interface SessionClient extends KVService, WatchService {
  /** The Lease service: `client.lease`, or a namespace's `lease`. */
  readonly lease: LeaseService;
}
