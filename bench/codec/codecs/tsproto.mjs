// Candidate (3): ts-proto (forceLong=bigint, env=browser): generated encode/decode over
// @bufbuild/protobuf/wire's BinaryReader/Writer; fromPartial() fills defaults for init objects.
import { PutRequest, PutResponse, RangeRequest, RangeResponse } from '../gen/tsproto/etcdserverpb/rpc.js';
import { getResponseFromBigint, putResponseFromBigint } from './public.mjs';

export const name = 'tsproto';

export function encodePut(p) {
  const init = { key: p.key, value: p.value };
  if (p.lease !== 0n) init.lease = p.lease;
  return PutRequest.encode(PutRequest.fromPartial(init)).finish();
}

export function encodeRange(p) {
  const init = { key: p.key, rangeEnd: p.rangeEnd, serializable: p.serializable };
  if (p.limit !== 0) init.limit = BigInt(p.limit);
  if (p.revision !== 0) init.revision = BigInt(p.revision);
  return RangeRequest.encode(RangeRequest.fromPartial(init)).finish();
}

export function decodeRange(bytes) {
  return getResponseFromBigint(RangeResponse.decode(bytes));
}

export function decodePut(bytes) {
  return putResponseFromBigint(PutResponse.decode(bytes));
}
