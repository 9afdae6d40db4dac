/**
 * The keep-alive machinery of the Lease service: one `Lease.LeaseKeepAlive` bidi stream per client
 * that renews every lease kept alive through it, and the iterable each `keepAlive()` returns.
 *
 * How it works (the Go client's `lessor`, with loss always reported):
 * - Each lease kept alive has one entry, shared by every `keepAlive()` of that ID (each gets every
 *   response) and by `keepAliveOnce()` calls waiting for a renewal.
 * - A renewal request is written for a lease when it has no request in flight and its next renewal
 *   time has come: at once for a new lease, then TTL/3 after each response (Go's schedule).
 * - etcd answers the requests of one stream in order, so each response is matched to the oldest
 *   request of its lease still in flight. The lease's deadline becomes that request's send time
 *   plus the TTL: the server renewed it after that moment, so the deadline is never later than
 *   the server's expiry. Before the first response the deadline is
 *   {@link FIRST_KEEPALIVE_TIMEOUT_MS} (Go: dial timeout + 1 s).
 * - A response with TTL <= 0 means the lease is gone: its iterables throw `LeaseNotFoundError`.
 *   A deadline that passes without a renewal ends them with `LeaseKeepAliveHaltedError`.
 * - When the stream fails, it is opened again after a backoff ({@link KEEPALIVE_REOPEN_BACKOFF_MS}
 *   doubling up to {@link KEEPALIVE_REOPEN_BACKOFF_MAX_MS}); the rpc layer picks a working
 *   endpoint for the new stream, and every lease is renewed on it at once. Leases whose deadline
 *   has not passed keep being renewed across the failover.
 * - A member that stops answering without closing anything (SIGSTOP, a black hole) is left only
 *   when the connection's keep-alive PINGs fail (`keepAliveTime` + `keepAliveTimeout`, 6 + 4 s by
 *   default). A lease whose deadline passes before that (a TTL under about 10 s) is reported lost
 *   with `LeaseKeepAliveHaltedError`, never silently; one with a longer TTL survives the failover
 *   (test/faults/pause.test.ts checks both).
 * - With no lease left, the stream is cancelled; the next `keepAlive()` opens a new one.
 */
import { performance } from 'node:perf_hooks';

import { checkOptionsObject, checkCallOption, unknownOption } from '../internal/validation.js';
import {
  AuthOldRevisionError,
  ClientClosedError,
  DeadlineExceededError,
  EtcdError,
  InvalidAuthTokenError,
  LeaseKeepAliveHaltedError,
  LeaseNotFoundError,
  isUnavailableError,
} from '../errors/index.js';
import { startTimer, type TimerHandle } from '../internal/timers.js';
import { Lease as LeaseMethods } from '../proto/index.js';
import type { Init, LeaseKeepAliveRequest, LeaseKeepAliveResponse as WireKeepAliveResponse } from '../proto/index.js';
import type { Rpc, RpcStream } from '../rpc/types.js';
import type { CallOptions } from '../types.js';
import type { LeaseKeepAlive, LeaseKeepAliveResponse } from './keepalive-types.js';

/**
 * How long a new keep-alive waits for its first response before it ends with
 * `LeaseKeepAliveHaltedError`, in ms (the TTL is not known before then). Go: `DialTimeout + 1 s`
 * (6 s with the default dial timeout of 5 s).
 */
export const FIRST_KEEPALIVE_TIMEOUT_MS = 6_000;
/** First wait before the keep-alive stream is opened again after a failure, in ms. */
export const KEEPALIVE_REOPEN_BACKOFF_MS = 100;
/** Longest wait between attempts to open the keep-alive stream again, in ms. */
export const KEEPALIVE_REOPEN_BACKOFF_MAX_MS = 2_000;
/**
 * Shortest interval between two scans of the leases (renewals due, deadlines passed), in ms: a
 * bound on the work with many leases; a deadline is noticed at most this late.
 */
export const KEEPALIVE_SCAN_MIN_INTERVAL_MS = 20;

const KEEPALIVE_OPTION_NAMES: readonly string[] = ['signal'];

