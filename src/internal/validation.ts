/**
 * The checks of what a caller passes, shared by every service: options objects and their names,
 * the call options (`signal`, `timeout`), booleans, member IDs, peer URLs, endpoint strings,
 * non-empty keys and granted lease IDs, and option checkers for {@link checkOptions}. Every check
 * throws `InvalidArgumentError` naming the operation or option and the problem, before anything is
 * sent.
 */
import { describe } from './describe-value.js';
import { toBytes, toLeaseId } from './wire.js';
import { InvalidArgumentError } from '../errors/index.js';
import type { Bytes } from '../types.js';

/** A boolean option; throws `InvalidArgumentError` naming `what` otherwise. */
export function toFlag(input: unknown, what: string): boolean {
  if (typeof input === 'boolean') return input;
  throw new InvalidArgumentError(`${what} must be a boolean, got ${describe(input)}`);
}

/** The options every call accepts, in the order error messages list them. */
export const CALL_OPTION_NAMES = ['signal', 'timeout', 'requireLeader'] as const;

/** One of {@link CALL_OPTION_NAMES}. */
export type CallOptionName = (typeof CALL_OPTION_NAMES)[number];

/** Whether `name` is an option every call accepts (`signal`, `timeout`, `requireLeader`). */
export function isCallOption(name: string): name is CallOptionName {
  return name === 'signal' || name === 'timeout' || name === 'requireLeader';
}

/** Checks an option every call accepts (`signal`, `timeout`, `requireLeader`); throws `InvalidArgumentError`. */
export function checkCallOption(name: CallOptionName, input: unknown): void {
  if (name === 'timeout') {
    if (typeof input === 'number' && input >= 0 && Number.isFinite(input)) return;
    throw new InvalidArgumentError(`timeout must be a non-negative number of milliseconds, got ${describe(input)}`);
  }
  if (name === 'requireLeader') {
    if (typeof input === 'boolean') return;
    throw new InvalidArgumentError(`requireLeader must be true or false, got ${describe(input)}`);
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
 * (`known`). With `callOptions` (the call itself, e.g. `client.get`), `signal`, `timeout` and
 * `requireLeader` are checked and accepted; without (an op, e.g. `op.get`: those belong to
 * `client.do` or `commit`) they are unknown like any other name. Throws `InvalidArgumentError` naming `operation`
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
  if (isCallOption(name)) return checkCallOption(name, value);
  throw unknownOption(name, operation, [...known, ...CALL_OPTION_NAMES]);
}

/** A checker of one operation-specific option; throws `InvalidArgumentError` naming the option (`name`). */
export type OptionChecker = (value: unknown, name: string) => void;

/**
 * Checks the options object of a call: a plain object (or undefined) whose names are the
 * operation's own (`known`, each checked by its checker, called with the value and
 * `<operation>: <name>`) or `signal` / `timeout` / `requireLeader`. Undefined values are skipped.
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

/** Checks the options of a call that has only `signal`, `timeout` and `requireLeader`; throws `InvalidArgumentError`. */
export function checkCallOptions(options: unknown, operation: string): void {
  checkOptions(options, operation);
}

/** Largest uint64 (2^64 - 1): member IDs are unsigned 64-bit values. */
const UINT64_MAX = 0xffffffffffffffffn;

/** Schemes etcd accepts in a peer URL (Go `types.NewURLs`). */
const PEER_URL = /^(https?|unixs?):\/\/(.*)$/i;

/** Option checker: a boolean. */
export const booleanOption: OptionChecker = (value, name) => {
  toFlag(value, name);
};

/** Option checker: a non-empty string (an endpoint URL, checked in full when it is used). */
export const endpointOption: OptionChecker = (value, name) => {
  checkEndpoint(value, name);
};

/** Option checker: a function. */
export const functionOption: OptionChecker = (value, name) => {
  if (typeof value !== 'function') throw new InvalidArgumentError(`${name} must be a function, got ${describe(value)}`);
};

/**
 * An endpoint argument: a non-empty string such as `http://127.0.0.1:2379` or `127.0.0.1:2379`
 * (its syntax is checked by the rpc layer when the call is made, also before sending).
 * @throws InvalidArgumentError otherwise
 */
export function checkEndpoint(value: unknown, what: string): string {
  if (typeof value === 'string' && value.trim() !== '') return value;
  throw new InvalidArgumentError(`${what} must be an endpoint URL like 'http://127.0.0.1:2379', got ${describe(value)}`);
}

/**
 * A member ID argument: a bigint in [1, 2^64 - 1] (etcd member IDs are non-zero uint64 values).
 * @throws InvalidArgumentError otherwise
 */
export function checkMemberId(id: unknown, what: string): bigint {
  if (typeof id === 'bigint' && id > 0n && id <= UINT64_MAX) return id;
  throw new InvalidArgumentError(`${what} must be a member ID: a bigint in [1, 2^64-1], got ${describe(id)}`);
}

/**
 * Peer URLs for `memberAdd` / `memberUpdate`, checked as etcd's `types.NewURLs` does: at least
 * one; each `http://host:port` or `https://host:port` (explicit port, no path, query or fragment),
 * or a `unix://` / `unixs://` address.
 * @throws InvalidArgumentError naming the first bad URL
 */
export function checkPeerUrls(urls: unknown, operation: string): string[] {
  if (!Array.isArray(urls) || urls.length === 0) {
    throw new InvalidArgumentError(`${operation}: peerURLs must be a non-empty array of URLs like 'http://10.0.0.1:2380', got ${describe(urls)}`);
  }
  const out: string[] = [];
  for (const url of urls as unknown[]) {
    const problem = peerUrlProblem(url);
    if (problem !== undefined) throw new InvalidArgumentError(`${operation}: bad peer URL ${describe(url)}: ${problem}`);
    out.push(url as string);
  }
  return out;
}

function peerUrlProblem(url: unknown): string | undefined {
  if (typeof url !== 'string' || url === '') return 'a peer URL is a non-empty string';
  const match = PEER_URL.exec(url);
  if (match === null) return 'the scheme must be http, https, unix or unixs';
  const scheme = match[1]!.toLowerCase();
  const rest = match[2]!;
  if (scheme.startsWith('unix')) return rest === '' ? 'the address is missing' : undefined;
  if (/[/?#]/.test(rest)) return 'a peer URL has no path, query or fragment';
  if (!/^(\[[0-9a-fA-F:.]+\]|[^:[\]\s]+):\d{1,5}$/.test(rest)) return 'the host must be host:port, with an explicit port';
  return undefined;
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
