/**
 * One gRPC call (gRPC PROTOCOL-HTTP2) on one HTTP/2 stream: unary, server-streaming or bidi. The
 * call object is the stream itself (it extends `H2Stream`): the session (session.ts) opens it,
 * calls its `on*` methods as frames arrive, and it answers through the session. A call costs its
 * object, its message decoder, and (with a deadline or a signal) a timer and an abort listener.
 *
 * How a call ends, and its `sent` flag:
 * - status from the trailers, or from a trailers-only response: that status, sent = true;
 * - deadline / abort / cancel before the stream opened: sent = false; after: RST_STREAM CANCEL, sent = true;
 * - stream closed without a status: by GOAWAY with a last stream id below it, UNAVAILABLE, sent = false;
 *   by RST_STREAM, the code's mapping (REFUSED_STREAM: sent = false); by a failed connection, UNAVAILABLE.
 */
import { clampDelay } from '../internal/timers.js';
import { MessageDecoder, type MessageSink } from './framing.js';
import { ErrorCode } from './h2/errors.js';
import type { Session } from './session.js';
import {
  decodeGrpcMessage,
  metadataFromHeaders,
  parseGrpcStatus,
  statusFromHttpStatus,
  statusFromRstCode,
} from './status.js';
import { H2Stream } from './stream.js';
import { CallError, Status, type CallOptions, type Metadata, type Stream, type StreamHandlers } from './types.js';

/** Something waiting for the connection: a call, or a `ready()` promise. */
export interface ConnectWaiter {
  /** The connection is ready; start on this session. */
  onConnected(session: Session): void;
  /**
   * The connection attempt failed or the connection was closed; `error` is UNAVAILABLE with
   * sent = false (the connection guarantees it).
   */
  onConnectFailed(error: CallError): void;
}

const WAITING = 0;
const OPEN = 1;
const DONE = 2;
type Phase = typeof WAITING | typeof OPEN | typeof DONE;

/** `Call.grpcStatus` before any status arrived. */
const STATUS_PENDING = -1;
/** `Call.grpcStatus` when trailers arrived without a `grpc-status`. */
const STATUS_MISSING = -2;

/** Lower-case gRPC header names: digits, a-z, `-`, `_`, `.`. */
const METADATA_NAME = /^[0-9a-z_.-]+$/;
/** Printable ASCII, as gRPC requires of ASCII header values. */
const METADATA_VALUE = /^[\x20-\x7e]*$/;
const RESERVED_METADATA = new Set([
  'content-type',
  'te',
  'user-agent',
  'host',
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'http2-settings',
]);

/**
 * Checks call metadata before anything is sent.
 * @throws TypeError naming the bad header name or value.
 */
export function validateMetadata(metadata: Metadata): void {
  for (const name in metadata) {
    if (!METADATA_NAME.test(name)) {
      throw new TypeError(`invalid metadata name '${name}': use lower-case letters, digits, '-', '_' and '.'`);
    }
    if (name.startsWith('grpc-') || RESERVED_METADATA.has(name)) {
      throw new TypeError(`metadata name '${name}' is reserved by gRPC / HTTP/2`);
    }
    const value = metadata[name];
    if (typeof value !== 'string' || !METADATA_VALUE.test(value)) {
      throw new TypeError(`invalid value for metadata '${name}': must be a string of printable ASCII`);
    }
  }
}

/** The message of a thrown value, for error texts. */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The metadata object last validated (calls mostly reuse one object), and its fields then. */
let lastValidated: Metadata | undefined;
let lastValidatedFields: string[] = [];

/** `validateMetadata`, skipped for the object last checked while it holds the same fields. */
function validateOnce(metadata: Metadata): void {
  if (metadata === lastValidated) {
    let i = 0;
    let same = true;
    for (const name in metadata) {
      if (lastValidatedFields[i] !== name || lastValidatedFields[i + 1] !== metadata[name]) {
        same = false;
        break;
      }
      i += 2;
    }
    if (same && i === lastValidatedFields.length) return;
  }
  validateMetadata(metadata);
  const fields: string[] = [];
  for (const name in metadata) fields.push(name, metadata[name]!);
  lastValidated = metadata;
  lastValidatedFields = fields;
}

function onDeadline(call: Call): void {
  call.expire();
}

/**
 * The state every call shares: its phase (waiting for the connection, open, done), deadline timer,
 * abort listener, message decoder and received status. Subclasses say what to send and how to
 * report messages and the outcome.
 */
export abstract class Call extends H2Stream implements MessageSink, ConnectWaiter {
  protected phase: Phase = WAITING;
  protected session: Session | undefined = undefined;
  private timer: ReturnType<typeof setTimeout> | undefined = undefined;
  private readonly decoder: MessageDecoder;
  /** grpc-status received (from trailers or a trailers-only response), or a STATUS_* sentinel. */
  private grpcStatus = STATUS_PENDING;
  private statusFields: string[] | undefined = undefined;
  private headersSeen = false;
  /** performance.now() when the request went out (calls with a deadline only). */
  private sentAt = 0;

