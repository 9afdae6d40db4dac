/**
 * One connection to one endpoint, as an explicit state machine over HTTP/2 sessions (session.ts):
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
 * Keep-alive (keepalive.ts) fails a session whose peer stops answering. A GOAWAY takes the session
 * out of use at once (new calls open a new session); streams the server did not process (above its
 * last stream id) fail with sent = false; the others finish normally. A GOAWAY `too_many_pings`
 * doubles the keep-alive interval of later sessions, as grpc-go does. Before a session runs out of
 * stream ids (2^31 - 1) its replacement is opened; calls move to it once it is ready and the old
 * one closes when its last stream ends: no call fails because of it.
 */
import { endpointAuthority } from './endpoint.js';
import { ErrorCode } from './h2/errors.js';
import { MAX_STREAM_ID } from './h2/frames.js';
import { DEFAULT_CONNECT_TIMEOUT, Session, type SessionOwner } from './session.js';
import type { H2Stream } from './stream.js';
import { describeError, StreamCall, UnaryCall, type ConnectWaiter } from './call.js';
import { clampDelay } from '../internal/timers.js';
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

export { DEFAULT_CONNECT_TIMEOUT };

/** Which state may follow which. */
const TRANSITIONS: { readonly [S in ConnectionState]: readonly ConnectionState[] } = {
  idle: ['connecting', 'closed'],
  connecting: ['ready', 'failing', 'closed'],
  ready: ['idle', 'failing', 'closed'],
  failing: ['connecting', 'closed'],
  closed: [],
};

function onReadyDeadline(waiter: ReadyWaiter): void {
  waiter.expire();
}

/** A pending `ready()` promise. */
class ReadyWaiter implements ConnectWaiter {
  private done = false;
  private timer: ReturnType<typeof setTimeout> | undefined = undefined;

