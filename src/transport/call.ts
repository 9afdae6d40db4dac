/**
 * One gRPC call on one HTTP/2 stream: unary, server-streaming or bidi.
 *
 * A call is created by the connection, waits there while the connection is connecting, and is
 * started on a session with `onConnected`. From then on node:http2 stream events drive it; the
 * listeners are module-level functions that find the call through a symbol on the stream, so a
 * call costs no closures of its own. The deadline timer and the AbortSignal listener (the call
 * object itself, through `handleEvent`) are armed once, when the call is created.
 *
 * How a call ends, and its `sent` flag:
 * - status from the trailers, or from a trailers-only response: that status, sent = true;
 * - deadline / abort / cancel before the stream opened: sent = false; after: RST_STREAM CANCEL, sent = true;
 * - stream closed without a status: by GOAWAY with a last stream id below it, UNAVAILABLE, sent = false;
 *   by RST_STREAM, the code's mapping (REFUSED_STREAM: sent = false); by a failed session, UNAVAILABLE.
 */
import {
  constants,
  type ClientHttp2Session,
  type ClientHttp2Stream,
  type IncomingHttpHeaders,
  type IncomingHttpStatusHeader,
  type OutgoingHttpHeaders,
} from 'node:http2';
import { COPY_THRESHOLD, encodeMessage, encodeMessagePrefix, MessageDecoder, type MessageSink } from './framing.js';
import { openStream } from './open-stream.js';
import {
  decodeGrpcMessage,
  encodeTimeout,
  metadataFromHeaders,
  parseGrpcStatus,
  statusFromHttpStatus,
  statusFromRstCode,
} from './status.js';
import { CallError, Status, type CallOptions, type Metadata, type Stream, type StreamHandlers } from './types.js';

const { NGHTTP2_CANCEL, NGHTTP2_NO_ERROR } = constants;

/** Sent as the `user-agent` of every call. */
export const USER_AGENT = 'etcd-ts (node:http2)';

/** Longest delay node's timers accept, in ms (about 24.8 days); longer deadlines re-arm. */
export const MAX_TIMER_DELAY = 2_147_483_647;

/** What a call needs from the HTTP/2 session it runs on (implemented in connection.ts). */
export interface SessionLink {
  readonly session: ClientHttp2Session;
  /** `:authority` of every request, `host:port` (`[v6]:port`). */
  readonly authority: string;
  /** Highest stream id the server may have processed, from its GOAWAY; 2^31 - 1 before any GOAWAY. */
  readonly goawayLastStreamId: number;
  /** Set when the session failed as a whole (keep-alive timeout, GOAWAY with an error, closed by us). */
  readonly failure: CallError | undefined;
  /** A stream was opened on the session. */
  streamOpened(): void;
  /** A stream opened on the session has closed. */
  streamClosed(): void;
}

