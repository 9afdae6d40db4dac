/**
 * One HTTP/2 connection (RFC 9113), client side, over one socket: the preface and SETTINGS both
 * ways, streams and their flow control, HEADERS/CONTINUATION with HPACK, PING (keep-alive, and
 * answering the server's at once), RST_STREAM, GOAWAY, and closing. gRPC calls (call.ts) are its
 * streams; the per-endpoint `Http2Connection` (connection.ts) owns the sessions.
 *
 * Flow control: the connection's receive window is returned as data arrives (one slow stream never
 * stalls the others); a stream's is returned as its consumer takes the data, and held back while
 * the consumer is paused, so the server stops sending to a consumer that stops reading after at
 * most one stream window (`STREAM_WINDOW_SIZE`). Sending waits for the server's windows.
 *
 * Strictness: every frame is checked as RFC 9113 section 6 says, with our limits (frame size,
 * header block size and CONTINUATION count, windows); a violation fails the connection with an
 * `Http2ProtocolError` naming it (sent to the server in our GOAWAY, and the `cause` of the calls'
 * errors). Frames of unknown types are ignored.
 */
import type { Socket } from 'node:net';
import { startTimer, type TimerHandle } from '../internal/timers.js';
import { connectFailure, dial, readyProblem } from './dial.js';
import { ErrorCode, Http2ProtocolError } from './h2/errors.js';
import { FrameReader, type FrameHandler } from './h2/frame-reader.js';
import { FrameWriter } from './h2/frame-writer.js';
import {
  CLIENT_PREFACE,
  DEFAULT_HEADER_TABLE_SIZE,
  DEFAULT_MAX_FRAME_SIZE,
  DEFAULT_WINDOW_SIZE,
  Flag,
  FrameType,
  MAX_ALLOWED_FRAME_SIZE,
  MAX_STREAM_ID,
  MAX_WINDOW_SIZE,
  Setting,
  frameTypeName,
} from './h2/frames.js';
import { HpackDecoder } from './hpack/decoder.js';
import { encodeInteger } from './hpack/encoder.js';
import { HpackError } from './hpack/errors.js';
import { KeepAlive, type KeepAliveLink } from './keepalive.js';
import { RequestHeaders } from './request-headers.js';
import { http2ErrorName } from './status.js';
import type { H2Stream } from './stream.js';
import { CallError, Status, type ConnectionOptions, type Endpoint } from './types.js';

/** Our SETTINGS_INITIAL_WINDOW_SIZE: bytes the server may send on one stream before we return credit. */
export const STREAM_WINDOW_SIZE = 4 * 1024 * 1024;
/** Our connection receive window (raised from 65,535 with one WINDOW_UPDATE after the preface), bytes. */
export const CONNECTION_WINDOW_SIZE = 1024 * 1024 * 1024;
/** Our SETTINGS_MAX_HEADER_LIST_SIZE, and the largest encoded header block accepted, bytes. */
export const MAX_HEADER_LIST_SIZE = 256 * 1024;
/** Most CONTINUATION frames accepted in one header block. */
export const MAX_CONTINUATION_FRAMES = 64;
/** Longest wait for the peer to close after our GOAWAY before the socket is destroyed, ms. */
export const CLOSE_GRACE_MS = 1000;
/** Streams left when the connection's replacement is opened (stream ids run out at 2^31 - 1). */
export const REPLACEMENT_MARGIN = 1000;
/** Output not yet taken by the peer beyond which its PINGs count as a flood (ENHANCE_YOUR_CALM), bytes. */
export const MAX_UNREAD_OUTPUT = 4 * 1024 * 1024;
/** Default longest time for one connection attempt, in ms. */
export const DEFAULT_CONNECT_TIMEOUT = 20_000;

/** Credit returned to the server once this much of a window was taken, bytes. */
const STREAM_UPDATE_THRESHOLD = STREAM_WINDOW_SIZE / 4;
const CONNECTION_UPDATE_THRESHOLD = CONNECTION_WINDOW_SIZE / 4;

/** `Session.headerIndexing`: before the first request, after it, or never (the server shrank its table). */
const NOT_YET = 0;
const INDEXED = 1;
const NEVER = 2;

const OUR_SETTINGS: readonly number[] = [
  Setting.ENABLE_PUSH, 0,
  Setting.INITIAL_WINDOW_SIZE, STREAM_WINDOW_SIZE,
  Setting.MAX_HEADER_LIST_SIZE, MAX_HEADER_LIST_SIZE,
];

/** What a session reports to its connection. */
export interface SessionOwner {
  /** The server's first SETTINGS arrived: streams may open. */
  sessionReady(session: Session): void;
  /** The server sent GOAWAY: no new streams here. */
  sessionGoaway(session: Session, code: number, debug: string, failure: CallError | undefined): void;
  /** The session failed (socket, protocol, keep-alive, connect timeout); its streams fail next. */
  sessionFailed(session: Session, failure: CallError): void;
  /** The socket closed; the session is gone. */
  sessionClosed(session: Session): void;
  /** Few stream ids are left: open a replacement. */
  sessionExhausting(session: Session): void;
  /** A stream this session could not open (GOAWAY, no ids left): start it elsewhere. */
  requeue(stream: H2Stream): void;
}

/** Options of one session, from the connection. */
export interface SessionOptions {
  readonly endpoint: Endpoint;
  readonly connection: ConnectionOptions;
  /** `:authority` of every request. */
  readonly authority: string;
  /** Keep-alive interval in ms (the connection's, doubled after `too_many_pings`); 0 = off. */
  readonly keepAliveTime: number;
  /** First stream id (odd); 1 except in tests of stream-id exhaustion. */
  readonly firstStreamId: number;
}

