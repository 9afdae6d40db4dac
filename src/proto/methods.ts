/**
 * One {@link Method} descriptor per etcd v3 RPC, grouped by gRPC service, built on the codec that
 * `npm run gen` generates with ts-proto from `proto/` into `src/proto/gen/` (options in
 * `buf.gen.yaml`, the choice in docs/design/transport.md).
 *
 * - Request values are plain objects of the {@link Init} shape: every field optional, camelCase
 *   names, 64-bit integers as `bigint`, bytes as `Uint8Array`, enums as the generated numeric
 *   enums, oneofs as `{ $case, value }`. `encode` fills in proto3 defaults (`fromPartial`) and
 *   writes the message; fields at their default value are not sent.
 * - Responses are the generated message types, every field present: 64-bit integers `bigint`,
 *   enums numbers of the generated enums, repeated fields arrays, absent sub-messages `undefined`.
 * - Zero copy: `BinaryReader.bytes()` of `@bufbuild/protobuf/wire` returns `buf.subarray(...)`,
 *   so every bytes field of a decoded response (keys, values, snapshot blobs) is a view into the
 *   buffer given to `decode`, not a copy. When that buffer is a Node `Buffer`, the views are
 *   `Buffer`s too. Keep in mind that a view keeps the whole response buffer alive.
 * - `KV.range`, `KV.put` and `Watch.watch` decode with the hand-written decoders of `fast-decode.ts`: the
 *   same result as the generated ones, with less allocation (absent bytes fields share one empty
 *   `Buffer`). `KV.put`, `KV.range` and `Watch.watch` requests are encoded by `fast-encode.ts`
 *   (the same bytes, without `fromPartial`); the others on one reused writer (`encode.ts`).
 * - `retry` follows the Go client's split (etcd's client/v3/retry.go, the `withRetryPolicy` of
 *   each method of `retryKVClient`, `retryLeaseClient`, ...): repeatable RPCs are `read`,
 *   nonRepeatable ones `write`.
 *
 * Each group's keys are the RPC names in lower camelCase (`KV.deleteRange` is
 * `/etcdserverpb.KV/DeleteRange`), the same keys the generated service definitions use
 * (`KVDefinition.methods.deleteRange`).
 */
import type { Method } from './method-descriptor.js';
import { encodeMessageWith } from './encode.js';
import { decodePutResponse, decodeRangeResponse, decodeWatchResponse } from './fast-decode.js';
import { encodePutRequest, encodeRangeRequest, encodeWatchRequest } from './fast-encode.js';
import * as rpc from './gen/etcdserverpb/rpc.js';
import type { DeepPartial, MessageFns } from './gen/etcdserverpb/rpc.js';
import * as lock from './gen/v3lockpb/v3lock.js';
import * as election from './gen/v3electionpb/v3election.js';

/**
 * The plain-object (request) form of a generated message type `T`: every field optional and
 * nested messages in the same form; `bigint`, `Uint8Array`, strings, booleans and enums as they
 * are; a oneof as `{ $case, value }` with `value` in this form. `Init<PutRequest>` is
 * `{ key?: Uint8Array; value?: Uint8Array; lease?: bigint; prevKv?: boolean; ... }`.
 *
 * Stricter than ts-proto's own `DeepPartial<T>`, which also accepts `number | string` for 64-bit
 * fields: our requests pass 64-bit values as `bigint` only.
 */
export type Init<T> = T extends bigint | Uint8Array | string | number | boolean | undefined
  ? T
  : T extends ReadonlyArray<infer U>
    ? Init<U>[]
    : T extends { $case: infer C; value: infer V }
      ? { $case: C; value: Init<V> }
      : { [K in keyof T]?: Init<T[K]> };

/**
 * A {@link Method} that also carries the generated codec objects of its request (`input`) and
 * response (`output`): `KV.range.input` is ts-proto's `RangeRequest` (with `encode`, `decode`,
 * `fromPartial`), e.g. for decoding a request in a test server.
 */
