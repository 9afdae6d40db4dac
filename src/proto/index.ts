/**
 * The proto layer's public face: the {@link Method} descriptors of every etcd RPC, grouped by
 * service, and the generated message types and enums the layers above use.
 *
 * How values look (ts-proto, options in `buf.gen.yaml`):
 * - int64 / uint64 fields are `bigint` (in requests too: pass `5n`, not `5`); uint32 and enums
 *   are `number`; bytes are `Uint8Array` (decoded: views into the response buffer, `Buffer`s
 *   when the transport hands `decode` a `Buffer`); strings are `string`.
 * - Field names are the proto names in lower camelCase where they had underscores
 *   (`range_end` → `rangeEnd`, `create_revision` → `createRevision`); names already mixed-case in
 *   etcd's schema stay as they are (`ID`, `TTL`, `grantedTTL`, `peerURLs`, `isLearner`, `dbSize`).
 * - A oneof is `{ $case: 'requestPut', value: {...} }`, or `undefined` when unset, e.g.
 *   `RequestOp.request`, `Compare.targetUnion`, `WatchRequest.requestUnion`.
 * - Absent sub-messages decode as `undefined` (`RangeResponse.header`, `Event.prevKv`); every
 *   other field of a decoded message is present (proto3 default when not on the wire).
 * - Requests are {@link Init} objects: the same shapes with every field optional.
 *
 * The whole generated code is also available by package as namespaces (`etcdserverpb`,
 * `mvccpb`, `authpb`, `v3lockpb`, `v3electionpb`): one codec object per message (`encode`,
 * `decode`, `fromPartial`, named like the message) and plain service definitions
 * (`KVDefinition`, ...).
 */
import type { Init } from './methods.js';
import type { Compare, DeleteRangeRequest, PutRequest, RangeRequest, RequestOp, TxnRequest } from './gen/etcdserverpb/rpc.js';

export type { Method } from './method-descriptor.js';
export {
  KV,
  Watch,
  Lease,
  Cluster,
  Maintenance,
  Auth,
  Lock,
  Election,
  SERVICES,
  type EtcdMethod,
  type Init,
} from './methods.js';

// Enums (values): sort, compare, events, watch filters, alarms, downgrade, permissions.
export {
  RangeRequest_SortOrder,
  RangeRequest_SortTarget,
  Compare_CompareResult,
  Compare_CompareTarget,
  WatchCreateRequest_FilterType,
  AlarmType,
  AlarmRequest_AlarmAction,
  DowngradeRequest_DowngradeAction,
} from './gen/etcdserverpb/rpc.js';
export { Event_EventType } from './gen/mvccpb/kv.js';
export { Permission_Type } from './gen/authpb/auth.js';

// Records shared by several services.
export type { KeyValue, Event } from './gen/mvccpb/kv.js';
export type { Permission, User, Role, UserAddOptions } from './gen/authpb/auth.js';

// Message types of etcdserverpb, by service.
export type {
  ResponseHeader,
  // KV
  RangeRequest,
  RangeResponse,
  PutRequest,
  PutResponse,
  DeleteRangeRequest,
  DeleteRangeResponse,
  RequestOp,
  ResponseOp,
  Compare,
  TxnRequest,
  TxnResponse,
  CompactionRequest,
  CompactionResponse,
  // Watch
  WatchRequest,
  WatchCreateRequest,
  WatchCancelRequest,
  WatchProgressRequest,
  WatchResponse,
  // Lease
  LeaseGrantRequest,
  LeaseGrantResponse,
  LeaseRevokeRequest,
  LeaseRevokeResponse,
  LeaseKeepAliveRequest,
  LeaseKeepAliveResponse,
  LeaseTimeToLiveRequest,
  LeaseTimeToLiveResponse,
  LeaseLeasesRequest,
  LeaseLeasesResponse,
  LeaseStatus,
  // Cluster
  Member,
  MemberAddRequest,
  MemberAddResponse,
  MemberRemoveRequest,
  MemberRemoveResponse,
  MemberUpdateRequest,
  MemberUpdateResponse,
  MemberListRequest,
  MemberListResponse,
  MemberPromoteRequest,
  MemberPromoteResponse,
  // Maintenance
  AlarmRequest,
  AlarmMember,
  AlarmResponse,
  StatusRequest,
  StatusResponse,
  DowngradeInfo,
  DefragmentRequest,
  DefragmentResponse,
  HashRequest,
  HashResponse,
  HashKVRequest,
  HashKVResponse,
  SnapshotRequest,
  SnapshotResponse,
  MoveLeaderRequest,
  MoveLeaderResponse,
  DowngradeRequest,
  DowngradeResponse,
  // Auth
  AuthEnableRequest,
  AuthEnableResponse,
  AuthDisableRequest,
  AuthDisableResponse,
  AuthStatusRequest,
  AuthStatusResponse,
  AuthenticateRequest,
  AuthenticateResponse,
  AuthUserAddRequest,
  AuthUserAddResponse,
  AuthUserGetRequest,
  AuthUserGetResponse,
  AuthUserListRequest,
  AuthUserListResponse,
  AuthUserDeleteRequest,
  AuthUserDeleteResponse,
  AuthUserChangePasswordRequest,
  AuthUserChangePasswordResponse,
  AuthUserGrantRoleRequest,
  AuthUserGrantRoleResponse,
  AuthUserRevokeRoleRequest,
  AuthUserRevokeRoleResponse,
  AuthRoleAddRequest,
  AuthRoleAddResponse,
  AuthRoleGetRequest,
  AuthRoleGetResponse,
  AuthRoleListRequest,
  AuthRoleListResponse,
  AuthRoleDeleteRequest,
  AuthRoleDeleteResponse,
  AuthRoleGrantPermissionRequest,
  AuthRoleGrantPermissionResponse,
  AuthRoleRevokePermissionRequest,
  AuthRoleRevokePermissionResponse,
} from './gen/etcdserverpb/rpc.js';

// Lock and Election.
export type { LockRequest, LockResponse, UnlockRequest, UnlockResponse } from './gen/v3lockpb/v3lock.js';
export type {
  CampaignRequest,
  CampaignResponse,
  LeaderKey,
  LeaderRequest,
  LeaderResponse,
  ProclaimRequest,
  ProclaimResponse,
  ResignRequest,
  ResignResponse,
} from './gen/v3electionpb/v3election.js';

/** etcd `RangeRequest` as a plain object (every field optional). */
export type RangeRequestInit = Init<RangeRequest>;
/** etcd `PutRequest` as a plain object. */
export type PutRequestInit = Init<PutRequest>;
/** etcd `DeleteRangeRequest` as a plain object. */
export type DeleteRangeRequestInit = Init<DeleteRangeRequest>;
/** etcd `TxnRequest` as a plain object. */
export type TxnRequestInit = Init<TxnRequest>;
/** Plain-object form of a transaction operation (a member of `TxnRequest.success/failure`). */
export type RequestOpInit = Init<RequestOp>;
/** Plain-object form of a transaction comparison (a member of `TxnRequest.compare`). */
export type CompareInit = Init<Compare>;

// Everything generated, by proto package.
export * as etcdserverpb from './gen/etcdserverpb/rpc.js';
export * as mvccpb from './gen/mvccpb/kv.js';
export * as authpb from './gen/authpb/auth.js';
export * as v3lockpb from './gen/v3lockpb/v3lock.js';
export * as v3electionpb from './gen/v3electionpb/v3election.js';
