/**
 * Hand-written encoders for the requests of the hot calls: `PutRequest`, `RangeRequest` and
 * `WatchRequest` (watch creation, cancel, progress). They write the same bytes as the generated
 * ts-proto code (`encode(fromPartial(request))`, test/unit/proto-fast-encode.test.ts checks this on
 * random and edge input) straight from the plain request object:
 *
 * - no `fromPartial`, which builds a complete message first (two empty `Uint8Array`s, and every
 *   other field, per request: 450-700 bytes per Put or Range);
 * - one pass sizes the message, a second writes it into one `Buffer.allocUnsafe` of the exact length
 *   (a slice of Node's pool for small requests): no writer chunks, no copy into a new array.
 *
 * A field of an unexpected type makes the caller fall back to the generated code (same result,
 * same errors); an int64 outside its range throws the generated code's error.
 */
import type { Init } from './methods.js';
import type { PutRequest, RangeRequest, WatchCancelRequest, WatchCreateRequest, WatchRequest } from './gen/etcdserverpb/rpc.js';

/** Thrown inside an encoder when a field has a type the fast path does not handle. */
const UNEXPECTED = Symbol('unexpected field type');

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Bytes of the varint of a non-negative number below 2^32. */
function varintSize(value: number): number {
  return value < 0x80 ? 1 : value < 0x4000 ? 2 : value < 0x200000 ? 3 : value < 0x10000000 ? 4 : 5;
}

/**
 * Writes fields into `buf`, or (while `buf` is undefined) only counts their bytes: an encoder runs
 * once to size the message, then once to write it into a buffer of exactly that size.
 */
class Out {
  buf: Buffer | undefined = undefined;
  pos = 0;

  /** A varint of a non-negative number below 2^32. */
  varint(value: number): void {
    const buf = this.buf;
    if (buf === undefined) {
      this.pos += varintSize(value);
      return;
    }
    let pos = this.pos;
    while (value > 0x7f) {
      buf[pos++] = (value & 0x7f) | 0x80;
      value >>>= 7;
    }
    buf[pos++] = value;
    this.pos = pos;
  }

