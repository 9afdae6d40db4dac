/**
 * One HTTP/2 connection to one endpoint, as an explicit state machine:
 *
 *   idle ──call──▶ connecting ──SETTINGS──▶ ready ──GOAWAY / clean close──▶ idle
 *                      │                      │
 *                      └──error / timeout──▶ failing ◀──error / keep-alive timeout──┘
 *   failing ──call──▶ connecting;   any state ──close()──▶ closed
 *
 * All transitions and their effects are in `Http2Connection.transition`. The connection opens a
 * session lazily, on the first call (or `ready()`); calls made while connecting wait for it, each
 * bounded by its own deadline. A session is ready when the server's SETTINGS arrive, so a peer
 * that accepts TCP but does not speak (a SIGSTOPped etcd) never becomes ready.
 *
 * While a session has streams open it sends an HTTP/2 PING every `keepAliveTime` ms; a PING not
 * answered within `keepAliveTimeout` ms destroys the session and fails its calls with UNAVAILABLE.
 * A GOAWAY takes the session out of use at once (new calls open a new session); streams the server
 * did not process (above its last stream id) fail with sent = false; the others finish normally.
 */
import { connect, constants, type ClientHttp2Session, type SecureClientSessionOptions } from 'node:http2';
import type { ConnectWaiter, SessionLink } from './call.js';
import { describeError, MAX_TIMER_DELAY, StreamCall, UnaryCall } from './call.js';
import { endpointAuthority, endpointOrigin } from './endpoint.js';
import { http2ErrorName } from './status.js';
import {
  CallError,
  Status,
  type CallOptions,
  type Connection,
  type ConnectionOptions,
  type ConnectionState,
  type Endpoint,
  type Stream,
  type StreamHandlers,
} from './types.js';

/** Default longest time for one connection attempt, in ms. */
export const DEFAULT_CONNECT_TIMEOUT = 20_000;
/** HTTP/2 per-stream receive window we advertise, in bytes (the protocol default is 65,535). */
export const DEFAULT_STREAM_WINDOW_SIZE = 8 * 1024 * 1024;
/** HTTP/2 connection-level receive window, in bytes. */
export const DEFAULT_CONNECTION_WINDOW_SIZE = 32 * 1024 * 1024;
/** node:http2 `maxSessionMemory` of a session, in MiB (node's default is 10). */
export const DEFAULT_MAX_SESSION_MEMORY_MB = 64;

/** Highest HTTP/2 stream id; the GOAWAY last stream id before any GOAWAY. */
const MAX_STREAM_ID = 2 ** 31 - 1;

/** Which state may follow which. */
const TRANSITIONS: { readonly [S in ConnectionState]: readonly ConnectionState[] } = {
  idle: ['connecting', 'closed'],
  connecting: ['ready', 'failing', 'closed'],
  ready: ['idle', 'failing', 'closed'],
  failing: ['connecting', 'closed'],
  closed: [],
};

function sendPing(session: Session): void {
  session.ping();
}
function pingTimedOut(session: Session): void {
  session.pingTimedOut();
}
function connectTimedOut(session: Session): void {
  session.connectTimedOut();
}

/** One node:http2 client session and its keep-alive; reports its events to the connection. */
class Session implements SessionLink {
  readonly session: ClientHttp2Session;
  goawayLastStreamId = MAX_STREAM_ID;
  failure: CallError | undefined = undefined;
  /** First error node reported on the session (socket, TLS, protocol). */
  error: Error | undefined = undefined;
  /** True once the server's SETTINGS arrived. */
  ready = false;
  readonly closed: Promise<void>;
  private resolveClosed: () => void = () => {};
  private closeSeen = false;
  private activeStreams = 0;
  private pingTimer: NodeJS.Timeout | undefined = undefined;
  private pingTimeoutTimer: NodeJS.Timeout | undefined = undefined;
  private connectTimer: NodeJS.Timeout | undefined;
  private readonly onPingAck = (error: Error | null): void => {
    if (this.pingTimeoutTimer !== undefined) {
      clearTimeout(this.pingTimeoutTimer);
      this.pingTimeoutTimer = undefined;
    }
    if (error === null && this.activeStreams > 0) this.schedulePing();
  };