/** Monotonic milliseconds. */
const now = (): number => performance.now();

/** Hex of a lease ID as etcdctl prints it (`%016x`). */
export function leaseHex(id: bigint): string {
  return id.toString(16).padStart(16, '0');
}

/** The error of a lease the server says is gone (a keep-alive response with TTL <= 0). */
function leaseGone(id: bigint): LeaseNotFoundError {
  const error = new LeaseNotFoundError();
  error.message = `lease ${leaseHex(id)} not found: it expired or was revoked`;
  return error;
}

/** A `keepAliveOnce()` waiting for the answer to its renewal request. */
interface OnceWaiter {
  /** Sequence number of its request on the current stream; 0 = not written yet. */
  seq: number;
  resolve(response: LeaseKeepAliveResponse): void;
  reject(error: unknown): void;
}

/** A renewal request written on the current stream and not answered yet. */
interface InFlight {
  seq: number;
  /** When it was written (monotonic ms). */
  sentAt: number;
}

/** One lease the stream renews, and who waits on it. */
interface LeaseEntry {
  readonly id: bigint;
  /** The `keepAlive()` iterables of this lease. */
  readonly keepers: Set<KeepAliveHandle>;
  /** The `keepAliveOnce()` calls waiting for a renewal. */
  readonly once: Set<OnceWaiter>;
  /** Its requests in flight on the current stream, oldest first. */
  inFlight: InFlight[];
  /** Sequence number of its last request. */
  seq: number;
  /** When the next renewal is due (monotonic ms). */
  nextSendAt: number;
  /** When the lease counts as lost without a renewal (monotonic ms); 0 = not set (no keeper yet). */
  deadline: number;
  /** The TTL of the last response, in seconds (0 before the first). */
  ttl: number;
}

/**
 * The shared keep-alive stream of one client. Internal to the Lease service: use
 * `client.lease.keepAlive()` and `client.lease.keepAliveOnce()`.
 */
export class KeepAliveStream {
  readonly #rpc: Rpc;
  readonly #toResponse: (wire: WireKeepAliveResponse) => LeaseKeepAliveResponse;
  readonly #leases = new Map<bigint, LeaseEntry>();
  /**
   * Requests in flight on the current stream for leases no longer tracked (ID -> count): their
   * answers come first and are skipped, so they are not taken for a newer request's answer.
   */
  readonly #orphans = new Map<bigint, number>();
  #stream: RpcStream<Init<LeaseKeepAliveRequest>> | undefined;
  /** Identity of the current stream; callbacks of older streams are ignored. */
  #token: object | undefined;
  #reopenTimer: TimerHandle | undefined;
  #reopenAttempts = 0;
  #scanTimer: TimerHandle | undefined;
  #scanAt = Infinity;
  #lastScan = -Infinity;
  /** The last error of the stream, kept as the cause of a halted keep-alive. */
  #lastError: Error | undefined;

  /**
   * @param rpc the client's call layer
   * @param toResponse maps a wire response to the public one
   */
  constructor(rpc: Rpc, toResponse: (wire: WireKeepAliveResponse) => LeaseKeepAliveResponse) {
    this.#rpc = rpc;
    this.#toResponse = toResponse;
  }

  /** Number of leases being renewed or waited on (for tests and metrics). */
  get size(): number {
    return this.#leases.size;
  }

  /** Whether a keep-alive stream is open (or being opened) now. */
  get streaming(): boolean {
    return this.#stream !== undefined;
  }