  /**
   * @param path - gRPC method path, e.g. `/etcdserverpb.KV/Range`.
   * @param options - deadline, signal and metadata of the call.
   * @param maxRecvMsgSize - largest response message accepted, in bytes.
   * @throws TypeError for invalid metadata or a deadline that is not a number.
   */
  constructor(
    protected readonly path: string,
    private readonly options: CallOptions | undefined,
    maxRecvMsgSize: number,
  ) {
    super();
    if (options !== undefined) {
      if (options.metadata !== undefined) validateOnce(options.metadata);
      const deadline = options.deadline;
      if (deadline !== undefined && (typeof deadline !== 'number' || Number.isNaN(deadline))) {
        throw new TypeError(`call deadline must be a number of ms since the epoch, got ${String(deadline)}`);
      }
    }
    this.decoder = new MessageDecoder(maxRecvMsgSize, this);
  }

  /** Sends the request side once the stream is open. */
  protected abstract sendRequest(session: Session): void;
  /** One response message. */
  abstract onMessage(message: Uint8Array): void;
  /** The server ended the call with OK. */
  protected abstract succeed(trailers: string[] | undefined): void;
  /** The call failed. */
  protected abstract deliverError(error: CallError): void;
  /** The call's signal was aborted. */
  protected abstract deliverAbort(reason: unknown, sent: boolean): void;

  /**
   * Arms the deadline timer and the abort listener. Returns false when the call is over already
   * (signal aborted, deadline passed); it then reports that asynchronously.
   */
  arm(): boolean {
    const options = this.options;
    if (options === undefined) return true;
    const signal = options.signal;
    if (signal !== undefined) {
      if (signal.aborted) {
        this.phase = DONE;
        queueMicrotask(() => this.deliverAbort(signal.reason, false));
        return false;
      }
      signal.addEventListener('abort', this);
    }
    const deadline = options.deadline;
    if (deadline !== undefined) {
      const remaining = deadline - Date.now();
      if (!(remaining > 0)) {
        this.finishLater(new CallError(Status.DEADLINE_EXCEEDED, 'deadline exceeded before the call started', false));
        return false;
      }
      this.timer = setTimeout(onDeadline, clampDelay(remaining), this);
    }
    return true;
  }

  /** The connection is ready: open the stream on `session` (ConnectWaiter). */
  onConnected(session: Session): void {
    if (this.phase !== WAITING) return;
    const deadline = this.options?.deadline;
    if (deadline !== undefined && !(deadline - Date.now() > 0)) {
      this.finish(new CallError(Status.DEADLINE_EXCEEDED, 'deadline exceeded while waiting for the connection', false));
      return;
    }
    this.session = session;
    session.open(this);
  }

  /** The connection could not be established (ConnectWaiter). */
  onConnectFailed(error: CallError): void {
    if (this.phase === WAITING) this.finish(error);
  }

  /** The session gave the stream its id: HEADERS, then the request. */
  onStart(): void {
    const session = this.session!;
    const options = this.options;
    let timeout: Buffer | undefined;
    let metadata: Buffer | undefined;
    if (options !== undefined) {
      if (options.deadline !== undefined) {
        timeout = session.requestHeaders.timeout(Math.max(options.deadline - Date.now(), 1));
        this.sentAt = performance.now();
      }
      if (options.metadata !== undefined) metadata = session.requestHeaders.metadata(options.metadata);
    }
    this.phase = OPEN;
    session.sendHeaders(this, this.path, timeout, metadata);
    this.sendRequest(session);
  }

  /** Abort listener (the call is its own EventListener object). */
  handleEvent(): void {
    if (this.phase === DONE) return;
    const sent = this.phase === OPEN;
    this.resetStream();
    this.settle();
    this.deliverAbort(this.options?.signal?.reason, sent);
  }

  /** Deadline timer fired. */
  expire(): void {
    this.timer = undefined;
    if (this.phase === DONE) return;
    const remaining = this.options!.deadline! - Date.now();
    if (remaining > 0) {
      // Timers may fire early by rounding, or the deadline was beyond node's longest timer.
      this.timer = setTimeout(onDeadline, clampDelay(remaining), this);
      return;
    }
    const sent = this.phase === OPEN;
    if (sent) this.session!.callTimedOut(this.sentAt);
    this.resetStream();
    this.finish(
      new CallError(
        Status.DEADLINE_EXCEEDED,
        sent ? 'deadline exceeded' : 'deadline exceeded while waiting for the connection',
        sent,
      ),
    );
  }