  constructor(
    private readonly owner: Http2Connection,
    readonly authority: string,
    private readonly options: ConnectionOptions,
  ) {
    const endpoint = owner.endpoint;
    const tls = options.tls;
    const sessionOptions: SecureClientSessionOptions = {
      settings: { enablePush: false, initialWindowSize: DEFAULT_STREAM_WINDOW_SIZE },
      maxSessionMemory: DEFAULT_MAX_SESSION_MEMORY_MB,
    };
    if (endpoint.tls && tls !== undefined) {
      if (tls.ca !== undefined) sessionOptions.ca = tls.ca;
      if (tls.cert !== undefined) sessionOptions.cert = tls.cert;
      if (tls.key !== undefined) sessionOptions.key = tls.key;
      if (tls.servername !== undefined) sessionOptions.servername = tls.servername;
      if (tls.rejectUnauthorized !== undefined) sessionOptions.rejectUnauthorized = tls.rejectUnauthorized;
    }
    const session = connect(endpointOrigin(endpoint), sessionOptions);
    this.session = session;
    this.closed = new Promise((resolve) => {
      this.resolveClosed = resolve;
    });
    session.once('connect', () => {
      try {
        session.setLocalWindowSize(DEFAULT_CONNECTION_WINDOW_SIZE);
      } catch {
        // Only a larger window for throughput; the session works without it.
      }
    });
    session.once('remoteSettings', () => {
      this.ready = true;
      this.clearConnectTimer();
      owner.sessionReady(this);
      if (this.activeStreams === 0) session.unref();
    });
    session.on('goaway', (code: number, lastStreamId: number, opaqueData?: Buffer) => {
      this.goawayLastStreamId = Math.min(this.goawayLastStreamId, lastStreamId);
      const debug = opaqueData !== undefined && opaqueData.length > 0 ? ` (${opaqueData.toString('latin1')})` : '';
      const failure =
        code === constants.NGHTTP2_NO_ERROR
          ? undefined
          : new CallError(Status.UNAVAILABLE, `${endpoint.url} sent GOAWAY ${http2ErrorName(code)}${debug}`, true);
      this.failure ??= failure;
      owner.sessionGoaway(this, failure ?? new CallError(Status.UNAVAILABLE, `${endpoint.url} sent GOAWAY${debug}`, false));
    });
    session.on('error', (error: Error) => {
      this.error ??= error;
    });
    session.on('close', () => this.onClose());
    // node:http2 (v20) may destroy a session whose socket fails right after 'connect' without
    // emitting 'error' or 'close' (e.g. etcd rejecting the TLS handshake of a client without a
    // certificate under --client-cert-auth). Watch the socket so such a session still ends.
    session.socket?.on('error', (error: Error) => {
      this.error ??= error;
      setImmediate(() => {
        if (session.destroyed) this.onClose();
      });
    });
    const connectTimeout = options.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT;
    this.connectTimer = setTimeout(connectTimedOut, Math.min(connectTimeout, MAX_TIMER_DELAY), this);
    this.connectTimer.unref();
  }

  streamOpened(): void {
    if (++this.activeStreams === 1) {
      this.session.ref();
      if (this.options.keepAliveTime > 0 && this.pingTimer === undefined && this.pingTimeoutTimer === undefined) {
        this.schedulePing();
      }
    }
  }

  streamClosed(): void {
    if (--this.activeStreams === 0 && this.ready) this.session.unref();
  }

  private schedulePing(): void {
    this.pingTimer = setTimeout(sendPing, this.options.keepAliveTime, this);
    this.pingTimer.unref();
  }

  /** Ping timer fired: PING if streams are still open (else stop until the next stream opens). */
  ping(): void {
    this.pingTimer = undefined;
    const session = this.session;
    if (this.activeStreams === 0 || session.destroyed || session.closed) return;
    try {
      if (!session.ping(this.onPingAck)) {
        // Too many PINGs outstanding in node:http2; try again later.
        this.schedulePing();
        return;
      }
    } catch {
      return;
    }
    this.pingTimeoutTimer = setTimeout(pingTimedOut, this.options.keepAliveTimeout, this);
    this.pingTimeoutTimer.unref();
  }