export interface EtcdMethod<Req, Res> extends Method<Init<Req>, Res> {
  /** Generated codec of the request message, e.g. `RangeRequest`. */
  readonly input: MessageFns<Req>;
  /** Generated codec of the response message, e.g. `RangeResponse`. */
  readonly output: MessageFns<Res>;
}

/**
 * Builds one frozen method descriptor; `path` is `/<package>.<Service>/<Rpc>`. `decode` replaces
 * the generated response decoder with one that returns the same thing faster (fast-decode.ts).
 */
function define<Req, Res>(
  path: string,
  kind: Method<unknown, unknown>['kind'],
  retry: Method<unknown, unknown>['retry'],
  input: MessageFns<Req>,
  output: MessageFns<Res>,
  decode: (bytes: Uint8Array) => Res = (bytes) => output.decode(bytes),
  fastEncode?: (request: Init<Req>) => Uint8Array | undefined,
): EtcdMethod<Req, Res> {
  // Init<Req> is a subset of ts-proto's DeepPartial<Req> (bigint only, oneof value required);
  // TypeScript cannot see that for an unresolved Req, hence the cast.
  const generic = (request: Init<Req>): Uint8Array => encodeMessageWith(input, input.fromPartial(request as DeepPartial<Req>));
  return Object.freeze({
    path,
    kind,
    retry,
    input,
    output,
    encode: fastEncode === undefined ? generic : (request: Init<Req>): Uint8Array => fastEncode(request) ?? generic(request),
    decode,
  });
}

/** Service `etcdserverpb.KV`: reads and writes of the key-value store. */
export const KV = Object.freeze({
  range: define('/etcdserverpb.KV/Range', 'unary', 'read', rpc.RangeRequest, rpc.RangeResponse, decodeRangeResponse, encodeRangeRequest),
  put: define('/etcdserverpb.KV/Put', 'unary', 'write', rpc.PutRequest, rpc.PutResponse, decodePutResponse, encodePutRequest),
  deleteRange: define('/etcdserverpb.KV/DeleteRange', 'unary', 'write', rpc.DeleteRangeRequest, rpc.DeleteRangeResponse),
  /** Always `write`, even for a read-only transaction (as in Go). */
  txn: define('/etcdserverpb.KV/Txn', 'unary', 'write', rpc.TxnRequest, rpc.TxnResponse),
  compact: define('/etcdserverpb.KV/Compact', 'unary', 'write', rpc.CompactionRequest, rpc.CompactionResponse),
});

/**
 * Service `etcdserverpb.Watch`. The stream is never retried by the rpc layer (Go has no retry
 * wrapper for it); the watch code re-creates watchers itself. `read` because re-creating is safe.
 */
export const Watch = Object.freeze({
  watch: define('/etcdserverpb.Watch/Watch', 'bidi', 'read', rpc.WatchRequest, rpc.WatchResponse, decodeWatchResponse, encodeWatchRequest),
});

/**
 * Service `etcdserverpb.Lease`. Go retries LeaseGrant and LeaseRevoke like reads; we treat them as
 * writes (retried only when provably unsent): a retried grant can leave a second lease alive until
 * its TTL runs out, and a retried revoke can report `LeaseNotFoundError` for a revoke that worked.
 */
export const Lease = Object.freeze({
  leaseGrant: define('/etcdserverpb.Lease/LeaseGrant', 'unary', 'write', rpc.LeaseGrantRequest, rpc.LeaseGrantResponse),
  leaseRevoke: define('/etcdserverpb.Lease/LeaseRevoke', 'unary', 'write', rpc.LeaseRevokeRequest, rpc.LeaseRevokeResponse),
  leaseKeepAlive: define('/etcdserverpb.Lease/LeaseKeepAlive', 'bidi', 'read', rpc.LeaseKeepAliveRequest, rpc.LeaseKeepAliveResponse),
  leaseTimeToLive: define('/etcdserverpb.Lease/LeaseTimeToLive', 'unary', 'read', rpc.LeaseTimeToLiveRequest, rpc.LeaseTimeToLiveResponse),
  leaseLeases: define('/etcdserverpb.Lease/LeaseLeases', 'unary', 'read', rpc.LeaseLeasesRequest, rpc.LeaseLeasesResponse),
});

