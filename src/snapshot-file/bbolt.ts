/**
 * A read-only reader of bbolt database files (the format of etcd's backend and of `snapshot save`
 * files), written from bbolt's on-disk layout (little-endian, as on amd64/arm64):
 *
 * - page header (16 bytes): id u64, flags u16 (0x01 branch, 0x02 leaf, 0x04 meta, 0x10 freelist),
 *   count u16, overflow u32 (pages that follow this one and belong to it);
 * - meta (pages 0 and 1, after the header): magic u32 0xED0CDAED, version u32 (2), page size u32,
 *   flags u32, root bucket (root page u64, sequence u64), freelist page u64, high-water page id
 *   u64, transaction id u64, checksum u64 (FNV-1a 64 of the 56 bytes before it; 0 = unchecked);
 * - branch element (16 bytes): key position u32 (from the element), key size u32, child page u64;
 * - leaf element (16 bytes): flags u32 (0x01: the value is a bucket), position u32, key size u32,
 *   value size u32 (the value follows the key);
 * - bucket value: root page u64 and sequence u64, then (root page 0: an inline bucket) a page.
 *
 * Opening follows bbolt's `Open` in read-only mode, with its error texts; reads are positional
 * (no mmap), bounded by the file: where bbolt would read past the file and crash, this reader
 * throws `SnapshotFileError`.
 */
import { Buffer } from 'node:buffer';
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';

import { Status } from '../transport/types.js';
import { SnapshotFileError } from '../errors/index.js';

/** bbolt's magic number. */
const MAGIC = 0xed0cdaed;
/** bbolt's data file format version. */
const VERSION = 2;
/** The page size bbolt assumes when meta page 0 does not say (Go's `os.Getpagesize()`). */
const DEFAULT_PAGE_SIZE = 4096;
/** Size of a page header, a branch or leaf element, and a bucket header, in bytes. */
const HEADER_SIZE = 16;
const ELEMENT_SIZE = 16;
const BUCKET_HEADER_SIZE = 16;
/** `meta.freelist` when the free list is not stored (etcd's `NoFreelistSync`). */
export const NO_FREELIST = 0xffffffffffffffffn;

/** Page flags. */
export const BRANCH_PAGE = 0x01;
export const LEAF_PAGE = 0x02;
export const META_PAGE = 0x04;
export const FREELIST_PAGE = 0x10;
/** Leaf element flag: the value is a nested bucket. */
export const BUCKET_LEAF = 0x01;

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const U64 = (1n << 64n) - 1n;

/** One meta page's fields. */
export interface Meta {
  magic: number;
  version: number;
  pageSize: number;
  flags: number;
  /** Root page of the root bucket. */
  root: bigint;
  freelist: bigint;
  /** The high-water mark: pages below it are in use or free. */
  pgid: bigint;
  txid: bigint;
  checksum: bigint;
  /** FNV-1a 64 of the 56 bytes before the checksum. */
  sum: bigint;
}

function fnv1a64(bytes: Uint8Array): bigint {
  let h = FNV_OFFSET;
  for (const b of bytes) h = ((h ^ BigInt(b)) * FNV_PRIME) & U64;
  return h;
}

function readMeta(page: Buffer): Meta {
  const m = page.subarray(HEADER_SIZE, HEADER_SIZE + 64);
  return {
    magic: m.readUInt32LE(0),
    version: m.readUInt32LE(4),
    pageSize: m.readUInt32LE(8),
    flags: m.readUInt32LE(12),
    root: m.readBigUInt64LE(16),
    freelist: m.readBigUInt64LE(32),
    pgid: m.readBigUInt64LE(40),
    txid: m.readBigUInt64LE(48),
    checksum: m.readBigUInt64LE(56),
    sum: fnv1a64(m.subarray(0, 56)),
  };
}

/** bbolt's `meta.validate`: undefined when valid, else its error text. */
function validate(m: Meta): string | undefined {
  if (m.magic !== MAGIC) return 'invalid database';
  if (m.version !== VERSION) return 'version mismatch';
  if (m.checksum !== 0n && m.checksum !== m.sum) return 'checksum error';
  return undefined;
}

/** Go's wording of a failed open/stat/read of `path`. */
function goFileError(op: string, path: string, err: unknown): SnapshotFileError {
  const code = (err as NodeJS.ErrnoException).code;
  const reason =
    code === 'ENOENT' ? 'no such file or directory'
    : code === 'EACCES' ? 'permission denied'
    : code === 'EISDIR' ? 'is a directory'
    : code === 'ENOTDIR' ? 'not a directory'
    : err instanceof Error ? err.message : String(err);
  return new SnapshotFileError(`${op} ${path}: ${reason}`, Status.INVALID_ARGUMENT, { cause: err });
}

/** A key and value of a leaf (bytes copied out of the file). */
export interface LeafElement {
  flags: number;
  key: Buffer;
  value: Buffer;
}

