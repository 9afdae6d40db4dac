/**
 * The typed error for a message the etcd server sent: the lookup of a known etcd message (the Go
 * client's `rpctypes` list) that the rpc layer's error mapping uses, the error that ends a watch
 * the server cancelled (its `cancel_reason`), and Go's concurrency messages that etcd's Lock and
 * Election services pass through. Internal: not re-exported by errors/index.ts.
 */
import { EtcdError, type ServerErrorClass } from './etcd-error.js';
import { ElectionNoLeaderError, ElectionNotLeaderError, LockedError, SessionExpiredError } from './concurrency.js';
import { CompactedError, SERVER_ERRORS, WatchCanceledError } from './server.js';

/** Exact server message -> error class. */
const BY_MESSAGE: ReadonlyMap<string, ServerErrorClass> = new Map(SERVER_ERRORS.map((cls) => [cls.serverMessage, cls] as const));

/** The class of a known etcd server message (exact text, e.g. `etcdserver: key is not provided`), or undefined. */
export function serverErrorClass(message: string): ServerErrorClass | undefined {
  return BY_MESSAGE.get(message);
}

/**
 * The error that ends a watch the server cancelled: `CompactedError` (with `compactRevision`) when
 * its start revision is compacted; the class of a known etcd message in `cancelReason` (e.g.
 * `PermissionDeniedError`, `InvalidAuthTokenError`); else `WatchCanceledError` whose `details` is the
 * reason (e.g. etcd's `mvcc: watcher range is empty ...`), or etcd's own text when it gave none.
 */
export function watchCanceledError(cancelReason: string, compactRevision: number): EtcdError {
  if (compactRevision !== 0) return new CompactedError(undefined, { compactRevision });
  const cls = serverErrorClass(cancelReason);
  if (cls !== undefined) return new cls(cancelReason);
  if (cancelReason === '') return new WatchCanceledError();
  const error = new WatchCanceledError(cancelReason);
  error.message = `the server cancelled the watch: ${cancelReason}`;
  return error;
}

/**
 * The typed error for an error etcd's Lock/Election service sent with one of Go's concurrency
 * messages (`election: no leader`, ...); other errors are returned unchanged.
 */
export function concurrencyServerError(error: unknown): unknown {
  if (!(error instanceof EtcdError) || error.constructor !== EtcdError) return error;
  const options = { code: error.code, cause: error };
  switch (error.details) {
    case ElectionNoLeaderError.text:
      return new ElectionNoLeaderError(options);
    case ElectionNotLeaderError.text:
      return new ElectionNotLeaderError(options);
    case SessionExpiredError.text:
      return new SessionExpiredError(SessionExpiredError.text, options);
    case LockedError.text:
      return new LockedError(options);
    default:
      return error;
  }
}
