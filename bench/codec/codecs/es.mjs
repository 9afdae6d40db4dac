// Candidate (1): protobuf-es v2 (the project's current codec): create() + toBinary() to encode,
// the reflective fromBinary() to decode; int64 bigint, bytes zero-copy views.
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import {
  PutRequestSchema,
  PutResponseSchema,
  RangeRequestSchema,
  RangeResponseSchema,
} from '../gen/es/etcdserverpb/rpc_pb.js';
import { getResponseFromBigint, putResponseFromBigint } from './public.mjs';

export const name = 'es';

/** Public put ({key, value: Uint8Array, lease: bigint}) to request bytes (as src/kv/kv.ts + methods.ts). */
export function encodePut(p) {
  const init = { key: p.key, value: p.value };
  if (p.lease !== 0n) init.lease = p.lease;
  return toBinary(PutRequestSchema, create(PutRequestSchema, init));
}

/** Public range ({key, rangeEnd, limit, revision: number, serializable}) to request bytes. */
export function encodeRange(p) {
  const init = { key: p.key, rangeEnd: p.rangeEnd, serializable: p.serializable };
  if (p.limit !== 0) init.limit = BigInt(p.limit);
  if (p.revision !== 0) init.revision = BigInt(p.revision);
  return toBinary(RangeRequestSchema, create(RangeRequestSchema, init));
}

export function decodeRange(bytes) {
  return getResponseFromBigint(fromBinary(RangeResponseSchema, bytes));
}

export function decodePut(bytes) {
  return putResponseFromBigint(fromBinary(PutResponseSchema, bytes));
}

/** Builds RangeResponse bytes from a bigint-shaped init object (fixtures only). */
export function encodeRangeResponse(init) {
  return toBinary(RangeResponseSchema, create(RangeResponseSchema, init));
}
