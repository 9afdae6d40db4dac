/**
 * Saving an etcd snapshot to a file: the stream of `Maintenance.Snapshot` chunks is written to
 * `<path>.part` (created exclusively, mode 0600), its SHA-256 trailer is checked, the file is
 * fsynced and renamed to `<path>`.
 *
 * etcd streams its backend database (bbolt) and then one last chunk of 32 bytes: the SHA-256 of
 * everything before it (etcdserver/api/v3rpc/maintenance.go). `etcdctl snapshot restore` checks
 * that trailer; so does {@link writeSnapshotFile}, while the bytes arrive (the trailer is held back
 * from the running hash, so nothing is read twice).
 */
import { open, rename, rm, unlink, type FileHandle } from 'node:fs/promises';

import { SnapshotChecksumError } from '../errors/index.js';

/** Size of etcd's trailer, the SHA-256 digest of the database, in bytes. */
export const SNAPSHOT_CHECKSUM_SIZE = 32;

/** Suffix of the temporary file a snapshot is written to before the rename (as etcdctl's). */
export const SNAPSHOT_PART_SUFFIX = '.part';

/** File mode of a saved snapshot (owner read/write only, as etcdctl's). */
export const SNAPSHOT_FILE_MODE = 0o600;

/** One chunk of the snapshot stream as the writer needs it. */
export interface SnapshotChunk {
  /** The bytes (database bytes, or the trailer in the last chunk). */
  blob: Uint8Array;
  /** Database bytes the server still has to send after this chunk (the trailer not counted). */
  remainingBytes: bigint;
}

/** Progress callback of a snapshot download. */
export interface SnapshotProgress {
  /**
   * Called after each chunk: bytes received so far and the expected total, both in bytes (the
   * total includes the 32-byte trailer; it is exact once the first chunk has arrived).
   */
  (receivedBytes: number, totalBytes: number): void;
}

/** What `saveSnapshot` wrote. */
export interface SaveSnapshotResult {
  /** The file written (the `path` given). */
  path: string;
  /** Its size in bytes: the database plus the 32-byte SHA-256 trailer (as etcdctl's file). */
  size: number;
  /** The database's SHA-256 (hex), sent by etcd as the trailer and checked against the bytes received. */
  sha256: string;
}

/**
 * Creates `partPath` exclusively (`'wx'`, mode 0600): a file or symlink already there is never
 * opened, so nothing planted at `<path>.part` is followed or written through. A leftover one (a
 * crashed save, or a planted link) is unlinked (the link itself, not its target) and the creation
 * tried once more; if something appears there again meanwhile, the `EEXIST` error is thrown.
 */
async function openExclusive(partPath: string): Promise<FileHandle> {
  try {
    return await open(partPath, 'wx', SNAPSHOT_FILE_MODE);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  await unlink(partPath);
  return open(partPath, 'wx', SNAPSHOT_FILE_MODE);
}

/**
 * Writes a snapshot stream to `path` through `<path>.part`: the temporary file is created
 * exclusively with mode 0600 (never through a file or symlink already there), every chunk is
 * written as it arrives, the SHA-256 trailer is checked, and only then is the file fsynced, closed
 * and renamed over `path`. On any failure the temporary file is removed and `path` is left as it was.
 *
 * @param path the target file
 * @param chunks the stream (leaving it early, on an error, cancels it)
 * @param onProgress called after each chunk with bytes received and expected (bytes); the last
 *   call has both equal to the stream's size
 * @throws SnapshotChecksumError when the trailer is missing or does not match
 * @throws the stream's typed error (e.g. `DeadlineExceededError`, `ConnectionError`), or the
 *   file system's error (`ENOENT` for a missing folder, ...)
 */
export async function writeSnapshotFile(
  path: string,
  chunks: AsyncIterable<SnapshotChunk>,
  onProgress?: SnapshotProgress,
): Promise<SaveSnapshotResult> {
  const partPath = path + SNAPSHOT_PART_SUFFIX;
  const file = await openExclusive(partPath);
  let closed = false;
  try {
    // node:crypto is loaded here, not with the module: most processes never save a snapshot.
    const { createHash } = await import('node:crypto');
    const hash = createHash('sha256');
    let tail: Buffer = Buffer.alloc(0); // the last <= 32 bytes, held back from the hash
    let received = 0;
    let dataEnd: number | undefined; // bytes received when the server said nothing remains
    let lastTotal = -1; // the total last reported to onProgress
    for await (const chunk of chunks) {
      const blob = Buffer.from(chunk.blob.buffer, chunk.blob.byteOffset, chunk.blob.byteLength);
      if (blob.length > 0) await file.write(blob);
      received += blob.length;
      if (blob.length >= SNAPSHOT_CHECKSUM_SIZE) {
        hash.update(tail);
        hash.update(blob.subarray(0, blob.length - SNAPSHOT_CHECKSUM_SIZE));
        tail = Buffer.from(blob.subarray(blob.length - SNAPSHOT_CHECKSUM_SIZE));
      } else if (blob.length > 0) {
        const joined = Buffer.concat([tail, blob]);
        const keep = Math.min(SNAPSHOT_CHECKSUM_SIZE, joined.length);
        hash.update(joined.subarray(0, joined.length - keep));
        tail = joined.subarray(joined.length - keep);
      }
      if (onProgress !== undefined) {
        const remaining = Number(chunk.remainingBytes);
        if (dataEnd === undefined && remaining === 0) dataEnd = received;
        lastTotal = dataEnd !== undefined ? Math.max(received, dataEnd + SNAPSHOT_CHECKSUM_SIZE) : received + remaining + SNAPSHOT_CHECKSUM_SIZE;
        onProgress(received, lastTotal);
      }
    }
    if (onProgress !== undefined && lastTotal !== received) onProgress(received, received);
    const actual = hash.digest('hex');
    if (tail.length < SNAPSHOT_CHECKSUM_SIZE) throw new SnapshotChecksumError(undefined, actual, received);
    const expected = tail.toString('hex');
    if (expected !== actual) throw new SnapshotChecksumError(expected, actual, received);
    await file.sync();
    closed = true;
    await file.close();
    await rename(partPath, path);
    return { path, size: received, sha256: expected };
  } catch (error) {
    if (!closed) await file.close().catch(() => undefined);
    await rm(partPath, { force: true }).catch(() => undefined);
    throw error;
  }
}