/** Service `etcdserverpb.Cluster`: membership. Only MemberList is repeatable. */
export const Cluster = Object.freeze({
  memberAdd: define('/etcdserverpb.Cluster/MemberAdd', 'unary', 'write', rpc.MemberAddRequest, rpc.MemberAddResponse),
  memberRemove: define('/etcdserverpb.Cluster/MemberRemove', 'unary', 'write', rpc.MemberRemoveRequest, rpc.MemberRemoveResponse),
  memberUpdate: define('/etcdserverpb.Cluster/MemberUpdate', 'unary', 'write', rpc.MemberUpdateRequest, rpc.MemberUpdateResponse),
  memberList: define('/etcdserverpb.Cluster/MemberList', 'unary', 'read', rpc.MemberListRequest, rpc.MemberListResponse),
  memberPromote: define('/etcdserverpb.Cluster/MemberPromote', 'unary', 'write', rpc.MemberPromoteRequest, rpc.MemberPromoteResponse),
});

/**
 * Service `etcdserverpb.Maintenance`: acts on the member that receives the call. Defragment and
 * Downgrade are nonRepeatable in Go; the rest (MoveLeader included) repeatable.
 */
export const Maintenance = Object.freeze({
  alarm: define('/etcdserverpb.Maintenance/Alarm', 'unary', 'read', rpc.AlarmRequest, rpc.AlarmResponse),
  status: define('/etcdserverpb.Maintenance/Status', 'unary', 'read', rpc.StatusRequest, rpc.StatusResponse),
  defragment: define('/etcdserverpb.Maintenance/Defragment', 'unary', 'write', rpc.DefragmentRequest, rpc.DefragmentResponse),
  hash: define('/etcdserverpb.Maintenance/Hash', 'unary', 'read', rpc.HashRequest, rpc.HashResponse),
  hashKV: define('/etcdserverpb.Maintenance/HashKV', 'unary', 'read', rpc.HashKVRequest, rpc.HashKVResponse),
  snapshot: define('/etcdserverpb.Maintenance/Snapshot', 'server-stream', 'read', rpc.SnapshotRequest, rpc.SnapshotResponse),
  moveLeader: define('/etcdserverpb.Maintenance/MoveLeader', 'unary', 'read', rpc.MoveLeaderRequest, rpc.MoveLeaderResponse),
  downgrade: define('/etcdserverpb.Maintenance/Downgrade', 'unary', 'write', rpc.DowngradeRequest, rpc.DowngradeResponse),
});

/**
 * Service `etcdserverpb.Auth`. UserGet, UserList, RoleGet and RoleList are repeatable; everything
 * else, AuthStatus and Authenticate included, is nonRepeatable in Go.
 */