function grace(session: Session): void {
  session.destroySocket();
}

/** One HTTP/2 connection; see the file comment. */
export class Session implements FrameHandler, KeepAliveLink {
  readonly requestHeaders: RequestHeaders;
  /** The server's SETTINGS arrived. */
  ready = false;
  /** Highest stream id the server may have processed (from its GOAWAY). */
  goawayLastStreamId = MAX_STREAM_ID;
  /** Set when the session failed as a whole, or was closed. */
  failure: CallError | undefined = undefined;
  lastReadAt: number;
  activeStreams = 0;
  readonly closed: Promise<void>;

  private readonly socket: Socket;
  private readonly writer: FrameWriter;
  private readonly reader: FrameReader;
  private readonly decoder = new HpackDecoder(DEFAULT_HEADER_TABLE_SIZE, MAX_HEADER_LIST_SIZE);
  private readonly keepAlive: KeepAlive;
  private readonly streams = new Map<number, H2Stream>();
  /** Streams waiting for MAX_CONCURRENT_STREAMS to allow them; `pendingHead` is the next. */
  private pending: H2Stream[] = [];
  private pendingHead = 0;
  /** Streams with data waiting for send window. */
  private blocked: H2Stream[] = [];
  private nextStreamId: number;
  private exhaustionReported = false;
  private peerMaxConcurrent = Infinity;
  private peerInitialWindow = DEFAULT_WINDOW_SIZE;
  private peerMaxFrameSize = DEFAULT_MAX_FRAME_SIZE;
  /** HPACK table size the server's decoder allows us (we use none; a smaller value is acknowledged). */
  private peerTableSize = DEFAULT_HEADER_TABLE_SIZE;
  /** A dynamic table size update to put in front of the next header block, or -1. */
  private tableSizeUpdate = -1;
  /** Whether request blocks use the server's dynamic table (see request-headers.ts). */
  private headerIndexing: typeof NOT_YET | typeof INDEXED | typeof NEVER = NOT_YET;
  private connSendWindow = DEFAULT_WINDOW_SIZE;
  private connRecvWindow = CONNECTION_WINDOW_SIZE;
  private connUnacked = 0;
  private settingsAcked = false;
  private goawayReceived = false;
  private goawayFailure: CallError | undefined = undefined;
  /** No new streams (replaced by a fresh session); closes once idle. */
  private draining = false;
  /** Closing or failed: nothing more is processed. */
  private closing = false;
  private socketError: Error | undefined = undefined;
  private connectTimer: TimerHandle | undefined;
  private graceTimer: TimerHandle | undefined = undefined;
  /** The DATA frame being received, if its stream is open. */
  private dataStream: H2Stream | undefined = undefined;
  /** A header block being assembled from HEADERS + CONTINUATION frames. */
  private blockStream = 0;
  private blockFlags = 0;
  private blockParts: Buffer[] = [];
  private blockSize = 0;
  /** The decoded fields of the last header block (reused: valid during `onHeaders` only). */
  private readonly headerFields: string[] = [];
  private pingCount = 0;
  private resolveClosed: () => void = () => {};

  constructor(
    private readonly owner: SessionOwner,
    private readonly options: SessionOptions,
  ) {
    const { endpoint, connection } = options;
    this.requestHeaders = new RequestHeaders(options.authority, endpoint.tls);
    this.nextStreamId = options.firstStreamId;
    this.lastReadAt = performance.now();
    this.closed = new Promise((resolve) => {
      this.resolveClosed = resolve;
    });
    const { socket, readyEvent } = connection.dial?.(endpoint) ?? dial(endpoint, connection, (buffer, length) => this.onSocketData(buffer, length));
    this.socket = socket;
    this.writer = new FrameWriter(socket);
    this.reader = new FrameReader(this, DEFAULT_MAX_FRAME_SIZE);
    this.keepAlive = new KeepAlive(this, options.keepAliveTime, connection.keepAliveTimeout);
    socket.once(readyEvent, () => this.onSocketReady());
    // A socket from a test's `dial` hook does not read into our buffer: it emits data events.
    socket.on('data', (chunk: Buffer) => this.onSocketData(chunk, chunk.length));
    socket.on('error', (error: Error) => {
      this.socketError ??= error;
    });
    socket.on('close', () => this.onSocketClose());
    const connectTimeout = connection.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT;
    this.connectTimer = startTimer(() => this.connectTimedOut(connectTimeout), connectTimeout).unref();
  }

  /** True while new streams may open here. */
  get acceptsStreams(): boolean {
    return !this.closing && !this.goawayReceived && !this.draining && this.nextStreamId <= MAX_STREAM_ID;
  }

  // ---------------------------------------------------------------------------------------------
  // Streams (called by calls)

  /** Opens `stream` now, queues it for MAX_CONCURRENT_STREAMS, or hands it back to the owner. */
  open(stream: H2Stream): void {
    if (!this.acceptsStreams) {
      this.owner.requeue(stream);
      return;
    }
    if (this.activeStreams >= this.peerMaxConcurrent) {
      this.pending.push(stream);
      return;
    }
    this.start(stream);
  }

  private start(stream: H2Stream): void {
    const id = this.nextStreamId;
    this.nextStreamId += 2;
    stream.id = id;
    stream.sendWindow = this.peerInitialWindow;
    stream.recvWindow = STREAM_WINDOW_SIZE;
    this.streams.set(id, stream);
    if (++this.activeStreams === 1) this.socket.ref();
    this.keepAlive.streamOpened();
    if (!this.exhaustionReported && this.nextStreamId > MAX_STREAM_ID - 2 * REPLACEMENT_MARGIN) {
      this.exhaustionReported = true;
      this.owner.sessionExhausting(this);
    }
    stream.onStart();
  }

