/**
 * etcd-ts: an etcd v3 client for TypeScript and Node.js.
 *
 * ```ts
 * import { Client, op, compare } from 'etcd-ts';
 *
 * await using client = new Client({ endpoints: ['http://127.0.0.1:2379'] });
 * await client.put('config/a', '1');
 * const { kvs } = await client.get('config/', { prefix: true });
 * const { succeeded } = await client.txn()
 *   .if(compare.value('config/a', '=', '1'))
 *   .then(op.put('config/a', '2'))
 *   .commit();
 * ```
 *
 * @module
 */
export { Client, CLIENT_DEFAULTS, type ClientOptions, type Logger, type TlsOptions } from './client.js';
export { Txn } from './txn.js';
export type { Watch, Watcher, WatchEvent, WatchOptions, WatchResponse } from './watch.js';
export type {
  Lease,
  LeaseGrantOptions,
  LeaseGrantResponse,
  LeaseKeepAlive,
  LeaseKeepAliveResponse,
  LeaseLeasesResponse,
  LeaseRevokeResponse,
  LeaseTimeToLiveResponse,
} from './lease.js';
export type { Cluster } from './cluster.js';
export type { Maintenance } from './maintenance.js';
export type { Auth } from './auth.js';
export { op, type Op, type GetOp, type PutOp, type DeleteOp, type TxnOp } from './op.js';
export {
  compare,
  type Compare,
  type CompareOperator,
  type CompareRangeOptions,
  type CompareTarget,
} from './compare.js';
export { firstKey, lastKey, firstCreate, lastCreate, firstRev, lastRev, prefixRangeEnd } from './range.js';
export type {
  Bytes,
  CallOptions,
  CompactOptions,
  CompactResponse,
  DeleteOptions,
  DeleteResponse,
  GetResponse,
  KeyRangeOptions,
  KeyValue,
  OpResponse,
  PutOptions,
  PutResponse,
  RangeOptions,
  ResponseHeader,
  SortOption,
  SortOrder,
  SortTarget,
  TxnResponse,
} from './types.js';
export * from './errors.js';