  constructor(
    private readonly url: string,
    private readonly resolve: () => void,
    private readonly reject: (reason: unknown) => void,
    private readonly deadline: number | undefined,
    private readonly signal: AbortSignal | undefined,
  ) {
    if (signal !== undefined) signal.addEventListener('abort', this);
    if (deadline !== undefined) this.timer = setTimeout(onReadyDeadline, clampDelay(deadline - Date.now()), this);
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
      this.timer = setTimeout(onReadyDeadline, clampDelay(remaining), this);
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
 * `Connection` over our own HTTP/2: one session at a time in use per endpoint (sessions that got
 * a GOAWAY, or were replaced, drain in the background), lazy connect, keep-alive, GOAWAY handling,
 * stream-id rollover, TLS through `node:tls`. See the file comment for the state machine.
 */
export class Http2Connection implements Connection, SessionOwner {
  readonly endpoint: Endpoint;
  private stateValue: ConnectionState = 'idle';
  /** The session in use: set in connecting and ready, undefined otherwise. */
  private current: Session | undefined = undefined;
  /** A session opened to replace `current` before its stream ids run out. */
  private replacement: Session | undefined = undefined;
  /** Every session not yet closed (the current one, a replacement, draining ones). */
  private readonly sessions = new Set<Session>();
  private waiters: ConnectWaiter[] = [];
  private readonly listeners = new Set<(state: ConnectionState, error?: CallError) => void>();
  private readonly authority: string;
  private readonly options: ConnectionOptions;
  /** Keep-alive interval of new sessions, ms: doubled by each GOAWAY `too_many_pings`. */
  private keepAliveTime: number;

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
    const first = options.firstStreamId;
    if (first !== undefined && (!Number.isInteger(first) || first % 2 !== 1 || first < 1 || first > MAX_STREAM_ID)) {
      throw new RangeError(`connection option firstStreamId must be an odd integer 1-${MAX_STREAM_ID}, got ${String(first)}`);
    }
    this.endpoint = endpoint;
    this.options = { ...options };
    this.keepAliveTime = options.keepAliveTime;
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
      case 'ready': {
        const session = this.current!;
        if (session.acceptsStreams) waiter.onConnected(session);
        else this.waiters.push(waiter); // stream ids ran out: waits for the replacement
        return;
      }
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

  private newSession(): Session {
    const session = new Session(this, {
      endpoint: this.endpoint,
      connection: this.options,
      authority: this.authority,
      keepAliveTime: this.keepAliveTime,
      firstStreamId: this.options.firstStreamId ?? 1,
    });
    this.sessions.add(session);
    return session;
  }

  /**
   * The one place where the state changes. Effects of entering a state:
   * - connecting: open a session;
   * - ready: start every waiting call;
   * - idle / failing: drop the current session (it drains or is dying) and fail the waiters
   *   (always with sent = false: their calls never started);
   * - closed: fail the waiters and close every session.
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
          this.current = this.newSession();
        } catch (cause) {
          next = new CallError(Status.UNAVAILABLE, `cannot connect to ${this.endpoint.url}: ${describeError(cause)}`, false, {}, { cause });
        }
        break;
      case 'ready':
        this.startWaiters(this.current!);
        break;
      case 'idle':
      case 'failing':
      case 'closed': {
        this.current = undefined;
        const replacement = this.replacement;
        this.replacement = undefined;
        const waiters = this.waiters;
        this.waiters = [];
        const failure = error ?? new CallError(Status.UNAVAILABLE, `connection to ${this.endpoint.url} ended`, false);
        if (waiters.length > 0) {
          const notSent = failure.sent
            ? new CallError(failure.code, failure.details, false, failure.metadata, { cause: failure.cause ?? failure })
            : failure;
          for (const waiter of waiters) waiter.onConnectFailed(notSent);
        }
        if (to === 'closed') {
          for (const session of this.sessions) void session.close(failure);
        } else {
          if (replacement !== undefined) void replacement.close(failure);
        }
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

  private startWaiters(session: Session): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter.onConnected(session);
  }

  /** @internal The server's SETTINGS arrived. */
  sessionReady(session: Session): void {
    if (session === this.current && this.stateValue === 'connecting') {
      this.transition('ready');
      return;
    }
    if (session === this.replacement && this.stateValue === 'ready') {
      // The replacement takes over; the old session closes once its streams are done.
      const old = this.current!;
      this.replacement = undefined;
      this.current = session;
      old.drainAndClose();
      this.startWaiters(session);
    }
  }

  /** @internal The server sent GOAWAY: take the session out of use. */
  sessionGoaway(session: Session, code: number, debug: string, failure: CallError | undefined): void {
    if (code === ErrorCode.ENHANCE_YOUR_CALM && debug === 'too_many_pings' && this.keepAliveTime > 0) {
      // grpc-go: the server thinks we ping too often; ping half as often from now on.
      this.keepAliveTime = Math.min(this.keepAliveTime * 2, 2 ** 31 - 1);
    }
    if (session === this.replacement) {
      this.replacement = undefined;
      return;
    }
    if (session !== this.current) return;
    const error = failure ?? new CallError(Status.UNAVAILABLE, `${this.endpoint.url} sent GOAWAY${debug.length > 0 ? ` (${debug})` : ''}`, false);
    if (this.stateValue === 'connecting') this.transition('failing', notSent(error));
    else if (this.stateValue === 'ready') this.transition(failure === undefined ? 'idle' : 'failing', error);
  }

  /** @internal The session failed (socket, protocol error, keep-alive timeout, connect timeout). */
  sessionFailed(session: Session, failure: CallError): void {
    if (session === this.replacement) {
      this.replacement = undefined;
      // Try again with the next exhaustion report, or fail the calls waiting if no ids are left.
      if (this.current !== undefined && !this.current.acceptsStreams && this.stateValue === 'ready') {
        this.transition('failing', notSent(failure));
      }
      return;
    }
    if (session !== this.current) return;
    if (this.stateValue === 'connecting') this.transition('failing', notSent(failure));
    else if (this.stateValue === 'ready') this.transition('failing', failure);
  }

  /** @internal The session's socket closed. */
  sessionClosed(session: Session): void {
    this.sessions.delete(session);
  }

  /** @internal Few stream ids left on `session`: open its replacement now. */
  sessionExhausting(session: Session): void {
    if (session !== this.current || this.stateValue !== 'ready' || this.replacement !== undefined) return;
    this.replacement = this.newSession();
  }

  /** @internal A stream the session could not open: dispatch it again. */
  requeue(stream: H2Stream): void {
    this.dispatch(stream);
  }
}

/** `error` with sent = false (calls waiting for a connection never started). */
function notSent(error: CallError): CallError {
  return error.sent ? new CallError(error.code, error.details, false, error.metadata, { cause: error.cause ?? error }) : error;
}

function checkOption(name: string, value: number, min: number): void {
  if (typeof value !== 'number' || !(value >= min) || value === Infinity) {
    throw new RangeError(`connection option ${name} must be a finite number >= ${min}, got ${String(value)}`);
  }
}