/** One page as read: its header fields and bytes (with its overflow pages). */
export class Page {
  /** The page's own id (its header's, which bbolt trusts). */
  readonly id: bigint;
  readonly flags: number;
  readonly count: number;
  readonly overflow: number;

  /**
   * @param buf the page's bytes from its header on
   * @param file the file, for elements that point past `buf`; absent for an inline page
   * @param fileOffset where `buf` starts in the file
   */
  constructor(
    private readonly buf: Buffer,
    private readonly file?: BoltFile,
    private readonly fileOffset = 0,
  ) {
    if (buf.length < HEADER_SIZE) throw new SnapshotFileError('page header beyond the end of its data');
    this.id = buf.readBigUInt64LE(0);
    this.flags = buf.readUInt16LE(8);
    this.count = buf.readUInt16LE(10);
    this.overflow = buf.readUInt32LE(12);
  }

  /** True for a branch page (flag 0x01). */
  get isBranch(): boolean {
    return (this.flags & BRANCH_PAGE) !== 0;
  }

  /** True for a leaf page (flag 0x02). */
  get isLeaf(): boolean {
    return (this.flags & LEAF_PAGE) !== 0;
  }

  /** bbolt's `page.typ()`: `branch`, `leaf`, `meta`, `freelist` or `unknown<xx>`. */
  get type(): string {
    if (this.isBranch) return 'branch';
    if (this.isLeaf) return 'leaf';
    if ((this.flags & META_PAGE) !== 0) return 'meta';
    if ((this.flags & FREELIST_PAGE) !== 0) return 'freelist';
    return `unknown<${this.flags.toString(16).padStart(2, '0')}>`;
  }

  /** `length` bytes at `offset` from the page start: from the page, else from the file. */
  bytes(offset: number, length: number): Buffer {
    if (offset + length <= this.buf.length) return Buffer.from(this.buf.subarray(offset, offset + length));
    if (this.file === undefined) throw new SnapshotFileError(`inline page: element data beyond the bucket value (${offset + length} > ${this.buf.length} bytes)`);
    return this.file.read(this.fileOffset + offset, length);
  }

  /** u32 at `offset` (from the file when past the page's bytes). */
  private u32(offset: number): number {
    return offset + 4 <= this.buf.length ? this.buf.readUInt32LE(offset) : this.bytes(offset, 4).readUInt32LE(0);
  }

  /** u64 at `offset`. */
  private u64(offset: number): bigint {
    return offset + 8 <= this.buf.length ? this.buf.readBigUInt64LE(offset) : this.bytes(offset, 8).readBigUInt64LE(0);
  }

  /** The `i`th element of a branch page: its first key and child page. */
  branch(i: number): { key: Buffer; pgid: bigint } {
    const at = HEADER_SIZE + i * ELEMENT_SIZE;
    const pos = this.u32(at);
    const ksize = this.u32(at + 4);
    return { key: this.bytes(at + pos, ksize), pgid: this.u64(at + 8) };
  }

  /** The `i`th element of a leaf page. */
  leaf(i: number): LeafElement {
    const at = HEADER_SIZE + i * ELEMENT_SIZE;
    const flags = this.u32(at);
    const pos = this.u32(at + 4);
    const ksize = this.u32(at + 8);
    const vsize = this.u32(at + 12);
    return { flags, key: this.bytes(at + pos, ksize), value: this.bytes(at + pos + ksize, vsize) };
  }

  /** The `i`th u64 of the page's data (a free list's page ids). */
  dataU64(i: number): bigint {
    return this.u64(HEADER_SIZE + i * 8);
  }
}

/** A bucket: its root page, or (root 0) its inline page. */
export interface Bucket {
  root: bigint;
  inline?: Page;
}

/** The bucket a leaf value with the bucket flag holds (bbolt's `openBucket`). */
export function openBucket(value: Buffer): Bucket {
  if (value.length < BUCKET_HEADER_SIZE) throw new SnapshotFileError(`bucket value of ${value.length} bytes, shorter than a bucket header`);
  const root = value.readBigUInt64LE(0);
  return root === 0n ? { root, inline: new Page(value.subarray(BUCKET_HEADER_SIZE)) } : { root };
}

/** An open bbolt file, read-only. Close it with {@link BoltFile.close}. */
export class BoltFile {
  readonly #fd: number;
  readonly #size: number;
  /** The page size (from meta page 0, else 4096). */
  readonly pageSize: number;
  /** The meta page in use: the valid one with the highest transaction id. */
  readonly meta: Meta;

  private constructor(fd: number, size: number, pageSize: number, meta: Meta) {
    this.#fd = fd;
    this.#size = size;
    this.pageSize = pageSize;
    this.meta = meta;
  }

