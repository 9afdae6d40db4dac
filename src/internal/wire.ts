/**
 * Conversions between the public API's values and the wire's: keys/values to bytes, numbers to
 * int64, int64 back to numbers, bytes back to Buffer views, the response header and key-value
 * records every service returns; and the checks of options objects. Every input check throws
 * `InvalidArgumentError` naming the offending option; nothing here allocates more than it must.
 */
import { describe } from './describe-value.js';
import { InvalidArgumentError } from '../errors.js';
import type { KeyValue as WireKeyValue, ResponseHeader as WireResponseHeader } from '../proto/index.js';
import type { Bytes, KeyValue, ResponseHeader } from '../types.js';

export { describe };

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

/** A boolean option; throws `InvalidArgumentError` naming `what` otherwise. */
export function toFlag(input: unknown, what: string): boolean {
  if (typeof input === 'boolean') return input;
  throw new InvalidArgumentError(`${what} must be a boolean, got ${describe(input)}`);
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
 * An int64 from a response as a number. Throws `RangeError` when it is not exactly representable
 * (beyond +/-(2^53 - 1)) rather than silently rounding.
 */
export function toNumber(input: bigint, what: string): number {
  const n = Number(input);
  if (Number.isSafeInteger(n)) return n;
  throw new RangeError(`etcd returned ${what} ${input}, beyond the exact range of a JavaScript number (2^53 - 1)`);
}

/**
 * A `Buffer` over the same memory as `bytes` (no copy): `bytes` itself when it is a Buffer already
 * (decoded fields are views of the transport's Buffer), else a new Buffer view.
 */
export function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Checks the two options every call accepts (`signal`, `timeout`); throws `InvalidArgumentError`. */
export function checkCallOption(name: 'signal' | 'timeout', input: unknown): void {
  if (name === 'timeout') {
    if (typeof input === 'number' && input >= 0 && Number.isFinite(input)) return;
    throw new InvalidArgumentError(`timeout must be a non-negative number of milliseconds, got ${describe(input)}`);
  }
  if (input instanceof AbortSignal) return;
  throw new InvalidArgumentError(`signal must be an AbortSignal, got ${describe(input)}`);
}

/** Checks that `options` is a plain object (or undefined); throws `InvalidArgumentError` naming `what`. */
export function checkOptionsObject(options: unknown, what: string): void {
  if (options === undefined || (typeof options === 'object' && options !== null && !Array.isArray(options))) return;
  throw new InvalidArgumentError(`${what} must be an object, got ${describe(options)}`);
}

/** The error for an option name the operation does not know, listing the ones it does. */
export function unknownOption(name: string, operation: string, known: readonly string[]): InvalidArgumentError {
  return new InvalidArgumentError(`unknown option '${name}' for ${operation}; known options: ${known.join(', ')}`);
}

/**
 * The last case of an options switch, for a name that is not one of the operation's own options
 * (`known`). With `callOptions` (the call itself, e.g. `client.get`), `signal` and `timeout` are
 * checked and accepted; without (an op, e.g. `op.get`: those belong to `client.do` or `commit`)
 * they are unknown like any other name. Throws `InvalidArgumentError` naming `operation`
 * (`op.<operation>` for an op) and listing the names it knows.
 */
export function checkOtherOption(
  name: string,
  value: unknown,
  operation: string,
  known: readonly string[],
  callOptions: boolean,
): void {
  if (!callOptions) throw unknownOption(name, `op.${operation}`, known);
  if (name === 'signal' || name === 'timeout') return checkCallOption(name, value);
  throw unknownOption(name, operation, [...known, 'signal', 'timeout']);
}

/** A checker of one operation-specific option; throws `InvalidArgumentError` naming the option (`name`). */
export type OptionChecker = (value: unknown, name: string) => void;

/**
 * Checks the options object of a call: a plain object (or undefined) whose names are the
 * operation's own (`known`, each checked by its checker, called with the value and
 * `<operation>: <name>`) or `signal` / `timeout`. Undefined values are skipped.
 * @throws InvalidArgumentError naming `operation` and the offending option
 */
export function checkOptions(options: unknown, operation: string, known: Readonly<Record<string, OptionChecker>> = {}): void {
  if (options === undefined) return;
  checkOptionsObject(options, `${operation} options`);
  let names: string[] | undefined;
  for (const name in options as Record<string, unknown>) {
    const value: unknown = (options as Record<string, unknown>)[name];
    if (value === undefined) continue;
    const check = Object.prototype.hasOwnProperty.call(known, name) ? known[name] : undefined;
    if (check !== undefined) check(value, `${operation}: ${name}`);
    else checkOtherOption(name, value, operation, (names ??= Object.keys(known)), true);
  }
}

/** Checks the options of a call that has only `signal` and `timeout`; throws `InvalidArgumentError`. */
export function checkCallOptions(options: unknown, operation: string): void {
  checkOptions(options, operation);
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