  /**
   * Sends the HEADERS of a request to `path` on `stream`: the method's block (request-headers.ts:
   * indexed once the connection's first request added the constant fields to the server's table),
   * then grpc-timeout and metadata. Split into CONTINUATION frames above SETTINGS_MAX_FRAME_SIZE.
   */
  sendHeaders(stream: H2Stream, path: string, timeout: Buffer | undefined, metadata: Buffer | undefined): void {
    const headers = this.requestHeaders;
    let block: Buffer;
    if (this.headerIndexing === INDEXED) {
      block = headers.indexed(path);
    } else if (this.headerIndexing === NOT_YET && this.peerTableSize >= headers.tableBytes) {
      block = headers.indexing(path);
      this.headerIndexing = INDEXED;
    } else {
      block = headers.plain(path);
    }
    let update: Buffer | undefined;
    if (this.tableSizeUpdate >= 0) {
      const out: number[] = [];
      encodeInteger(out, this.tableSizeUpdate, 5, 0x20);
      update = Buffer.from(out);
      this.tableSizeUpdate = -1;
    }
    const length = block.length + (timeout?.length ?? 0) + (metadata?.length ?? 0) + (update?.length ?? 0);
    const writer = this.writer;
    if (length <= this.peerMaxFrameSize) {
      writer.frameHeader(length, FrameType.HEADERS, Flag.END_HEADERS, stream.id);
      if (update !== undefined) writer.raw(update);
      writer.bytes(block, 0, block.length);
      if (timeout !== undefined) writer.bytes(timeout, 0, timeout.length);
      if (metadata !== undefined) writer.bytes(metadata, 0, metadata.length);
      return;
    }
    const parts = [block];
    if (update !== undefined) parts.unshift(update);
    if (timeout !== undefined) parts.push(timeout);
    if (metadata !== undefined) parts.push(metadata);
    const all = Buffer.concat(parts, length);
    const max = this.peerMaxFrameSize;
    for (let at = 0; at < length; at += max) {
      const n = Math.min(max, length - at);
      const last = at + n === length;
      writer.frameHeader(n, at === 0 ? FrameType.HEADERS : FrameType.CONTINUATION, last ? Flag.END_HEADERS : 0, stream.id);
      writer.bytes(all, at, at + n);
    }
  }

  /**
   * Sends one gRPC message (5-byte prefix + `message`) on `stream`, then END_STREAM if `end`.
   * @returns true when it went out at once, false when (part of) it waits for send window.
   */
  sendMessage(stream: H2Stream, message: Uint8Array, end: boolean): boolean {
    const length = message.length;
    const total = length + 5;
    if (stream.outBytes === 0 && total <= this.connSendWindow && total <= stream.sendWindow && total <= this.peerMaxFrameSize) {
      const writer = this.writer;
      writer.frameHeader(total, FrameType.DATA, end ? Flag.END_STREAM : 0, stream.id);
      writer.u8(0);
      writer.u32(length);
      writer.bytes(message, 0, length);
      this.connSendWindow -= total;
      stream.sendWindow -= total;
      if (end) this.localEnd(stream);
      return true;
    }
    const prefix = Buffer.allocUnsafe(5);
    prefix[0] = 0;
    prefix.writeUInt32BE(length, 1);
    const queue = (stream.outQueue ??= []);
    queue.push(prefix);
    if (length > 0) queue.push(message);
    stream.outBytes += total;
    if (end) stream.endQueued = true;
    this.drain(stream);
    return stream.outBytes === 0;
  }

  /** Ends our side of `stream` (END_STREAM after any queued data). */
  sendEnd(stream: H2Stream): void {
    if (stream.localEnded || stream.endQueued) return;
    if (stream.outBytes > 0) {
      stream.endQueued = true;
      return;
    }
    this.writer.frameHeader(0, FrameType.DATA, Flag.END_STREAM, stream.id);
    this.localEnd(stream);
  }

  /** Resets `stream` (RST_STREAM `code`) if it is open; a stream still queued here is dropped. */
  resetStream(stream: H2Stream, code: number): void {
    const open = stream.id !== 0 && this.streams.get(stream.id) === stream;
    stream.localEnded = stream.remoteEnded = true;
    stream.outQueue = undefined;
    stream.outBytes = 0;
    if (!open) return;
    if (!this.closing) this.writer.rstStream(stream.id, code);
    this.closeStream(stream);
  }

  /** The consumer of `stream` took what it had: the credit held back goes to the server. */
  resume(stream: H2Stream): void {
    if (!stream.paused) return;
    stream.paused = false;
    stream.unacked += stream.held;
    stream.held = 0;
    this.returnStreamCredit(stream);
  }

  /** Calls that reached their deadline with nothing received (see keepalive.ts). */
  callTimedOut(sentAt: number): void {
    this.keepAlive.callTimedOut(sentAt);
  }

  private localEnd(stream: H2Stream): void {
    stream.localEnded = true;
    stream.endQueued = false;
    if (stream.remoteEnded) this.closeStream(stream);
  }

