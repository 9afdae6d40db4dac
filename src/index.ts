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
 * @module etcd-ts
 */
export { Client, CLIENT_DEFAULTS, type ClientOptions, type Logger, type TlsOptions, type TlsVersion } from './client.js';
export { loadConfigFile } from './config.js';
export {
  DEFAULT_LATENCY_BUCKETS_SECONDS,
  METRIC_NAMES,
  type MetricsOptions,
  type MetricsRegistry,
  type PromClientModule,
  type PromCounterSeries,
  type PromGaugeSeries,
  type PromHistogramSeries,
  type PromMetric,
} from './rpc/metrics.js';
export { TRACER_NAME, type TracingOptions, type TracerProvider, type Tracer, type TraceSpan } from './rpc/tracing.js';
export { Txn } from './kv/txn.js';
export type { KVService, LeaseService, SessionClient, WatchService } from './service-interfaces.js';
export { Namespace, NamespaceLease } from './namespace/namespace.js';
export { Syncer, SYNC_BATCH_LIMIT, type SyncBaseOptions } from './mirror/mirror.js';
export {
  OrderingKV,
  retryOnOrderViolation,
  DEFAULT_ORDER_VIOLATION_ATTEMPTS,
  DEFAULT_ORDER_VIOLATION_BACKOFF_MS,
  type OrderViolationHandler,
  type RetryOnOrderViolationOptions,
} from './ordering/ordering.js';
export { LeasingKV, DEFAULT_LEASING_TTL, REVOKE_BACKOFF_MS, REVOKE_VALUE, type LeasingKVOptions } from './leasing/index.js';
export type { Watch, Watcher, WatchEvent, WatchOptions, WatchResponse } from './watch/watch.js';
export { DEFAULT_WATCH_MAX_BUFFERED_BYTES } from './watch/watch.js';
export type {
  Lease,
  LeaseGrantOptions,
  LeaseGrantResponse,
  LeaseKeepAlive,
  LeaseKeepAliveResponse,
  LeaseLeasesResponse,
  LeaseRevokeResponse,
  LeaseTimeToLiveResponse,
} from './lease/lease.js';
export type {
  Cluster,
  Member,
  MemberAddResponse,
  MemberListOptions,
  MemberListResponse,
  MemberPromoteResponse,
  MemberRemoveResponse,
  MemberUpdateResponse,
} from './cluster/cluster.js';
export {
  DOWNGRADE_FEATURE,
  type AlarmDisarmTarget,
  type AlarmMember,
  type AlarmResponse,
  type AlarmType,
  type DefragmentResponse,
  type DowngradeAction,
  type DowngradeResponse,
  type EndpointCallOptions,
  type HashKVResponse,
  type HashResponse,
  type Maintenance,
  type MoveLeaderOptions,
  type MoveLeaderResponse,
  type SaveSnapshotOptions,
  type SnapshotOptions,
  type SnapshotStream,
  type SnapshotWithVersionResponse,
  type StatusResponse,
} from './maintenance/maintenance.js';
export type { SaveSnapshotResult, SnapshotProgress } from './maintenance/snapshot.js';
export type {
  Auth,
  AuthenticateResponse,
  AuthResponse,
  AuthRoleGetResponse,
  AuthRoleListResponse,
  AuthStatusResponse,
  AuthUserGetResponse,
  AuthUserListResponse,
  NoPassword,
  Permission,
  PermissionGrant,
  PermissionRange,
  PermissionType,
} from './auth/auth.js';
export type { LockService, Lock, LockResponse, UnlockResponse } from './lock-election/lock.js';
export type {
  ElectionService,
  Election,
  CampaignResponse,
  LeaderKey,
  LeaderKeyInit,
  LeaderResponse,
  ObserveOptions,
  ProclaimResponse,
  ResignResponse,
} from './lock-election/election.js';
export { op, type Op, type GetOp, type PutOp, type DeleteOp, type TxnOp } from './kv/op.js';
export {
  compare,
  type Compare,
  type CompareBase,
  type CompareOperator,
  type CompareRangeOptions,
  type CompareTarget,
} from './kv/compare.js';
export { firstKey, lastKey, firstCreate, lastCreate, firstRev, lastRev, prefixRangeEnd } from './kv/range.js';
export type { Bytes, CallOptions, KeyValue, ResponseHeader } from './types.js';
export type {
  CompactOptions,
  CompactResponse,
  DeleteOptions,
  DeleteResponse,
  GetResponse,
  KeyRangeOptions,
  OpResponse,
  PutOptions,
  PutResponse,
  RangeOptions,
  SortOption,
  SortOrder,
  SortTarget,
  TxnResponse,
} from './kv/types.js';
// The error tree (src/errors/): the roots, the server's errors, the client's own, the predicates,
// and the errors of the parts this entry point exports.
export * from './errors/etcd-error.js';
export * from './errors/server.js';
export * from './errors/client.js';
export * from './errors/predicates.js';
export {
  ElectionNoLeaderError,
  ElectionNotLeaderError,
  LockedError,
  LockReleasedError,
  SessionExpiredError,
  StmConflictError,
} from './errors/concurrency.js';
export { WatchEndedError, WatchOverflowError } from './errors/watch.js';
export { SnapshotChecksumError } from './errors/snapshot.js';
export { OrderViolationError } from './errors/ordering.js';