export const Auth = Object.freeze({
  authEnable: define('/etcdserverpb.Auth/AuthEnable', 'unary', 'write', rpc.AuthEnableRequest, rpc.AuthEnableResponse),
  authDisable: define('/etcdserverpb.Auth/AuthDisable', 'unary', 'write', rpc.AuthDisableRequest, rpc.AuthDisableResponse),
  authStatus: define('/etcdserverpb.Auth/AuthStatus', 'unary', 'write', rpc.AuthStatusRequest, rpc.AuthStatusResponse),
  authenticate: define('/etcdserverpb.Auth/Authenticate', 'unary', 'write', rpc.AuthenticateRequest, rpc.AuthenticateResponse),
  userAdd: define('/etcdserverpb.Auth/UserAdd', 'unary', 'write', rpc.AuthUserAddRequest, rpc.AuthUserAddResponse),
  userGet: define('/etcdserverpb.Auth/UserGet', 'unary', 'read', rpc.AuthUserGetRequest, rpc.AuthUserGetResponse),
  userList: define('/etcdserverpb.Auth/UserList', 'unary', 'read', rpc.AuthUserListRequest, rpc.AuthUserListResponse),
  userDelete: define('/etcdserverpb.Auth/UserDelete', 'unary', 'write', rpc.AuthUserDeleteRequest, rpc.AuthUserDeleteResponse),
  userChangePassword: define('/etcdserverpb.Auth/UserChangePassword', 'unary', 'write', rpc.AuthUserChangePasswordRequest, rpc.AuthUserChangePasswordResponse),
  userGrantRole: define('/etcdserverpb.Auth/UserGrantRole', 'unary', 'write', rpc.AuthUserGrantRoleRequest, rpc.AuthUserGrantRoleResponse),
  userRevokeRole: define('/etcdserverpb.Auth/UserRevokeRole', 'unary', 'write', rpc.AuthUserRevokeRoleRequest, rpc.AuthUserRevokeRoleResponse),
  roleAdd: define('/etcdserverpb.Auth/RoleAdd', 'unary', 'write', rpc.AuthRoleAddRequest, rpc.AuthRoleAddResponse),
  roleGet: define('/etcdserverpb.Auth/RoleGet', 'unary', 'read', rpc.AuthRoleGetRequest, rpc.AuthRoleGetResponse),
  roleList: define('/etcdserverpb.Auth/RoleList', 'unary', 'read', rpc.AuthRoleListRequest, rpc.AuthRoleListResponse),
  roleDelete: define('/etcdserverpb.Auth/RoleDelete', 'unary', 'write', rpc.AuthRoleDeleteRequest, rpc.AuthRoleDeleteResponse),
  roleGrantPermission: define('/etcdserverpb.Auth/RoleGrantPermission', 'unary', 'write', rpc.AuthRoleGrantPermissionRequest, rpc.AuthRoleGrantPermissionResponse),
  roleRevokePermission: define('/etcdserverpb.Auth/RoleRevokePermission', 'unary', 'write', rpc.AuthRoleRevokePermissionRequest, rpc.AuthRoleRevokePermissionResponse),
});

/**
 * Service `v3lockpb.Lock` (etcd's server-side lock). Not in Go's retry tables, so Go applies its
 * default nonRepeatable policy: both `write`.
 */
export const Lock = Object.freeze({
  lock: define('/v3lockpb.Lock/Lock', 'unary', 'write', lock.LockRequest, lock.LockResponse),
  unlock: define('/v3lockpb.Lock/Unlock', 'unary', 'write', lock.UnlockRequest, lock.UnlockResponse),
});

/**
 * Service `v3electionpb.Election` (etcd's server-side election). Go applies its default
 * nonRepeatable policy to all of it; we mark Leader and Observe `read` because they only read the
 * leader key and are safe to repeat. Campaign, Proclaim and Resign are `write`.
 */
export const Election = Object.freeze({
  campaign: define('/v3electionpb.Election/Campaign', 'unary', 'write', election.CampaignRequest, election.CampaignResponse),
  proclaim: define('/v3electionpb.Election/Proclaim', 'unary', 'write', election.ProclaimRequest, election.ProclaimResponse),
  leader: define('/v3electionpb.Election/Leader', 'unary', 'read', election.LeaderRequest, election.LeaderResponse),
  observe: define('/v3electionpb.Election/Observe', 'server-stream', 'read', election.LeaderRequest, election.LeaderResponse),
  resign: define('/v3electionpb.Election/Resign', 'unary', 'write', election.ResignRequest, election.ResignResponse),
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