  pingTimedOut(): void {
    this.pingTimeoutTimer = undefined;
    this.fail(
      new CallError(
        Status.UNAVAILABLE,
        `keep-alive PING to ${this.owner.endpoint.url} not answered within ${this.options.keepAliveTimeout} ms`,
        true,
      ),
    );
  }

  connectTimedOut(): void {
    this.connectTimer = undefined;
    if (this.ready) return;
    const ms = this.options.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT;
    this.fail(new CallError(Status.UNAVAILABLE, `no HTTP/2 SETTINGS from the server within ${ms} ms`, false));
  }

  /** The session ended ('close', or destroyed without one): once. */
  private onClose(): void {
    if (this.closeSeen) return;
    this.closeSeen = true;
    this.clearConnectTimer();
    this.clearPingTimers();
    this.owner.sessionClosed(this);
    this.resolveClosed();
  }

  /** Destroys the session because of `failure`; its calls fail with it (unless GOAWAY says they were not processed). */
  fail(failure: CallError): void {
    if (this.session.destroyed) {
      // Destroyed without a 'close' event (see the socket listener): end it now.
      this.failure ??= failure;
      this.onClose();
      return;
    }
    this.failure ??= failure;
    this.owner.sessionFailed(this, failure);
    this.session.destroy(failure, constants.NGHTTP2_NO_ERROR);
  }

  private clearConnectTimer(): void {
    if (this.connectTimer !== undefined) {
      clearTimeout(this.connectTimer);
      this.connectTimer = undefined;
    }
  }

  private clearPingTimers(): void {
    if (this.pingTimer !== undefined) clearTimeout(this.pingTimer);
    if (this.pingTimeoutTimer !== undefined) clearTimeout(this.pingTimeoutTimer);
    this.pingTimer = this.pingTimeoutTimer = undefined;
  }
}

function onReadyDeadline(waiter: ReadyWaiter): void {
  waiter.expire();
}

/** A pending `ready()` promise. */
class ReadyWaiter implements ConnectWaiter {
  private done = false;
  private timer: NodeJS.Timeout | undefined = undefined;

  constructor(
    private readonly url: string,
    private readonly resolve: () => void,
    private readonly reject: (reason: unknown) => void,
    private readonly deadline: number | undefined,
    private readonly signal: AbortSignal | undefined,
  ) {
    if (signal !== undefined) signal.addEventListener('abort', this);
    if (deadline !== undefined) {
      this.timer = setTimeout(onReadyDeadline, Math.min(Math.max(deadline - Date.now(), 0), MAX_TIMER_DELAY), this);
    }
  }

  onConnected(): void {
    if (this.settle()) this.resolve();
  }

  onConnectFailed(error: CallError): void {
    if (this.settle()) this.reject(error);
  }

  handleEvent(): void {
    if (this.settle()) this.reject(this.signal!.reason);
  }

  expire(): void {
    this.timer = undefined;
    const remaining = this.deadline! - Date.now();
    if (remaining > 0 && !this.done) {
      this.timer = setTimeout(onReadyDeadline, Math.min(remaining, MAX_TIMER_DELAY), this);
      return;
    }
    if (this.settle()) {
      this.reject(new CallError(Status.UNAVAILABLE, `not connected to ${this.url} before the deadline`, false));
    }
  }

  private settle(): boolean {
    if (this.done) return false;
    this.done = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (this.signal !== undefined) this.signal.removeEventListener('abort', this);
    return true;
  }
}

/**
 * `Connection` over node:http2: one session at a time in use per endpoint (sessions that got a
 * GOAWAY drain in the background), lazy connect, keep-alive PINGs, GOAWAY handling, TLS through
 * `node:tls` options. See the file comment for the state machine.
 */
