/**
 * What etcdctl 3.4's `snapshot status` reports about a snapshot file (clientv3/snapshot's
 * `Status`): after bbolt's integrity check, a CRC-32C over every bucket name and every key and
 * value in it (buckets and keys in order), the number of keys in all buckets, the revision of the
 * last key of the `key` bucket, and the size in use (high-water page id times the page size).
 * The SHA-256 that `snapshot save` appends is not checked here (etcdctl does not either).
 */
import { SnapshotFileError } from '../errors/index.js';
import { BUCKET_LEAF, BoltFile, bucketEntries, openBucket } from './bbolt.js';
import { checkIntegrity } from './check.js';
import { Crc32c } from './crc32c.js';

/** The status of a snapshot file, as etcdctl's `snapshot.Status`. */
export interface SnapshotStatus {
  /** CRC-32C of the buckets' names, keys and values, unsigned 32-bit. */
  hash: number;
  /** The main revision of the last key of the `key` bucket (0 when there is none). */
  revision: number;
  /** Number of keys in all buckets. */
  totalKey: number;
  /** Bytes in use: the high-water page id times the page size. */
  totalSize: number;
}

/** The main revision of a `key` bucket key: its first 8 bytes, big-endian. */
function mainRevision(key: Uint8Array): number {
  if (key.length < 8) throw new SnapshotFileError(`key bucket: key of ${key.length} bytes, too short for a revision`);
  const rev = Buffer.from(key.buffer, key.byteOffset, 8).readBigInt64BE(0);
  if (rev > BigInt(Number.MAX_SAFE_INTEGER) || rev < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new SnapshotFileError(`key bucket: revision ${rev} beyond the exact range of a JavaScript number`);
  }
  return Number(rev);
}

/**
 * Reads the snapshot (or backend) file at `path` (only reads it). Synchronous: bounded by the
 * file's size.
 * @throws SnapshotFileError with etcdctl's texts: a missing or unreadable file, not a bbolt
 *   database (`invalid database`, `file size too small`, `version mismatch`, `checksum error`), a
 *   failed integrity check (`snapshot file integrity check failed. N errors found.` and one line
 *   per error), a root entry that is no bucket (`cannot get hash of bucket NAME`)
 */
export function snapshotStatus(path: string): SnapshotStatus {
  const file = BoltFile.open(path);
  try {
    const errors = checkIntegrity(file);
    if (errors.length > 0) {
      throw new SnapshotFileError(`snapshot file integrity check failed. ${errors.length} errors found.\n${errors.join('\n')}`);
    }
    const crc = new Crc32c();
    let revision = 0;
    let totalKey = 0;
    for (const root of bucketEntries(file, { root: file.meta.root })) {
      if ((root.flags & BUCKET_LEAF) === 0) throw new SnapshotFileError(`cannot get hash of bucket ${root.key.toString('latin1')}`);
      crc.update(root.key);
      const isKeyBucket = root.key.toString('latin1') === 'key';
      for (const entry of bucketEntries(file, openBucket(root.value))) {
        crc.update(entry.key);
        if ((entry.flags & BUCKET_LEAF) === 0) crc.update(entry.value);
        if (isKeyBucket) revision = mainRevision(entry.key);
        totalKey++;
      }
    }
    return { hash: crc.digest(), revision, totalKey, totalSize: Number(file.meta.pgid * BigInt(file.pageSize)) };
  } finally {
    file.close();
  }
}
