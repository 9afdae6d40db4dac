/**
 * Conversions between the public API's values and the wire's: keys and values to bytes, counts and
 * lease IDs to int64 (each checked: `InvalidArgumentError` naming the argument), int64 back to
 * numbers, bytes back to Buffer views, and the response header and key-value records every service
 * returns. Nothing here allocates more than it must.
 */
import { describe } from './describe-value.js';
import { InvalidArgumentError, UnexpectedResponseError } from '../errors/index.js';
import type { KeyValue as WireKeyValue, ResponseHeader as WireResponseHeader } from '../proto/index.js';
import type { Bytes, KeyValue, ResponseHeader } from '../types.js';

/** Largest int64 (2^63 - 1), the upper bound of etcd lease IDs. */
const INT64_MAX = 0x7fffffffffffffffn;

/**
 * Bytes of a key, value or range end: a string is encoded as UTF-8, a `Uint8Array` is used as is
 * (not copied). Throws `InvalidArgumentError` naming `what` for any other type.
 */
export function toBytes(input: Bytes, what: string): Uint8Array {
  if (typeof input === 'string') return Buffer.from(input, 'utf8');
  if (input instanceof Uint8Array) return input;
  throw new InvalidArgumentError(`${what} must be a string or a Uint8Array, got ${describe(input)}`);
}

/** A non-negative safe integer option as int64; throws `InvalidArgumentError` naming `what` otherwise. */
export function toCount(input: unknown, what: string): bigint {
  if (typeof input === 'number' && Number.isSafeInteger(input) && input >= 0) return BigInt(input);
  throw new InvalidArgumentError(`${what} must be a non-negative integer (a number below 2^53), got ${describe(input)}`);
}

/**
 * A lease ID: a bigint in [`min`, 2^63 - 1]. `min` 0n (default) where 0n means no lease (a put's
 * `lease` option), 1n for the ID of a granted lease. Throws `InvalidArgumentError` naming `what` otherwise.
 */
export function toLeaseId(input: unknown, what: string, min: 0n | 1n = 0n): bigint {
  if (typeof input === 'bigint' && input >= min && input <= INT64_MAX) return input;
  throw new InvalidArgumentError(`${what} must be a lease ID: a bigint in [${min}, 2^63-1], got ${describe(input)}`);
}

/**
 * An int64 from a response as a number. Throws `UnexpectedResponseError` naming `what` when it is
 * not exactly representable (beyond +/-(2^53 - 1)) rather than silently rounding.
 */
export function toNumber(input: bigint, what: string): number {
  const n = Number(input);
  if (Number.isSafeInteger(n)) return n;
  throw new UnexpectedResponseError(`etcd returned ${what} ${input}, beyond the exact range of a JavaScript number (2^53 - 1)`);
}

/**
 * A `Buffer` over the same memory as `bytes` (no copy): `bytes` itself when it is a Buffer already
 * (decoded fields are views of the transport's Buffer), else a new Buffer view.
 */
export function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** etcd's response header as the public type (all zero when the server sent none). */
export function responseHeader(h: WireResponseHeader | undefined): ResponseHeader {
  if (h === undefined) return { clusterId: 0n, memberId: 0n, revision: 0, raftTerm: 0 };
  return {
    clusterId: h.clusterId,
    memberId: h.memberId,
    revision: toNumber(h.revision, 'revision'),
    raftTerm: toNumber(h.raftTerm, 'raft term'),
  };
}

/** A `mvccpb.KeyValue` as the public type: key and value as Buffer views, revisions as checked numbers. */
export function keyValue(kv: WireKeyValue): KeyValue {
  return {
    key: toBuffer(kv.key),
    value: toBuffer(kv.value),
    createRevision: toNumber(kv.createRevision, 'create revision'),
    modRevision: toNumber(kv.modRevision, 'mod revision'),
    version: toNumber(kv.version, 'version'),
    lease: kv.lease,
  };
}

/** etcd's response header as the public type, or undefined when the server sent none (etcd 3.4's Alarm and MoveLeader). */
export function optionalHeader(h: WireResponseHeader | undefined): ResponseHeader | undefined {
  return h === undefined ? undefined : responseHeader(h);
}
