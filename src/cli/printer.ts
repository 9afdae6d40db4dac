/**
 * How `etcdts` prints KV responses, byte for byte as etcdctl 3.4/3.5 does
 * (etcdctl/ctlv3/command/printer_simple.go, printer_json.go, printer_fields.go):
 *
 * - `simple`: `put` prints `OK`, `get` prints key and value lines, `del` the number deleted,
 *   `txn` `SUCCESS`/`FAILURE` then each response after an empty line; `--hex` prints bytes as `\xNN`.
 * - `json`: the response as Go's `encoding/json` marshals the protobuf struct: snake_case names,
 *   zero values left out, bytes in base64, 64-bit IDs as exact decimal numbers.
 * - `fields`: one `"Name" : value` line per field, strings quoted the Go way (`%q`).
 *
 * Printers return the bytes to write (keys and values are raw bytes, not necessarily UTF-8).
 */
import { Buffer } from 'node:buffer';

import type {
  DeleteResponse,
  GetResponse,
  OpResponse,
  PutResponse,
  TxnResponse,
} from '../kv/types.js';
import type { KeyValue } from '../types.js';
import { goQuote } from './go-syntax.js';
import { checkPrinterFormat, type PrinterFormat } from './global.js';
import {
  fieldsHeader,
  fieldsKeyValue,
  jsonFlag,
  jsonHeader,
  jsonKeyValue,
  jsonList,
  jsonNumber,
  hexEscape,
  jsonObject,
  textLines,
} from './output-parts.js';
import { protobufDel, protobufGet, protobufPut, protobufTxn } from './protobuf-printer.js';

/** Prints the responses of the KV commands. */
export interface Printer {
  /** The output format this printer writes. */
  readonly format: PrinterFormat;
  /** Output of `get`. */
  get(resp: GetResponse): Buffer;
  /** Output of `put`. */
  put(resp: PutResponse): Buffer;
  /** Output of `del`. */
  del(resp: DeleteResponse): Buffer;
  /** Output of `txn`. */
  txn(resp: TxnResponse): Buffer;
}

/** Options of {@link createPrinter}. */
export interface PrinterOptions {
  /** `--hex`: keys and values as `\xNN` escapes (simple format only; etcdctl ignores it elsewhere). */
  hex?: boolean;
  /** `--print-value-only`: values without their keys (simple format only). */
  valueOnly?: boolean;
}

/**
 * The printer for `format` (`simple`, `json`, `fields` or `protobuf`). Throws `CliError` (exit 4)
 * for another format, with etcdctl's message (`table not supported as output format`,
 * `unsupported output format`).
 */
export function createPrinter(format: string, options: PrinterOptions = {}): Printer {
  switch (checkPrinterFormat(format)) {
    case 'protobuf':
      return protobufPrinter;
    case 'simple':
      return new SimplePrinter(options.hex ?? false, options.valueOnly ?? false);
    case 'json':
      return jsonPrinter;
    case 'fields':
      return fieldsPrinter;
  }
}

// ------------------------------------------------------------------------------------------------
// simple
// ------------------------------------------------------------------------------------------------

const NEWLINE = Buffer.from('\n');

function line(text: string): Buffer {
  return Buffer.from(`${text}\n`, 'utf8');
}

class SimplePrinter implements Printer {
  readonly format = 'simple' as const;

  constructor(
    private readonly hex: boolean,
    private readonly valueOnly: boolean,
  ) {}

  private kv(kv: KeyValue, out: Buffer[]): void {
    const bytes = (b: Buffer) => (this.hex ? hexEscape(b) : b);
    if (!this.valueOnly) out.push(bytes(kv.key), NEWLINE);
    out.push(bytes(kv.value), NEWLINE);
  }

  private getParts(resp: GetResponse, out: Buffer[]): void {
    for (const kv of resp.kvs) this.kv(kv, out);
  }

  private putParts(resp: PutResponse, out: Buffer[]): void {
    out.push(line('OK'));
    if (resp.prevKv) this.kv(resp.prevKv, out);
  }

  private delParts(resp: DeleteResponse, out: Buffer[]): void {
    out.push(line(String(resp.deleted)));
    for (const kv of resp.prevKvs) this.kv(kv, out);
  }

  get(resp: GetResponse): Buffer {
    const out: Buffer[] = [];
    this.getParts(resp, out);
    return Buffer.concat(out);
  }

  put(resp: PutResponse): Buffer {
    const out: Buffer[] = [];
    this.putParts(resp, out);
    return Buffer.concat(out);
  }

  del(resp: DeleteResponse): Buffer {
    const out: Buffer[] = [];
    this.delParts(resp, out);
    return Buffer.concat(out);
  }

