/**
 * The error of the snapshot file reader: the file is missing, unreadable, not a bbolt database, or
 * damaged. `details` (and `message`) is worded as etcdctl 3.4 words it (Go's `os` and bbolt errors:
 * `stat x.db: no such file or directory`, `invalid database`, `file size too small`,
 * `snapshot file integrity check failed. 2 errors found.` ...).
 */
import { EtcdError } from './index.js';
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
