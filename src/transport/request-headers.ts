/**
 * The HPACK header blocks of gRPC requests (gRPC PROTOCOL-HTTP2: `:method POST`, `:scheme`,
 * `:path`, `:authority`, `content-type: application/grpc`, `te: trailers`, `user-agent`), built
 * once per connection and method and sent as they are; the per-call parts (`grpc-timeout`,
 * metadata such as the auth `token` and `hasleader`) are encoded separately and appended. All
 * literals are "without indexing" (RFC 7541 section 6.2.2): blocks never depend on each other.
 */
import { encodeField, encodeInteger, encodeString } from './hpack/encoder.js';
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

/** Header blocks of one connection. */
export class RequestHeaders {
  private readonly byPath = new Map<string, Buffer>();
  /** Pseudo-header fields, which must come first (RFC 9113 section 8.3), and the others. */
  private readonly pseudo: readonly number[];
  private readonly regular: readonly number[];
  /** The metadata object last encoded, its fields, and its block (calls mostly reuse one object). */
  private lastMetadata: Metadata | undefined = undefined;
  private lastFields: string[] = [];
  private lastBlock: Buffer = Buffer.alloc(0);

  /**
   * @param authority - `:authority`, `host:port` (`[v6]:port`).
   * @param tls - `:scheme` https when true, else http.
   */
  constructor(authority: string, tls: boolean) {
    const pseudo: number[] = [];
    encodeField(pseudo, ':method', 'POST');
    encodeField(pseudo, ':scheme', tls ? 'https' : 'http');
    encodeField(pseudo, ':authority', authority);
    this.pseudo = pseudo;
    const regular: number[] = [];
    encodeField(regular, 'content-type', 'application/grpc');
    encodeField(regular, 'te', 'trailers');
    encodeField(regular, 'user-agent', USER_AGENT);
    this.regular = regular;
  }

  /** The fixed part of every request to `path` (e.g. `/etcdserverpb.KV/Range`). */
  block(path: string): Buffer {
    let block = this.byPath.get(path);
    if (block === undefined) {
      const out = [...this.pseudo];
      encodeField(out, ':path', path);
      block = Buffer.from([...out, ...this.regular]);
      this.byPath.set(path, block);
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

function sameFields(metadata: Metadata, fields: readonly string[]): boolean {
  let i = 0;
  for (const name in metadata) {
    if (fields[i] !== name || fields[i + 1] !== metadata[name]) return false;
    i += 2;
  }
  return i === fields.length;
}