/** Something waiting for the connection: a call, or a `ready()` promise. */
export interface ConnectWaiter {
  /** The connection is ready; start on this session. */
  onConnected(link: SessionLink): void;
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

const kCall = Symbol('etcd-ts.transport.call');
type CallStream = ClientHttp2Stream & { [kCall]: Call };
type ResponseHeaders = IncomingHttpHeaders & IncomingHttpStatusHeader;

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
 * Checks call metadata before anything is sent (node:http2 would otherwise tear the whole session
 * down on a bad header name).
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

/**
 * Writes one framed message. Small messages are copied behind their prefix into one buffer; large
 * ones go out as prefix + the caller's bytes in one corked batch, without a copy.
 * @returns false when the stream is buffering (true when `last`).
 */
function writeMessage(stream: ClientHttp2Stream, message: Uint8Array, last: boolean): boolean {
  if (message.length < COPY_THRESHOLD) {
    const frame = encodeMessage(message);
    if (last) {
      stream.end(frame);
      return true;
    }
    return stream.write(frame);
  }
  stream.cork();
  stream.write(encodeMessagePrefix(message.length));
  const ok = stream.write(message);
  stream.uncork();
  if (last) stream.end();
  return ok || last;
}

/** The message of a thrown value, for error texts. */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// Stream listeners: module-level, `this` is the stream, the call hangs off the stream.
function onStreamResponse(this: ClientHttp2Stream, headers: ResponseHeaders): void {
  (this as CallStream)[kCall].onResponse(headers);
}
function onStreamData(this: ClientHttp2Stream, chunk: Buffer): void {
  (this as CallStream)[kCall].onData(chunk);
}
function onStreamTrailers(this: ClientHttp2Stream, trailers: IncomingHttpHeaders): void {
  (this as CallStream)[kCall].onTrailers(trailers);
}
function onStreamEnd(this: ClientHttp2Stream): void {
  (this as CallStream)[kCall].onEnd();
}
function onStreamError(this: ClientHttp2Stream, error: Error): void {
  (this as CallStream)[kCall].onStreamError(error);
}
function onStreamClose(this: ClientHttp2Stream): void {
  (this as CallStream)[kCall].onClose(this);
}
function onDeadline(call: Call): void {
  call.expire();
}

/**
 * The state every call shares: its phase (waiting for the connection, open, done), deadline timer,
 * abort listener, message decoder and received status. Subclasses say what to send and how to
 * report messages and the outcome.
 */
export abstract class Call implements MessageSink, ConnectWaiter {
  protected phase: Phase = WAITING;
  protected stream: ClientHttp2Stream | undefined = undefined;
  private link: SessionLink | undefined = undefined;
  private timer: NodeJS.Timeout | undefined = undefined;
  private readonly decoder: MessageDecoder;
  /** grpc-status received (from trailers or a trailers-only response), or a STATUS_* sentinel. */
  private grpcStatus = STATUS_PENDING;
  private statusHeaders: IncomingHttpHeaders | undefined = undefined;
  private streamError: Error | undefined = undefined;

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
    if (options !== undefined) {
      if (options.metadata !== undefined) validateMetadata(options.metadata);
      const deadline = options.deadline;
      if (deadline !== undefined && (typeof deadline !== 'number' || Number.isNaN(deadline))) {
        throw new TypeError(`call deadline must be a number of ms since the epoch, got ${String(deadline)}`);
      }
    }
    this.decoder = new MessageDecoder(maxRecvMsgSize, this);
  }

