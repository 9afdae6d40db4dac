/**
 * Helpers of the Lock and Election services (src/lock.ts, src/election.ts): argument checks and the
 * mapping of the wire's response records (header, key-value) to the public types, the same mapping
 * as src/kv.ts (Buffer views, int64 to checked numbers, IDs as bigint).
 */
import { checkOptionsObject, checkOtherOption, toBuffer, toBytes, toLeaseId, toNumber } from './convert.js';
import { InvalidArgumentError } from './errors.js';
import type { KeyValue as WireKeyValue, ResponseHeader as WireResponseHeader } from './proto/index.js';
import type { Bytes, CallOptions, KeyValue, ResponseHeader } from './types.js';

const NO_OPTION_NAMES: readonly string[] = [];

/** Checks an options object that may hold only `signal` and `timeout`; throws `InvalidArgumentError`. */
export function checkCallOptions(options: CallOptions | undefined, operation: string): void {
  if (options === undefined) return;
  checkOptionsObject(options, `${operation} options`);
  for (const name in options) {
    const value: unknown = (options as Record<string, unknown>)[name];
    if (value !== undefined) checkOtherOption(name, value, operation, NO_OPTION_NAMES, true);
  }
}

/** A non-empty key or name as bytes; throws `InvalidArgumentError` naming `what`. */
export function nonEmptyBytes(input: Bytes, what: string): Uint8Array {
  const bytes = toBytes(input, what);
  if (bytes.length === 0) throw new InvalidArgumentError(`${what} must not be empty`);
  return bytes;
}

/** A lease ID that must not be 0n (no lease); throws `InvalidArgumentError` naming `what`. */
export function requiredLease(input: unknown, what: string): bigint {
  const id = toLeaseId(input, what);
  if (id === 0n) throw new InvalidArgumentError(`${what} must be a granted lease ID, not 0n`);
  return id;
}

/** The public form of a response header (zeros when the server sent none). */
export function responseHeader(h: WireResponseHeader | undefined): ResponseHeader {
  if (h === undefined) return { clusterId: 0n, memberId: 0n, revision: 0, raftTerm: 0 };
  return {
    clusterId: h.clusterId,
    memberId: h.memberId,
    revision: toNumber(h.revision, 'revision'),
    raftTerm: toNumber(h.raftTerm, 'raft term'),
  };
}

/** The public form of a key-value record. */
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
