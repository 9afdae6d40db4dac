/**
 * The parts of etcdctl's `json` and `fields` output formats that every printer of `etcdts` shares
 * (KV, lease, auth, administration, watch), and the `--hex` escaping of the simple format:
 *
 * - `json`: Go's `encoding/json` of a protobuf struct: members with a zero value left out
 *   (`omitempty`), 64-bit integers as exact decimal numbers, bytes in base64; the response header
 *   as `{"cluster_id":...,"member_id":...,"revision":...,"raft_term":...}`.
 * - `fields`: one `"Name" : value` line per field, starting with the header's four.
 */
import { Buffer } from 'node:buffer';

import type { KeyValue, ResponseHeader } from '../types.js';
import { goQuote } from './go-syntax.js';

/** One JSON member: its name and its JSON text, or undefined to leave it out (Go's `omitempty`). */
export type JsonMember = [name: string, value: string | undefined];

/** A JSON object of the members whose value is defined, in their order. */
export function jsonObject(members: readonly JsonMember[]): string {
  return `{${members.filter((m) => m[1] !== undefined).map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`;
}

/** A number, or undefined for zero (left out). */
export function jsonNumber(n: number | bigint): string | undefined {
  return n === 0 || n === 0n ? undefined : String(n);
}

/** `true`, or undefined for false (left out). */
export function jsonFlag(b: boolean): string | undefined {
  return b ? 'true' : undefined;
}

/** Bytes as a base64 JSON string, or undefined when empty (left out). */
export function jsonBytes(b: Uint8Array): string | undefined {
  return b.length === 0 ? undefined : JSON.stringify(Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64'));
}

/** A JSON array of items that are JSON texts already, or undefined when empty (left out). */
export function jsonList(items: readonly string[]): string | undefined {
  return items.length === 0 ? undefined : `[${items.join(',')}]`;
}

/** The header's four fields as members (to nest as `header`, or flattened into a clientv3 struct). */
export function jsonHeaderMembers(h: ResponseHeader): JsonMember[] {
  return [
    ['cluster_id', jsonNumber(h.clusterId)],
    ['member_id', jsonNumber(h.memberId)],
    ['revision', jsonNumber(h.revision)],
    ['raft_term', jsonNumber(h.raftTerm)],
  ];
}

/** The `header` object, or undefined (left out) when there is no header. */
export function jsonHeader(h: ResponseHeader | undefined): string | undefined {
  return h === undefined ? undefined : jsonObject(jsonHeaderMembers(h));
}

/** A `mvccpb.KeyValue`. */
export function jsonKeyValue(kv: KeyValue): string {
  return jsonObject([
    ['key', jsonBytes(kv.key)],
    ['create_revision', jsonNumber(kv.createRevision)],
    ['mod_revision', jsonNumber(kv.modRevision)],
    ['version', jsonNumber(kv.version)],
    ['value', jsonBytes(kv.value)],
    ['lease', jsonNumber(kv.lease)],
  ]);
}

/** The header's `fields` lines (zeros when there is no header). */
export function fieldsHeader(h: ResponseHeader | undefined): string[] {
  return [
    `"ClusterID" : ${h?.clusterId ?? 0}`,
    `"MemberID" : ${h?.memberId ?? 0}`,
    `"Revision" : ${h?.revision ?? 0}`,
    `"RaftTerm" : ${h?.raftTerm ?? 0}`,
  ];
}

/** A key-value's `fields` lines, each name after `prefix` (`''`, or `Prev` for a previous key-value). */
export function fieldsKeyValue(prefix: string, kv: KeyValue): string[] {
  return [
    `"${prefix}Key" : ${goQuote(kv.key)}`,
    `"${prefix}CreateRevision" : ${kv.createRevision}`,
    `"${prefix}ModRevision" : ${kv.modRevision}`,
    `"${prefix}Version" : ${kv.version}`,
    `"${prefix}Value" : ${goQuote(kv.value)}`,
    `"${prefix}Lease" : ${kv.lease}`,
  ];
}

/** Lines as UTF-8 bytes, each ended by a newline. */
export function textLines(lines: readonly string[]): Buffer {
  return Buffer.from(lines.map((l) => `${l}\n`).join(''), 'utf8');
}

/** Every byte as `\xNN` (etcdctl's `--hex` in the simple format), as latin1 bytes to write out. */
export function hexEscape(bytes: Uint8Array): Buffer {
  let out = '';
  for (const b of bytes) out += `\\x${b.toString(16).padStart(2, '0')}`;
  return Buffer.from(out, 'latin1');
}
