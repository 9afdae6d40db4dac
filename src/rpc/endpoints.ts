/**
 * The endpoint list and the choice of endpoint for each call.
 *
 * Two balancers (the client's `balancer` option):
 * - `round-robin` (the default, as clientv3 3.5): each unary call takes the next endpoint in turn
 *   among the *healthy* ones: connection ready (and admitted), not in backoff, not refused. An
 *   endpoint that is not ready but may be tried (never connected, idle, or out of its backoff) is
 *   connected in the background when a call passes it, and joins the rotation once ready; the
 *   call itself goes to the next ready one. Streams (watch, lease keep-alive, snapshot ...) open on
 *   the *pinned* endpoint below and stay on their connection until it ends.
 * - `pinned`: every call, unary or stream, goes to the pinned endpoint.
 *
 * The pinned endpoint serves while it works. When an endpoint fails (a refused or
 * timed-out connect, a broken connection, a keep-alive PING left unanswered, or a call error the
 * retry policy blames on the endpoint) the picker:
 * - remembers the error (so `NoAvailableEndpointsError` can name each endpoint's last error);
 * - counts it once per incident: calls in flight that fail with the same lost connection (or the
 *   connection's own state change) add one failure, not one each;
 * - puts the endpoint in *backoff*: not tried again for {@link ENDPOINT_BACKOFF_BASE_MS} ms, doubling
 *   with each consecutive failure up to {@link ENDPOINT_BACKOFF_MAX_MS}, +-20% jitter; a connection
 *   that becomes ready clears it;
 * - pins the next healthy endpoint (round robin, skipping endpoints in backoff; one with a ready
 *   connection first; when all back off, the one whose backoff ends first).
 *
 * Connection failures are learnt from each connection's state changes (`Connection.onStateChange`),
 * so a member that dies between calls is known before the next call. One `Connection` per endpoint,
 * created on first use. `setEndpoints` replaces the list: endpoints kept keep their connection;
 * dropped ones are closed once no call uses them any more.
 *
 * An optional *admission* check (`rejectOldCluster`'s version check) runs once per endpoint when its
 * connection is first ready; an endpoint it refuses is never used.
 */
import { ClientClosedError, InvalidArgumentError, NoAvailableEndpointsError, NotSupportedError, type EndpointFailure } from '../errors/index.js';
import { parseEndpoint } from '../transport/index.js';
import type { Connection, ConnectionState, Endpoint } from '../transport/types.js';
import { CallError, Status } from '../transport/types.js';
import { startTimer, type TimerHandle } from '../internal/timers.js';
import {
  ENDPOINT_BACKOFF_BASE_MS,
  ENDPOINT_BACKOFF_JITTER_FRACTION,
  ENDPOINT_BACKOFF_MAX_MS,
  MIN_ENDPOINT_CONNECT_MS,
} from './defaults.js';
import { describe } from '../internal/describe-value.js';
import { toEtcdError } from './error-mapping.js';
import type { Logger } from './logger.js';

/**
 * Parses the user's endpoint list: an array of URLs, or one string of comma-separated URLs (as
 * etcdctl's `--endpoints`). Each is `http://host:port`, `https://host:port`, `host:port`,
 * `unix://<socket path>` or `unixs://<socket path>` (parsed by the transport's `parseEndpoint`).
 * With `options.tls` (the client has a `tls` option) a bare `host:port` and a `unix://` socket use
 * TLS and an `http://` endpoint is refused, so TLS settings are never dropped.
 *
 * @param options `tls`: the client has TLS settings. Default false.
 * @throws InvalidArgumentError when the list is empty or not strings, when an endpoint is malformed
 *   or is `http://` while `options.tls` (the message names it), or when the list mixes plain and
 *   TLS endpoints (http and https, unix and unixs).
 */
