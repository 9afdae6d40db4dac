/**
 * The HPACK header blocks of gRPC requests (gRPC PROTOCOL-HTTP2: `:method POST`, `:scheme`,
 * `:path`, `:authority`, `content-type: application/grpc`, `te: trailers`, `user-agent`), built
 * once per connection and method and sent as they are; the per-call parts (`grpc-timeout`,
 * metadata such as the auth `token` and `hasleader`) are encoded separately and appended.
 *
 * Three variants of each block: `plain` (static indexes and literals without indexing, RFC 7541
 * section 6.2.2: independent of any table state); `indexing`, sent once as a connection's first
 * request, which adds the four constant fields (`:authority`, `content-type`, `te`, `user-agent`)
 * to the server's dynamic table; and `indexed`, every later request, which names them by their
 * dynamic indexes (one byte each), so the server (grpc-go) decodes no literal but the path.
 * Nothing else is ever added to the table, so those indexes stay fixed.
 */
import { ENTRY_OVERHEAD } from './hpack/decoder.js';
import { encodeField, encodeInteger, encodeString } from './hpack/encoder.js';
import { staticNameIndex } from './hpack/static-table.js';
import { encodeTimeout } from './status.js';
import type { Metadata } from './types.js';

/** Sent as the `user-agent` of every call. */
export const USER_AGENT = 'etcd-ts';

/** `grpc-timeout` as a literal header field without indexing and with a literal name. */
const TIMEOUT_NAME: readonly number[] = (() => {
  const out: number[] = [0];
  encodeString(out, 'grpc-timeout', false);
  return out;
})();

/** The constant fields added to the server's table by the first request, in insertion order. */
const INDEXED_FIELDS = ['content-type', 'te', 'user-agent'] as const;

/** Header blocks of one connection. */
export class RequestHeaders {
  private readonly plainBlocks = new Map<string, Buffer>();
  private readonly indexingBlocks = new Map<string, Buffer>();
  private readonly indexedBlocks = new Map<string, Buffer>();
  /** `:method POST`, `:scheme` (static indexes). */
  private readonly methodScheme: readonly number[];
  private readonly authority: string;
  /** Bytes the indexed fields take in the server's dynamic table (RFC 7541 section 4.1). */
  readonly tableBytes: number;
  /** The metadata object last encoded, its fields, and its block (calls mostly reuse one object). */
  private lastMetadata: Metadata | undefined = undefined;
  private lastFields: string[] = [];
  private lastBlock: Buffer = Buffer.alloc(0);

  /**
   * @param authority - `:authority`, `host:port` (`[v6]:port`).
   * @param tls - `:scheme` https when true, else http.
   */
  constructor(authority: string, tls: boolean) {
    const out: number[] = [];
    encodeField(out, ':method', 'POST');
    encodeField(out, ':scheme', tls ? 'https' : 'http');
    this.methodScheme = out;
    this.authority = authority;
    let bytes = ':authority'.length + authority.length + ENTRY_OVERHEAD;
    for (const name of INDEXED_FIELDS) bytes += name.length + value(name).length + ENTRY_OVERHEAD;
    this.tableBytes = bytes;
  }

  /** The fixed part of a request to `path` (e.g. `/etcdserverpb.KV/Range`) without table use. */
  plain(path: string): Buffer {
    let block = this.plainBlocks.get(path);
    if (block === undefined) {
      const out = [...this.methodScheme];
      encodeField(out, ':authority', this.authority);
      encodeField(out, ':path', path);
      for (const name of INDEXED_FIELDS) encodeField(out, name, value(name));
      block = Buffer.from(out);
      this.plainBlocks.set(path, block);
    }
    return block;
  }

  /** The first request's block: the constant fields as literals with incremental indexing (6.2.1). */
  indexing(path: string): Buffer {
    let block = this.indexingBlocks.get(path);
    if (block === undefined) {
      const out = [...this.methodScheme];
      addIndexed(out, ':authority', this.authority);
      encodeField(out, ':path', path);
      for (const name of INDEXED_FIELDS) addIndexed(out, name, value(name));
      block = Buffer.from(out);
      this.indexingBlocks.set(path, block);
    }
    return block;
  }

  /** Every later request's block: the constant fields by their dynamic indexes. */
  indexed(path: string): Buffer {
    let block = this.indexedBlocks.get(path);
    if (block === undefined) {
      // Newest entry is 62: user-agent 62, te 63, content-type 64, :authority 65.
      const count = INDEXED_FIELDS.length + 1;
      const out = [...this.methodScheme];
      encodeInteger(out, 61 + count, 7, 0x80);
      encodeField(out, ':path', path);
      for (let i = 0; i < INDEXED_FIELDS.length; i++) encodeInteger(out, 61 + count - 1 - i, 7, 0x80);
      block = Buffer.from(out);
      this.indexedBlocks.set(path, block);
    }
    return block;
  }

  /** `grpc-timeout` for `ms` milliseconds left (rounded up, see `encodeTimeout`). */
  timeout(ms: number): Buffer {
    const value = encodeTimeout(ms);
    const out = Buffer.allocUnsafe(TIMEOUT_NAME.length + 1 + value.length);
    out.set(TIMEOUT_NAME, 0);
    out[TIMEOUT_NAME.length] = value.length;
    out.write(value, TIMEOUT_NAME.length + 1, 'latin1');
    return out;
  }

  /**
   * The fields of `metadata` (already validated: lower-case names, printable ASCII values). The
   * block of the last object is kept, and reused while that object still holds the same fields.
   */
  metadata(metadata: Metadata): Buffer {
    if (metadata === this.lastMetadata && sameFields(metadata, this.lastFields)) return this.lastBlock;
    const fields: string[] = [];
    const out: number[] = [];
    for (const name in metadata) {
      const value = metadata[name]!;
      fields.push(name, value);
      encodeInteger(out, 0, 4, 0);
      encodeString(out, name);
      encodeString(out, value);
    }
    this.lastMetadata = metadata;
    this.lastFields = fields;
    this.lastBlock = Buffer.from(out);
    return this.lastBlock;
  }
}

function value(name: (typeof INDEXED_FIELDS)[number]): string {
  return name === 'content-type' ? 'application/grpc' : name === 'te' ? 'trailers' : USER_AGENT;
}

/** A literal with incremental indexing (6.2.1), the name indexed when the static table has it. */
function addIndexed(out: number[], name: string, fieldValue: string): void {
  const nameIndex = staticNameIndex(name);
  encodeInteger(out, nameIndex, 6, 0x40);
  if (nameIndex === 0) encodeString(out, name);
  encodeString(out, fieldValue);
}

function sameFields(metadata: Metadata, fields: readonly string[]): boolean {
  let i = 0;
  for (const name in metadata) {
    if (fields[i] !== name || fields[i + 1] !== metadata[name]) return false;
    i += 2;
  }
  return i === fields.length;
}