export class Http2Connection implements Connection {
  readonly endpoint: Endpoint;
  private stateValue: ConnectionState = 'idle';
  /** The session in use: set in connecting and ready, undefined otherwise. */
  private current: Session | undefined = undefined;
  /** Every session not yet closed (the current one and draining ones). */
  private readonly sessions = new Set<Session>();
  private waiters: ConnectWaiter[] = [];
  private readonly listeners = new Set<(state: ConnectionState, error?: CallError) => void>();
  private readonly authority: string;
  private readonly options: ConnectionOptions;

  /**
   * @param endpoint - where to connect (see `parseEndpoint`).
   * @param options - keep-alive, size limit, connect timeout and TLS settings.
   * @throws RangeError for a negative or non-finite time or size.
   */
  constructor(endpoint: Endpoint, options: ConnectionOptions) {
    checkOption('keepAliveTime', options.keepAliveTime, 0);
    checkOption('keepAliveTimeout', options.keepAliveTimeout, 1);
    checkOption('maxRecvMsgSize', options.maxRecvMsgSize, 0);
    if (options.connectTimeout !== undefined) checkOption('connectTimeout', options.connectTimeout, 1);
    this.endpoint = endpoint;
    this.options = { ...options };
    this.authority = endpointAuthority(endpoint);
  }

  /** The current state; see `ConnectionState`. */
  get state(): ConnectionState {
    return this.stateValue;
  }

