// Candidate (2): protobufjs static module (pbjs -t static-module). int64 fields decode as Long
// objects (exact, thanks to `long`); requests take Long or number for int64, never bigint (a
// bigint would silently encode as 0), so lease IDs are converted with Long.fromBigInt.
import Long from 'long';
import { etcdserverpb } from '../gen/pbjs/rpc.js';
import { toBuffer } from './public.mjs';

const { PutRequest, PutResponse, RangeRequest, RangeResponse } = etcdserverpb;

export const name = 'pbjs';

/** Long (signed) to number; throws when not exactly representable. */
function longToNumber(l, what) {
  const n = l.toNumber();
  if (Number.isSafeInteger(n)) return n;
  throw new RangeError(`etcd returned ${what} ${l.toString()}, beyond the exact range of a JavaScript number`);
}

/** Long (signed int64) to bigint. */
function longToBigint(l) {
  if (l.high === 0) return BigInt(l.low >>> 0);
  return (BigInt(l.high) << 32n) + BigInt(l.low >>> 0);
}

/** Long (uint64) to bigint. */
function ulongToBigint(l) {
  if (l.high === 0) return BigInt(l.low >>> 0);
  return (BigInt(l.high >>> 0) << 32n) + BigInt(l.low >>> 0);
}

function header(h) {
  if (h == null) return { clusterId: 0n, memberId: 0n, revision: 0, raftTerm: 0 };
  return {
    clusterId: ulongToBigint(h.clusterId),
    memberId: ulongToBigint(h.memberId),
    revision: longToNumber(h.revision, 'revision'),
    raftTerm: longToNumber(h.raftTerm, 'raft term'),
  };
}

function keyValue(kv) {
  return {
    key: toBuffer(kv.key),
    value: toBuffer(kv.value),
    createRevision: longToNumber(kv.createRevision, 'create revision'),
    modRevision: longToNumber(kv.modRevision, 'mod revision'),
    version: longToNumber(kv.version, 'version'),
    lease: longToBigint(kv.lease),
  };
}

export function encodePut(p) {
  const msg = { key: p.key, value: p.value };
  if (p.lease !== 0n) msg.lease = Long.fromBigInt(p.lease);
  return PutRequest.encode(msg).finish();
}

export function encodeRange(p) {
  // pbjs takes plain numbers for int64 (exact below 2^53), so limit/revision need no conversion.
  const msg = { key: p.key, rangeEnd: p.rangeEnd, serializable: p.serializable };
  if (p.limit !== 0) msg.limit = p.limit;
  if (p.revision !== 0) msg.revision = p.revision;
  return RangeRequest.encode(msg).finish();
}

export function decodeRange(bytes) {
  const r = RangeResponse.decode(bytes);
  const list = r.kvs;
  const n = list.length;
  const kvs = new Array(n);
  for (let i = 0; i < n; i++) kvs[i] = keyValue(list[i]);
  return { header: header(r.header), kvs, more: r.more, count: longToNumber(r.count, 'count') };
}

export function decodePut(bytes) {
  const r = PutResponse.decode(bytes);
  return { header: header(r.header), prevKv: r.prevKv == null ? undefined : keyValue(r.prevKv) };
}
