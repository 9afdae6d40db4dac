/**
 * One {@link Method} descriptor per etcd v3 RPC, grouped by gRPC service, built on the codec that
 * `npm run gen` generates from `proto/` into `src/proto/gen/`.
 *
 * - Request values are plain objects of the generated init shape (`MessageInitShape`): every
 *   field optional, camelCase names, 64-bit integers as `bigint`, bytes as `Uint8Array`, enums as
 *   the generated TypeScript enums. Encoding fills in proto3 defaults for missing fields.
 * - Responses are the generated message types. 64-bit integers are `bigint`, enums numbers of the
 *   generated enums, absent sub-messages `undefined`.
 * - Zero copy: protobuf-es's `BinaryReader.bytes()` returns `buf.subarray(...)`, so every bytes
 *   field of a decoded response (keys, values, snapshot blobs) is a view into the buffer given to
 *   `decode`, not a copy. When that buffer is a Node `Buffer`, the views are `Buffer`s too. Keep in
 *   mind that a view keeps the whole response buffer alive.
 * - `retry` follows the Go client's split (client/v3/retry.go, research/anchors.md §1.3):
 *   repeatable RPCs are `read`, nonRepeatable ones `write`.
 *
 * Each group's keys are the RPC names in lower camelCase (`KV.deleteRange` is
 * `/etcdserverpb.KV/DeleteRange`), the same names the generated service descriptors use.
 */
import {
  create,
  fromBinary,
  toBinary,
  type DescMessage,
  type MessageInitShape,
  type MessageShape,
} from '@bufbuild/protobuf';

import type { Method } from './method.js';
import * as rpc from './gen/etcdserverpb/rpc_pb.js';
import * as lock from './gen/v3lockpb/v3lock_pb.js';
import * as election from './gen/v3electionpb/v3election_pb.js';

/**
 * A {@link Method} that also carries the generated schemas of its request (`input`) and response
 * (`output`), e.g. for `create(KV.range.input, {...})` or for a test server.
 */
export interface EtcdMethod<I extends DescMessage, O extends DescMessage>
  extends Method<MessageInitShape<I>, MessageShape<O>> {
  /** Schema of the request message, e.g. `RangeRequestSchema`. */
  readonly input: I;
  /** Schema of the response message, e.g. `RangeResponseSchema`. */
  readonly output: O;
}

/** The request type of a method: `RequestOf<typeof KV.range>` is the RangeRequest init shape. */
export type RequestOf<M> = M extends Method<infer Req, unknown> ? Req : never;

/** The response type of a method: `ResponseOf<typeof KV.range>` is `RangeResponse`. */
export type ResponseOf<M> = M extends Method<never, infer Res> ? Res : never;

/** Builds one frozen method descriptor; `path` is `/<package>.<Service>/<Rpc>`. */
function define<I extends DescMessage, O extends DescMessage>(
  path: string,
  kind: Method<unknown, unknown>['kind'],
  retry: Method<unknown, unknown>['retry'],
  input: I,
  output: O,
): EtcdMethod<I, O> {
  return Object.freeze({
    path,
    kind,
    retry,
    input,
    output,
    encode: (request: MessageInitShape<I>): Uint8Array => toBinary(input, create(input, request)),
    decode: (bytes: Uint8Array): MessageShape<O> => fromBinary(output, bytes),
  });
}

/** Service `etcdserverpb.KV`: reads and writes of the key-value store. */
export const KV = Object.freeze({
  range: define('/etcdserverpb.KV/Range', 'unary', 'read', rpc.RangeRequestSchema, rpc.RangeResponseSchema),
  put: define('/etcdserverpb.KV/Put', 'unary', 'write', rpc.PutRequestSchema, rpc.PutResponseSchema),
  deleteRange: define('/etcdserverpb.KV/DeleteRange', 'unary', 'write', rpc.DeleteRangeRequestSchema, rpc.DeleteRangeResponseSchema),
  /** Always `write`, even for a read-only transaction (as in Go). */
  txn: define('/etcdserverpb.KV/Txn', 'unary', 'write', rpc.TxnRequestSchema, rpc.TxnResponseSchema),
  compact: define('/etcdserverpb.KV/Compact', 'unary', 'write', rpc.CompactionRequestSchema, rpc.CompactionResponseSchema),
});

/**
 * Service `etcdserverpb.Watch`. The stream is never retried by the rpc layer (Go has no retry
 * wrapper for it); the watch code re-creates watchers itself. `read` because re-creating is safe.
 */
export const Watch = Object.freeze({
  watch: define('/etcdserverpb.Watch/Watch', 'bidi', 'read', rpc.WatchRequestSchema, rpc.WatchResponseSchema),
});

