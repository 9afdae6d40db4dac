/**
 * The one etcd `Watch.Watch` stream a client's watches share, and its resumption.
 *
 * Multiplexing. Every watch is a create request on the stream; they are written at once, without
 * waiting for each other's answer. etcd handles a stream's requests one at a time and answers each
 * create with one `created` response, in request order (etcd 3.4 `serverWatchStream.recvLoop`, which
 * assigns IDs itself), so the stream matches `created` responses to its create requests first in,
 * first out and learns each watch's ID from it; events then arrive tagged with that ID. (The
 * request's own `watch_id` field is not used: servers before 3.4 ignore it.) A response with ID -1
 * and no `created` flag is the answer to a progress request and goes to every watch of the stream.
 *
 * Resumption. When the stream ends for a transient reason (connection lost, member stopped, no
 * leader, the server closing it), it is opened again after a backoff (the rpc layer picks the
 * endpoint and fails over) and every watch is created again from its resume point: the revision
 * after the last event it received, or after a periodic progress notification when that is later.
 * Events are never delivered twice (a watch also skips any event below its resume point) nor lost
 * (unless compacted: the watch then ends with `CompactedError`). Any other end of the stream (a
 * closed client, permission denied, a response too large ...) ends every watch with that error.
 *
 * Auth. etcd checks a watch's permission with the token the stream was opened with, at each create;
 * an expired or invalid token gets the same answer as a denied key (etcd 3.4: `created` and
 * `canceled`, no reason). So a refused create first renews the token (`rpc.refreshToken`; one
 * renewal shared by the watches refused meanwhile) and re-opens the stream, which carries the new
 * token, re-creating every watch from its resume point. A watch ends with `PermissionDeniedError`
 * only when it is refused again on a stream opened after that renewal completed: a stream that
 * re-opened while the renewal was in flight (a broken connection) carried the old token, so a
 * refusal there renews again instead.
 *
 * The stream is closed once no watch uses it (and etcd answered its cancel requests), and opened
 * again by the next watch.
 *
 * Require-leader. A client has up to three such streams (watch.ts), one per kind of watch:
 * watches without their own `requireLeader` (the stream carries `hasleader` when the client's
 * `requireLeader` option is set, and a `NoLeaderError` end is transient: the watches resume on
 * another member); watches with `requireLeader: true` (the stream always carries `hasleader`, and
 * etcd ending it with `NoLeaderError` ends them with it, as clientv3 ends a `WithRequireLeader`
 * watch); watches with `requireLeader: false` (no `hasleader`, whatever the client's option).
 */
import {
  AuthOldRevisionError,
  CanceledError,
  ClientClosedError,
  EtcdError,
  EtcdServerError,
  InvalidAuthTokenError,
  NoAvailableEndpointsError,
  PermissionDeniedError,
  WatchCanceledError,
  NoLeaderError,
  isUnavailableError,
} from '../errors/index.js';
import { startTimer, type TimerHandle } from '../internal/timers.js';
import { Watch as WatchMethods } from '../proto/index.js';
import type { Init, Method, WatchRequest } from '../proto/index.js';
import type { Rpc, RpcStream, StreamCallOptions } from '../rpc/types.js';
import type { ResponseHeader } from '../types.js';
import { Status } from '../transport/types.js';
import { decodeWatchMessage, type WatchMessage } from './decode.js';
import { WATCH_RETRY_BASE_MS, WATCH_RETRY_JITTER_FRACTION, WATCH_RETRY_MAX_MS } from './defaults.js';
import type { WatchCreateRequestInit } from './request.js';

type WatchRequestInit = Init<WatchRequest>;

/** etcd `Watch.Watch`, its responses decoded straight into the public types (decode.ts). */
const WATCH: Method<WatchRequestInit, WatchMessage> = { ...WatchMethods.watch, decode: decodeWatchMessage };

/**
 * One watch as the stream drives it (implemented by `WatchHandle`, watcher.ts, which hands the
 * responses to its user): the stream tells it what happened to its create request and hands it
 * the responses of its ID; the watch keeps its own resume point.
 */
