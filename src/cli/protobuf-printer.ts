/**
 * `-w protobuf`, as etcdctl prints it (etcdctl/ctlv3/command/printer_protobuf.go): the response
 * message in the protobuf wire encoding, nothing around it (no length, no newline). The library's
 * responses are turned back into the etcd messages and encoded with the generated codecs, fields in
 * field-number order and zero values left out, as Go's gogoproto `Marshal` writes them.
 */
import { Buffer } from 'node:buffer';

import type { AuthRoleGetResponse, AuthStatusResponse, Permission } from '../auth/auth.js';
import type { Member, MemberAddResponse } from '../cluster/cluster.js';
import type { AlarmResponse, MoveLeaderResponse } from '../maintenance/maintenance.js';
import { authpb, etcdserverpb, mvccpb } from '../proto/index.js';
import type {
  DeleteResponse,
  GetResponse,
  OpResponse,
  PutResponse,
  TxnResponse,
} from '../kv/types.js';
import type { KeyValue, ResponseHeader } from '../types.js';
import type { WatchResponse } from '../watch/watch.js';

type PbHeader = etcdserverpb.ResponseHeader;
type PbKeyValue = mvccpb.KeyValue;

/**
 * The wire encoding of a response header alone: what etcdctl prints for the lease responses,
 * whose clientv3 structs embed the header and so marshal as it.
 */
export function protobufHeader(h: ResponseHeader): Buffer {
  const pb = header(h);
  return pb === undefined ? Buffer.alloc(0) : Buffer.from(etcdserverpb.ResponseHeader.encode(pb).finish());
}

/** Go's `%v` of a `*ResponseHeader` (gogoproto's compact text: non-zero fields, each followed by a space). */
export function compactTextHeader(h: ResponseHeader): string {
  const fields: Array<[string, bigint | number]> = [
    ['cluster_id', h.clusterId],
    ['member_id', h.memberId],
    ['revision', h.revision],
    ['raft_term', h.raftTerm],
  ];
  return fields
    .filter(([, v]) => v !== 0 && v !== 0n)
    .map(([k, v]) => `${k}:${BigInt.asUintN(64, BigInt(v))} `)
    .join('');
}

/**
 * The header message; none for an all-zero header, which stands for one etcd did not send (a
 * nested txn's, etcd 3.4's alarm and move-leader responses): Go then has a nil pointer and writes nothing.
 */
function header(h: ResponseHeader | undefined): PbHeader | undefined {
  if (h === undefined || (h.clusterId === 0n && h.memberId === 0n && h.revision === 0 && h.raftTerm === 0)) return undefined;
  return { clusterId: h.clusterId, memberId: h.memberId, revision: BigInt(h.revision), raftTerm: BigInt(h.raftTerm) };
}

function keyValue(kv: KeyValue): PbKeyValue {
  return {
    key: kv.key,
    createRevision: BigInt(kv.createRevision),
    modRevision: BigInt(kv.modRevision),
    version: BigInt(kv.version),
    value: kv.value,
    lease: kv.lease,
  };
}

function rangeResponse(r: GetResponse): etcdserverpb.RangeResponse {
  return { header: header(r.header), kvs: r.kvs.map(keyValue), more: r.more, count: BigInt(r.count) };
}

function putResponse(r: PutResponse): etcdserverpb.PutResponse {
  return { header: header(r.header), prevKv: r.prevKv === undefined ? undefined : keyValue(r.prevKv) };
}

function deleteRangeResponse(r: DeleteResponse): etcdserverpb.DeleteRangeResponse {
  return { header: header(r.header), deleted: BigInt(r.deleted), prevKvs: r.prevKvs.map(keyValue) };
}

function responseOp(r: OpResponse): etcdserverpb.ResponseOp {
  switch (r.type) {
    case 'get':
      return { response: { $case: 'responseRange', value: rangeResponse(r) } };
    case 'put':
      return { response: { $case: 'responsePut', value: putResponse(r) } };
    case 'delete':
      return { response: { $case: 'responseDeleteRange', value: deleteRangeResponse(r) } };
    case 'txn':
      return { response: { $case: 'responseTxn', value: txnResponse(r) } };
  }
}

function txnResponse(r: TxnResponse): etcdserverpb.TxnResponse {
  return { header: header(r.header), succeeded: r.succeeded, responses: r.responses.map(responseOp) };
}

/** The wire encoding of `get`'s `RangeResponse`. */
export function protobufGet(r: GetResponse): Buffer {
  return Buffer.from(etcdserverpb.RangeResponse.encode(rangeResponse(r)).finish());
}

/** The wire encoding of `put`'s `PutResponse`. */
export function protobufPut(r: PutResponse): Buffer {
  return Buffer.from(etcdserverpb.PutResponse.encode(putResponse(r)).finish());
}