export function parseEndpoints(input: string | readonly string[], options: { tls?: boolean } = {}): Endpoint[] {
  let urls: readonly unknown[];
  if (typeof input === 'string') urls = input.split(',').map((s) => s.trim()).filter((s) => s !== '');
  else if (Array.isArray(input)) urls = input;
  else throw new InvalidArgumentError(`endpoints must be an array of URLs or a comma-separated string, got ${describe(input)}`);
  if (urls.length === 0) {
    throw new InvalidArgumentError("endpoints must name at least one endpoint, e.g. ['http://127.0.0.1:2379']");
  }
  const endpoints: Endpoint[] = [];
  for (const url of urls) {
    if (typeof url !== 'string' || url.trim() === '') {
      throw new InvalidArgumentError(`endpoints must be non-empty strings, got ${describe(url)}`);
    }
    try {
      endpoints.push(parseEndpoint(url.trim(), options));
    } catch (error) {
      // parseEndpoint's message names the endpoint and the problem.
      throw new InvalidArgumentError((error as Error).message, { cause: error });
    }
  }
  const secure = endpoints.filter((e) => e.tls);
  if (secure.length > 0 && secure.length < endpoints.length) {
    const plain = endpoints.filter((e) => !e.tls).map((e) => e.url);
    throw new InvalidArgumentError(
      `endpoints mix TLS (${secure.map((e) => e.url).join(', ')}) and plaintext (${plain.join(', ')}) endpoints; ` +
        'use TLS for all (https://, unixs://) or for none (http://, unix://)',
    );
  }
  return endpoints;
}

/**
 * Reconnect backoff after `failures` consecutive failures of one endpoint, in milliseconds:
 * {@link ENDPOINT_BACKOFF_BASE_MS} doubled per failure after the first, capped at
 * {@link ENDPOINT_BACKOFF_MAX_MS}, spread by +-{@link ENDPOINT_BACKOFF_JITTER_FRACTION}.
 *
 * @param failures consecutive failures, >= 1
 * @param random source of randomness in [0, 1), for tests
 */
export function endpointBackoff(failures: number, random: () => number = Math.random): number {
  const base = Math.min(ENDPOINT_BACKOFF_MAX_MS, ENDPOINT_BACKOFF_BASE_MS * 2 ** Math.min(30, Math.max(0, failures - 1)));
  return base * (1 - ENDPOINT_BACKOFF_JITTER_FRACTION + 2 * ENDPOINT_BACKOFF_JITTER_FRACTION * random());
}

/** How unary calls choose an endpoint: see the file comment. */
export type Balancer = 'round-robin' | 'pinned';

/** Options of an {@link EndpointPicker}. */
export interface EndpointPickerOptions {
  /** How unary calls ({@link EndpointPicker.pick}) choose an endpoint. Default `'round-robin'`. */
  balancer?: Balancer;
  /** The client's dial timeout in milliseconds: splits the wait between endpoints. */
  dialTimeout: number;
  /** Receives endpoint failures (warn) and backoff / pin decisions (debug). */
  logger?: Logger;
  /**
   * Runs once per endpoint, when its connection is first ready, before any call uses it (the
   * `rejectOldCluster` version check). Rejecting with a `NotSupportedError` refuses the endpoint
   * for good; any other rejection counts as a failed connection attempt (tried again later).
   */
  admit?: (connection: Connection, deadline: number, signal?: AbortSignal) => Promise<void>;
  /** Source of randomness in [0, 1) for the backoff jitter, for tests. Default `Math.random`. */
  random?: () => number;
}

