/**
 * The protobuf wire reader of the hand-written decoders (fast-decode.ts, and the watch layer's
 * src/watch/decode.ts): varints, lengths, bytes as views of the input, strings, skipping unknown
 * fields, with the errors the generated decoders throw on malformed input (`RangeError` "premature
 * EOF", `Error` naming the problem).
 */

/** The last value a {@link Reader.uint64Cached} call site decoded (its two 32-bit halves and the bigint). */
export interface Uint64Cache {
  lo: number;
  hi: number;
  value: bigint | undefined;
}

/** A fresh, empty {@link Uint64Cache}. */
export function uint64Cache(): Uint64Cache {
  return { lo: 0, hi: 0, value: undefined };
}

/** The value of every absent bytes field (zero-length, so nothing can be written into it). */
export const EMPTY_BYTES: Buffer = Buffer.alloc(0);
/** Nested groups skipped at most this deep (as `BinaryReader.skip`). */
const MAX_GROUP_DEPTH = 100;
const utf8 = new TextDecoder();

/** A read position in the input message. */
export class Reader {
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

  /** Low and high 32 bits of the last varint read by {@link varint64} (unsigned). */
  lo = 0;
  hi = 0;

  /** Reads a varint of up to 64 bits into {@link lo} and {@link hi} (the value as uint64 is hi * 2^32 + lo). */
  varint64(): void {
    const buf = this.buf;
    let lo = 0;
    let hi = 0;
    let b = 0;
    for (let shift = 0; shift < 28; shift += 7) {
      b = buf[this.pos++]!;
      lo |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) {
        if (this.pos > buf.length) this.eof();
        this.lo = lo >>> 0;
        this.hi = 0;
        return;
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
    this.lo = lo >>> 0;
    this.hi = hi >>> 0;
  }

  /** A varint below 2^28 as a number, or -1 (position unchanged) when it is longer. */
  smallVarint(): number {
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
    const small = this.smallVarint();
    if (small >= 0) return BigInt(small);
    this.varint64();
    return BigInt.asIntN(64, (BigInt(this.hi) << 32n) | BigInt(this.lo));
  }

  /** protobuf `uint64` as a bigint. */
  uint64(): bigint {
    const small = this.smallVarint();
    if (small >= 0) return BigInt(small);
    this.varint64();
    return (BigInt(this.hi) << 32n) | BigInt(this.lo);
  }

  /**
   * protobuf `uint64` as a bigint, from `cache` when it is the value `cache` last made (cluster and
   * member IDs: the same random 64-bit values in every response of a member, three bigint operations
   * each to build).
   */
  uint64Cached(cache: Uint64Cache): bigint {
    this.varint64();
    const { lo, hi } = this;
    if (lo !== cache.lo || hi !== cache.hi || cache.value === undefined) {
      cache.lo = lo;
      cache.hi = hi;
      cache.value = hi === 0 ? BigInt(lo) : (BigInt(hi) << 32n) | BigInt(lo);
    }
    return cache.value;
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

  /** Reads the length prefix of an embedded message; returns where the message ends. */
  embeddedEnd(): number {
    const n = this.length();
    return this.pos + n;
  }

  /**
   * After a field's tag that the decoder does not know: skips the field and returns true, or returns
   * false at an end-group tag or a zero tag (the message ends there, as with the generated decoders).
   */
  skipField(tag: number): boolean {
    if ((tag & 7) === 4 || tag === 0) return false;
    this.skip(tag & 7);
    return true;
  }

  /** A bytes field: a view of the input (a `Buffer` when the input is one). */
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