/** The wire encoding of `del`'s `DeleteRangeResponse`. */
export function protobufDel(r: DeleteResponse): Buffer {
  return Buffer.from(etcdserverpb.DeleteRangeResponse.encode(deleteRangeResponse(r)).finish());
}

/** The wire encoding of `txn`'s `TxnResponse`. */
export function protobufTxn(r: TxnResponse): Buffer {
  return Buffer.from(etcdserverpb.TxnResponse.encode(txnResponse(r)).finish());
}

/**
 * The wire encoding of a watch response as etcdctl builds it from clientv3's `WatchResponse`:
 * header, events, compact revision, canceled and created (no watch ID, cancel reason or fragment).
 */
export function protobufWatch(r: WatchResponse): Buffer {
  const msg: etcdserverpb.WatchResponse = {
    header: header(r.header),
    watchId: 0n,
    created: r.created,
    canceled: r.canceled,
    compactRevision: BigInt(r.compactRevision),
    cancelReason: '',
    fragment: false,
    events: r.events.map((e) => ({
      type: e.type === 'put' ? mvccpb.Event_EventType.PUT : mvccpb.Event_EventType.DELETE,
      kv: keyValue(e.kv),
      prevKv: e.prevKv === undefined ? undefined : keyValue(e.prevKv),
    })),
  };
  return Buffer.from(etcdserverpb.WatchResponse.encode(msg).finish());
}

// --- cluster, maintenance ----------------------------------------------------------------------

function member(m: Member): etcdserverpb.Member {
  return { ID: m.id, name: m.name, peerURLs: m.peerURLs, clientURLs: m.clientURLs, isLearner: m.isLearner };
}

/** `member list`, and `member remove|update|promote` (their messages have the same fields: header, members). */
export function protobufMembers(r: { header: ResponseHeader; members: Member[] }): Buffer {
  return Buffer.from(etcdserverpb.MemberListResponse.encode({ header: header(r.header), members: r.members.map(member) }).finish());
}

/** `member add`'s `MemberAddResponse`. */
export function protobufMemberAdd(r: MemberAddResponse): Buffer {
  return Buffer.from(
    etcdserverpb.MemberAddResponse.encode({ header: header(r.header), member: member(r.member), members: r.members.map(member) }).finish(),
  );
}

const ALARM_TYPES: Readonly<Record<string, etcdserverpb.AlarmType>> = {
  NONE: etcdserverpb.AlarmType.NONE,
  NOSPACE: etcdserverpb.AlarmType.NOSPACE,
  CORRUPT: etcdserverpb.AlarmType.CORRUPT,
};

/** `alarm list|disarm`'s `AlarmResponse`. */
export function protobufAlarms(r: AlarmResponse): Buffer {
  const alarms = r.alarms.map((a) => ({ memberID: a.memberId, alarm: ALARM_TYPES[a.alarm] ?? etcdserverpb.AlarmType.NONE }));
  return Buffer.from(etcdserverpb.AlarmResponse.encode({ header: header(r.header), alarms }).finish());
}

/** `move-leader`'s `MoveLeaderResponse`. */
export function protobufMoveLeader(r: MoveLeaderResponse): Buffer {
  return Buffer.from(etcdserverpb.MoveLeaderResponse.encode({ header: header(r.header) }).finish());
}

// --- auth --------------------------------------------------------------------------------------

/** The responses of the auth changes (user/role add, delete, grant, revoke, passwd, auth enable): a header alone. */
export function protobufAuthChange(r: { header: ResponseHeader }): Buffer {
  return Buffer.from(etcdserverpb.AuthUserAddResponse.encode({ header: header(r.header) }).finish());
}

/** `user get`, `role list` (header, then names in field 2). */
export function protobufNames(r: { header: ResponseHeader }, names: string[]): Buffer {
  return Buffer.from(etcdserverpb.AuthUserGetResponse.encode({ header: header(r.header), roles: names }).finish());
}

const PERM_TYPES: Readonly<Record<Permission['type'], authpb.Permission_Type>> = {
  read: authpb.Permission_Type.READ,
  write: authpb.Permission_Type.WRITE,
  readwrite: authpb.Permission_Type.READWRITE,
};

/** `role get`'s `AuthRoleGetResponse`. */
export function protobufRoleGet(r: AuthRoleGetResponse): Buffer {
  const perm = r.perm.map((p) => ({ permType: PERM_TYPES[p.type], key: p.key, rangeEnd: p.rangeEnd }));
  return Buffer.from(etcdserverpb.AuthRoleGetResponse.encode({ header: header(r.header), perm }).finish());
}

/** `auth status`'s `AuthStatusResponse`. */
export function protobufAuthStatus(r: AuthStatusResponse): Buffer {
  return Buffer.from(
    etcdserverpb.AuthStatusResponse.encode({ header: header(r.header), enabled: r.enabled, authRevision: BigInt(r.authRevision) }).finish(),
  );
}