/** One endpoint's state. */
interface Slot {
  readonly endpoint: Endpoint;
  /** Identity across `setEndpoints`: scheme, host and port (or socket path). */
  readonly key: string;
  connection: Connection | undefined;
  unsubscribe: (() => void) | undefined;
  /** Last error (undefined: never failed, or working since). */
  error: Error | undefined;
  /** Time of the last recorded failure (`Date.now()` ms), 0 if none. */
  failedAt: number;
  /** The picker's {@link EndpointPicker.failureEpoch} when the last failure was recorded, 0 if none. */
  failedEpoch: number;
  /** Consecutive failures, for the backoff. */
  failures: number;
  /** Not tried again before this time (`Date.now()` ms). */
  retryAt: number;
  /** The admission check passed (or there is none). */
  admitted: boolean;
  /** The admission check running now, shared by the calls waiting for it. */
  admitting: Promise<void> | undefined;
  /** The admission check refused this endpoint: never used. */
  refused: Error | undefined;
  /** Calls (unary or streams) running on this endpoint's connection now. */
  inFlight: number;
  /** Dropped by `setEndpoints`: closed when `inFlight` reaches 0. */
  retired: boolean;
  /** A background connection attempt (round-robin) is running. */
  warming: boolean;
}

function slotKey(endpoint: Endpoint): string {
  if (endpoint.path !== undefined) return `${endpoint.tls ? 'unixs' : 'unix'}://${endpoint.path}`;
  return `${endpoint.tls ? 'https' : 'http'}://${endpoint.host.toLowerCase()}:${endpoint.port}`;
}

/**
 * Chooses the endpoint (and its connection) for each call: the pinned one while it works, the next
 * healthy one after a failure. Safe for any number of concurrent calls.
 */
export class EndpointPicker {
  #slots: Slot[];
  readonly #byConnection = new Map<Connection, Slot>();
  readonly #connect: (endpoint: Endpoint) => Connection;
  readonly #options: EndpointPickerOptions;
  readonly #random: () => number;
  readonly #roundRobin: boolean;
  #pinned = 0;
  /** Wakes the calls waiting out a backoff in {@link connection} when the picker closes. */
  readonly #wakers = new Set<() => void>();
  /** Round-robin: the slot the next unary call tries first. */
  #cursor = 0;
  #closed = false;
  /** Failures recorded so far, over all endpoints: see {@link failureEpoch}. */
  #epoch = 0;

  /**
   * @param endpoints parsed endpoints, at least one
   * @param connect creates the connection of one endpoint (called once per endpoint, on first use)
   * @throws InvalidArgumentError for an empty list
   */
  constructor(endpoints: readonly Endpoint[], connect: (endpoint: Endpoint) => Connection, options: EndpointPickerOptions) {
    if (endpoints.length === 0) throw new InvalidArgumentError('endpoints must name at least one endpoint');
    this.#connect = connect;
    this.#options = options;
    this.#random = options.random ?? Math.random;
    this.#roundRobin = (options.balancer ?? 'round-robin') === 'round-robin';
    this.#slots = endpoints.map((e) => this.#newSlot(e));
  }

  /** The configured endpoints, in order. */
  get endpoints(): readonly Endpoint[] {
    return this.#slots.map((s) => s.endpoint);
  }

  /** The pinned endpoint: where streams open now (with `balancer: 'pinned'`, every call). */
  get pinned(): Endpoint {
    return this.#slots[this.#pinned]!.endpoint;
  }

