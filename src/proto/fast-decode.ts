/**
 * Hand-written decoders for the two responses that carry many key-values: `RangeResponse` (a
 * prefix get) and `WatchResponse` (watch events). They return exactly what the generated ts-proto
 * decoders return (the same types, the same values; test/unit/proto-fast-decode.test.ts checks
 * this against the generated code on valid, random and truncated input), with less work:
 *
 * - absent bytes fields share one empty `Buffer` instead of two new `Uint8Array(0)` per key-value
 *   (the generated `createBaseKeyValue` allocates them and then overwrites them);
 * - present bytes fields are views of the input (`subarray`), as with the generated code;
 * - no per-message recursion bookkeeping on the reader, no `DataView` per response;
 * - int64 varints that fit in 28 bits become a `bigint` straight from a small integer.
 *
 * Malformed input throws (`RangeError` "premature EOF" or an `Error` naming the problem), as the
 * generated decoders do; unknown fields are skipped.
 */
import type { KeyValue, Event } from './gen/mvccpb/kv.js';
import type { RangeResponse, ResponseHeader, WatchResponse } from './gen/etcdserverpb/rpc.js';

/** The value of every absent bytes field (zero-length, so nothing can be written into it). */
const EMPTY_BYTES: Uint8Array = Buffer.alloc(0);
/** Nested groups skipped at most this deep (as `BinaryReader.skip`). */
const MAX_GROUP_DEPTH = 100;
const utf8 = new TextDecoder();

/** A read position in the input message. */
class Reader {
  pos = 0;
  constructor(readonly buf: Uint8Array) {}

  eof(): never {
    throw new RangeError('premature EOF');
  }

  /** A varint's low 32 bits as an unsigned number (protobuf `uint32`), up to 10 bytes read. */
  uint32(): number {
    const buf = this.buf;
    let b = buf[this.pos++]!;
    if (b < 0x80) {
      if (this.pos > buf.length) this.eof();
      return b;
    }
    let result = b & 0x7f;
    for (let shift = 7; shift < 28; shift += 7) {
      b = buf[this.pos++]!;
      result |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) {
        if (this.pos > buf.length) this.eof();
        return result >>> 0;
      }
    }
    b = buf[this.pos++]!;
    result |= (b & 0x0f) << 28;
    for (let read = 5; (b & 0x80) !== 0 && read < 10; read++) b = buf[this.pos++]!;
    if ((b & 0x80) !== 0) throw new Error('invalid varint');
    if (this.pos > buf.length) this.eof();
    return result >>> 0;
  }

  /** A varint as its two 32-bit halves (the value as uint64 is hi * 2^32 + lo); allocates, so only for long varints. */
  #varint64(): [lo: number, hi: number] {
    const buf = this.buf;
    let lo = 0;
    let hi = 0;
    let b = 0;
    for (let shift = 0; shift < 28; shift += 7) {
      b = buf[this.pos++]!;
      lo |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) {
        if (this.pos > buf.length) this.eof();
        return [lo >>> 0, 0];
      }
    }
    b = buf[this.pos++]!;
    lo |= (b & 0x0f) << 28;
    hi = (b & 0x70) >> 4;
    if ((b & 0x80) !== 0) {
      for (let shift = 3; shift <= 31; shift += 7) {
        b = buf[this.pos++]!;
        hi |= (b & 0x7f) << shift;
        if ((b & 0x80) === 0) break;
      }
      if ((b & 0x80) !== 0) throw new Error('invalid varint');
    }
    if (this.pos > buf.length) this.eof();
    return [lo >>> 0, hi >>> 0];
  }

  /** A varint below 2^28 as a number, or -1 (position unchanged) when it is longer. */
  #smallVarint(): number {
    const buf = this.buf;
    let pos = this.pos;
    let result = 0;
    for (let shift = 0; shift < 28; shift += 7) {
      const b = buf[pos++];
      if (b === undefined) return -1;
      result |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.pos = pos;
        return result;
      }
    }
    return -1;
  }

  /** protobuf `int64` as a bigint. */
  int64(): bigint {
    const small = this.#smallVarint();
    if (small >= 0) return BigInt(small);
    const [lo, hi] = this.#varint64();
    return BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo));
  }

  /** protobuf `uint64` as a bigint. */
  uint64(): bigint {
    const small = this.#smallVarint();
    if (small >= 0) return BigInt(small);
    const [lo, hi] = this.#varint64();
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  /** protobuf `bool`: any non-zero varint (up to 10 bytes) is true. */
  bool(): boolean {
    const buf = this.buf;
    let bits = 0;
    for (let read = 0; read < 10; read++) {
      const b = buf[this.pos++];
      if (b === undefined) this.eof();
      bits |= b & 0x7f;
      if (b < 0x80) return bits !== 0;
    }
    throw new Error('invalid varint');
  }

  /** Length of a length-delimited field, checked against the input. */
  length(): number {
    const n = this.uint32();
    if (this.pos + n > this.buf.length) this.eof();
    return n;
  }

  /** A bytes field: a view of the input. */
  bytes(): Uint8Array {
    const n = this.length();
    const start = this.pos;
    this.pos += n;
    return this.buf.subarray(start, start + n);
  }

  /** A string field (UTF-8; invalid sequences become U+FFFD, as with the generated code). */
  string(): string {
    const n = this.length();
    const start = this.pos;
    this.pos += n;
    return utf8.decode(this.buf.subarray(start, start + n));
  }

  /** Skips one field of wire type `wireType` (groups included). */
  skip(wireType: number, depth = MAX_GROUP_DEPTH): void {
    switch (wireType) {
      case 0:
        this.bool();
        return;
      case 1:
        this.pos += 8;
        break;
      case 2: {
        const n = this.uint32();
        this.pos += n;
        break;
      }
      case 3: {
        if (depth <= 0) throw new Error('maximum recursion depth reached');
        for (;;) {
          const tag = this.uint32();
          const type = tag & 7;
          if (tag >>> 3 === 0 || type > 5) throw new Error(`illegal tag: field no ${tag >>> 3} wire type ${type}`);
          if (type === 4) break;
          this.skip(type, depth - 1);
        }
        return;
      }
      case 5:
        this.pos += 4;
        break;
      default:
        throw new Error(`cant skip wire type ${wireType}`);
    }
    if (this.pos > this.buf.length) this.eof();
  }
}