export interface StreamWatch {
  /** Whether the watch still receives from the server. */
  readonly open: boolean;
  /** Its ID on the current stream, -1 while it has none. */
  readonly id: number;
  /** True while its create request is on the current stream, awaiting etcd's answer. */
  readonly pending: boolean;
  /** The create request, from the watch's resume point. */
  createRequest(): WatchCreateRequestInit;
  /** The create request went out on the current stream. */
  onCreateSent(): void;
  /** etcd answered the create request (created, or refused). */
  onCreateAnswered(): void;
  /** etcd created it under `id`. */
  onCreated(id: number, header: ResponseHeader): void;
  /** A response with its ID: events, a fragment, or a progress notification of its own. */
  onResponse(r: WatchMessage): void;
  /** A progress notification for the whole stream. */
  onStreamProgress(header: ResponseHeader): void;
  /** The server cancelled it (or refused its creation): `r` is the last response. */
  onServerCancel(r: WatchMessage): void;
  /** No longer on the stream under its ID (cancel sent, or cancelled by the server). */
  onRemoved(): void;
  /** The stream it was on ended; it is created again on the next one. */
  onStreamEnd(): void;
  /** It cannot go on: it ends with `error`. */
  fail(error: unknown): void;
  /** etcd confirmed its cancellation, or the stream that held it is gone. */
  cancelConfirmed(): void;
  /** Cancels it as its user would (see `Watcher.cancel`). */
  cancel(): Promise<void>;
}

/**
 * `cancel_reason`s of a refused create that may mean "token expired or invalid" rather than "key not
 * permitted": none (etcd 3.4), permission denied (3.5 answers an invalid token so), and the token errors.
 */
const AUTH_REFUSALS: ReadonlySet<string> = new Set([
  '',
  PermissionDeniedError.serverMessage,
  InvalidAuthTokenError.serverMessage,
  AuthOldRevisionError.serverMessage,
]);

const PROGRESS_REQUEST: WatchRequestInit = Object.freeze({ requestUnion: { $case: 'progressRequest', value: {} } }) as WatchRequestInit;

/**
 * Whether the watch stream may be opened again after ending with `error` (undefined: the server
 * ended it with OK). Transient: anything meaning "unavailable" (a lost connection, no endpoint
 * ready within `dialTimeout`, no leader, a stopping member), the server cancelling the stream, and
 * gRPC's INTERNAL / UNKNOWN / ABORTED / DEADLINE_EXCEEDED without a known etcd message. Not: a
 * closed client, a known etcd error with another meaning (permission denied, invalid auth token
 * ...), a response over `maxCallRecvMsgSize`, or an error that is not an `EtcdError` (a bug).
 */
export function isTransientStreamError(error: Error | undefined): boolean {
  if (error === undefined) return true;
  if (error instanceof ClientClosedError) return false;
  if (error instanceof NoAvailableEndpointsError || isUnavailableError(error)) return true;
  if (error instanceof CanceledError || error instanceof WatchCanceledError) return true;
  if (error instanceof EtcdServerError || !(error instanceof EtcdError)) return false;
  switch (error.code) {
    case Status.CANCELLED:
    case Status.UNKNOWN:
    case Status.INTERNAL:
    case Status.ABORTED:
    case Status.DEADLINE_EXCEEDED:
      return true;
    default:
      return false;
  }
}

/**
 * Wait before reopening the stream after `failures` failed attempts in a row (>= 1), in ms:
 * {@link WATCH_RETRY_BASE_MS} doubled per failure up to {@link WATCH_RETRY_MAX_MS}, +-20%.
 */
export function watchRetryDelay(failures: number, random: () => number = Math.random): number {
  const base = Math.min(WATCH_RETRY_MAX_MS, WATCH_RETRY_BASE_MS * 2 ** Math.min(20, failures - 1));
  return base * (1 - WATCH_RETRY_JITTER_FRACTION + 2 * WATCH_RETRY_JITTER_FRACTION * random());
}

/** Which watches a {@link WatchStream} carries (see the file comment, "Require-leader"). */
export interface WatchStreamOptions {
  /**
   * The watches' own `requireLeader`: undefined for the client's option (a `NoLeaderError` end
   * resumes the watches elsewhere), true or false to send `hasleader` or not (with true, a
   * `NoLeaderError` end ends the watches with it).
   */
  requireLeader?: boolean;
}

