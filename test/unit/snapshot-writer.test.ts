// writeSnapshotFile: the SHA-256 trailer check over any chunking, the temporary file, the rename,
// and the clean-up on failure. The chunk streams are built here the way etcd frames its snapshot
// (database bytes, then the 32-byte SHA-256 of them); the integration test uses a real etcd.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, lstatSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { SnapshotChecksumError } from '../../src/errors/index.js';
import { writeSnapshotFile, type SnapshotChunk } from '../../src/maintenance/snapshot.js';

const dir = mkdtempSync(join(tmpdir(), 'etcd-ts-snapshot-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

/** `bytes` cut at `cuts`, each chunk with the database bytes still to come after it. */
async function* chunked(bytes: Buffer, cuts: number[], dbSize: number): AsyncGenerator<SnapshotChunk> {
  let start = 0;
  for (const end of [...cuts, bytes.length]) {
    yield { blob: bytes.subarray(start, end), remainingBytes: BigInt(Math.max(0, dbSize - end)) };
    start = end;
  }
}

function framed(db: Buffer): Buffer {
  return Buffer.concat([db, createHash('sha256').update(db).digest()]);
}

test('any chunking: the file is the stream, the trailer is checked, progress ends at the total', async () => {
  const db = randomBytes(4096 * 3);
  const stream = framed(db);
  // trailer alone (as etcd sends it), trailer split across chunks, tiny chunks at the end
  for (const cuts of [[4096, 8192, 12288], [4096, 12290], [12270, 12280, 12300, 12310]]) {
    const path = join(dir, `ok-${cuts.join('-')}.db`);
    const progress: number[][] = [];
    const result = await writeSnapshotFile(path, chunked(stream, cuts, db.length), (r, t) => progress.push([r, t]));
    assert.deepEqual(readFileSync(path), stream);
    assert.equal(result.size, stream.length);
    assert.equal(result.sha256, createHash('sha256').update(db).digest('hex'));
    assert.deepEqual(progress.at(-1), [stream.length, stream.length]);
    assert.equal(existsSync(`${path}.part`), false);
  }
});

test('a corrupted byte: SnapshotChecksumError, no file, no part file, an older file kept', async () => {
  const db = randomBytes(8192);
  const stream = framed(db);
  stream[100] ^= 0xff;
  const path = join(dir, 'bad.db');
  writeFileSync(path, 'older');
  const error = await writeSnapshotFile(path, chunked(stream, [4096], db.length)).catch((e: unknown) => e);
  assert.ok(error instanceof SnapshotChecksumError);
  assert.equal(error.expected, stream.subarray(stream.length - 32).toString('hex'));
  assert.notEqual(error.actual, error.expected);
  assert.equal(readFileSync(path, 'utf8'), 'older');
  assert.equal(existsSync(`${path}.part`), false);
});

test('a stream shorter than a digest, and a stream that fails half-way', async () => {
  const short = join(dir, 'short.db');
  await assert.rejects(writeSnapshotFile(short, chunked(Buffer.from('tiny'), [], 4)), SnapshotChecksumError);
  assert.equal(existsSync(short) || existsSync(`${short}.part`), false);

  const broken = join(dir, 'broken.db');
  async function* failing(): AsyncGenerator<SnapshotChunk> {
    yield { blob: randomBytes(4096), remainingBytes: 4096n };
    throw new Error('connection lost');
  }
  await assert.rejects(writeSnapshotFile(broken, failing()), /connection lost/);
  assert.equal(existsSync(broken) || existsSync(`${broken}.part`), false);
});

// Issue 13 item 3: the temporary file is created exclusively with mode 0600, never through a
// symlink someone planted at <path>.part, and appears at <path> only after the SHA-256 check.
test('a symlink planted at <path>.part is not followed: the target is untouched, <path> is a new 0600 file', async () => {
  const db = randomBytes(8192);
  const stream = framed(db);
  const victim = join(dir, 'victim.txt');
  writeFileSync(victim, 'precious');
  const path = join(dir, 'planted.db');
  symlinkSync(victim, `${path}.part`);
  const result = await writeSnapshotFile(path, chunked(stream, [4096], db.length));
  assert.equal(result.size, stream.length);
  assert.equal(readFileSync(victim, 'utf8'), 'precious', 'the symlink target was not written');
  const stat = lstatSync(path);
  assert.ok(stat.isFile() && !stat.isSymbolicLink(), 'the snapshot is a regular file, not the planted link');
  assert.equal(stat.mode & 0o777, 0o600);
  assert.deepEqual(readFileSync(path), stream);
  assert.equal(existsSync(`${path}.part`), false);
});

test('while the stream runs: <path>.part is a 0600 regular file and <path> is not there yet', async () => {
  const db = randomBytes(8192);
  const stream = framed(db);
  const path = join(dir, 'during.db');
  const seen: Array<{ file: boolean; mode: number; target: boolean }> = [];
  async function* watched(): AsyncGenerator<SnapshotChunk> {
    for await (const chunk of chunked(stream, [4096, 8192], db.length)) {
      const stat = lstatSync(`${path}.part`);
      seen.push({ file: stat.isFile(), mode: stat.mode & 0o777, target: existsSync(path) });
      yield chunk;
    }
    const stat = lstatSync(`${path}.part`);
    seen.push({ file: stat.isFile(), mode: stat.mode & 0o777, target: existsSync(path) });
  }
  await writeSnapshotFile(path, watched());
  assert.ok(seen.length > 1);
  for (const s of seen) assert.deepEqual(s, { file: true, mode: 0o600, target: false });
  assert.ok(existsSync(path));
});
