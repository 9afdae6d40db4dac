/**
 * How `etcdts lease ...` prints its responses, byte for byte as etcdctl 3.4 does
 * (etcdctl/ctlv3/command/printer_simple.go, printer_json.go, printer_fields.go):
 *
 * - `simple`: etcdctl's sentences, lease IDs as 16 hex digits (`%016x`).
 * - `json`: Go's `encoding/json` of the clientv3 response structs: the response header's fields
 *   flattened into the object (zero ones left out), IDs in decimal; names as the structs spell them
 *   (`ID`/`TTL` for grant and keep-alive, `id`/`ttl`/`granted-ttl`/`keys` for timetolive), revoke
 *   as the protobuf message (`{"header":{...}}`).
 * - `fields`: one `"Name" : value` line per field.
 * - `protobuf`: what etcdctl's protobuf printer makes of clientv3's lease structs: they embed the
 *   response header, so grant, keep-alive, timetolive and list print the header's wire encoding;
 *   revoke's struct has no `Marshal`, so it fails with etcdctl's `marshal unsupported` error (exit 4).
 */
import { Buffer } from 'node:buffer';

import type {
  LeaseGrantResponse,
  LeaseKeepAliveResponse,
  LeaseLeasesResponse,
  LeaseRevokeResponse,
  LeaseTimeToLiveResponse,
} from '../lease/lease.js';
import { CliError, EXIT_BAD_FEATURE } from './exit.js';
import { checkPrinterFormat, type PrinterFormat } from './global.js';
import { goHex16 } from './go-format.js';
import { goQuote } from './go-syntax.js';
import { fieldsHeader, jsonHeader, jsonHeaderMembers, jsonObject, textLines } from './output-parts.js';
import { compactTextHeader, protobufHeader } from './protobuf-printer.js';

/** Prints the responses of the lease commands. */
export interface LeasePrinter {
  /** The output format. */
  readonly format: PrinterFormat;
  /** `lease grant`. */
  grant(resp: LeaseGrantResponse): Buffer;
  /** `lease revoke`; `id` as given on the command line. */
  revoke(id: bigint, resp: LeaseRevokeResponse): Buffer;
  /** Each response of `lease keep-alive`. */
  keepAlive(resp: LeaseKeepAliveResponse): Buffer;
  /** `lease timetolive`; `keys` when `--keys` was given. */
  timeToLive(resp: LeaseTimeToLiveResponse, keys: boolean): Buffer;
  /** `lease list`. */
  leases(resp: LeaseLeasesResponse): Buffer;
}

/**
 * The printer for `format` (`simple`, `json`, `fields` or `protobuf`). Throws `CliError` (exit 4)
 * for another format, with etcdctl's message.
 */
export function createLeasePrinter(format: string): LeasePrinter {
  switch (checkPrinterFormat(format)) {
    case 'protobuf':
      return protobufPrinter;
    case 'simple':
      return simplePrinter;
    case 'json':
      return jsonPrinter;
    case 'fields':
      return fieldsPrinter;
  }
}

function lines(...text: string[]): Buffer {
  return textLines(text);
}

// --- simple ------------------------------------------------------------------------------------

const simplePrinter: LeasePrinter = {
  format: 'simple',
  grant: (r) => lines(`lease ${goHex16(r.id)} granted with TTL(${r.ttl}s)`),
  revoke: (id) => lines(`lease ${goHex16(id)} revoked`),
  keepAlive: (r) => lines(`lease ${goHex16(r.id)} keepalived with TTL(${r.ttl})`),
  timeToLive(r, keys) {
    if (r.grantedTtl === 0 && r.ttl === -1) return lines(`lease ${goHex16(r.id)} already expired`);
    const text = Buffer.from(`lease ${goHex16(r.id)} granted with TTL(${r.grantedTtl}s), remaining(${r.ttl}s)`, 'utf8');
    if (!keys) return Buffer.concat([text, Buffer.from('\n')]);
    // Go's %v of a []string: the raw bytes of each key, space-separated, in brackets.
    const parts: Buffer[] = [text, Buffer.from(', attached keys([')];
    r.keys.forEach((key, i) => parts.push(...(i > 0 ? [Buffer.from(' '), key] : [key])));
    parts.push(Buffer.from('])\n'));
    return Buffer.concat(parts);
  },
  leases: (r) => lines(`found ${r.leases.length} leases`, ...r.leases.map((l) => goHex16(l.id))),
};

// --- json --------------------------------------------------------------------------------------

const jsonPrinter: LeasePrinter = {
  format: 'json',
  grant: (r) => lines(jsonObject([...jsonHeaderMembers(r.header), ['ID', String(r.id)], ['TTL', String(r.ttl)], ['Error', '""']])),
  revoke: (_id, r) => lines(jsonObject([['header', jsonHeader(r.header)]])),
  keepAlive: (r) => lines(jsonObject([...jsonHeaderMembers(r.header), ['ID', String(r.id)], ['TTL', String(r.ttl)]])),
  timeToLive: (r) =>
    lines(
      jsonObject([
        ...jsonHeaderMembers(r.header),
        ['id', String(r.id)],
        ['ttl', String(r.ttl)],
        ['granted-ttl', String(r.grantedTtl)],
        // A nil slice in Go (no keys on the wire) marshals as null.
        ['keys', r.keys.length === 0 ? 'null' : `[${r.keys.map((k) => JSON.stringify(k.toString('base64'))).join(',')}]`],
      ]),
    ),
  leases: (r) => lines(jsonObject([...jsonHeaderMembers(r.header), ['leases', `[${r.leases.map((l) => `{"id":${l.id}}`).join(',')}]`]])),
};

// --- fields ------------------------------------------------------------------------------------

const fieldsPrinter: LeasePrinter = {
  format: 'fields',
  grant: (r) => lines(...fieldsHeader(r.header), `"ID" : ${r.id}`, `"TTL" : ${r.ttl}`),
  revoke: (_id, r) => lines(...fieldsHeader(r.header)),
  keepAlive: (r) => lines(...fieldsHeader(r.header), `"ID" : ${r.id}`, `"TTL" : ${r.ttl}`),
  timeToLive: (r) =>
    lines(
      ...fieldsHeader(r.header),
      `"ID" : ${r.id}`,
      `"TTL" : ${r.ttl}`,
      `"GrantedTTL" : ${r.grantedTtl}`,
      ...r.keys.map((k) => `"Key" : ${goQuote(k)}`),
    ),
  leases: (r) => lines(...fieldsHeader(r.header), ...r.leases.map((l) => `"ID" : ${l.id}`)),
};

// --- protobuf ----------------------------------------------------------------------------------

const protobufPrinter: LeasePrinter = {
  format: 'protobuf',
  grant: (r) => protobufHeader(r.header),
  revoke: (_id, r) => {
    throw new CliError(EXIT_BAD_FEATURE, `marshal unsupported for type clientv3.LeaseRevokeResponse ({${compactTextHeader(r.header)}})`);
  },
  keepAlive: (r) => protobufHeader(r.header),
  timeToLive: (r) => protobufHeader(r.header),
  leases: (r) => protobufHeader(r.header),
};
