/**
 * The errors of snapshot files: a downloaded snapshot whose SHA-256 trailer is missing or wrong
 * ({@link SnapshotChecksumError}), and a file the offline reader cannot read
 * ({@link SnapshotFileError}: missing, unreadable, not a bbolt database, or damaged; worded as
 * etcdctl 3.4 words it, Go's `os` and bbolt errors: `stat x.db: no such file or directory`,
 * `invalid database`, `file size too small`, `snapshot file integrity check failed. 2 errors
 * found.` ...).
 */
import { EtcdError } from './etcd-error.js';
import { Status } from '../transport/types.js';

/** A snapshot file that cannot be read as a bbolt database (gRPC code DATA_LOSS, 15; INVALID_ARGUMENT, 3, when it is not there or not a file). */
export class SnapshotFileError extends EtcdError {
  override name = 'SnapshotFileError';

  /**
   * @param details the Go-worded reason (becomes `message` too)
   * @param code DATA_LOSS (default) for a damaged file, INVALID_ARGUMENT for a path that is no readable file
   */
  constructor(details: string, code: number = Status.DATA_LOSS, options?: { cause?: unknown }) {
    super(details, code, details, options);
  }
}

/** Size of a SHA-256 digest (etcd's snapshot trailer), in bytes. */
const SHA256_SIZE = 32;

/**
 * The snapshot stream ended without a valid SHA-256 trailer: fewer than 32 bytes, or a digest
 * that does not match the bytes received (a truncated or corrupted download). Nothing is left at
 * the target path; the temporary file is removed.
 */
export class SnapshotChecksumError extends EtcdError {
  override name = 'SnapshotChecksumError';
  /** The digest etcd sent (hex), or undefined when the stream was shorter than a digest. */
  readonly expected: string | undefined;
  /** The digest of the bytes received (hex). */
  readonly actual: string;

  /**
   * @param expected digest in the trailer (hex), if any
   * @param actual digest computed over the received database bytes (hex)
   * @param size bytes received
   */
  constructor(expected: string | undefined, actual: string, size: number) {
    const message = expected === undefined
      ? `snapshot stream of ${size} bytes has no SHA-256 trailer`
      : `snapshot SHA-256 mismatch: etcd sent ${expected}, the ${size - SHA256_SIZE} bytes received hash to ${actual}`;
    super(message, Status.DATA_LOSS, message);
    this.expected = expected;
    this.actual = actual;
  }
}