  /** A 64-bit varint from its two's complement halves (as `BinaryWriter.writeVarint64`). */
  varint64(lo: number, hi: number): void {
    const buf = this.buf;
    if (buf === undefined) {
      this.pos += hi === 0 ? varintSize(lo) : hi < 0x8 ? 5 : hi < 0x400 ? 6 : hi < 0x20000 ? 7 : hi < 0x1000000 ? 8 : hi < 0x80000000 ? 9 : 10;
      return;
    }
    let pos = this.pos;
    while (hi !== 0 || lo > 0x7f) {
      buf[pos++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    buf[pos++] = lo;
    this.pos = pos;
  }

  /** An int64 field (skipped when 0n); throws the generated code's error outside int64. */
  int64(tag: number, value: bigint | undefined, field: string): void {
    if (value === undefined) return;
    if (typeof value !== 'bigint') throw UNEXPECTED;
    if (value === 0n) return;
    if (value < INT64_MIN || value > INT64_MAX) {
      throw new Error(`value provided for field message.${field} of type int64 too large`);
    }
    this.varint(tag);
    if (value > 0n && value <= 0xffffffffn) {
      this.varint(Number(value));
      return;
    }
    const u = BigInt.asUintN(64, value);
    this.varint64(Number(u & 0xffffffffn), Number(u >> 32n));
  }

  /** A bytes field (skipped when empty). */
  bytes(tag: number, value: Uint8Array | undefined): void {
    if (value === undefined) return;
    if (!(value instanceof Uint8Array)) throw UNEXPECTED;
    const n = value.length;
    if (n === 0) return;
    this.varint(tag);
    this.varint(n);
    if (this.buf !== undefined) this.buf.set(value, this.pos);
    this.pos += n;
  }

  /** A bool field (skipped when false). */
  bool(tag: number, value: boolean | undefined): void {
    if (value === undefined || value === false) return;
    if (value !== true) throw UNEXPECTED;
    this.varint(tag);
    if (this.buf !== undefined) this.buf[this.pos] = 1;
    this.pos++;
  }

  /** An enum (int32) field (skipped when 0). */
  enum(tag: number, value: number | undefined): void {
    if (value === undefined || value === 0) return;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0x7fffffff) throw UNEXPECTED;
    this.varint(tag);
    this.varint(value);
  }

  /**
   * An embedded message field: `write(this, message)` writes its fields (and runs once more first,
   * to size them). A function and its argument rather than a closure: nothing allocated.
   */
  embedded<T>(tag: number, write: (out: Out, message: T) => void, message: T): void {
    this.varint(tag);
    const buf = this.buf;
    const start = this.pos;
    this.buf = undefined;
    write(this, message);
    const length = this.pos - start;
    this.pos = start;
    this.buf = buf;
    this.varint(length);
    if (buf === undefined) this.pos += length;
    else write(this, message);
  }
}

const out = new Out();

/**
 * Runs `write` twice on {@link out}, to size and then to fill a buffer of the exact length: the
 * encoded bytes, or undefined when a field had a type the fast path does not handle (the caller
 * then uses the generated code). Other errors (an int64 out of range) propagate.
 */
function encodeWith<T>(write: (out: Out, message: T) => void, message: T): Buffer | undefined {
  out.buf = undefined;
  out.pos = 0;
  try {
    write(out, message);
  } catch (error) {
    if (error === UNEXPECTED) return undefined;
    throw error;
  }
  const buf = Buffer.allocUnsafe(out.pos);
  out.buf = buf;
  out.pos = 0;
  write(out, message);
  out.buf = undefined;
  return buf;
}

function putRequest(out: Out, m: Init<PutRequest>): void {
  out.bytes(10, m.key);
  out.bytes(18, m.value);
  out.int64(24, m.lease, 'lease');
  out.bool(32, m.prevKv);
  out.bool(40, m.ignoreValue);
  out.bool(48, m.ignoreLease);
}

function rangeRequest(out: Out, m: Init<RangeRequest>): void {
  out.bytes(10, m.key);
  out.bytes(18, m.rangeEnd);
  out.int64(24, m.limit, 'limit');
  out.int64(32, m.revision, 'revision');
  out.enum(40, m.sortOrder);
  out.enum(48, m.sortTarget);
  out.bool(56, m.serializable);
  out.bool(64, m.keysOnly);
  out.bool(72, m.countOnly);
  out.int64(80, m.minModRevision, 'minModRevision');
  out.int64(88, m.maxModRevision, 'maxModRevision');
  out.int64(96, m.minCreateRevision, 'minCreateRevision');
  out.int64(104, m.maxCreateRevision, 'maxCreateRevision');
}

/** Packed enums (`WatchCreateRequest.filters`). */
function packedEnums(out: Out, values: readonly unknown[]): void {
  for (const v of values) {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0x7fffffff) throw UNEXPECTED;
    out.varint(v);
  }
}

function watchCreateRequest(out: Out, m: Init<WatchCreateRequest>): void {
  out.bytes(10, m.key);
  out.bytes(18, m.rangeEnd);
  out.int64(24, m.startRevision, 'startRevision');
  out.bool(32, m.progressNotify);
  const filters = m.filters;
  if (filters !== undefined) {
    if (!Array.isArray(filters)) throw UNEXPECTED;
    if (filters.length > 0) out.embedded(42, packedEnums, filters);
  }
  out.bool(48, m.prevKv);
  out.int64(56, m.watchId, 'watchId');
  out.bool(64, m.fragment);
}

function watchCancelRequest(out: Out, m: Init<WatchCancelRequest>): void {
  out.int64(8, m.watchId, 'watchId');
}

function nothing(): void {}

function watchRequest(out: Out, m: Init<WatchRequest>): void {
  const union = m.requestUnion;
  if (union === undefined) return;
  switch (union.$case) {
    case 'createRequest':
      out.embedded(10, watchCreateRequest, union.value);
      return;
    case 'cancelRequest':
      out.embedded(18, watchCancelRequest, union.value);
      return;
    case 'progressRequest':
      out.embedded(26, nothing, undefined);
      return;
    default:
      throw UNEXPECTED;
  }
}

/** `etcdserverpb.PutRequest`, or undefined when a field's type needs the generated code. */
export function encodePutRequest(message: Init<PutRequest>): Buffer | undefined {
  return encodeWith(putRequest, message);
}

/** `etcdserverpb.RangeRequest`, or undefined when a field's type needs the generated code. */
export function encodeRangeRequest(message: Init<RangeRequest>): Buffer | undefined {
  return encodeWith(rangeRequest, message);
}

/** `etcdserverpb.WatchRequest`, or undefined when a field's type needs the generated code. */
export function encodeWatchRequest(message: Init<WatchRequest>): Buffer | undefined {
  return encodeWith(watchRequest, message);
}