  /**
   * Opens `path` as bbolt's read-only `Open` does, with its errors: `stat PATH: no such file or
   * directory`, `open PATH: ...`, `invalid database` (shorter than 4096 bytes, or neither meta
   * page valid: meta page 0's reason), `version mismatch`, `checksum error`, `file size too small`.
   * @throws SnapshotFileError
   */
  static open(path: string): BoltFile {
    try {
      statSync(path);
    } catch (err) {
      throw goFileError('stat', path, err);
    }
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (err) {
      throw goFileError('open', path, err);
    }
    try {
      const stat = fstatSync(fd);
      if (stat.isDirectory()) throw new SnapshotFileError(`open ${path}: is a directory`, Status.INVALID_ARGUMENT);
      const size = stat.size;
      // bbolt would initialise an empty file, which a read-only open cannot write.
      if (size === 0) throw new SnapshotFileError(`write ${path}: bad file descriptor`, Status.INVALID_ARGUMENT);
      if (size < DEFAULT_PAGE_SIZE) throw new SnapshotFileError('invalid database');
      const first = Buffer.alloc(DEFAULT_PAGE_SIZE);
      readSync(fd, first, 0, DEFAULT_PAGE_SIZE, 0);
      const m0 = readMeta(first);
      const pageSize = validate(m0) === undefined ? m0.pageSize : DEFAULT_PAGE_SIZE;
      if (size < pageSize * 2) throw new SnapshotFileError('file size too small');
      const pages = Buffer.alloc(pageSize * 2);
      readSync(fd, pages, 0, pageSize * 2, 0);
      const meta0 = readMeta(pages.subarray(0, pageSize));
      const meta1 = readMeta(pages.subarray(pageSize));
      const err0 = validate(meta0);
      const err1 = validate(meta1);
      if (err0 !== undefined && err1 !== undefined) throw new SnapshotFileError(err0);
      const [a, b] = meta1.txid > meta0.txid ? [meta1, meta0] : [meta0, meta1];
      const meta = validate(a) === undefined ? a : b;
      return new BoltFile(fd, size, pageSize, meta);
    } catch (err) {
      closeSync(fd);
      if (err instanceof SnapshotFileError) throw err;
      throw goFileError('read', path, err);
    }
  }

  /** The file's size in bytes. */
  get size(): number {
    return this.#size;
  }

  /** `length` bytes at `offset`. @throws SnapshotFileError past the end of the file */
  read(offset: number, length: number): Buffer {
    if (offset < 0 || offset + length > this.#size) {
      throw new SnapshotFileError(`read of ${length} bytes at offset ${offset}: beyond the end of the file (${this.#size} bytes)`);
    }
    const out = Buffer.alloc(length);
    let done = 0;
    while (done < length) {
      const n = readSync(this.#fd, out, done, length - done, offset + done);
      if (n === 0) throw new SnapshotFileError(`read of ${length} bytes at offset ${offset}: unexpected end of file`);
      done += n;
    }
    return out;
  }

  /**
   * Page `id` with its overflow pages. @throws SnapshotFileError when it lies past the end of the
   * file (where bbolt would crash reading its memory map)
   */
  page(id: bigint): Page {
    const offset = id * BigInt(this.pageSize);
    if (offset + BigInt(HEADER_SIZE) > BigInt(this.#size)) {
      throw new SnapshotFileError(`page ${id}: beyond the end of the file (${this.#size} bytes)`);
    }
    const start = Number(offset);
    const head = this.read(start, HEADER_SIZE);
    const overflow = head.readUInt32LE(12);
    const length = Math.min((overflow + 1) * this.pageSize, this.#size - start);
    return new Page(this.read(start, length), this, start);
  }

  /** Closes the file. */
  close(): void {
    closeSync(this.#fd);
  }
}

/**
 * Every element of a bucket, in key order (bbolt's cursor from `First` to the end: leaves left to
 * right; a page that is not a leaf is read as a branch). Pages of neither kind are skipped (bbolt
 * reads garbage there; the integrity check reports them); a page met twice on one path is an error
 * (bbolt would recurse forever).
 * @throws SnapshotFileError for a page past the end of the file or a cycle
 */
export function* bucketEntries(file: BoltFile, bucket: Bucket): Generator<LeafElement> {
  const path = new Set<bigint>();
  function* walk(page: Page, id: bigint): Generator<LeafElement> {
    if (page.isLeaf) {
      for (let i = 0; i < page.count; i++) yield page.leaf(i);
      return;
    }
    if (!page.isBranch) return;
    if (path.has(id)) throw new SnapshotFileError(`page ${id}: a branch that leads back to itself`);
    path.add(id);
    for (let i = 0; i < page.count; i++) {
      const child = page.branch(i).pgid;
      yield* walk(file.page(child), child);
    }
    path.delete(id);
  }
  if (bucket.inline !== undefined) yield* walk(bucket.inline, 0n);
  else yield* walk(file.page(bucket.root), bucket.root);
}
