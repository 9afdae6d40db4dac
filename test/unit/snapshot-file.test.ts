// Pure pieces of the snapshot file reader: CRC-32C, and bbolt files built here byte by byte
// (a stored free list, an inline bucket, overflow pages: layouts etcd's snapshots do not have).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

import { Crc32c } from '../../src/snapshot-file/crc32c.js';
import { snapshotStatus } from '../../src/snapshot-file/index.js';

const PAGE = 4096;
const dir = mkdtempSync(join(tmpdir(), 'etcdts-bbolt-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function fnv1a64(bytes: Uint8Array): bigint {
  let h = 0xcbf29ce484222325n;
  for (const b of bytes) h = ((h ^ BigInt(b)) * 0x100000001b3n) & ((1n << 64n) - 1n);
  return h;
}

function header(buf: Buffer, at: number, id: number, flags: number, count: number, overflow = 0): void {
  buf.writeBigUInt64LE(BigInt(id), at);
  buf.writeUInt16LE(flags, at + 8);
  buf.writeUInt16LE(count, at + 10);
  buf.writeUInt32LE(overflow, at + 12);
}

function meta(buf: Buffer, page: number, root: number, freelist: bigint, highWater: number, txid: number): void {
  const at = page * PAGE;
  header(buf, at, page, 0x04, 0);
  const m = at + 16;
  buf.writeUInt32LE(0xed0cdaed, m);
  buf.writeUInt32LE(2, m + 4);
  buf.writeUInt32LE(PAGE, m + 8);
  buf.writeBigUInt64LE(BigInt(root), m + 16);
  buf.writeBigUInt64LE(freelist, m + 32);
  buf.writeBigUInt64LE(BigInt(highWater), m + 40);
  buf.writeBigUInt64LE(BigInt(txid), m + 48);
  buf.writeBigUInt64LE(fnv1a64(buf.subarray(m, m + 56)), m + 56);
}

/** Writes leaf elements (key, value, flags) into a page at `at` (header already written). */
function leaves(buf: Buffer, at: number, items: Array<[Buffer, Buffer, number]>): void {
  let data = at + 16 + items.length * 16;
  items.forEach(([k, v, flags], i) => {
    const el = at + 16 + i * 16;
    buf.writeUInt32LE(flags, el);
    buf.writeUInt32LE(data - el, el + 4);
    buf.writeUInt32LE(k.length, el + 8);
    buf.writeUInt32LE(v.length, el + 12);
    k.copy(buf, data);
    v.copy(buf, data + k.length);
    data += k.length + v.length;
  });
}

/** A bucket value: root page and sequence, then (root 0) an inline leaf page of `items`. */
function bucketValue(root: number, items: Array<[Buffer, Buffer]> = []): Buffer {
  if (root !== 0) {
    const b = Buffer.alloc(16);
    b.writeBigUInt64LE(BigInt(root), 0);
    return b;
  }
  const b = Buffer.alloc(16 + 16 + items.length * 16 + items.reduce((n, [k, v]) => n + k.length + v.length, 0));
  header(b, 16, 0, 0x02, items.length);
  leaves(b, 16, items.map(([k, v]) => [k, v, 0]));
  return b;
}

function revKey(main: number, sub: number): Buffer {
  const k = Buffer.alloc(17);
  k.writeBigInt64BE(BigInt(main), 0);
  k[8] = 0x5f;
  k.writeBigInt64BE(BigInt(sub), 9);
  return k;
}

/**
 * Pages: 0-1 meta, 2 free list (free: page 6), 3 root (buckets `key` -> page 4, `meta` inline),
 * 4-5 the `key` bucket's leaf with an overflow page (a 5000-byte value), 6 free.
 */
function build(change?: (b: Buffer) => void): string {
  const buf = Buffer.alloc(7 * PAGE);
  meta(buf, 0, 3, 2n, 7, 4);
  meta(buf, 1, 3, 2n, 7, 3);
  header(buf, 2 * PAGE, 2, 0x10, 1);
  buf.writeBigUInt64LE(6n, 2 * PAGE + 16);
  header(buf, 3 * PAGE, 3, 0x02, 2);
  leaves(buf, 3 * PAGE, [
    [Buffer.from('key'), bucketValue(4), 1],
    [Buffer.from('meta'), bucketValue(0, [[Buffer.from('consistent_index'), Buffer.from([0, 0, 0, 0, 0, 0, 0, 9])]]), 1],
  ]);
  header(buf, 4 * PAGE, 4, 0x02, 2, 1);
  leaves(buf, 4 * PAGE, [
    [revKey(2, 0), Buffer.from('small'), 0],
    [revKey(7, 0), Buffer.alloc(5000, 0x61), 0],
  ]);
  change?.(buf);
  const path = join(dir, `db-${Math.random().toString(36).slice(2)}`);
  writeFileSync(path, buf);
  return path;
}

describe('snapshot file reader', () => {
  test('CRC-32C: the check value and incremental updates', () => {
    const one = new Crc32c();
    one.update(Buffer.from('123456789'));
    assert.equal(one.digest(), 0xe3069283);
    const two = new Crc32c();
    two.update(Buffer.from('1234'));
    two.update(Buffer.from('56789'));
    assert.equal(two.digest(), 0xe3069283);
  });

  test('a stored free list, an inline bucket, a value on an overflow page', () => {
    const st = snapshotStatus(build());
    const crc = new Crc32c();
    for (const piece of ['key', revKey(2, 0), 'small', revKey(7, 0), Buffer.alloc(5000, 0x61), 'meta', 'consistent_index', Buffer.from([0, 0, 0, 0, 0, 0, 0, 9])]) {
      crc.update(typeof piece === 'string' ? Buffer.from(piece) : piece);
    }
    assert.deepEqual(st, { hash: crc.digest(), revision: 7, totalKey: 3, totalSize: 7 * PAGE });
  });

  test('integrity errors in bbolt\'s words and order', () => {
    // page 6 freed twice; page 5 (the overflow page of 4) also free, which bbolt does not see (it checks page 4)
    const twice = build((b) => {
      b.writeUInt16LE(3, 2 * PAGE + 10);
      b.writeBigUInt64LE(6n, 2 * PAGE + 24);
      b.writeBigUInt64LE(5n, 2 * PAGE + 32);
    });
    assert.throws(() => snapshotStatus(twice), { message: 'snapshot file integrity check failed. 1 errors found.\npage 6: already freed' });
    // page 6 reachable (the `key` bucket's root) and free
    const both = build((b) => b.writeBigUInt64LE(4n, 2 * PAGE + 16));
    assert.throws(() => snapshotStatus(both), { message: 'snapshot file integrity check failed. 2 errors found.\npage 4: reachable freed\npage 6: unreachable unfreed' });
    // page 6 neither reachable nor free
    const unfreed = build((b) => b.writeUInt16LE(0, 2 * PAGE + 10));
    assert.throws(() => snapshotStatus(unfreed), { message: 'snapshot file integrity check failed. 1 errors found.\npage 6: unreachable unfreed' });
    // the free list page is not one: bbolt panics with this text
    const notList = build((b) => b.writeUInt16LE(0x02, 2 * PAGE + 8));
    assert.throws(() => snapshotStatus(notList), { message: 'invalid freelist page: 2, page type is leaf' });
    // a root entry that is no bucket
    const plain = build((b) => b.writeUInt32LE(0, 3 * PAGE + 16 + 16));
    assert.throws(() => snapshotStatus(plain), { message: 'cannot get hash of bucket meta' });
  });

  test('a page past the end of the file is an error, not a crash', () => {
    const path = build((b) => b.writeBigUInt64LE(999n, 3 * PAGE + 16 + 32 + 3));
    assert.throws(() => snapshotStatus(path), { name: 'SnapshotFileError', message: 'page 999: beyond the end of the file (28672 bytes)' });
  });
});