  txn(resp: TxnResponse): Buffer {
    const out: Buffer[] = [line(resp.succeeded ? 'SUCCESS' : 'FAILURE')];
    for (const r of resp.responses) {
      out.push(NEWLINE);
      switch (r.type) {
        case 'get':
          this.getParts(r, out);
          break;
        case 'put':
          this.putParts(r, out);
          break;
        case 'delete':
          this.delParts(r, out);
          break;
        default:
          out.push(line(`unexpected response ${r.type}`));
      }
    }
    return Buffer.concat(out);
  }
}

// ------------------------------------------------------------------------------------------------
// json
// ------------------------------------------------------------------------------------------------

function jsonGet(r: GetResponse): string {
  return jsonObject([
    ['header', jsonHeader(r.header)],
    ['kvs', jsonList(r.kvs.map(jsonKeyValue))],
    ['more', jsonFlag(r.more)],
    ['count', jsonNumber(r.count)],
  ]);
}

function jsonPut(r: PutResponse): string {
  return jsonObject([
    ['header', jsonHeader(r.header)],
    ['prev_kv', r.prevKv ? jsonKeyValue(r.prevKv) : undefined],
  ]);
}

function jsonDel(r: DeleteResponse): string {
  return jsonObject([
    ['header', jsonHeader(r.header)],
    ['deleted', jsonNumber(r.deleted)],
    ['prev_kvs', jsonList(r.prevKvs.map(jsonKeyValue))],
  ]);
}

/** Go's JSON of a `ResponseOp`: the oneof wrapper `{"Response":{"ResponseRange":{...}}}`. */
function jsonOp(r: OpResponse): string {
  switch (r.type) {
    case 'get':
      return `{"Response":{"ResponseRange":${jsonGet(r)}}}`;
    case 'put':
      return `{"Response":{"ResponsePut":${jsonPut(r)}}}`;
    case 'delete':
      return `{"Response":{"ResponseDeleteRange":${jsonDel(r)}}}`;
    case 'txn':
      return `{"Response":{"ResponseTxn":${jsonTxn(r)}}}`;
  }
}

function jsonTxn(r: TxnResponse): string {
  return jsonObject([
    ['header', jsonHeader(r.header)],
    ['succeeded', jsonFlag(r.succeeded)],
    ['responses', jsonList(r.responses.map(jsonOp))],
  ]);
}

const jsonPrinter: Printer = {
  format: 'json',
  get: (r) => line(jsonGet(r)),
  put: (r) => line(jsonPut(r)),
  del: (r) => line(jsonDel(r)),
  txn: (r) => line(jsonTxn(r)),
};

// ------------------------------------------------------------------------------------------------
// fields
// ------------------------------------------------------------------------------------------------

function fieldsGet(r: GetResponse, out: string[]): void {
  out.push(...fieldsHeader(r.header));
  for (const kv of r.kvs) out.push(...fieldsKeyValue('', kv));
  out.push(`"More" : ${r.more}`, `"Count" : ${r.count}`);
}

function fieldsPut(r: PutResponse, out: string[]): void {
  out.push(...fieldsHeader(r.header));
  if (r.prevKv) out.push(...fieldsKeyValue('Prev', r.prevKv));
}

function fieldsDel(r: DeleteResponse, out: string[]): void {
  out.push(...fieldsHeader(r.header), `"Deleted" : ${r.deleted}`);
  for (const kv of r.prevKvs) out.push(...fieldsKeyValue('Prev', kv));
}

function fieldsTxn(r: TxnResponse, out: string[]): void {
  out.push(...fieldsHeader(r.header), `"Succeeded" : ${r.succeeded}`);
  for (const op of r.responses) {
    switch (op.type) {
      case 'get':
        fieldsGet(op, out);
        break;
      case 'put':
        fieldsPut(op, out);
        break;
      case 'delete':
        fieldsDel(op, out);
        break;
      default:
        out.push(`"Unknown" : ${goQuote(op.type)}`);
    }
  }
}

function fields(fill: (out: string[]) => void): Buffer {
  const out: string[] = [];
  fill(out);
  return textLines(out);
}

const fieldsPrinter: Printer = {
  format: 'fields',
  get: (r) => fields((out) => fieldsGet(r, out)),
  put: (r) => fields((out) => fieldsPut(r, out)),
  del: (r) => fields((out) => fieldsDel(r, out)),
  txn: (r) => fields((out) => fieldsTxn(r, out)),
};

// ------------------------------------------------------------------------------------------------
// protobuf
// ------------------------------------------------------------------------------------------------

const protobufPrinter: Printer = {
  format: 'protobuf',
  get: protobufGet,
  put: protobufPut,
  del: protobufDel,
  txn: protobufTxn,
};