  /** Sends the request side once the stream is open. */
  protected abstract sendRequest(stream: ClientHttp2Stream): void;
  /** One response message. */
  abstract onMessage(message: Uint8Array): void;
  /** The server ended the call with OK. */
  protected abstract succeed(trailers: IncomingHttpHeaders | undefined): void;
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
      this.timer = setTimeout(onDeadline, Math.min(remaining, MAX_TIMER_DELAY), this);
    }
    return true;
  }

  /** Starts the call on a ready session (ConnectWaiter). */
  onConnected(link: SessionLink): void {
    if (this.phase !== WAITING) return;
    const options = this.options;
    const headers: OutgoingHttpHeaders = {
      ':method': 'POST',
      ':authority': link.authority,
      ':path': this.path,
      'content-type': 'application/grpc',
      te: 'trailers',
      'user-agent': USER_AGENT,
    };
    if (options !== undefined) {
      if (options.deadline !== undefined) {
        const remaining = options.deadline - Date.now();
        if (!(remaining > 0)) {
          this.finish(new CallError(Status.DEADLINE_EXCEEDED, 'deadline exceeded while waiting for the connection', false));
          return;
        }
        headers['grpc-timeout'] = encodeTimeout(remaining);
      }
      const metadata = options.metadata;
      if (metadata !== undefined) for (const name in metadata) headers[name] = metadata[name];
    }
    let stream: ClientHttp2Stream;
    try {
      stream = openStream(link.session, headers);
    } catch (error) {
      this.finishLater(
        new CallError(Status.UNAVAILABLE, `cannot start ${this.path}: ${describeError(error)}`, false, {}, { cause: error }),
      );
      return;
    }
    this.phase = OPEN;
    this.stream = stream;
    this.link = link;
    link.streamOpened();
    (stream as CallStream)[kCall] = this;
    stream.on('response', onStreamResponse);
    stream.on('data', onStreamData);
    stream.on('trailers', onStreamTrailers);
    stream.on('end', onStreamEnd);
    stream.on('error', onStreamError);
    stream.on('close', onStreamClose);
    this.sendRequest(stream);
  }

  /** The connection could not be established (ConnectWaiter). */
  onConnectFailed(error: CallError): void {
    if (this.phase === WAITING) this.finish(error);
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
      this.timer = setTimeout(onDeadline, Math.min(remaining, MAX_TIMER_DELAY), this);
      return;
    }
    const sent = this.phase === OPEN;
    this.resetStream();
    this.finish(
      new CallError(
        Status.DEADLINE_EXCEEDED,
        sent ? 'deadline exceeded' : 'deadline exceeded while waiting for the connection',
        sent,
      ),
    );
  }

  /** @internal Response headers, or the whole answer of a trailers-only response. */
  onResponse(headers: ResponseHeaders): void {
    if (this.phase !== OPEN) return;
    if (headers['grpc-status'] !== undefined) {
      this.grpcStatus = parseGrpcStatus(headers['grpc-status']);
      this.statusHeaders = headers;
      return;
    }
    const httpStatus = headers[':status'];
    if (httpStatus !== 200) {
      this.failOpen(
        new CallError(
          statusFromHttpStatus(httpStatus ?? 0),
          `server answered with HTTP status ${String(httpStatus)} and no grpc-status`,
          true,
          metadataFromHeaders(headers),
        ),
      );
      return;
    }
    const contentType = headers['content-type'];
    if (contentType === undefined || !contentType.startsWith('application/grpc')) {
      this.failOpen(
        new CallError(Status.UNKNOWN, `server answered with content-type '${String(contentType)}', not gRPC`, true),
      );
    }
  }

  /** @internal One DATA chunk. */
  onData(chunk: Buffer): void {
    if (this.phase !== OPEN) return;
    try {
      this.decoder.push(chunk);
    } catch (error) {
      this.failOpen(
        error instanceof CallError
          ? error
          : new CallError(Status.CANCELLED, `call cancelled: message handler threw: ${describeError(error)}`, true, {}, { cause: error }),
      );
    }
  }

  /** @internal Trailers: the status of a call that sent a response. */
  onTrailers(trailers: IncomingHttpHeaders): void {
    if (this.phase !== OPEN) return;
    this.grpcStatus = trailers['grpc-status'] === undefined ? STATUS_MISSING : parseGrpcStatus(trailers['grpc-status']);
    this.statusHeaders = trailers;
  }

  /** @internal The server ended its side; every DATA chunk has been delivered. */
  onEnd(): void {
    if (this.phase === OPEN && this.grpcStatus !== STATUS_PENDING) this.complete();
  }

  /** @internal */
  onStreamError(error: Error): void {
    this.streamError ??= error;
  }

  /** @internal The stream is gone; decide the outcome if nothing did yet. */
  onClose(stream: ClientHttp2Stream): void {
    this.link!.streamClosed();
    if (this.phase !== OPEN) return;
    // A status, once received, is the outcome even if the stream broke afterwards.
    if (this.grpcStatus !== STATUS_PENDING) this.complete();
    else this.finish(this.closeError(stream));
  }

  /** The server sent its status: end the call with it. */
  private complete(): void {
    const headers = this.statusHeaders;
    const code = this.grpcStatus;
    this.endWritable();
    if (code === Status.OK) {
      if (this.decoder.partial) {
        this.finish(
          new CallError(Status.INTERNAL, 'server ended the call in the middle of a message', true, metadataFromHeaders(headers)),
        );
        return;
      }
      this.settle();
      this.succeed(headers);
      return;
    }
    if (code === STATUS_MISSING) {
      this.finish(
        new CallError(Status.UNKNOWN, 'server sent trailers without a grpc-status', true, metadataFromHeaders(headers)),
      );
      return;
    }
    const message = headers?.['grpc-message'];
    this.finish(
      new CallError(
        code as CallError['code'],
        typeof message === 'string' ? decodeGrpcMessage(message) : '',
        true,
        metadataFromHeaders(headers),
      ),
    );
  }

  /** Why a stream closed without a status. */
  private closeError(stream: ClientHttp2Stream): CallError {
    const link = this.link!;
    const error = this.streamError;
    const id = stream.id;
    if (id === undefined) {
      return new CallError(Status.UNAVAILABLE, `the stream for ${this.path} was never started`, false, {}, { cause: error });
    }
    if (id > link.goawayLastStreamId) {
      return new CallError(
        Status.UNAVAILABLE,
        `server sent GOAWAY (last stream ${link.goawayLastStreamId}) without processing stream ${id}`,
        false,
        {},
        { cause: error },
      );
    }
    const failure = link.failure;
    if (failure !== undefined) return new CallError(failure.code, failure.details, failure.sent, {}, { cause: failure });
    // A session torn down under the stream (the peer died, the socket closed): node:http2 then
    // closes its open streams with rstCode CANCEL and no error, so look at the session first.
    if (error === undefined && link.session.destroyed) {
      return new CallError(Status.UNAVAILABLE, 'connection lost: session closed', true);
    }
    const rstCode = stream.rstCode;
    if (
      (error === undefined || (error as NodeJS.ErrnoException).code === 'ERR_HTTP2_STREAM_ERROR') &&
      rstCode !== undefined &&
      rstCode !== NGHTTP2_NO_ERROR
    ) {
      const mapped = statusFromRstCode(rstCode);
      return new CallError(mapped.code, `stream closed with RST_STREAM ${mapped.name}`, mapped.sent, {}, { cause: error });
    }
    if (error !== undefined) {
      return new CallError(Status.UNAVAILABLE, `connection lost: ${error.message}`, true, {}, { cause: error });
    }
    return new CallError(Status.INTERNAL, 'server closed the stream without sending a grpc-status', true);
  }

  /** Ends the call with a client-side error while the stream is open: RST_STREAM CANCEL first. */
  private failOpen(error: CallError): void {
    this.resetStream();
    this.finish(error);
  }

  /** Sends RST_STREAM CANCEL if the stream is still open. */
  protected resetStream(): void {
    const stream = this.stream;
    if (stream !== undefined && !stream.closed && !stream.destroyed) stream.close(NGHTTP2_CANCEL);
  }

  /** Half-closes our side if still open (after the server's status: so the stream closes). */
  protected endWritable(): void {
    const stream = this.stream!;
    if (!stream.writableEnded && !stream.destroyed) stream.end();
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

  protected sendRequest(stream: ClientHttp2Stream): void {
    writeMessage(stream, this.request, true);
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

  protected sendRequest(stream: ClientHttp2Stream): void {
    if (this.request !== undefined) {
      writeMessage(stream, this.request, true);
      return;
    }
    const queue = this.queue;
    if (queue !== undefined) {
      this.queue = undefined;
      for (const message of queue) writeMessage(stream, message, false);
    }
    if (this.ended) stream.end();
  }

  write(message: Uint8Array): boolean {
    if (this.request !== undefined) throw new Error(`write() on server-streaming call ${this.path}`);
    if (this.phase === DONE) return false;
    if (this.ended) throw new Error(`write() after end() on ${this.path}`);
    if (this.phase === OPEN) return writeMessage(this.stream!, message, false);
    (this.queue ??= []).push(message);
    return true;
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.phase === OPEN) this.endWritable();
  }

  cancel(): void {
    if (this.phase === DONE) return;
    const sent = this.phase === OPEN;
    this.resetStream();
    this.finish(new CallError(Status.CANCELLED, 'call cancelled by the client', sent));
  }

  onMessage(message: Uint8Array): void {
    this.handlers.onMessage(message);
  }

  protected succeed(trailers: IncomingHttpHeaders | undefined): void {
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