function header(r: Reader, end: number): ResponseHeader {
  const h: ResponseHeader = { clusterId: 0n, memberId: 0n, revision: 0n, raftTerm: 0n };
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case 8:
        h.clusterId = r.uint64();
        continue;
      case 16:
        h.memberId = r.uint64();
        continue;
      case 24:
        h.revision = r.int64();
        continue;
      case 32:
        h.raftTerm = r.uint64();
        continue;
    }
    if ((tag & 7) === 4 || tag === 0) break;
    r.skip(tag & 7);
  }
  return h;
}

function keyValue(r: Reader, end: number): KeyValue {
  const kv: KeyValue = { key: EMPTY_BYTES, createRevision: 0n, modRevision: 0n, version: 0n, value: EMPTY_BYTES, lease: 0n };
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case 10:
        kv.key = r.bytes();
        continue;
      case 16:
        kv.createRevision = r.int64();
        continue;
      case 24:
        kv.modRevision = r.int64();
        continue;
      case 32:
        kv.version = r.int64();
        continue;
      case 42:
        kv.value = r.bytes();
        continue;
      case 48:
        kv.lease = r.int64();
        continue;
    }
    if ((tag & 7) === 4 || tag === 0) break;
    r.skip(tag & 7);
  }
  return kv;
}

/** Reads a length prefix and returns the end of the embedded message. */
function embeddedEnd(r: Reader): number {
  const n = r.length();
  return r.pos + n;
}

function event(r: Reader, end: number): Event {
  const e: Event = { type: 0, kv: undefined, prevKv: undefined };
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case 8:
        e.type = r.uint32() | 0;
        continue;
      case 18:
        e.kv = keyValue(r, embeddedEnd(r));
        continue;
      case 26:
        e.prevKv = keyValue(r, embeddedEnd(r));
        continue;
    }
    if ((tag & 7) === 4 || tag === 0) break;
    r.skip(tag & 7);
  }
  return e;
}

/**
 * Decodes an `etcdserverpb.RangeResponse`, the same as the generated `RangeResponse.decode`.
 * @throws RangeError / Error on malformed input
 */
export function decodeRangeResponse(bytes: Uint8Array): RangeResponse {
  const r = new Reader(bytes);
  const response: RangeResponse = { header: undefined, kvs: [], more: false, count: 0n };
  const end = bytes.length;
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case 10:
        response.header = header(r, embeddedEnd(r));
        continue;
      case 18:
        response.kvs.push(keyValue(r, embeddedEnd(r)));
        continue;
      case 24:
        response.more = r.bool();
        continue;
      case 32:
        response.count = r.int64();
        continue;
    }
    if ((tag & 7) === 4 || tag === 0) break;
    r.skip(tag & 7);
  }
  return response;
}

/**
 * Decodes an `etcdserverpb.WatchResponse`, the same as the generated `WatchResponse.decode`.
 * @throws RangeError / Error on malformed input
 */
export function decodeWatchResponse(bytes: Uint8Array): WatchResponse {
  const r = new Reader(bytes);
  const response: WatchResponse = {
    header: undefined,
    watchId: 0n,
    created: false,
    canceled: false,
    compactRevision: 0n,
    cancelReason: '',
    fragment: false,
    events: [],
  };
  const end = bytes.length;
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case 10:
        response.header = header(r, embeddedEnd(r));
        continue;
      case 16:
        response.watchId = r.int64();
        continue;
      case 24:
        response.created = r.bool();
        continue;
      case 32:
        response.canceled = r.bool();
        continue;
      case 40:
        response.compactRevision = r.int64();
        continue;
      case 50:
        response.cancelReason = r.string();
        continue;
      case 56:
        response.fragment = r.bool();
        continue;
      case 90:
        response.events.push(event(r, embeddedEnd(r)));
        continue;
    }
    if ((tag & 7) === 4 || tag === 0) break;
    r.skip(tag & 7);
  }
  return response;
}