  /** Sends what the windows allow of the stream's queued data. */
  private drain(stream: H2Stream): void {
    const writer = this.writer;
    while (stream.outBytes > 0) {
      const n = Math.min(stream.outBytes, this.connSendWindow, stream.sendWindow, this.peerMaxFrameSize);
      if (n <= 0) {
        if (!stream.blocked) {
          stream.blocked = true;
          this.blocked.push(stream);
        }
        return;
      }
      const last = n === stream.outBytes && stream.endQueued;
      writer.frameHeader(n, FrameType.DATA, last ? Flag.END_STREAM : 0, stream.id);
      this.connSendWindow -= n;
      stream.sendWindow -= n;
      stream.outBytes -= n;
      const queue = stream.outQueue!;
      let left = n;
      while (left > 0) {
        const item = queue[0]!;
        const take = Math.min(item.length - stream.outOffset, left);
        writer.bytes(item, stream.outOffset, stream.outOffset + take);
        left -= take;
        stream.outOffset += take;
        if (stream.outOffset === item.length) {
          queue.shift();
          stream.outOffset = 0;
        }
      }
      if (last) {
        this.localEnd(stream);
        return;
      }
    }
    if (stream.endQueued) {
      writer.frameHeader(0, FrameType.DATA, Flag.END_STREAM, stream.id);
      this.localEnd(stream);
    }
  }

  /** After a WINDOW_UPDATE on the connection: streams waiting for window send, in order. */
  private drainBlocked(): void {
    const blocked = this.blocked;
    this.blocked = [];
    for (let i = 0; i < blocked.length; i++) {
      const stream = blocked[i]!;
      stream.blocked = false;
      if (this.streams.get(stream.id) !== stream || stream.outBytes === 0) continue;
      if (this.connSendWindow <= 0) {
        stream.blocked = true;
        this.blocked.push(stream);
        continue;
      }
      this.drain(stream);
    }
  }

  /** The stream is done both ways (or reset): forget it, open a queued one. */
  private closeStream(stream: H2Stream): void {
    if (!this.streams.delete(stream.id)) return;
    this.activeStreams--;
    if (this.pendingHead < this.pending.length) this.openPending();
    if (this.activeStreams === 0) {
      if (this.goawayReceived || this.draining) this.shutdown();
      else if (this.ready && !this.closing) this.socket.unref();
    }
  }

