/**
 * The proto layer's public face: the {@link Method} descriptors of every etcd RPC, grouped by
 * service, and the generated message types and enums the layers above use.
 *
 * How values look (protobuf-es v2):
 * - int64 / uint64 fields are `bigint` (in requests too: pass `5n`, not `5`); uint32 and enums
 *   are `number`; bytes are `Uint8Array` (decoded: views into the response buffer, `Buffer`s
 *   when the transport hands `decode` a `Buffer`); strings are `string`.
 * - Field names are the proto names in lower camelCase where they had underscores
 *   (`range_end` → `rangeEnd`, `create_revision` → `createRevision`); names already mixed-case in
 *   etcd's schema stay as they are (`ID`, `TTL`, `grantedTTL`, `peerURLs`, `isLearner`, `dbSize`).
 * - A oneof is `{ case: 'requestPut', value: {...} }` (or `{ case: undefined }` when unset), e.g.
 *   `RequestOp.request`, `Compare.targetUnion`, `WatchRequest.requestUnion`.
 * - Absent sub-messages decode as `undefined` (`RangeResponse.header`, `Event.prevKv`).
 *
 * The whole generated code is also available by package as namespaces (`etcdserverpb`,
 * `mvccpb`, `authpb`, `v3lockpb`, `v3electionpb`): schemas for `create()`, file descriptors,
 * and protobuf-es's own service descriptors.
 */
import type { MessageInitShape } from '@bufbuild/protobuf';

import type {
  CompareSchema,
  DeleteRangeRequestSchema,
  PutRequestSchema,
  RangeRequestSchema,
  RequestOpSchema,
  TxnRequestSchema,
  ResponseHeaderSchema,
  WatchCreateRequestSchema,
} from './gen/etcdserverpb/rpc_pb.js';
import type { PermissionSchema } from './gen/authpb/auth_pb.js';
import type { LeaderKeySchema } from './gen/v3electionpb/v3election_pb.js';

export type { Method } from './method.js';
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
  type RequestOf,
  type ResponseOf,
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
} from './gen/etcdserverpb/rpc_pb.js';
export { Event_EventType } from './gen/mvccpb/kv_pb.js';
export { Permission_Type } from './gen/authpb/auth_pb.js';

// Records shared by several services.
export type { KeyValue, Event } from './gen/mvccpb/kv_pb.js';
export type { Permission, User, Role, UserAddOptions } from './gen/authpb/auth_pb.js';

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
} from './gen/etcdserverpb/rpc_pb.js';

// Lock and Election.
export type { LockRequest, LockResponse, UnlockRequest, UnlockResponse } from './gen/v3lockpb/v3lock_pb.js';
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
} from './gen/v3electionpb/v3election_pb.js';

/** etcd `RangeRequest` as a plain object (protobuf-es init shape). */
export type RangeRequestInit = MessageInitShape<typeof RangeRequestSchema>;
/** etcd `PutRequest` as a plain object. */
export type PutRequestInit = MessageInitShape<typeof PutRequestSchema>;
/** etcd `DeleteRangeRequest` as a plain object. */
export type DeleteRangeRequestInit = MessageInitShape<typeof DeleteRangeRequestSchema>;
/** etcd `TxnRequest` as a plain object. */
export type TxnRequestInit = MessageInitShape<typeof TxnRequestSchema>;
/** Plain-object form of a transaction operation (a member of `TxnRequest.success/failure`). */
export type RequestOpInit = MessageInitShape<typeof RequestOpSchema>;
/** Plain-object form of a transaction comparison (a member of `TxnRequest.compare`). */
export type CompareInit = MessageInitShape<typeof CompareSchema>;
/** Plain-object form of a watch create request (inside `WatchRequest.requestUnion`). */
export type WatchCreateRequestInit = MessageInitShape<typeof WatchCreateRequestSchema>;
/** Plain-object form of a key permission (for RoleGrantPermission). */
export type PermissionInit = MessageInitShape<typeof PermissionSchema>;
/** Plain-object form of an election leader key (for Proclaim and Resign). */
export type LeaderKeyInit = MessageInitShape<typeof LeaderKeySchema>;
/** Plain-object form of a response header (for building test responses). */
export type ResponseHeaderInit = MessageInitShape<typeof ResponseHeaderSchema>;

// Everything generated, by proto package.
export * as etcdserverpb from './gen/etcdserverpb/rpc_pb.js';
export * as mvccpb from './gen/mvccpb/kv_pb.js';
export * as authpb from './gen/authpb/auth_pb.js';
export * as v3lockpb from './gen/v3lockpb/v3lock_pb.js';
export * as v3electionpb from './gen/v3electionpb/v3election_pb.js';