/**
 * Service `etcdserverpb.Lease`. All repeatable in Go, LeaseGrant included (a retried grant may
 * leave an unused lease behind until its TTL runs out).
 */
export const Lease = Object.freeze({
  leaseGrant: define('/etcdserverpb.Lease/LeaseGrant', 'unary', 'read', rpc.LeaseGrantRequestSchema, rpc.LeaseGrantResponseSchema),
  leaseRevoke: define('/etcdserverpb.Lease/LeaseRevoke', 'unary', 'read', rpc.LeaseRevokeRequestSchema, rpc.LeaseRevokeResponseSchema),
  leaseKeepAlive: define('/etcdserverpb.Lease/LeaseKeepAlive', 'bidi', 'read', rpc.LeaseKeepAliveRequestSchema, rpc.LeaseKeepAliveResponseSchema),
  leaseTimeToLive: define('/etcdserverpb.Lease/LeaseTimeToLive', 'unary', 'read', rpc.LeaseTimeToLiveRequestSchema, rpc.LeaseTimeToLiveResponseSchema),
  leaseLeases: define('/etcdserverpb.Lease/LeaseLeases', 'unary', 'read', rpc.LeaseLeasesRequestSchema, rpc.LeaseLeasesResponseSchema),
});

/** Service `etcdserverpb.Cluster`: membership. Only MemberList is repeatable. */
export const Cluster = Object.freeze({
  memberAdd: define('/etcdserverpb.Cluster/MemberAdd', 'unary', 'write', rpc.MemberAddRequestSchema, rpc.MemberAddResponseSchema),
  memberRemove: define('/etcdserverpb.Cluster/MemberRemove', 'unary', 'write', rpc.MemberRemoveRequestSchema, rpc.MemberRemoveResponseSchema),
  memberUpdate: define('/etcdserverpb.Cluster/MemberUpdate', 'unary', 'write', rpc.MemberUpdateRequestSchema, rpc.MemberUpdateResponseSchema),
  memberList: define('/etcdserverpb.Cluster/MemberList', 'unary', 'read', rpc.MemberListRequestSchema, rpc.MemberListResponseSchema),
  memberPromote: define('/etcdserverpb.Cluster/MemberPromote', 'unary', 'write', rpc.MemberPromoteRequestSchema, rpc.MemberPromoteResponseSchema),
});

/**
 * Service `etcdserverpb.Maintenance`: acts on the member that receives the call. Defragment and
 * Downgrade are nonRepeatable in Go; the rest (MoveLeader included) repeatable.
 */
export const Maintenance = Object.freeze({
  alarm: define('/etcdserverpb.Maintenance/Alarm', 'unary', 'read', rpc.AlarmRequestSchema, rpc.AlarmResponseSchema),
  status: define('/etcdserverpb.Maintenance/Status', 'unary', 'read', rpc.StatusRequestSchema, rpc.StatusResponseSchema),
  defragment: define('/etcdserverpb.Maintenance/Defragment', 'unary', 'write', rpc.DefragmentRequestSchema, rpc.DefragmentResponseSchema),
  hash: define('/etcdserverpb.Maintenance/Hash', 'unary', 'read', rpc.HashRequestSchema, rpc.HashResponseSchema),
  hashKV: define('/etcdserverpb.Maintenance/HashKV', 'unary', 'read', rpc.HashKVRequestSchema, rpc.HashKVResponseSchema),
  snapshot: define('/etcdserverpb.Maintenance/Snapshot', 'server-stream', 'read', rpc.SnapshotRequestSchema, rpc.SnapshotResponseSchema),
  moveLeader: define('/etcdserverpb.Maintenance/MoveLeader', 'unary', 'read', rpc.MoveLeaderRequestSchema, rpc.MoveLeaderResponseSchema),
  downgrade: define('/etcdserverpb.Maintenance/Downgrade', 'unary', 'write', rpc.DowngradeRequestSchema, rpc.DowngradeResponseSchema),
});

/**
 * Service `etcdserverpb.Auth`. UserGet, UserList, RoleGet and RoleList are repeatable; everything
 * else, AuthStatus and Authenticate included, is nonRepeatable in Go.
 */