  /** A header block: the response headers, a trailers-only response, or the trailers. */
  onHeaders(fields: string[], endStream: boolean): void {
    if (this.phase !== OPEN) return;
    if (this.headersSeen) {
      if (!endStream) {
        this.failOpen(new CallError(Status.INTERNAL, 'server sent a second header block that does not end the stream', true));
        return;
      }
      this.statusFields = fields;
      const status = findField(fields, 'grpc-status');
      this.grpcStatus = status === undefined ? STATUS_MISSING : parseGrpcStatus(status);
      this.complete();
      return;
    }
    const httpStatus = findField(fields, ':status');
    if (httpStatus !== undefined && httpStatus.length === 3 && httpStatus.charCodeAt(0) === 0x31 && !endStream) return; // 1xx
    this.headersSeen = true;
    const status = findField(fields, 'grpc-status');
    if (status !== undefined) {
      // A trailers-only response (or a status in the headers, kept for the end: a copy, as the
      // session reuses its array for the next block).
      this.grpcStatus = parseGrpcStatus(status);
      this.statusFields = endStream ? fields : fields.slice();
      if (endStream) this.complete();
      return;
    }
    if (httpStatus !== '200') {
      this.failOpen(
        new CallError(
          statusFromHttpStatus(Number(httpStatus ?? 0)),
          `server answered with HTTP status ${String(httpStatus)} and no grpc-status`,
          true,
          metadataFromHeaders(fields),
        ),
      );
      return;
    }
    const contentType = findField(fields, 'content-type');
    if (contentType === undefined || !contentType.startsWith('application/grpc')) {
      this.failOpen(new CallError(Status.UNKNOWN, `server answered with content-type '${String(contentType)}', not gRPC`, true));
      return;
    }
    if (endStream) this.finish(new CallError(Status.INTERNAL, 'server closed the stream without sending a grpc-status', true));
  }

  /** DATA bytes. */
  onData(chunk: Buffer, start: number, end: number): void {
    if (this.phase !== OPEN) return;
    if (!this.headersSeen) {
      this.failOpen(new CallError(Status.INTERNAL, 'server sent DATA before the response headers', true));
      return;
    }
    try {
      this.decoder.push(chunk, start, end);
    } catch (error) {
      this.failOpen(
        error instanceof CallError
          ? error
          : new CallError(Status.CANCELLED, `call cancelled: message handler threw: ${describeError(error)}`, true, {}, { cause: error }),
      );
    }
  }

  /** The server ended the stream with DATA, without trailers. */
  onRemoteEnd(): void {
    if (this.phase !== OPEN) return;
    if (this.grpcStatus !== STATUS_PENDING) this.complete();
    else this.finish(new CallError(Status.INTERNAL, 'server closed the stream without sending a grpc-status', true));
  }

  /** The server reset the stream. */
  onReset(code: number): void {
    if (this.phase !== OPEN) return;
    if (this.grpcStatus !== STATUS_PENDING) {
      this.complete();
      return;
    }
    const mapped = statusFromRstCode(code);
    this.finish(new CallError(mapped.code, `stream closed with RST_STREAM ${mapped.name}`, mapped.sent));
  }

  /** The connection ended the stream (lost, GOAWAY, failed, closed). */
  onAbort(error: CallError): void {
    if (this.phase === DONE) return;
    if (this.phase === WAITING && error.sent) {
      this.finish(new CallError(error.code, error.details, false, error.metadata, { cause: error.cause ?? error }));
      return;
    }
    this.finish(error);
  }

  /** The server sent its status: end the call with it. */
  private complete(): void {
    const fields = this.statusFields;
    const code = this.grpcStatus;
    if (code === Status.OK) {
      if (this.decoder.partial) {
        this.failOpen(new CallError(Status.INTERNAL, 'server ended the call in the middle of a message', true, metadataFromHeaders(fields)));
        return;
      }
      this.settle();
      this.succeed(fields);
      return;
    }
    if (code === STATUS_MISSING) {
      this.finish(new CallError(Status.UNKNOWN, 'server sent trailers without a grpc-status', true, metadataFromHeaders(fields)));
      return;
    }
    const message = fields === undefined ? undefined : findField(fields, 'grpc-message');
    this.finish(
      new CallError(code as CallError['code'], message === undefined ? '' : decodeGrpcMessage(message), true, metadataFromHeaders(fields)),
    );
  }

  /** Ends the call with a client-side error while the stream is open: RST_STREAM CANCEL first. */
  private failOpen(error: CallError): void {
    this.resetStream();
    this.finish(error);
  }

  /** Sends RST_STREAM CANCEL if the stream is open (drops it if it is queued in the session). */
  protected resetStream(): void {
    this.session?.resetStream(this, ErrorCode.CANCEL);
  }

