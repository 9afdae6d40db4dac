/**
 * How `etcdts watch` prints watch responses, byte for byte as etcdctl 3.4 does
 * (etcdctl/ctlv3/command/printer_simple.go, printer_fields.go, and printer_json.go on Go's
 * `clientv3.WatchResponse`):
 *
 * - `simple`: per event its type (`PUT` / `DELETE`), the previous pair's key and value lines when
 *   there is one, then the key and value lines; `--hex` prints bytes as `\xNN`.
 * - `json`: `{"Header":{...},"Events":[...],"CompactRevision":n,"Canceled":b,"Created":b}`; events
 *   as `mvccpb.Event` (`type` left out for PUT, `kv`, `prev_kv`), zero values left out below the top.
 * - `fields`: the header's four lines, then per event `"Type" : PUT` and the pairs' lines.
 * - `protobuf`: the `WatchResponse` message's wire encoding (see protobuf-printer.ts).
 */
import { Buffer } from 'node:buffer';

import type { KeyValue } from '../types.js';
import type { WatchResponse } from '../watch/watch.js';
import type { PrinterFormat } from './global.js';
import { protobufWatch } from './protobuf-printer.js';
import { fieldsHeader, fieldsKeyValue, hexEscape, jsonHeaderMembers, jsonKeyValue, jsonObject, textLines } from './output-parts.js';

/** Prints one watch response in `format` (`hex`: simple format only, as etcdctl). */
export function printWatchResponse(format: PrinterFormat, resp: WatchResponse, hex: boolean): Buffer {
  switch (format) {
    case 'simple':
      return simple(resp, hex);
    case 'json':
      return Buffer.from(`${json(resp)}\n`, 'utf8');
    case 'fields':
      return fields(resp);
    case 'protobuf':
      return protobufWatch(resp);
  }
}

// --- simple ------------------------------------------------------------------------------------------

const NEWLINE = Buffer.from('\n');

function simple(resp: WatchResponse, hex: boolean): Buffer {
  const out: Buffer[] = [];
  const kv = (pair: KeyValue): void => {
    out.push(hex ? hexEscape(pair.key) : pair.key, NEWLINE, hex ? hexEscape(pair.value) : pair.value, NEWLINE);
  };
  for (const e of resp.events) {
    out.push(Buffer.from(e.type === 'put' ? 'PUT\n' : 'DELETE\n'));
    if (e.prevKv !== undefined) kv(e.prevKv);
    kv(e.kv);
  }
  return Buffer.concat(out);
}

// --- json --------------------------------------------------------------------------------------------

function json(resp: WatchResponse): string {
  const events = resp.events.map((e) =>
    jsonObject([
      ['type', e.type === 'delete' ? '1' : undefined],
      ['kv', jsonKeyValue(e.kv)],
      ['prev_kv', e.prevKv === undefined ? undefined : jsonKeyValue(e.prevKv)],
    ]),
  );
  return (
    `{"Header":${jsonObject(jsonHeaderMembers(resp.header))},"Events":[${events.join(',')}],` +
    `"CompactRevision":${resp.compactRevision},"Canceled":${resp.canceled},"Created":${resp.created}}`
  );
}

// --- fields ------------------------------------------------------------------------------------------

function fields(resp: WatchResponse): Buffer {
  const out = fieldsHeader(resp.header);
  for (const e of resp.events) {
    out.push(`"Type" : ${e.type === 'put' ? 'PUT' : 'DELETE'}`);
    if (e.prevKv !== undefined) out.push(...fieldsKeyValue('Prev', e.prevKv));
    out.push(...fieldsKeyValue('', e.kv));
  }
  return textLines(out);
}