/** The shared watch stream of one client (see the file comment). */
export class WatchStream {
  readonly #rpc: Rpc;
  /** Options of the `Watch.Watch` call: the watches' own `requireLeader`, if any. */
  readonly #callOptions: StreamCallOptions | undefined;
  /** A `NoLeaderError` end of the stream ends its watches (`requireLeader: true` watches). */
  readonly #endOnNoLeader: boolean;
  #call: RpcStream<WatchRequestInit> | undefined = undefined;
  /** Incremented whenever the current call is let go; callbacks of older calls are ignored. */
  #generation = 0;
  /** Created watches by their ID on the current call. */
  readonly #active = new Map<number, StreamWatch>();
  /** Watches whose create request was written on the current call, awaiting `created`, in order. */
  #pending: Array<StreamWatch | undefined> = [];
  #pendingHead = 0;
  /** Watches to create when the stream opens (again). */
  #waiting: StreamWatch[] = [];
  /** Watches cancelled on the current call, by ID, until etcd confirms. */
  readonly #cancelling = new Map<number, StreamWatch>();
  /** Watches still receiving (not cancelled, not ended); the stream closes when none is left. */
  readonly #live = new Set<StreamWatch>();
  #progressWanted = false;
  #failures = 0;
  #timer: TimerHandle | undefined = undefined;
  /** Token renewals this stream made that completed. */
  #renewals = 0;
  /** {@link #renewals} when the current call was opened: its token is at least that new. */
  #callRenewals = 0;
  /** A token renewal is in flight. */
  #renewing = false;
  /**
   * Watches refused for their token since their last successful create, each with the renewal
   * ({@link #renewals}) that answered the refusal (see the file comment).
   */
  readonly #authRetried = new WeakMap<StreamWatch, number>();
  /** Refused watches waiting for the token renewal in flight, with the refusal. */
  #authWaiting: Array<[StreamWatch, WatchMessage]> = [];

  /**
   * @param rpc the client's call layer
   * @param options which watches the stream carries: their `requireLeader`, if their own
   */
  constructor(rpc: Rpc, options: WatchStreamOptions = {}) {
    this.#rpc = rpc;
    this.#callOptions = options.requireLeader === undefined ? undefined : { requireLeader: options.requireLeader };
    this.#endOnNoLeader = options.requireLeader === true;
  }

  /** Number of watches receiving on this stream (for tests and diagnostics). */
  get size(): number {
    return this.#live.size;
  }

