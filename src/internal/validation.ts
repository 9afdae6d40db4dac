/**
 * Argument checks and response mapping shared by the Cluster and Maintenance services: member IDs,
 * peer URLs, endpoint strings, their option checkers (for `checkOptions` of convert.ts), and an
 * optional response header. Every check throws `InvalidArgumentError` naming the operation and the
 * problem, before anything is sent.
 */
import { describe, responseHeader, toFlag, type OptionChecker } from './wire.js';
import { InvalidArgumentError } from '../errors.js';
import type { ResponseHeader as WireResponseHeader } from '../proto/index.js';
import type { ResponseHeader } from '../types.js';

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

/** etcd's response header as the public type, or undefined when the server sent none (etcd 3.4's Alarm and MoveLeader). */
export function optionalHeader(h: WireResponseHeader | undefined): ResponseHeader | undefined {
  return h === undefined ? undefined : responseHeader(h);
}