  /**
   * The connection for a unary call if one is ready now, else undefined (then wait with
   * {@link connection}): the fast path of a call. Round-robin: the next healthy endpoint after the
   * last one picked (starting endpoints that may be tried but are not ready, in the background);
   * pinned: {@link readyConnection}. Allocates nothing once the connections exist.
   */
  pick(): Connection | undefined {
    if (!this.#roundRobin) return this.readyConnection();
    const slots = this.#slots;
    const count = slots.length;
    let now = 0;
    for (let step = 0; step < count; step++) {
      const i = (this.#cursor + step) % count;
      const slot = slots[i]!;
      if (slot.refused !== undefined) continue;
      if (slot.retryAt !== 0) {
        if (now === 0) now = Date.now();
        if (slot.retryAt > now) continue;
        slot.retryAt = 0; // out of its backoff (its failure count stays until it works again)
      }
      const connection = slot.connection;
      if (connection !== undefined && connection.state === 'ready' && slot.admitted) {
        this.#cursor = i + 1 === count ? 0 : i + 1;
        return connection;
      }
      if (!slot.warming) this.#warm(slot);
    }
    return undefined;
  }

  /** The pinned endpoint's connection if it is ready (and admitted) now, else undefined: the fast path of a stream (and of every call with `balancer: 'pinned'`). */
  readyConnection(): Connection | undefined {
    const slot = this.#slots[this.#pinned]!;
    const connection = slot.connection;
    return connection !== undefined && connection.state === 'ready' && slot.admitted ? connection : undefined;
  }

  /**
   * Waits for a ready connection: the pinned endpoint first, then the other healthy ones in turn,
   * skipping endpoints in backoff while another can be tried, until `deadline`. Each endpoint gets
   * `max(dialTimeout / endpoints, MIN_ENDPOINT_CONNECT_MS)` to become ready before the next is tried.
   *
   * @param deadline absolute time (`Date.now()` ms) to give up
   * @param signal aborting rejects with `signal.reason`
   * @throws NoAvailableEndpointsError naming each endpoint's last error when `deadline` passes
   * @throws NotSupportedError when the admission check refused every endpoint (`rejectOldCluster`)
   * @throws ClientClosedError after `close()`
   */
  async connection(deadline: number, signal?: AbortSignal): Promise<Connection> {
    const started = Date.now();
    for (;;) {
      if (this.#closed) throw new ClientClosedError();
      const now = Date.now();
      const slot = this.#choose(now);
      if (slot === undefined) throw this.#allRefused();
      const connection = this.#connectionOf(slot);
      if (connection.state === 'ready' && slot.admitted) return connection;
      if (now >= deadline) throw new NoAvailableEndpointsError(this.failures(), now - started);
      if (slot.retryAt > now) {
        // Every usable endpoint is backing off; this one comes out of it first.
        await this.#pause(Math.min(slot.retryAt, deadline) - now, signal);
        continue;
      }
      const count = this.#slots.length;
      const slice = count === 1 ? Infinity : Math.max(MIN_ENDPOINT_CONNECT_MS, this.#options.dialTimeout / count);
      const attemptDeadline = Math.min(deadline, now + slice);
      try {
        await connection.ready(attemptDeadline, signal);
        await this.#admit(slot, connection, attemptDeadline, signal);
        return connection;
      } catch (error) {
        if (signal?.aborted === true) throw signal.reason;
        if (this.#closed) throw new ClientClosedError({ cause: error });
        this.#attemptFailed(slot, error, now, started);
      }
    }
  }

  /**
   * A connection attempt of `slot` that started at `now` failed with `error`: a refusal by the
   * admission check is for good; anything else backs the endpoint off. The state listener records
   * a connection that failed; a slow one (still connecting when the wait ended) is recorded here,
   * keeping a real failure seen since `started` (e.g. a rejected certificate) as the more telling error.
   */
  #attemptFailed(slot: Slot, error: unknown, now: number, started: number): void {
    const failure = toEtcdError(error, { endpoint: slot.endpoint.url });
    if (failure instanceof NotSupportedError) this.#refuse(slot, failure);
    else if (slot.failedAt < now) this.#fail(slot, slot.error !== undefined && slot.failedAt >= started ? slot.error : failure);
  }

  /**
   * Round-robin: connects `slot` (and runs its admission check) in the background, bounded by
   * `dialTimeout`, so that it joins the rotation once ready; a failure backs it off as a call's
   * would. One attempt at a time per endpoint.
   */
  #warm(slot: Slot): void {
    if (this.#closed || slot.retired) return;
    const connection = this.#connectionOf(slot);
    slot.warming = true;
    const started = Date.now();
    const deadline = started + this.#options.dialTimeout;
    connection
      .ready(deadline)
      .then(() => this.#admit(slot, connection, deadline, undefined))
      .then(
        () => {
          slot.warming = false;
        },
        (error: unknown) => {
          slot.warming = false;
          if (!this.#closed && !slot.retired) this.#attemptFailed(slot, error, started, started);
        },
      );
  }

  /**
   * How many endpoint failures have been recorded so far (all endpoints). A call reads it when it
   * starts and passes it to {@link reportFailure}, so that one incident seen by many calls counts
   * once.
   */
  get failureEpoch(): number {
    return this.#epoch;
  }

  /**
   * A call on `connection` failed in a way that says the endpoint is not usable now (a broken
   * connection, or an error the retry policy retries elsewhere): remember the error, back off the
   * endpoint, and, if it is still pinned, pin the next one.
   *
   * One incident counts once: when a failure of this endpoint was already recorded after the call
   * started (`since`, the {@link failureEpoch} read then), by the connection's own state change or
   * by another call in flight, this report adds nothing. So a connection lost under 64 calls backs
   * the endpoint off as one failure, not 64 (which would jump to the longest backoff).
   *
   * @param since the {@link failureEpoch} when the call started; omit to always record
   */
  reportFailure(connection: Connection, error: Error, since?: number): void {
    const slot = this.#byConnection.get(connection);
    if (slot === undefined || slot.retired) return;
    if (since !== undefined && slot.failedEpoch > since) return;
    this.#fail(slot, error);
  }

  /** A call starts using `connection` (pair with {@link callEnded}): a dropped endpoint stays open until its calls end. */
  callStarted(connection: Connection): void {
    const slot = this.#byConnection.get(connection);
    if (slot !== undefined) slot.inFlight++;
  }

  /** A call that {@link callStarted} on `connection` ended. */
  callEnded(connection: Connection): void {
    const slot = this.#byConnection.get(connection);
    if (slot === undefined) return;
    slot.inFlight--;
    if (slot.retired && slot.inFlight <= 0) this.#dispose(slot);
  }

  /**
   * Replaces the endpoint list. Endpoints in both lists (same scheme, host and port) keep their
   * connection, health and pin; new ones connect on first use; dropped ones are closed once the
   * calls running on them end.
   *
   * @param endpoints parsed endpoints, at least one
   * @throws InvalidArgumentError for an empty list; ClientClosedError after `close()`
   */
  setEndpoints(endpoints: readonly Endpoint[]): void {
    if (this.#closed) throw new ClientClosedError();
    if (endpoints.length === 0) throw new InvalidArgumentError('endpoints must name at least one endpoint');
    const old = new Map(this.#slots.map((s) => [s.key, s] as const));
    const pinnedKey = this.#slots[this.#pinned]!.key;
    const next: Slot[] = [];
    for (const endpoint of endpoints) {
      const key = slotKey(endpoint);
      if (next.some((s) => s.key === key)) continue; // a duplicate
      const kept = old.get(key);
      if (kept !== undefined) old.delete(key);
      next.push(kept ?? this.#newSlot(endpoint));
    }
    this.#slots = next;
    const pinned = next.findIndex((s) => s.key === pinnedKey);
    this.#pinned = pinned >= 0 ? pinned : 0;
    if (this.#cursor >= next.length) this.#cursor = 0;
    for (const dropped of old.values()) {
      dropped.retired = true;
      if (dropped.inFlight <= 0) this.#dispose(dropped);
    }
    this.#options.logger?.info('etcd endpoints updated', {
      endpoints: next.map((s) => s.endpoint.url),
      dropped: [...old.values()].map((s) => s.endpoint.url),
    });
  }

  /** Every endpoint with its last error (undefined when it has not failed, or works since). */
  failures(): EndpointFailure[] {
    return this.#slots.map((s) => ({ endpoint: s.endpoint.url, error: s.refused ?? s.error }));
  }

  /** Closes every connection (also of dropped endpoints still in use); later waits fail with `ClientClosedError`. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const wake of this.#wakers) wake();
    this.#wakers.clear();
    const open = [...this.#byConnection.keys()];
    for (const slot of this.#byConnection.values()) slot.unsubscribe?.();
    this.#byConnection.clear();
    for (const slot of this.#slots) slot.connection = undefined;
    await Promise.allSettled(open.map((c) => c.close()));
  }

  /**
   * Waits `ms` (a backoff), or until `close()` (resolving early: the caller then sees the picker
   * closed); rejects with `signal.reason` when it aborts.
   */
  #pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
    if (signal?.aborted === true) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const settle = () => {
        timer.cancel();
        this.#wakers.delete(done);
        signal?.removeEventListener('abort', onAbort);
      };
      const done = () => {
        settle();
        resolve();
      };
      const onAbort = () => {
        settle();
        reject(signal!.reason);
      };
      const timer = startTimer(done, ms);
      this.#wakers.add(done);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  #newSlot(endpoint: Endpoint): Slot {
    return {
      endpoint,
      key: slotKey(endpoint),
      connection: undefined,
      unsubscribe: undefined,
      error: undefined,
      failedAt: 0,
      failedEpoch: 0,
      failures: 0,
      retryAt: 0,
      admitted: this.#options.admit === undefined,
      admitting: undefined,
      refused: undefined,
      inFlight: 0,
      retired: false,
      warming: false,
    };
  }

  #connectionOf(slot: Slot): Connection {
    let connection = slot.connection;
    if (connection === undefined) {
      connection = this.#connect(slot.endpoint);
      slot.connection = connection;
      this.#byConnection.set(connection, slot);
      slot.unsubscribe = connection.onStateChange((state, error) => this.#onStateChange(slot, state, error));
    }
    return connection;
  }

  /** A connection changed state: a failure backs the endpoint off; ready clears the backoff. */
  #onStateChange(slot: Slot, state: ConnectionState, error: CallError | undefined): void {
    if (slot.retired || this.#closed) return;
    if (state === 'ready') {
      slot.failures = 0;
      slot.retryAt = 0;
      slot.error = undefined;
    } else if (state === 'failing' && error !== undefined) {
      this.#fail(slot, toEtcdError(error, { endpoint: slot.endpoint.url }));
    }
  }

  /**
   * The slot to try now: the pinned one when usable; else the next one (round robin) with a ready
   * connection, else the next not backing off, else the one whose backoff ends first. Moves the pin
   * there. Undefined when every endpoint was refused.
   */
  #choose(now: number): Slot | undefined {
    const slots = this.#slots;
    const pinned = slots[this.#pinned]!;
    if (pinned.refused === undefined && (pinned.retryAt <= now || pinned.connection?.state === 'ready')) return pinned;
    let ready = -1;
    let rested = -1;
    let soonest = -1;
    for (let step = 1; step <= slots.length; step++) {
      const i = (this.#pinned + step) % slots.length;
      const s = slots[i]!;
      if (s.refused !== undefined) continue;
      const resting = s.retryAt <= now;
      if (ready < 0 && resting && s.connection?.state === 'ready' && s.admitted) ready = i;
      if (rested < 0 && resting) rested = i;
      if (soonest < 0 || s.retryAt < slots[soonest]!.retryAt) soonest = i;
    }
    const index = ready >= 0 ? ready : rested >= 0 ? rested : soonest;
    if (index < 0) return undefined;
    this.#pin(index, 'the pinned endpoint is backing off');
    return slots[index];
  }

  #pin(index: number, reason: string): void {
    if (index === this.#pinned) return;
    const from = this.#slots[this.#pinned]!.endpoint.url;
    this.#pinned = index;
    this.#options.logger?.debug('etcd endpoint pinned', { from, to: this.#slots[index]!.endpoint.url, reason });
  }

  /**
   * Runs the admission check once per slot (shared by concurrent waiters). Each waiter waits for it
   * only until its own `deadline` (then a `CallError` UNAVAILABLE, never sent) or `signal`: the
   * shared check runs on to the deadline of the call that started it.
   */
  async #admit(slot: Slot, connection: Connection, deadline: number, signal: AbortSignal | undefined): Promise<void> {
    const admit = this.#options.admit;
    if (slot.admitted || admit === undefined) return;
    let running = slot.admitting;
    if (running === undefined) {
      running = admit(connection, deadline).then(
        () => {
          slot.admitted = true;
          slot.admitting = undefined;
        },
        (error: unknown) => {
          slot.admitting = undefined;
          throw error;
        },
      );
      slot.admitting = running;
    }
    signal?.throwIfAborted();
    let onAbort: (() => void) | undefined;
    let timer: TimerHandle | undefined;
    try {
      await Promise.race([
        running,
        new Promise<never>((_, reject) => {
          timer = startTimer(() => {
            reject(new CallError(Status.UNAVAILABLE, `${slot.endpoint.url} was not admitted (rejectOldCluster check) before the deadline`, false));
          }, deadline - Date.now());
          if (signal === undefined) return;
          onAbort = () => reject(signal.reason);
          signal.addEventListener('abort', onAbort, { once: true });
        }),
      ]);
    } finally {
      timer?.cancel();
      if (onAbort !== undefined) signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Records the error of `slot`, backs it off, and moves the pin past it (only if it is pinned). */
  #fail(slot: Slot, error: Error): void {
    const now = Date.now();
    slot.error = error;
    slot.failedAt = now;
    slot.failedEpoch = ++this.#epoch;
    slot.failures++;
    const backoff = endpointBackoff(slot.failures, this.#random);
    slot.retryAt = now + backoff;
    const index = this.#slots.indexOf(slot);
    this.#options.logger?.debug('etcd endpoint backing off', {
      endpoint: slot.endpoint.url,
      failures: slot.failures,
      backoffMs: Math.round(backoff),
      error: error.message,
    });
    if (index < 0 || index !== this.#pinned) return;
    const next = this.#nextHealthy(index, now);
    if (next === index) return;
    this.#pinned = next;
    this.#options.logger?.warn('etcd endpoint failed; switching endpoint', {
      endpoint: slot.endpoint.url,
      next: this.#slots[next]!.endpoint.url,
      error: error.message,
    });
  }

  /** After `from`: the next slot not backing off with a ready connection, else not backing off, else the next not refused. */
  #nextHealthy(from: number, now: number): number {
    const slots = this.#slots;
    let rested = -1;
    let any = -1;
    for (let step = 1; step < slots.length; step++) {
      const i = (from + step) % slots.length;
      const s = slots[i]!;
      if (s.refused !== undefined) continue;
      if (s.retryAt > now) {
        if (any < 0) any = i;
        continue;
      }
      if (s.connection?.state === 'ready' && s.admitted) return i;
      if (rested < 0) rested = i;
      if (any < 0) any = i;
    }
    return rested >= 0 ? rested : any >= 0 ? any : from;
  }

  /** The admission check refused `slot` for good. */
  #refuse(slot: Slot, error: Error): void {
    slot.refused = error;
    this.#options.logger?.warn('etcd endpoint refused', { endpoint: slot.endpoint.url, error: error.message });
    const index = this.#slots.indexOf(slot);
    if (index === this.#pinned) this.#pinned = this.#nextHealthy(index, Date.now());
  }

  /** The error when no endpoint is usable: the first refusal. */
  #allRefused(): Error {
    return this.#slots.find((s) => s.refused !== undefined)?.refused ?? new NoAvailableEndpointsError(this.failures());
  }

  /** Closes a dropped slot's connection. */
  #dispose(slot: Slot): void {
    const connection = slot.connection;
    slot.unsubscribe?.();
    slot.unsubscribe = undefined;
    slot.connection = undefined;
    if (connection === undefined) return;
    this.#byConnection.delete(connection);
    void connection.close();
  }
}
