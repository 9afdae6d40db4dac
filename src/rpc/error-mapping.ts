/**
 * Turns what the transport reports (a `CallError`: gRPC code, message, whether the request may have
 * been sent) into the public typed errors of src/errors/.
 *
 * Matching is by the exact message text, as the Go client's `rpctypes.Error` does (the text carries
 * the `etcdserver: ` and `etcdserver: mvcc: ` prefixes); the code the server sent is kept in
 * `error.code`, and the `CallError` is kept as `error.cause` (the retry policy reads its `sent`).
 */
import { CanceledError, ConnectionError, DeadlineExceededError, EtcdError, NotSupportedError, grpcCodeName } from '../errors/index.js';
import { serverErrorClass } from '../errors/by-message.js';
import { CallError, Status } from '../transport/types.js';

/**
 * Messages that mean the server's context expired or was cancelled. etcd >= 3.5 sends the
 * `etcdserver: ` forms; etcd 3.4 passes Go's context errors through as UNKNOWN with the bare text.
 */
const DEADLINE_MESSAGES: ReadonlySet<string> = new Set(['etcdserver: context deadline exceeded', 'context deadline exceeded']);
const CANCELED_MESSAGE_34 = 'context canceled';

/** Where a failed call went, for the error's text. */
export interface CallSite {
  /** Endpoint URL the call went to, e.g. `http://127.0.0.1:2379`. */
  endpoint?: string;
  /** gRPC path of the RPC, e.g. `/etcdserverpb.KV/Range`. */
  path?: string;
  /** The call's timeout in milliseconds, when it had one (for DeadlineExceededError). */
  timeout?: number;
}

/**
 * Maps a transport `CallError` to the typed error:
 * 1. a known etcd message (exact match) -> its class (`CompactedError`, `NoLeaderError`, ...),
 *    with the code the server sent;
 * 2. DEADLINE_EXCEEDED (our own deadline, enforced by the transport, or the server's) and the
 *    `context deadline exceeded` texts -> `DeadlineExceededError`;
 * 3. UNAVAILABLE with any other text (refused, reset, GOAWAY, keep-alive timeout) -> `ConnectionError`
 *    naming the endpoint;
 * 4. UNIMPLEMENTED -> `NotSupportedError` naming the RPC (the server is older than the RPC);
 * 5. anything else -> a plain `EtcdError` keeping the code and the message.
 * The `CallError` becomes the result's `cause`.
 */
export function mapCallError(error: CallError, site: CallSite = {}): EtcdError {
  const text = error.details;
  const cls = serverErrorClass(text);
  if (cls !== undefined) return new cls(text, { code: error.code, cause: error });
  if (error.code === Status.DEADLINE_EXCEEDED || DEADLINE_MESSAGES.has(text)) {
    return new DeadlineExceededError(text || 'deadline exceeded', { timeout: site.timeout, cause: error });
  }
  if (text === CANCELED_MESSAGE_34 && error.code === Status.UNKNOWN) {
    return new CanceledError(text, { code: error.code, cause: error });
  }
  if (error.code === Status.UNAVAILABLE) {
    return new ConnectionError(site.endpoint ?? 'the endpoint', text || 'unavailable', { cause: error });
  }
  if (error.code === Status.UNIMPLEMENTED) {
    return new NotSupportedError(site.path ?? 'this RPC', undefined, text, { cause: error });
  }
  const where = site.path === undefined ? '' : ` (${site.path})`;
  return new EtcdError(`etcd call failed${where}: ${grpcCodeName(error.code)}: ${text}`, error.code, text, { cause: error });
}

/**
 * Any failure to a typed error: a `CallError` is mapped ({@link mapCallError}); an `EtcdError`
 * passes through; any other `Error` (a bug, a codec failure) is returned unchanged; a non-Error
 * value is wrapped in an `EtcdError` with code UNKNOWN.
 */
export function toEtcdError(error: unknown, site?: CallSite): Error {
  if (error instanceof CallError) return mapCallError(error, site);
  if (error instanceof Error) return error;
  return new EtcdError(`etcd call failed: ${String(error)}`, Status.UNKNOWN, String(error), { cause: error });
}

/**
 * Whether the request behind this error may have reached the server. False only when the transport
 * proved it did not: `CallError.sent === false`, on the error itself or kept as the typed error's
 * `cause`. Any other error counts as "may have been sent" (the safe answer for writes).
 */
export function requestMayHaveBeenSent(error: unknown): boolean {
  if (error instanceof CallError) return error.sent;
  if (error instanceof Error && error.cause instanceof CallError) return error.cause.sent;
  return true;
}
