/**
 * The HTTP/2 side of one stream (RFC 9113 section 5): its id, both flow-control windows, the data
 * waiting for send window, and which sides have ended. The session (session.ts) owns these fields;
 * the gRPC call (call.ts) extends this class and receives the stream's events.
 */
import type { Session } from './session.js';
import type { CallError } from './types.js';

/** A stream as the session sees it. */
export abstract class H2Stream {
  /** Stream id; 0 until the session opens the stream. */
  id = 0;
  /** Bytes we may still send (the server's window for this stream). */
  sendWindow = 0;
  /** Bytes the server may still send us before our next WINDOW_UPDATE. */
  recvWindow = 0;
  /** Bytes received and taken by the consumer, not yet returned in a WINDOW_UPDATE. */
  unacked = 0;
  /** Bytes received while the consumer was paused: returned when it resumes. */
  held = 0;
  /** The consumer asked for no more data for now (see `Stream.pause`). */
  paused = false;
  /** Data waiting for send window, in order; the first item is sent from `outOffset`. */
  outQueue: Uint8Array[] | undefined = undefined;
  outOffset = 0;
  /** Bytes in `outQueue` not yet sent. */
  outBytes = 0;
  /** END_STREAM goes out after the queued data. */
  endQueued = false;
  /** We sent END_STREAM (or reset the stream). */
  localEnded = false;
  /** The server sent END_STREAM (or reset the stream). */
  remoteEnded = false;
  /** In the session's list of streams waiting for send window. */
  blocked = false;

  /** The connection is ready: open the stream on `session` (or wait for it there). */
  abstract onConnected(session: Session): void;
  /** The connection failed before the stream opened; `error.sent` is false. */
  abstract onConnectFailed(error: CallError): void;
  /** The session gave the stream its id and sent nothing yet: send HEADERS and the request now. */
  abstract onStart(): void;
  /**
   * A complete header block: `[name, value, ...]` (the session's reused array: copy what must
   * outlive the call); `endStream` when the server ended its side with it.
   */
  abstract onHeaders(fields: string[], endStream: boolean): void;
  /** DATA bytes, in order: `chunk[start, end)` (a view of received memory). */
  abstract onData(chunk: Buffer, start: number, end: number): void;
  /** The server ended its side with a DATA frame (END_STREAM). */
  abstract onRemoteEnd(): void;
  /** The server reset the stream with RST_STREAM `code`. */
  abstract onReset(code: number): void;
  /**
   * The stream ends without a status because of the connection (lost, GOAWAY above its id,
   * failed, closed) or a protocol error on it; `error.sent` says whether the request may have
   * been processed.
   */
  abstract onAbort(error: CallError): void;
}
