/**
 * Errors that end a watch, besides the server errors of src/errors.ts: the slow-consumer error, and
 * the mapping of etcd's `cancel_reason` text to a typed error.
 */
import { CompactedError, EtcdError, SERVER_ERRORS, WatchCanceledError, type ServerErrorClass } from './index.js';
import { Status } from '../transport/types.js';

/**
 * A watch ended because its consumer fell behind: the responses received but not yet taken by the
 * `for await` loop reached the watch's bound (`maxBufferedBytes`, default 8 MiB). Every response
 * buffered before that point was still delivered, in order; nothing after it was, and the watch was
 * cancelled on the server. Start a new watch at `resumeRevision` to continue without a gap
 * (code RESOURCE_EXHAUSTED).
 */
export class WatchOverflowError extends EtcdError {
  override name = 'WatchOverflowError';
  /** The first revision not delivered: use it as `startRevision` of a new watch to miss nothing. */
  readonly resumeRevision: number;
  /** The bound that was reached, in bytes. */
  readonly maxBufferedBytes: number;

  /**
   * @param resumeRevision first revision not delivered
   * @param maxBufferedBytes the watch's buffer bound, in bytes
   */
  constructor(resumeRevision: number, maxBufferedBytes: number) {
    const text =
      `the watch consumer fell behind: more than ${maxBufferedBytes} bytes of responses were waiting to be read; ` +
      `the watch was cancelled; start a new watch at revision ${resumeRevision} to continue`;
    super(text, Status.RESOURCE_EXHAUSTED, text);
    this.resumeRevision = resumeRevision;
    this.maxBufferedBytes = maxBufferedBytes;
  }
}

/** Exact server message -> error class (the Go client's `rpctypes` list). */
const BY_MESSAGE: ReadonlyMap<string, ServerErrorClass> = new Map(SERVER_ERRORS.map((cls) => [cls.serverMessage, cls] as const));

/**
 * The error that ends a watch the server cancelled: `CompactedError` (with `compactRevision`) when
 * its start revision is compacted; the class of a known etcd message in `cancelReason` (e.g.
 * `PermissionDeniedError`, `InvalidAuthTokenError`); else `WatchCanceledError` whose `details` is the
 * reason (e.g. etcd's `mvcc: watcher range is empty ...`), or etcd's own text when it gave none.
 */
export function watchCanceledError(cancelReason: string, compactRevision: number): EtcdError {
  if (compactRevision !== 0) return new CompactedError(undefined, { compactRevision });
  const cls = BY_MESSAGE.get(cancelReason);
  if (cls !== undefined) return new cls(cancelReason);
  if (cancelReason === '') return new WatchCanceledError();
  const error = new WatchCanceledError(cancelReason);
  error.message = `the server cancelled the watch: ${cancelReason}`;
  return error;
}