  /**
   * Starts keeping `id` alive for one more iterable. `id` is checked by the caller.
   * @throws InvalidArgumentError for bad `options` (only `signal` is known)
   */
  keepAlive(id: bigint, options: { signal?: AbortSignal } | undefined): KeepAliveHandle {
    const signal = checkKeepAliveOptions(options);
    const handle = new KeepAliveHandle(id, (h) => this.#detach(h));
    if (signal?.aborted) {
      handle.fail(signal.reason);
      return handle;
    }
    const entry = this.#entry(id);
    entry.keepers.add(handle);
    if (entry.deadline === 0) entry.deadline = now() + FIRST_KEEPALIVE_TIMEOUT_MS;
    if (signal !== undefined) handle.watchSignal(signal);
    this.#start();
    return handle;
  }

  /**
   * One renewal of `id` (checked by the caller), answered on the shared stream. Resolves with the
   * response; rejects with `LeaseNotFoundError` when the lease is gone, `DeadlineExceededError`
   * past `timeout`, `signal.reason` when aborted, `ClientClosedError`, or the stream's error when
   * it failed with one that is not transient (e.g. `NoAvailableEndpointsError` after the dial
   * timeout). A stream broken by a transient error is opened again and the renewal re-sent.
   */
  keepAliveOnce(id: bigint, options: CallOptions | undefined): Promise<LeaseKeepAliveResponse> {
    const signal = options?.signal;
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<LeaseKeepAliveResponse>((resolve, reject) => {
      let timer: TimerHandle | undefined;
      const entry = this.#entry(id);
      const settle = (): void => {
        timer?.cancel();
        signal?.removeEventListener('abort', onAbort);
        entry.once.delete(waiter);
        this.#dropIfIdle(entry);
      };
      const waiter: OnceWaiter = {
        seq: 0,
        resolve: (response) => {
          settle();
          resolve(response);
        },
        reject: (error) => {
          settle();
          reject(error);
        },
      };
      const onAbort = (): void => waiter.reject(signal!.reason);
      if (options?.timeout !== undefined) {
        const timeout = options.timeout;
        timer = startTimer(() => waiter.reject(new DeadlineExceededError('keep-alive deadline exceeded', { timeout })), timeout);
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      entry.once.add(waiter);
      this.#start();
    });
  }

  /**
   * Stops every keep-alive (each iterable ends normally, as its own `close()`); renewals asked
   * for by `keepAliveOnce()` calls in flight go on. With nothing left to renew, the stream is
   * cancelled; a later `keepAlive()` opens a new one.
   */
  closeAll(): void {
    for (const entry of [...this.#leases.values()]) {
      for (const keeper of [...entry.keepers]) keeper.close();
    }
  }

  // --- leases -----------------------------------------------------------------------------------

  #entry(id: bigint): LeaseEntry {
    let entry = this.#leases.get(id);
    if (entry === undefined) {
      entry = { id, keepers: new Set(), once: new Set(), inFlight: [], seq: 0, nextSendAt: 0, deadline: 0, ttl: 0 };
      this.#leases.set(id, entry);
    }
    return entry;
  }

  /** A handle closed by its user (or aborted by its signal): stop renewing for it. */
  #detach(handle: KeepAliveHandle): void {
    const entry = this.#leases.get(handle.id);
    if (entry === undefined || !entry.keepers.delete(handle)) return;
    this.#dropIfIdle(entry);
  }

  /** Forgets an entry nobody waits on; cancels the stream when no lease is left. */
  #dropIfIdle(entry: LeaseEntry): void {
    if (entry.keepers.size > 0 || entry.once.size > 0 || this.#leases.get(entry.id) !== entry) return;
    this.#leases.delete(entry.id);
    if (entry.inFlight.length > 0 && this.#stream !== undefined) {
      this.#orphans.set(entry.id, (this.#orphans.get(entry.id) ?? 0) + entry.inFlight.length);
    }
    if (this.#leases.size === 0) this.#idle();
  }

  /** Ends every waiter of `entry` with `error` and forgets it. */
  #fail(entry: LeaseEntry, error: Error): void {
    for (const keeper of entry.keepers) keeper.fail(error);
    entry.keepers.clear();
    for (const waiter of [...entry.once]) waiter.reject(error);
    this.#dropIfIdle(entry);
  }

  // --- the stream -------------------------------------------------------------------------------

  /** Opens the stream if needed and renews what is due. */
  #start(): void {
    if (this.#stream === undefined && this.#reopenTimer === undefined) this.#open();
    this.#scanSoon(now());
  }

  #open(): void {
    const token = {};
    this.#token = token;
    this.#orphans.clear();
    let stream: RpcStream<Init<LeaseKeepAliveRequest>>;
    try {
      stream = this.#rpc.bidi(LeaseMethods.leaseKeepAlive, {
        onMessage: (message) => {
          if (this.#token === token) this.#onResponse(message);
        },
        onEnd: (error) => {
          if (this.#token === token) this.#onStreamEnd(error);
        },
      });
    } catch (error) {
      this.#onStreamEnd(error instanceof Error ? error : new EtcdError(String(error), undefined, undefined, { cause: error }));
      return;
    }
    if (this.#token === token) this.#stream = stream;
  }

  /** No lease left: cancel the stream and stop the timers. */
  #idle(): void {
    const stream = this.#stream;
    this.#stream = undefined;
    this.#token = undefined;
    this.#orphans.clear();
    this.#reopenTimer?.cancel();
    this.#reopenTimer = undefined;
    this.#scanTimer?.cancel();
    this.#scanTimer = undefined;
    this.#scanAt = Infinity;
    stream?.cancel();
  }