export const Auth = Object.freeze({
  authEnable: define('/etcdserverpb.Auth/AuthEnable', 'unary', 'write', rpc.AuthEnableRequestSchema, rpc.AuthEnableResponseSchema),
  authDisable: define('/etcdserverpb.Auth/AuthDisable', 'unary', 'write', rpc.AuthDisableRequestSchema, rpc.AuthDisableResponseSchema),
  authStatus: define('/etcdserverpb.Auth/AuthStatus', 'unary', 'write', rpc.AuthStatusRequestSchema, rpc.AuthStatusResponseSchema),
  authenticate: define('/etcdserverpb.Auth/Authenticate', 'unary', 'write', rpc.AuthenticateRequestSchema, rpc.AuthenticateResponseSchema),
  userAdd: define('/etcdserverpb.Auth/UserAdd', 'unary', 'write', rpc.AuthUserAddRequestSchema, rpc.AuthUserAddResponseSchema),
  userGet: define('/etcdserverpb.Auth/UserGet', 'unary', 'read', rpc.AuthUserGetRequestSchema, rpc.AuthUserGetResponseSchema),
  userList: define('/etcdserverpb.Auth/UserList', 'unary', 'read', rpc.AuthUserListRequestSchema, rpc.AuthUserListResponseSchema),
  userDelete: define('/etcdserverpb.Auth/UserDelete', 'unary', 'write', rpc.AuthUserDeleteRequestSchema, rpc.AuthUserDeleteResponseSchema),
  userChangePassword: define('/etcdserverpb.Auth/UserChangePassword', 'unary', 'write', rpc.AuthUserChangePasswordRequestSchema, rpc.AuthUserChangePasswordResponseSchema),
  userGrantRole: define('/etcdserverpb.Auth/UserGrantRole', 'unary', 'write', rpc.AuthUserGrantRoleRequestSchema, rpc.AuthUserGrantRoleResponseSchema),
  userRevokeRole: define('/etcdserverpb.Auth/UserRevokeRole', 'unary', 'write', rpc.AuthUserRevokeRoleRequestSchema, rpc.AuthUserRevokeRoleResponseSchema),
  roleAdd: define('/etcdserverpb.Auth/RoleAdd', 'unary', 'write', rpc.AuthRoleAddRequestSchema, rpc.AuthRoleAddResponseSchema),
  roleGet: define('/etcdserverpb.Auth/RoleGet', 'unary', 'read', rpc.AuthRoleGetRequestSchema, rpc.AuthRoleGetResponseSchema),
  roleList: define('/etcdserverpb.Auth/RoleList', 'unary', 'read', rpc.AuthRoleListRequestSchema, rpc.AuthRoleListResponseSchema),
  roleDelete: define('/etcdserverpb.Auth/RoleDelete', 'unary', 'write', rpc.AuthRoleDeleteRequestSchema, rpc.AuthRoleDeleteResponseSchema),
  roleGrantPermission: define('/etcdserverpb.Auth/RoleGrantPermission', 'unary', 'write', rpc.AuthRoleGrantPermissionRequestSchema, rpc.AuthRoleGrantPermissionResponseSchema),
  roleRevokePermission: define('/etcdserverpb.Auth/RoleRevokePermission', 'unary', 'write', rpc.AuthRoleRevokePermissionRequestSchema, rpc.AuthRoleRevokePermissionResponseSchema),
});

/**
 * Service `v3lockpb.Lock` (etcd's server-side lock). Not in Go's retry tables, so Go applies its
 * default nonRepeatable policy: both `write`.
 */
export const Lock = Object.freeze({
  lock: define('/v3lockpb.Lock/Lock', 'unary', 'write', lock.LockRequestSchema, lock.LockResponseSchema),
  unlock: define('/v3lockpb.Lock/Unlock', 'unary', 'write', lock.UnlockRequestSchema, lock.UnlockResponseSchema),
});

/**
 * Service `v3electionpb.Election` (etcd's server-side election). Go applies its default
 * nonRepeatable policy to all of it; we mark Leader and Observe `read` because they only read the
 * leader key and are safe to repeat. Campaign, Proclaim and Resign are `write`.
 */
export const Election = Object.freeze({
  campaign: define('/v3electionpb.Election/Campaign', 'unary', 'write', election.CampaignRequestSchema, election.CampaignResponseSchema),
  proclaim: define('/v3electionpb.Election/Proclaim', 'unary', 'write', election.ProclaimRequestSchema, election.ProclaimResponseSchema),
  leader: define('/v3electionpb.Election/Leader', 'unary', 'read', election.LeaderRequestSchema, election.LeaderResponseSchema),
  observe: define('/v3electionpb.Election/Observe', 'server-stream', 'read', election.LeaderRequestSchema, election.LeaderResponseSchema),
  resign: define('/v3electionpb.Election/Resign', 'unary', 'write', election.ResignRequestSchema, election.ResignResponseSchema),
});

/** Every method group, keyed by fully qualified gRPC service name (`etcdserverpb.KV` ...). */
export const SERVICES = Object.freeze({
  'etcdserverpb.KV': KV,
  'etcdserverpb.Watch': Watch,
  'etcdserverpb.Lease': Lease,
  'etcdserverpb.Cluster': Cluster,
  'etcdserverpb.Maintenance': Maintenance,
  'etcdserverpb.Auth': Auth,
  'v3lockpb.Lock': Lock,
  'v3electionpb.Election': Election,
});