  private returnStreamCredit(stream: H2Stream): void {
    if (stream.unacked >= STREAM_UPDATE_THRESHOLD && !stream.remoteEnded && !this.closing) {
      this.writer.windowUpdate(stream.id, stream.unacked);
      stream.recvWindow += stream.unacked;
      stream.unacked = 0;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Socket

  private onSocketReady(): void {
    if (this.closing) return;
    const problem = readyProblem(this.socket, this.options.endpoint, this.options.connection.tls);
    if (problem !== undefined) {
      this.fail(new CallError(Status.UNAVAILABLE, `cannot connect to ${this.options.endpoint.url}: ${problem}`, false));
      return;
    }
    const writer = this.writer;
    writer.raw(CLIENT_PREFACE);
    writer.settings(OUR_SETTINGS);
    writer.windowUpdate(0, CONNECTION_WINDOW_SIZE - DEFAULT_WINDOW_SIZE);
    writer.flush();
  }

  /** `chunk[0, length)` was read; it is borrowed for the call (see FrameReader.push). */
  private onSocketData(chunk: Buffer, length: number): void {
    if (this.closing) return;
    this.lastReadAt = performance.now();
    try {
      this.reader.push(chunk, length);
    } catch (error) {
      this.protocolFailure(error);
    }
  }

  private onSocketClose(): void {
    this.graceTimer?.cancel();
    this.graceTimer = undefined;
    if (!this.closing) {
      const cause = this.socketError;
      const url = this.options.endpoint.url;
      this.fail(
        this.goawayFailure ?? (this.ready
          ? new CallError(Status.UNAVAILABLE, `connection to ${url} lost: ${cause === undefined ? 'closed by the server' : cause.message}`, true, {}, { cause })
          : new CallError(Status.UNAVAILABLE, `cannot connect to ${url}: ${cause === undefined ? 'connection closed' : connectFailure(cause, this.options.connection.tls)}`, false, {}, { cause })),
      );
    }
    this.owner.sessionClosed(this);
    this.resolveClosed();
  }

  /** Destroys the socket now (end of the close grace). */
  destroySocket(): void {
    this.graceTimer?.cancel();
    this.graceTimer = undefined;
    this.socket.destroy();
  }

  private connectTimedOut(ms: number): void {
    this.connectTimer = undefined;
    if (this.closing) return;
    if (!this.ready) {
      this.fail(new CallError(Status.UNAVAILABLE, `no HTTP/2 SETTINGS from ${this.options.endpoint.url} within ${ms} ms`, false));
    } else if (!this.settingsAcked) {
      const error = new Http2ProtocolError(ErrorCode.SETTINGS_TIMEOUT, `our SETTINGS were not acknowledged within ${ms} ms`);
      this.fail(this.protocolCallError(error), error);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Ending

  /**
   * Fails the session: the owner hears of it first, then every stream ends with `failure` (sent =
   * false for streams the server's GOAWAY did not cover and those never opened), and the socket
   * closes after a GOAWAY (with `protocolError`'s code, or NO_ERROR).
   */
  fail(failure: CallError, protocolError?: Http2ProtocolError): void {
    if (this.closing) return;
    this.closing = true;
    this.failure ??= failure;
    this.stopTimers();
    this.reader.stop();
    this.owner.sessionFailed(this, failure);
    if (protocolError !== undefined) this.writer.goaway(0, protocolError.code, protocolError.message.slice(0, 256));
    this.abortAll(failure);
    this.endSocket();
  }

  /** Closes the session for the client: RST_STREAM CANCEL for each stream, GOAWAY, then the socket. */
  close(failure: CallError): Promise<void> {
    if (!this.closing) {
      this.closing = true;
      this.failure ??= failure;
      this.stopTimers();
      this.reader.stop();
      for (const stream of this.streams.values()) this.writer.rstStream(stream.id, ErrorCode.CANCEL);
      this.writer.goaway(0, ErrorCode.NO_ERROR, '');
      this.abortAll(failure);
      this.endSocket();
    }
    return this.closed;
  }

  /** Stops accepting streams (a replacement took over); closes once the open ones are done. */
  drainAndClose(): void {
    this.draining = true;
    this.requeuePending();
    if (this.activeStreams === 0) this.shutdown();
  }

  /** No stream left after GOAWAY or draining: close politely. */
  private shutdown(): void {
    if (this.closing) return;
    this.closing = true;
    this.stopTimers();
    this.reader.stop();
    this.writer.goaway(0, ErrorCode.NO_ERROR, '');
    this.endSocket();
  }

  private stopTimers(): void {
    this.keepAlive.stop();
    this.connectTimer?.cancel();
    this.connectTimer = undefined;
  }

  private abortAll(failure: CallError): void {
    const streams = [...this.streams.values()];
    this.streams.clear();
    this.activeStreams = 0;
    const notSent = failure.sent ? new CallError(failure.code, failure.details, false, failure.metadata, { cause: failure.cause ?? failure }) : failure;
    for (const stream of streams) {
      stream.localEnded = stream.remoteEnded = true;
      stream.onAbort(stream.id > this.goawayLastStreamId ? this.unprocessed(stream.id) : failure);
    }
    for (const stream of this.takePending()) {
      stream.localEnded = stream.remoteEnded = true;
      stream.onAbort(notSent);
    }
  }

  private requeuePending(): void {
    for (const stream of this.takePending()) this.owner.requeue(stream);
  }

  /** Empties the MAX_CONCURRENT_STREAMS queue; returns the streams in it that are still wanted. */
  private takePending(): H2Stream[] {
    const live = this.pending.slice(this.pendingHead).filter((stream) => !stream.localEnded);
    this.pending = [];
    this.pendingHead = 0;
    return live;
  }

  /** Flushes, half-closes, and destroys the socket (see below). */
  private endSocket(): void {
    const socket = this.socket;
    this.writer.flush();
    if (socket.destroyed) return;
    // Destroyed once our last bytes (the GOAWAY) are handed to the kernel, or after the grace
    // when the peer does not read them (frozen).
    socket.once('finish', () => grace(this));
    socket.end();
    this.graceTimer = startTimer(() => grace(this), CLOSE_GRACE_MS);
  }

  private unprocessed(id: number): CallError {
    return new CallError(
      Status.UNAVAILABLE,
      `server sent GOAWAY (last stream ${this.goawayLastStreamId}) without processing stream ${id}`,
      false,
    );
  }

  private protocolCallError(error: Http2ProtocolError): CallError {
    return new CallError(
      Status.UNAVAILABLE,
      `HTTP/2 protocol error from ${this.options.endpoint.url}: ${error.message}`,
      true,
      {},
      { cause: error },
    );
  }

  /** A frame broke the rules (or a handler threw): fail the connection with it. */
  private protocolFailure(error: unknown): void {
    if (error instanceof Http2ProtocolError) {
      this.fail(this.protocolCallError(error), error);
      return;
    }
    if (error instanceof HpackError) {
      const protocol = new Http2ProtocolError(ErrorCode.COMPRESSION_ERROR, error.message);
      this.fail(this.protocolCallError(protocol), protocol);
      return;
    }
    // A bug of ours or of a stream consumer: fail this connection, never the process.
    const internal = new Http2ProtocolError(ErrorCode.INTERNAL_ERROR, error instanceof Error ? error.message : String(error));
    this.fail(new CallError(Status.INTERNAL, `etcd-ts transport error: ${internal.message}`, true, {}, { cause: error }), internal);
  }

  // ---------------------------------------------------------------------------------------------
  // Keep-alive (KeepAliveLink)

  sendPing(): void {
    if (this.closing) return;
    const opaque = Buffer.allocUnsafe(8);
    opaque.writeUInt32BE(0x65746364, 0); // "etcd"
    opaque.writeUInt32BE(++this.pingCount >>> 0, 4);
    this.writer.ping(opaque, 0, false);
  }

  keepAliveTimedOut(): void {
    this.fail(
      new CallError(
        Status.UNAVAILABLE,
        `keep-alive PING to ${this.options.endpoint.url} not answered within ${this.options.connection.keepAliveTimeout} ms`,
        true,
      ),
    );
  }

  // ---------------------------------------------------------------------------------------------
  // Frames (FrameHandler)

  onDataStart(streamId: number, flags: number, length: number): void {
    if (this.blockStream !== 0) this.expectedContinuation(FrameType.DATA);
    if (!this.ready) throw new Http2ProtocolError(ErrorCode.PROTOCOL_ERROR, 'first frame from the server is DATA, not SETTINGS');
    if (streamId === 0) throw new Http2ProtocolError(ErrorCode.PROTOCOL_ERROR, 'DATA frame on stream 0');
    this.connRecvWindow -= length;
    if (this.connRecvWindow < 0) {
      throw new Http2ProtocolError(ErrorCode.FLOW_CONTROL_ERROR, `DATA beyond the connection window (${-this.connRecvWindow} bytes over)`);
    }
    this.connUnacked += length;
    if (this.connUnacked >= CONNECTION_UPDATE_THRESHOLD) {
      this.writer.windowUpdate(0, this.connUnacked);
      this.connRecvWindow += this.connUnacked;
      this.connUnacked = 0;
    }
    const stream = this.streams.get(streamId);
    this.dataStream = undefined;
    if (stream === undefined) {
      this.checkNotIdle(streamId, 'DATA');
      return; // a stream we reset or finished: drop the data
    }
    if (stream.remoteEnded) throw new Http2ProtocolError(ErrorCode.STREAM_CLOSED, `DATA on stream ${streamId} after END_STREAM`);
    stream.recvWindow -= length;
    if (stream.recvWindow < 0) {
      throw new Http2ProtocolError(ErrorCode.FLOW_CONTROL_ERROR, `DATA beyond the window of stream ${streamId} (${-stream.recvWindow} bytes over)`);
    }
    if (stream.paused) stream.held += length;
    else stream.unacked += length;
    this.dataStream = stream;
  }

  onData(chunk: Buffer, start: number, end: number): void {
    const stream = this.dataStream;
    if (stream !== undefined && !stream.remoteEnded) stream.onData(chunk, start, end);
  }

  onDataEnd(flags: number): void {
    const stream = this.dataStream;
    this.dataStream = undefined;
    if (stream === undefined || this.streams.get(stream.id) !== stream) return;
    if ((flags & Flag.END_STREAM) !== 0) {
      stream.remoteEnded = true;
      stream.onRemoteEnd();
      this.afterRemoteEnd(stream);
      return;
    }
    this.returnStreamCredit(stream);
  }

  onFrame(type: number, flags: number, streamId: number, payload: Buffer, start: number, end: number): void {
    if (this.blockStream !== 0 && type !== FrameType.CONTINUATION) this.expectedContinuation(type);
    if (!this.ready && type !== FrameType.SETTINGS) {
      throw new Http2ProtocolError(ErrorCode.PROTOCOL_ERROR, `first frame from the server is ${frameTypeName(type)}, not SETTINGS`);
    }
    const length = end - start;
    switch (type) {
      case FrameType.HEADERS:
        this.onHeadersFrame(flags, streamId, payload, start, end);
        return;
      case FrameType.CONTINUATION:
        this.onContinuation(flags, streamId, payload, start, end);
        return;
      case FrameType.SETTINGS:
        if (streamId !== 0) throw new Http2ProtocolError(ErrorCode.PROTOCOL_ERROR, `SETTINGS frame on stream ${streamId}`);
        this.onSettings(flags, payload, start, end);
        return;
      case FrameType.PING:
        if (streamId !== 0) throw new Http2ProtocolError(ErrorCode.PROTOCOL_ERROR, `PING frame on stream ${streamId}`);
        if (length !== 8) throw new Http2ProtocolError(ErrorCode.FRAME_SIZE_ERROR, `PING frame of ${length} bytes, not 8`);
        if ((flags & Flag.ACK) !== 0) return; // any frame counts as liveness (lastReadAt)
        if (this.socket.writableLength + this.writer.queued > MAX_UNREAD_OUTPUT) {
          throw new Http2ProtocolError(ErrorCode.ENHANCE_YOUR_CALM, 'PING flood: the server does not read our PING acknowledgements');
        }
        this.writer.ping(payload, start, true);
        return;
      case FrameType.WINDOW_UPDATE:
        this.onWindowUpdate(streamId, payload, start, length);
        return;
      case FrameType.RST_STREAM: {
        if (streamId === 0) throw new Http2ProtocolError(ErrorCode.PROTOCOL_ERROR, 'RST_STREAM frame on stream 0');
        if (length !== 4) throw new Http2ProtocolError(ErrorCode.FRAME_SIZE_ERROR, `RST_STREAM frame of ${length} bytes, not 4`);
        const stream = this.streams.get(streamId);
        if (stream === undefined) {
          this.checkNotIdle(streamId, 'RST_STREAM');
          return;
        }
        const code = payload.readUInt32BE(start);
        stream.localEnded = stream.remoteEnded = true;
        stream.outQueue = undefined;
        stream.outBytes = 0;
        this.closeStream(stream);
        stream.onReset(code);
        return;
      }
      case FrameType.GOAWAY:
        if (streamId !== 0) throw new Http2ProtocolError(ErrorCode.PROTOCOL_ERROR, `GOAWAY frame on stream ${streamId}`);
        if (length < 8) throw new Http2ProtocolError(ErrorCode.FRAME_SIZE_ERROR, `GOAWAY frame of ${length} bytes, less than 8`);
        this.onGoaway(payload.readUInt32BE(start) & MAX_STREAM_ID, payload.readUInt32BE(start + 4), payload.toString('latin1', start + 8, Math.min(end, start + 8 + 256)));
        return;
      case FrameType.PRIORITY:
        if (streamId === 0) throw new Http2ProtocolError(ErrorCode.PROTOCOL_ERROR, 'PRIORITY frame on stream 0');
        if (length !== 5) throw new Http2ProtocolError(ErrorCode.FRAME_SIZE_ERROR, `PRIORITY frame of ${length} bytes, not 5`);
        return;
      case FrameType.PUSH_PROMISE:
        throw new Http2ProtocolError(ErrorCode.PROTOCOL_ERROR, 'PUSH_PROMISE received although SETTINGS_ENABLE_PUSH is 0');
      default:
        // Unknown frame types are ignored (RFC 9113 section 4.1).
        return;
    }
  }

  private expectedContinuation(type: number): never {
    throw new Http2ProtocolError(
      ErrorCode.PROTOCOL_ERROR,
      `${frameTypeName(type)} frame in the middle of the header block of stream ${this.blockStream} (CONTINUATION expected)`,
    );
  }

  /** A stream the server cannot name: never opened by us (an even id, or above our last). */
  private checkNotIdle(streamId: number, what: string): void {
    if (streamId % 2 === 0 || streamId >= this.nextStreamId || streamId < this.options.firstStreamId) {
      throw new Http2ProtocolError(ErrorCode.PROTOCOL_ERROR, `${what} frame on idle stream ${streamId}`);
    }
  }

  private onHeadersFrame(flags: number, streamId: number, payload: Buffer, start: number, end: number): void {
    if (streamId === 0) throw new Http2ProtocolError(ErrorCode.PROTOCOL_ERROR, 'HEADERS frame on stream 0');
    let from = start;
    let to = end;
    if ((flags & Flag.PADDED) !== 0) {
      if (to - from < 1) throw new Http2ProtocolError(ErrorCode.FRAME_SIZE_ERROR, 'padded HEADERS frame without a pad length');
      const padding = payload[from++]!;
      if (padding > to - from) throw new Http2ProtocolError(ErrorCode.PROTOCOL_ERROR, `HEADERS frame padding of ${padding} bytes exceeds its payload`);
      to -= padding;
    }
    if ((flags & Flag.PRIORITY) !== 0) {
      if (to - from < 5) throw new Http2ProtocolError(ErrorCode.FRAME_SIZE_ERROR, 'HEADERS frame too short for its priority fields');
      from += 5;
    }
    if ((flags & Flag.END_HEADERS) !== 0) {
      this.onHeaderBlock(streamId, flags, payload, from, to);
      return;
    }
    this.blockStream = streamId;
    this.blockFlags = flags;
    this.blockParts = [Buffer.from(payload.subarray(from, to))];
    this.blockSize = to - from;
    this.checkBlockSize();
  }

  private onContinuation(flags: number, streamId: number, payload: Buffer, start: number, end: number): void {
    if (this.blockStream === 0 || streamId !== this.blockStream) {
      throw new Http2ProtocolError(ErrorCode.PROTOCOL_ERROR, `CONTINUATION frame on stream ${streamId} without a header block in progress there`);
    }
    this.blockParts.push(Buffer.from(payload.subarray(start, end)));
    this.blockSize += end - start;
    this.checkBlockSize();
    if ((flags & Flag.END_HEADERS) === 0) return;
    const block = Buffer.concat(this.blockParts, this.blockSize);
    this.blockStream = 0;
    this.blockParts = [];
    this.onHeaderBlock(streamId, this.blockFlags, block, 0, block.length);
  }

  private checkBlockSize(): void {
    if (this.blockSize > MAX_HEADER_LIST_SIZE) {
      throw new Http2ProtocolError(ErrorCode.ENHANCE_YOUR_CALM, `header block larger than ${MAX_HEADER_LIST_SIZE} bytes`);
    }
    if (this.blockParts.length > MAX_CONTINUATION_FRAMES + 1) {
      throw new Http2ProtocolError(ErrorCode.ENHANCE_YOUR_CALM, `header block in more than ${MAX_CONTINUATION_FRAMES} CONTINUATION frames`);
    }
  }

  private onHeaderBlock(streamId: number, flags: number, block: Buffer, start: number, end: number): void {
    // Decode even for streams we no longer know: the HPACK table must stay in step.
    const fields = this.decoder.decode(block, start, end, this.headerFields);
    const stream = this.streams.get(streamId);
    if (stream === undefined) {
      this.checkNotIdle(streamId, 'HEADERS');
      return;
    }
    if (stream.remoteEnded) throw new Http2ProtocolError(ErrorCode.STREAM_CLOSED, `HEADERS on stream ${streamId} after END_STREAM`);
    const endStream = (flags & Flag.END_STREAM) !== 0;
    if (endStream) stream.remoteEnded = true;
    stream.onHeaders(fields, endStream);
    if (endStream) this.afterRemoteEnd(stream);
  }

  /** The server ended its side: the stream closes once ours is ended too (reset if the call did not end it). */
  private afterRemoteEnd(stream: H2Stream): void {
    if (this.streams.get(stream.id) !== stream) return;
    if (stream.localEnded) {
      this.closeStream(stream);
      return;
    }
    // The response is complete before our request side ended (e.g. a bidi call the server ended).
    this.resetStream(stream, ErrorCode.NO_ERROR);
  }

  private onSettings(flags: number, payload: Buffer, start: number, end: number): void {
    const length = end - start;
    if ((flags & Flag.ACK) !== 0) {
      if (length !== 0) throw new Http2ProtocolError(ErrorCode.FRAME_SIZE_ERROR, `SETTINGS ACK with a ${length}-byte payload`);
      this.settingsAcked = true;
      if (this.ready) {
        this.connectTimer?.cancel();
        this.connectTimer = undefined;
      }
      return;
    }
    if (length % 6 !== 0) throw new Http2ProtocolError(ErrorCode.FRAME_SIZE_ERROR, `SETTINGS frame of ${length} bytes, not a multiple of 6`);
    let windowDelta = 0;
    let moreStreams = false;
    for (let at = start; at < end; at += 6) {
      const id = payload.readUInt16BE(at);
      const value = payload.readUInt32BE(at + 2);
      switch (id) {
        case Setting.HEADER_TABLE_SIZE:
          if (value < this.peerTableSize) {
            // Acknowledged by a size update in front of our next block; our entries may be
            // evicted by it, so plain blocks from then on.
            this.tableSizeUpdate = value;
            this.headerIndexing = NEVER;
          }
          this.peerTableSize = value;
          break;
        case Setting.ENABLE_PUSH:
          if (value > 1) throw new Http2ProtocolError(ErrorCode.PROTOCOL_ERROR, `SETTINGS_ENABLE_PUSH of ${value}`);
          break;
        case Setting.MAX_CONCURRENT_STREAMS:
          moreStreams ||= value > this.peerMaxConcurrent;
          this.peerMaxConcurrent = value;
          break;
        case Setting.INITIAL_WINDOW_SIZE:
          if (value > MAX_WINDOW_SIZE) {
            throw new Http2ProtocolError(ErrorCode.FLOW_CONTROL_ERROR, `SETTINGS_INITIAL_WINDOW_SIZE of ${value} above 2^31-1`);
          }
          windowDelta += value - this.peerInitialWindow;
          this.peerInitialWindow = value;
          break;
        case Setting.MAX_FRAME_SIZE:
          if (value < DEFAULT_MAX_FRAME_SIZE || value > MAX_ALLOWED_FRAME_SIZE) {
            throw new Http2ProtocolError(ErrorCode.PROTOCOL_ERROR, `SETTINGS_MAX_FRAME_SIZE of ${value} outside 16384-16777215`);
          }
          this.peerMaxFrameSize = value;
          break;
        default:
          // SETTINGS_MAX_HEADER_LIST_SIZE is advisory; unknown settings are ignored.
          break;
      }
    }
    if (!this.closing) this.writer.settings([], true);
    if (windowDelta !== 0) {
      for (const stream of this.streams.values()) {
        stream.sendWindow += windowDelta;
        if (stream.sendWindow > MAX_WINDOW_SIZE) {
          throw new Http2ProtocolError(ErrorCode.FLOW_CONTROL_ERROR, `SETTINGS_INITIAL_WINDOW_SIZE change makes the window of stream ${stream.id} exceed 2^31-1`);
        }
      }
      if (windowDelta > 0) for (const stream of [...this.streams.values()]) if (stream.outBytes > 0) this.drain(stream);
    }
    if (moreStreams) this.openPending();
    if (!this.ready) {
      this.ready = true;
      if (this.settingsAcked) {
        this.connectTimer?.cancel();
        this.connectTimer = undefined;
      }
      this.keepAlive.start();
      this.owner.sessionReady(this);
      if (this.activeStreams === 0 && !this.closing) this.socket.unref();
    }
  }

  private openPending(): void {
    while (this.pendingHead < this.pending.length && this.activeStreams < this.peerMaxConcurrent && this.acceptsStreams) {
      const next = this.pending[this.pendingHead]!;
      this.pending[this.pendingHead++] = undefined as unknown as H2Stream;
      if (!next.localEnded) this.start(next);
    }
    if (this.pendingHead === this.pending.length) {
      this.pending = [];
      this.pendingHead = 0;
    }
  }

  private onWindowUpdate(streamId: number, payload: Buffer, start: number, length: number): void {
    if (length !== 4) throw new Http2ProtocolError(ErrorCode.FRAME_SIZE_ERROR, `WINDOW_UPDATE frame of ${length} bytes, not 4`);
    const increment = payload.readUInt32BE(start) & MAX_WINDOW_SIZE;
    if (streamId === 0) {
      if (increment === 0) throw new Http2ProtocolError(ErrorCode.PROTOCOL_ERROR, 'WINDOW_UPDATE of 0 on the connection');
      this.connSendWindow += increment;
      if (this.connSendWindow > MAX_WINDOW_SIZE) {
        throw new Http2ProtocolError(ErrorCode.FLOW_CONTROL_ERROR, 'WINDOW_UPDATE makes the connection window exceed 2^31-1');
      }
      if (this.blocked.length > 0) this.drainBlocked();
      return;
    }
    const stream = this.streams.get(streamId);
    if (stream === undefined) {
      this.checkNotIdle(streamId, 'WINDOW_UPDATE');
      return;
    }
    if (increment === 0) throw new Http2ProtocolError(ErrorCode.PROTOCOL_ERROR, `WINDOW_UPDATE of 0 on stream ${streamId}`);
    stream.sendWindow += increment;
    if (stream.sendWindow > MAX_WINDOW_SIZE) {
      throw new Http2ProtocolError(ErrorCode.FLOW_CONTROL_ERROR, `WINDOW_UPDATE makes the window of stream ${streamId} exceed 2^31-1`);
    }
    if (stream.outBytes > 0 && this.connSendWindow > 0) this.drain(stream);
  }

  private onGoaway(lastStreamId: number, code: number, debug: string): void {
    if (lastStreamId < this.goawayLastStreamId) this.goawayLastStreamId = lastStreamId;
    const first = !this.goawayReceived;
    this.goawayReceived = true;
    const detail = debug.length > 0 ? ` (${debug})` : '';
    const failure =
      code === ErrorCode.NO_ERROR
        ? undefined
        : new CallError(Status.UNAVAILABLE, `${this.options.endpoint.url} sent GOAWAY ${http2ErrorName(code)}${detail}`, true);
    this.goawayFailure ??= failure;
    this.failure ??= failure;
    if (first || failure !== undefined) this.owner.sessionGoaway(this, code, debug, failure);
    // Streams above the last stream id were not processed: they fail as unsent (and are retried).
    for (const stream of [...this.streams.values()]) {
      if (stream.id > this.goawayLastStreamId) {
        this.streams.delete(stream.id);
        this.activeStreams--;
        stream.localEnded = stream.remoteEnded = true;
        stream.onAbort(this.unprocessed(stream.id));
      }
    }
    this.requeuePending();
    if (this.activeStreams === 0) this.shutdown();
  }

  /** For streams ending without a status: the failure that explains it, if the session has one. */
  get streamFailure(): CallError | undefined {
    return this.goawayFailure ?? this.failure;
  }
}