  #onResponse(message: WireKeepAliveResponse): void {
    const id = message.ID;
    const orphans = this.#orphans.get(id);
    if (orphans !== undefined) {
      if (orphans <= 1) this.#orphans.delete(id);
      else this.#orphans.set(id, orphans - 1);
      return;
    }
    const entry = this.#leases.get(id);
    const request = entry?.inFlight.shift();
    if (entry === undefined || request === undefined) return; // not an answer to a request of ours
    this.#reopenAttempts = 0;
    if (message.TTL <= 0n) {
      this.#fail(entry, leaseGone(id));
      return;
    }
    const response = this.#toResponse(message);
    const received = now();
    entry.ttl = response.ttl;
    for (const waiter of [...entry.once]) {
      if (waiter.seq !== 0 && waiter.seq <= request.seq) waiter.resolve(response);
    }
    if (entry.keepers.size > 0) {
      entry.deadline = request.sentAt + response.ttl * 1000; // requests are answered in order: never earlier than before
      entry.nextSendAt = received + (response.ttl * 1000) / 3;
      for (const keeper of entry.keepers) keeper.deliver(response);
      this.#scanSoon(entry.inFlight.length === 0 ? entry.nextSendAt : entry.deadline);
    }
  }

  #onStreamEnd(error: Error | undefined): void {
    this.#stream = undefined;
    this.#token = undefined;
    this.#orphans.clear();
    if (error !== undefined) this.#lastError = error;
    for (const entry of this.#leases.values()) {
      entry.inFlight = [];
      entry.nextSendAt = 0;
      for (const waiter of entry.once) waiter.seq = 0;
    }
    if (error instanceof ClientClosedError) {
      for (const entry of [...this.#leases.values()]) {
        for (const keeper of entry.keepers) {
          keeper.fail(new LeaseKeepAliveHaltedError(entry.id, 'the client was closed', { cause: error, code: error.code }));
        }
        entry.keepers.clear();
        for (const waiter of [...entry.once]) waiter.reject(error);
        this.#dropIfIdle(entry);
      }
      return;
    }
    const authExpired = error instanceof InvalidAuthTokenError || error instanceof AuthOldRevisionError;
    if (error !== undefined && !isUnavailableError(error) && !authExpired) {
      // keepAliveOnce behaves as a unary call: only transient failures are retried for it.
      for (const entry of [...this.#leases.values()]) {
        for (const waiter of [...entry.once]) waiter.reject(error);
      }
    }
    if (this.#leases.size === 0) return;
    const delay = Math.min(KEEPALIVE_REOPEN_BACKOFF_MAX_MS, KEEPALIVE_REOPEN_BACKOFF_MS * 2 ** this.#reopenAttempts);
    this.#reopenAttempts++;
    const timer: TimerHandle = startTimer(() => {
      if (this.#reopenTimer !== timer) return; // stopped meanwhile (no lease left)
      if (this.#leases.size === 0) {
        this.#reopenTimer = undefined;
        return;
      }
      // A stream refused for its auth token: authenticate again first (the rpc layer shares it).
      const ready = authExpired ? this.#rpc.refreshToken().catch(() => false) : undefined;
      const reopen = (): void => {
        if (this.#reopenTimer !== timer) return;
        this.#reopenTimer = undefined;
        if (this.#leases.size === 0) return;
        this.#open();
        this.#scanSoon(now());
      };
      if (ready === undefined) reopen();
      else void ready.then(reopen);
    }, delay * (0.9 + 0.2 * Math.random()));
    this.#reopenTimer = timer;
  }

  // --- renewals and deadlines -------------------------------------------------------------------

  /** Makes sure a scan runs at `at` (monotonic ms) or earlier. */
  #scanSoon(at: number): void {
    if (this.#scanTimer !== undefined && this.#scanAt <= at) return;
    this.#scanTimer?.cancel();
    this.#scanAt = at;
    this.#scanTimer = startTimer(() => this.#scan(), at - now());
  }

  /** Fails the leases past their deadline, writes the renewals due, and schedules the next scan. */
  #scan(): void {
    this.#scanTimer = undefined;
    this.#scanAt = Infinity;
    const t = now();
    this.#lastScan = t;
    let next = Infinity;
    for (const entry of [...this.#leases.values()]) {
      if (entry.keepers.size > 0 && t >= entry.deadline) {
        const reason =
          entry.ttl > 0
            ? `no keep-alive response within the lease's TTL (${entry.ttl} s)`
            : `no keep-alive response within ${FIRST_KEEPALIVE_TIMEOUT_MS} ms`;
        const cause = this.#lastError;
        const halted = new LeaseKeepAliveHaltedError(entry.id, cause === undefined ? reason : `${reason}; last stream error: ${cause.message}`, { cause });
        for (const keeper of entry.keepers) keeper.fail(halted);
        entry.keepers.clear();
        this.#dropIfIdle(entry);
        if (entry.once.size === 0) continue;
      }
      if (this.#stream !== undefined) {
        const unsent = [...entry.once].some((w) => w.seq === 0);
        const due = entry.keepers.size > 0 && entry.inFlight.length === 0 && t >= entry.nextSendAt;
        if (unsent || due) this.#write(entry, t);
        if (entry.keepers.size > 0 && entry.inFlight.length === 0) next = Math.min(next, entry.nextSendAt);
      }
      if (entry.keepers.size > 0) next = Math.min(next, entry.deadline);
    }
    if (next !== Infinity) this.#scanSoon(Math.max(next, this.#lastScan + KEEPALIVE_SCAN_MIN_INTERVAL_MS));
  }

  /** Writes one renewal request for `entry` on the current stream. */
  #write(entry: LeaseEntry, t: number): void {
    try {
      this.#stream!.write({ ID: entry.id });
    } catch (error) {
      // Cannot happen for this small message; the stream's end, if any, comes through onEnd.
      this.#lastError = error instanceof Error ? error : new EtcdError(String(error), undefined, undefined, { cause: error });
      return;
    }
    const seq = ++entry.seq;
    entry.inFlight.push({ seq, sentAt: t });
    for (const waiter of entry.once) if (waiter.seq === 0) waiter.seq = seq;
  }
}

/** Checks `keepAlive`'s options: an object with at most `signal`. Returns the signal. */
function checkKeepAliveOptions(options: unknown): AbortSignal | undefined {
  if (options === undefined) return undefined;
  checkOptionsObject(options, 'keepAlive options');
  let signal: AbortSignal | undefined;
  for (const name in options as Record<string, unknown>) {
    const value: unknown = (options as Record<string, unknown>)[name];
    if (value === undefined) continue;
    if (name !== 'signal') throw unknownOption(name, 'keepAlive', KEEPALIVE_OPTION_NAMES);
    checkCallOption('signal', value);
    signal = value as AbortSignal;
  }
  return signal;
}

/**
 * What `lease.keepAlive()` returns: an async iterable of the lease's keep-alive responses.
 *
 * Buffering: it holds at most one response the loop has not read yet, the latest; an older unread
 * one is replaced (as Go's channel drops responses when full). Renewals go on whether or not the
 * loop reads, so a slow loop loses nothing but stale responses, and memory stays constant.
 * The end: `LeaseNotFoundError` or `LeaseKeepAliveHaltedError` is thrown by the loop as soon as it
 * happens (an unread response is dropped then); an aborted `signal` throws its reason; `close()`,
 * `break` or `return` end the loop normally.
 */
export class KeepAliveHandle implements LeaseKeepAlive, AsyncIterator<LeaseKeepAliveResponse> {
  /** The lease ID. */
  readonly id: bigint;
  readonly #detach: (handle: KeepAliveHandle) => void;
  #state: 'open' | 'failed' | 'done' = 'open';
  #latest: LeaseKeepAliveResponse | undefined;
  #error: unknown;
  #waiters: Array<{ resolve(result: IteratorResult<LeaseKeepAliveResponse>): void; reject(error: unknown): void }> = [];
  #signal: AbortSignal | undefined;
  #onAbort: (() => void) | undefined;

  /**
   * @param id the lease ID
   * @param detach called once when the user stops it (close, break, abort)
   */
  constructor(id: bigint, detach: (handle: KeepAliveHandle) => void) {
    this.id = id;
    this.#detach = detach;
  }

  /** Whether it has ended (closed, failed, or aborted). */
  get ended(): boolean {
    return this.#state !== 'open';
  }

  /** @internal Ends it with `signal.reason` when `signal` aborts. */
  watchSignal(signal: AbortSignal): void {
    this.#signal = signal;
    this.#onAbort = () => {
      this.fail(signal.reason);
      this.#detach(this);
    };
    signal.addEventListener('abort', this.#onAbort, { once: true });
  }

  /** @internal A new response: to the waiting loop, else kept as the latest. */
  deliver(response: LeaseKeepAliveResponse): void {
    if (this.#state !== 'open') return;
    const waiter = this.#waiters.shift();
    if (waiter !== undefined) waiter.resolve({ value: response, done: false });
    else this.#latest = response;
  }

  /** @internal Ends it with `error`, thrown by the loop's next step. */
  fail(error: unknown): void {
    if (this.#state !== 'open') return;
    this.#unwatchSignal();
    this.#latest = undefined;
    const waiters = this.#waiters;
    this.#waiters = [];
    const first = waiters.shift();
    if (first === undefined) {
      this.#state = 'failed';
      this.#error = error;
      return;
    }
    this.#state = 'done';
    first.reject(error);
    for (const waiter of waiters) waiter.resolve({ value: undefined, done: true });
  }

  /** Stops renewing the lease for this iterable (the lease is not revoked); the loop ends normally. */
  close(): void {
    const wasOpen = this.#state === 'open';
    this.#state = 'done';
    this.#latest = undefined;
    this.#error = undefined;
    this.#unwatchSignal();
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiters) waiter.resolve({ value: undefined, done: true });
    if (wasOpen) this.#detach(this);
  }

  /** Same as {@link close}, for `using keepAlive = client.lease.keepAlive(id)`. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** The next response; waits for one when none is unread. */
  next(): Promise<IteratorResult<LeaseKeepAliveResponse>> {
    const latest = this.#latest;
    if (latest !== undefined) {
      this.#latest = undefined;
      return Promise.resolve({ value: latest, done: false });
    }
    if (this.#state === 'failed') {
      this.#state = 'done';
      const error = this.#error;
      this.#error = undefined;
      return Promise.reject(error);
    }
    if (this.#state === 'done') return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  /** Leaving the loop (`break`, `return`, a throw): {@link close}. */
  return(): Promise<IteratorResult<LeaseKeepAliveResponse>> {
    this.close();
    return Promise.resolve({ value: undefined, done: true });
  }

  /** The iterator is the handle itself: one loop at a time reads it. */
  [Symbol.asyncIterator](): AsyncIterator<LeaseKeepAliveResponse> {
    return this;
  }

  #unwatchSignal(): void {
    if (this.#onAbort !== undefined) this.#signal?.removeEventListener('abort', this.#onAbort);
    this.#onAbort = undefined;
    this.#signal = undefined;
  }
}
