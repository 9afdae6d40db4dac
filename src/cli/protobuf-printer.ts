/**
 * `-w protobuf`, as etcdctl prints it (etcdctl/ctlv3/command/printer_protobuf.go): the response
 * message in the protobuf wire encoding, nothing around it (no length, no newline). The library's
 * responses are turned back into the etcd messages and encoded with the generated codecs, fields in
 * field-number order and zero values left out, as Go's gogoproto `Marshal` writes them.
 */
import { Buffer } from 'node:buffer';

import { etcdserverpb, mvccpb } from '../proto/index.js';
import type { DeleteResponse, GetResponse, KeyValue, OpResponse, PutResponse, ResponseHeader, TxnResponse } from '../types.js';
import type { WatchResponse } from '../watch.js';

type PbHeader = etcdserverpb.ResponseHeader;
type PbKeyValue = mvccpb.KeyValue;

/**
 * The wire encoding of a response header alone: what etcdctl prints for the lease responses,
 * whose clientv3 structs embed the header and so marshal as it.
 */
export function protobufHeader(h: ResponseHeader): Buffer {
  return Buffer.from(etcdserverpb.ResponseHeader.encode(header(h)).finish());
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

function header(h: ResponseHeader): PbHeader {
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