  /** Marks the call done and releases the timer and abort listener. */
  private settle(): void {
    this.phase = DONE;
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const signal = this.options?.signal;
    if (signal !== undefined) signal.removeEventListener('abort', this);
  }

  /** Ends the call with an error, now. */
  protected finish(error: CallError): void {
    this.settle();
    this.deliverError(error);
  }

  /** Ends the call with an error reported on a microtask (so a stream's `onEnd` never runs inside `bidi()`). */
  protected finishLater(error: CallError): void {
    this.settle();
    queueMicrotask(() => this.deliverError(error));
  }
}

/** The value of the first field named `name` in `[name, value, ...]`. */
function findField(fields: readonly string[], name: string): string | undefined {
  for (let i = 0; i < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}

/** A unary call: one request message, one response message. Settles a promise. */
export class UnaryCall extends Call {
  private response: Uint8Array | undefined = undefined;

  /**
   * @param path - gRPC method path.
   * @param request - the encoded request message.
   * @param options - deadline, signal, metadata.
   * @param maxRecvMsgSize - largest response message, bytes.
   * @param resolve - receives the response message (a view of the received chunk when it came in one).
   * @param reject - receives a CallError, or the signal's reason when aborted.
   */
  constructor(
    path: string,
    private readonly request: Uint8Array,
    options: CallOptions | undefined,
    maxRecvMsgSize: number,
    private readonly resolve: (response: Uint8Array) => void,
    private readonly reject: (reason: unknown) => void,
  ) {
    super(path, options, maxRecvMsgSize);
  }

  protected sendRequest(session: Session): void {
    session.sendMessage(this, this.request, true);
  }

  onMessage(message: Uint8Array): void {
    if (this.response !== undefined) {
      throw new CallError(Status.INTERNAL, `server sent more than one response message to unary ${this.path}`, true);
    }
    this.response = message;
  }

  protected succeed(): void {
    const response = this.response;
    if (response === undefined) {
      this.reject(new CallError(Status.INTERNAL, `server sent no response message to unary ${this.path}`, true));
    } else {
      this.resolve(response);
    }
  }

  protected deliverError(error: CallError): void {
    this.reject(error);
  }

  protected deliverAbort(reason: unknown): void {
    this.reject(reason);
  }
}

/**
 * A server-streaming call (one request given up front) or a bidi call (requests written with
 * `write`). Reports through `StreamHandlers`.
 */
export class StreamCall extends Call implements Stream {
  /** Messages written before the stream opened. */
  private queue: Uint8Array[] | undefined = undefined;
  /** The request side is ended (by `end()`, or from the start for server streaming). */
  private ended: boolean;

  /**
   * @param path - gRPC method path.
   * @param request - the single request of a server-streaming call; undefined for bidi.
   * @param handlers - receive each message and the end.
   * @param options - deadline, signal, metadata.
   * @param maxRecvMsgSize - largest response message, bytes.
   */
  constructor(
    path: string,
    private readonly request: Uint8Array | undefined,
    private readonly handlers: StreamHandlers,
    options: CallOptions | undefined,
    maxRecvMsgSize: number,
  ) {
    super(path, options, maxRecvMsgSize);
    this.ended = request !== undefined;
  }

  protected sendRequest(session: Session): void {
    if (this.request !== undefined) {
      session.sendMessage(this, this.request, true);
      return;
    }
    const queue = this.queue;
    if (queue !== undefined) {
      this.queue = undefined;
      for (const message of queue) session.sendMessage(this, message, false);
    }
    if (this.ended) session.sendEnd(this);
  }

  write(message: Uint8Array): boolean {
    if (this.request !== undefined) throw new Error(`write() on server-streaming call ${this.path}`);
    if (this.phase === DONE) return false;
    if (this.ended) throw new Error(`write() after end() on ${this.path}`);
    if (this.phase === OPEN) return this.session!.sendMessage(this, message, false);
    (this.queue ??= []).push(message);
    return true;
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.phase === OPEN) this.session!.sendEnd(this);
  }

  cancel(): void {
    if (this.phase === DONE) return;
    const sent = this.phase === OPEN;
    this.resetStream();
    this.finish(new CallError(Status.CANCELLED, 'call cancelled by the client', sent));
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    if (this.session !== undefined && this.phase === OPEN) this.session.resume(this);
    else this.paused = false;
  }

  onMessage(message: Uint8Array): void {
    this.handlers.onMessage(message);
  }

  protected succeed(trailers: string[] | undefined): void {
    this.handlers.onEnd(undefined, metadataFromHeaders(trailers));
  }

  protected deliverError(error: CallError): void {
    this.handlers.onEnd(error, error.metadata);
  }

  protected deliverAbort(reason: unknown, sent: boolean): void {
    this.handlers.onEnd(
      new CallError(Status.CANCELLED, 'call aborted by its AbortSignal', sent, {}, { cause: reason }),
      {},
    );
  }
}