  /** Starts a watch: its create request goes out now, or when the stream (re)opens. */
  add(handle: StreamWatch): void {
    if (!handle.open) return;
    this.#live.add(handle);
    if (this.#call !== undefined) {
      this.#create(handle);
      return;
    }
    this.#waiting.push(handle);
    if (this.#timer === undefined) this.#open();
  }

  /**
   * Stops a watch the user cancelled (or that fell behind): a cancel request for a created watch;
   * for one whose `created` answer is on the way, the request goes when it arrives.
   */
  cancelWatch(handle: StreamWatch): void {
    const id = handle.id;
    let confirmLater = false;
    if (id >= 0 && this.#active.get(id) === handle) {
      this.#active.delete(id);
      handle.onRemoved();
      this.#sendCancel(id, handle);
      confirmLater = true;
    } else {
      const i = this.#waiting.indexOf(handle);
      if (i >= 0) this.#waiting.splice(i, 1);
      else confirmLater = handle.pending;
    }
    if (!confirmLater) handle.cancelConfirmed();
    this.#release(handle);
  }

  /**
   * Cancels every watch still receiving, as each one's `cancel()`: resolves once etcd confirmed
   * them all (or the stream is gone); the stream then closes. Never rejects.
   */
  cancelAll(): Promise<void> {
    return Promise.all([...this.#live].map((handle) => handle.cancel())).then(() => undefined);
  }

  /** Asks etcd for a progress notification for the stream (sent when the stream is next open). */
  requestProgress(): void {
    if (this.#call === undefined) {
      this.#progressWanted = true;
      return;
    }
    try {
      this.#call.write(PROGRESS_REQUEST);
    } catch {
      // The stream is going away; its end re-creates the watches.
    }
  }

  // --- the call --------------------------------------------------------------------------------------

  #open(): void {
    const generation = ++this.#generation;
    this.#callRenewals = this.#renewals;
    this.#call = this.#rpc.bidi(WATCH, {
      onMessage: (message) => {
        if (generation === this.#generation) this.#onMessage(message);
      },
      onEnd: (error) => {
        if (generation === this.#generation) this.#onEnd(error);
      },
    }, this.#callOptions);
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const handle of waiting) this.#create(handle);
    if (this.#progressWanted && this.#call !== undefined) {
      this.#progressWanted = false;
      this.requestProgress();
    }
  }

  /** Writes the create request of `handle` from its resume point. */
  #create(handle: StreamWatch): void {
    if (!handle.open) return;
    try {
      this.#call!.write({ requestUnion: { $case: 'createRequest', value: handle.createRequest() } });
    } catch (error) {
      // Over maxCallSendMsgSize (a huge key): this watch alone fails.
      this.#release(handle);
      handle.fail(error);
      return;
    }
    handle.onCreateSent();
    this.#pending.push(handle);
  }

  #sendCancel(id: number, handle: StreamWatch): void {
    if (this.#call === undefined) return;
    this.#cancelling.set(id, handle);
    try {
      this.#call.write({ requestUnion: { $case: 'cancelRequest', value: { watchId: BigInt(id) } } });
    } catch {
      // The stream is going away, and the watch with it.
    }
  }

  #onMessage(r: WatchMessage): void {
    this.#failures = 0;
    if (r.created) {
      const handle = this.#pending[this.#pendingHead];
      if (handle === undefined) return; // not an answer to one of ours: nothing to match
      this.#pending[this.#pendingHead++] = undefined;
      handle.onCreateAnswered();
      if (this.#pendingHead === this.#pending.length) {
        this.#pending = [];
        this.#pendingHead = 0;
      }
      const id = r.watchId;
      if (r.canceled || id < 0) {
        // Refused at creation (permission denied, invalid token, bad range): the watch ends, unless
        // a renewed token may change the answer: a first refusal, or one on a stream opened before
        // the renewal made for this watch's last refusal had completed (it carried the old token).
        if (handle.open && r.compactRevision === 0 && AUTH_REFUSALS.has(bareReason(r.cancelReason))) {
          const renewedAt = this.#authRetried.get(handle);
          if (renewedAt === undefined || this.#callRenewals < renewedAt) {
            this.#reauthenticate(handle, r);
            return;
          }
          this.#release(handle);
          handle.onServerCancel(denied(r));
        } else if (handle.open) {
          this.#release(handle);
          handle.onServerCancel(r);
        } else {
          handle.cancelConfirmed();
          this.#closeIfIdle();
        }
        return;
      }
      if (!handle.open) {
        this.#sendCancel(id, handle); // cancelled by its user while the create was on the way
        return;
      }
      this.#authRetried.delete(handle);
      this.#active.set(id, handle);
      handle.onCreated(id, r.header);
      return;
    }
    const id = r.watchId;
    if (id === -1) {
      for (const handle of this.#active.values()) handle.onStreamProgress(r.header);
      return;
    }
    const handle = this.#active.get(id);
    if (handle === undefined) {
      // A watch cancelled on our side: the confirmation, or events sent before it.
      if (r.canceled) {
        const cancelled = this.#cancelling.get(id);
        if (cancelled !== undefined) {
          this.#cancelling.delete(id);
          cancelled.cancelConfirmed();
          this.#closeIfIdle();
        }
      }
      return;
    }
    if (r.canceled) {
      this.#active.delete(id);
      handle.onRemoved();
      this.#release(handle);
      handle.onServerCancel(r);
      return;
    }
    handle.onResponse(r);
  }

  #onEnd(error: Error | undefined): void {
    this.#call = undefined;
    this.#generation++;
    for (const handle of this.#cancelling.values()) handle.cancelConfirmed();
    this.#cancelling.clear();
    const again: StreamWatch[] = [];
    for (let i = this.#pendingHead; i < this.#pending.length; i++) {
      const handle = this.#pending[i]!;
      handle.onStreamEnd();
      if (handle.open) again.push(handle);
      else handle.cancelConfirmed();
    }
    this.#pending = [];
    this.#pendingHead = 0;
    for (const handle of this.#active.values()) {
      handle.onStreamEnd();
      again.push(handle);
    }
    this.#active.clear();
    for (const handle of again) this.#waiting.push(handle);
    if (this.#waiting.length === 0) return;
    if (!isTransientStreamError(error) || (this.#endOnNoLeader && error instanceof NoLeaderError)) {
      const failed = this.#waiting;
      this.#waiting = [];
      for (const handle of failed) {
        this.#release(handle);
        handle.fail(error);
      }
      return;
    }
    this.#failures++;
    this.#timer = startTimer(() => {
      this.#timer = undefined;
      if (this.#waiting.length > 0 && this.#call === undefined) this.#open();
    }, watchRetryDelay(this.#failures));
  }

  /**
   * A create refused, perhaps for the stream's token: renew the token (one renewal shared by every
   * watch refused meanwhile), then re-open the stream with it and re-create every watch. Without
   * credentials (`refreshToken` resolves false) or when the renewal fails, the refused watches end
   * (`PermissionDeniedError`, or the renewal's error).
   */
  #reauthenticate(handle: StreamWatch, refusal: WatchMessage): void {
    this.#authWaiting.push([handle, refusal]);
    if (this.#renewing) return; // it joins the renewal in flight
    this.#renewing = true;
    void this.#rpc.refreshToken().then(
      (refreshed) => this.#afterRefresh(refreshed, undefined),
      (error: unknown) => this.#afterRefresh(false, error),
    );
  }

  #afterRefresh(refreshed: boolean, error: unknown): void {
    this.#renewing = false;
    const refused = this.#authWaiting.filter(([handle]) => handle.open);
    this.#authWaiting = [];
    if (!refreshed) {
      for (const [handle, r] of refused) {
        this.#release(handle);
        if (error !== undefined) handle.fail(error);
        else handle.onServerCancel(denied(r));
      }
      return;
    }
    const renewal = ++this.#renewals;
    if (refused.length === 0) return;
    for (const [handle] of refused) {
      this.#authRetried.set(handle, renewal);
      this.#waiting.push(handle);
    }
    const call = this.#call;
    if (call !== undefined) {
      // Any open stream was opened before this renewal completed (also one re-opened while it was
      // in flight): it carries the old token. Let it go (as if it had ended) and open a new one.
      this.#onEnd(undefined);
      call.cancel();
    } else if (this.#timer === undefined) {
      this.#open();
    }
    // Else a re-open is scheduled (backoff after a broken stream): it will carry the new token.
  }

  /** `handle` no longer receives; the stream closes when it was the last (see {@link #closeIfIdle}). */
  #release(handle: StreamWatch): void {
    if (!this.#live.delete(handle)) return;
    this.#closeIfIdle();
  }

  /**
   * Closes the stream once no watch receives on it and etcd has answered every cancel and create
   * request on it (so a resolved `cancel()` means etcd dropped the watch). The call is cancelled, not
   * half-closed: etcd 3.4 keeps a half-closed watch stream open.
   */
  #closeIfIdle(): void {
    if (this.#live.size > 0 || this.#cancelling.size > 0 || this.#pendingHead < this.#pending.length) return;
    this.#timer?.cancel();
    this.#timer = undefined;
    const call = this.#call;
    this.#call = undefined;
    this.#generation++;
    this.#pending = [];
    this.#pendingHead = 0;
    this.#active.clear();
    this.#waiting = [];
    this.#progressWanted = false;
    call?.cancel();
  }
}

/**
 * etcd's message in a `cancel_reason`: etcd 3.4.23 sends a gRPC error's text
 * (`rpc error: code = PermissionDenied desc = etcdserver: permission denied`); the prefix is dropped.
 */
function bareReason(reason: string): string {
  return reason.replace(/^rpc error: code = \w+ desc = /, '');
}

/**
 * A refused create as the watch's end: the bare etcd message (so it maps to its error class), and
 * a refusal without a reason (etcd 3.4 before 3.4.23) as what it means once the token is known good:
 * permission denied.
 */
function denied(r: WatchMessage): WatchMessage {
  const reason = bareReason(r.cancelReason);
  return { ...r, cancelReason: reason === '' ? PermissionDeniedError.serverMessage : reason };
}