  ready(deadline?: number, signal?: AbortSignal): Promise<void> {
    if (this.stateValue === 'ready') return Promise.resolve();
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const waiter = new ReadyWaiter(this.endpoint.url, resolve, reject, deadline, signal);
      this.dispatch(waiter);
    });
  }

  unary(path: string, request: Uint8Array, options?: CallOptions): Promise<Uint8Array> {
    return new Promise<Uint8Array>((resolve, reject) => {
      const call = new UnaryCall(path, request, options, this.options.maxRecvMsgSize, resolve, reject);
      if (call.arm()) this.dispatch(call);
    });
  }

  serverStream(path: string, request: Uint8Array, handlers: StreamHandlers, options?: CallOptions): Stream {
    const call = new StreamCall(path, request, handlers, options, this.options.maxRecvMsgSize);
    if (call.arm()) this.dispatch(call);
    return call;
  }

  bidi(path: string, handlers: StreamHandlers, options?: CallOptions): Stream {
    const call = new StreamCall(path, undefined, handlers, options, this.options.maxRecvMsgSize);
    if (call.arm()) this.dispatch(call);
    return call;
  }

  onStateChange(listener: (state: ConnectionState, error?: CallError) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  close(): Promise<void> {
    if (this.stateValue !== 'closed') {
      this.transition('closed', new CallError(Status.UNAVAILABLE, `connection to ${this.endpoint.url} closed by the client`, true));
    }
    const closing: Promise<void>[] = [];
    for (const session of this.sessions) closing.push(session.closed);
    return Promise.all(closing).then(() => undefined);
  }

  /** Starts a call (or ready waiter) now, or queues it for the connection attempt. */
  private dispatch(waiter: ConnectWaiter): void {
    switch (this.stateValue) {
      case 'ready':
        waiter.onConnected(this.current!);
        return;
      case 'connecting':
        this.waiters.push(waiter);
        return;
      case 'closed': {
        const error = new CallError(Status.UNAVAILABLE, `connection to ${this.endpoint.url} is closed`, false);
        queueMicrotask(() => waiter.onConnectFailed(error));
        return;
      }
      default:
        this.waiters.push(waiter);
        this.transition('connecting');
    }
  }

  /**
   * The one place where the state changes. Effects of entering a state:
   * - connecting: open a session;
   * - ready: start every waiting call;
   * - idle / failing: drop the current session (it drains or is dying) and fail the waiters
   *   (always with sent = false: their calls never started);
   * - closed: fail the waiters and destroy every session.
   * Listeners hear of the change after its effects.
   */
  private transition(to: ConnectionState, error?: CallError): void {
    const from = this.stateValue;
    if (!TRANSITIONS[from].includes(to)) {
      throw new Error(`etcd-ts transport bug: connection to ${this.endpoint.url} cannot go from ${from} to ${to}`);
    }
    this.stateValue = to;
    let next: CallError | undefined;
    switch (to) {
      case 'connecting':
        try {
          const session = new Session(this, this.authority, this.options);
          this.current = session;
          this.sessions.add(session);
        } catch (cause) {
          next = new CallError(Status.UNAVAILABLE, `cannot connect to ${this.endpoint.url}: ${describeError(cause)}`, false, {}, { cause });
        }
        break;
      case 'ready': {
        const link = this.current!;
        const waiters = this.waiters;
        this.waiters = [];
        for (const waiter of waiters) waiter.onConnected(link);
        break;
      }
      case 'idle':
      case 'failing':
      case 'closed': {
        this.current = undefined;
        const waiters = this.waiters;
        this.waiters = [];
        const failure = error ?? new CallError(Status.UNAVAILABLE, `connection to ${this.endpoint.url} ended`, false);
        if (waiters.length > 0) {
          const notSent = failure.sent
            ? new CallError(failure.code, failure.details, false, failure.metadata, { cause: failure.cause ?? failure })
            : failure;
          for (const waiter of waiters) waiter.onConnectFailed(notSent);
        }
        if (to === 'closed') for (const session of this.sessions) session.fail(failure);
        break;
      }
    }
    for (const listener of this.listeners) {
      try {
        listener(to, error);
      } catch (listenerError) {
        // A listener's bug must not leave the state machine half-way; report it like an emitter would.
        queueMicrotask(() => {
          throw listenerError;
        });
      }
    }
    if (next !== undefined) this.transition('failing', next);
  }

  /** @internal The server's SETTINGS arrived. */
  sessionReady(session: Session): void {
    if (session === this.current && this.stateValue === 'connecting') this.transition('ready');
  }

  /** @internal The server sent GOAWAY: take the session out of use. */
  sessionGoaway(session: Session, failure: CallError): void {
    if (session !== this.current) return;
    if (this.stateValue === 'connecting') this.transition('failing', this.connectError(failure));
    else if (this.stateValue === 'ready') this.transition(session.failure === undefined ? 'idle' : 'failing', failure);
  }

  /** @internal The session is being destroyed because of `failure` (keep-alive, connect timeout, close). */
  sessionFailed(session: Session, failure: CallError): void {
    if (session !== this.current) return;
    if (this.stateValue === 'connecting') this.transition('failing', this.connectError(failure));
    else if (this.stateValue === 'ready') this.transition('failing', failure);
  }

  /** @internal The session closed. */
  sessionClosed(session: Session): void {
    this.sessions.delete(session);
    if (session !== this.current) return;
    const cause = session.failure ?? session.error;
    if (this.stateValue === 'connecting') {
      this.transition('failing', this.connectError(cause));
    } else if (this.stateValue === 'ready') {
      // Closed without a GOAWAY first (a GOAWAY would have taken it out of use already): the
      // server went away or the link broke.
      this.transition(
        'failing',
        cause instanceof CallError
          ? cause
          : new CallError(
              Status.UNAVAILABLE,
              `connection to ${this.endpoint.url} lost: ${cause === undefined ? 'closed by the server' : cause.message}`,
              true,
              {},
              { cause },
            ),
      );
    }
  }

  /** The error calls waiting for a failed connection attempt get: UNAVAILABLE, sent = false. */
  private connectError(cause: Error | undefined): CallError {
    const reason =
      cause === undefined ? 'connection closed' : cause instanceof CallError ? cause.details : cause.message.trim();
    return new CallError(Status.UNAVAILABLE, `cannot connect to ${this.endpoint.url}: ${reason}`, false, {}, { cause });
  }
}

function checkOption(name: string, value: number, min: number): void {
  if (typeof value !== 'number' || !(value >= min) || value === Infinity) {
    throw new RangeError(`connection option ${name} must be a finite number >= ${min}, got ${String(value)}`);
  }
}
