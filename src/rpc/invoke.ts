/**
 * `RpcClient`: the one place that makes a call. Every unary and streaming call of the client goes
 * through its private `#call`, which once per call:
 *
 * 1. validates `timeout` and computes the deadline; rejects at once with `signal.reason` if the
 *    signal is already aborted;
 * 2. encodes the request and checks its size against `maxCallSendMsgSize` before sending
 *    (`RequestTooLargeError` with both sizes);
 *
 * and then per attempt:
 *
 * 3. with `username`/`password`, waits for the auth token (src/rpc/auth-token.ts: one
 *    authentication shared by all waiting calls);
 * 4. takes a ready connection (a unary call: the next healthy endpoint in turn with the default
 *    `balancer: 'round-robin'`, the pinned one with `'pinned'`; a stream: the pinned one), else
 *    waits for one up to min(deadline, now + dialTimeout) (`NoAvailableEndpointsError` naming each
 *    endpoint's error, or `DeadlineExceededError` when the call's own deadline came first);
 * 5. makes the call with the deadline, the signal and the metadata (`hasleader`, the `token`, the
 *    `metadata` hook's, the call's own);
 * 6. maps a failure to a typed error (src/rpc/errors.ts); a refused auth token is replaced and the
 *    call resent once; `AuthOldRevisionError` (the auth store changed under the call, nothing
 *    applied) is resent after refreshing the client's credentials if it has any (none for
 *    certificate-CN auth), as clientv3 does, within the attempt limit and the deadline; otherwise
 *    it asks the retry policy (src/rpc/retry.ts) whether to try again, on the next endpoint,
 *    after its backoff.
 *
 * The hot path (a unary call, connection ready, no signal, no retry) allocates the call's promise,
 * the transport's, and the transport options object only when there is something to put in it.
 */
import {
  AuthOldRevisionError,
  ClientClosedError,
  ConnectionError,
  DeadlineExceededError,
  InvalidArgumentError,
  NoAvailableEndpointsError,
  RequestTooLargeError,
  isUnavailableError,
} from '../errors/index.js';
import type { Method } from '../proto/method-descriptor.js';
import { Auth as AuthMethods } from '../proto/index.js';
import { createConnection, hasScheme } from '../transport/index.js';
import type {
  CallOptions as TransportCallOptions,
  Connection,
  ConnectionOptions,
  Endpoint,
  Metadata,
  Stream,
  StreamHandlers,
  TlsSettings,
} from '../transport/types.js';
import {
  DEFAULT_DIAL_TIMEOUT_MS,
  DEFAULT_ENDPOINT,
  DEFAULT_KEEPALIVE_TIMEOUT_MS,
  DEFAULT_TLS_ENDPOINT,
  DEFAULT_KEEPALIVE_TIME_MS,
  DEFAULT_MAX_CALL_RECV_MSG_SIZE,
  DEFAULT_MAX_CALL_SEND_MSG_SIZE,
  DEFAULT_RETRY_BACKOFF_MS,
  DEFAULT_RETRY_JITTER_FRACTION,
  DEFAULT_RETRY_MAX_ATTEMPTS,
  ETCD_MIN_KEEPALIVE_TIME_MS,
  REQUIRE_LEADER_METADATA,
} from './defaults.js';
import { AUTHENTICATE_TIMEOUT_MARGIN_MS, AuthTokenManager, checkCredentials } from './auth-token.js';
import { AutoSync, syncEndpoints } from './autosync.js';
import { EndpointPicker, parseEndpoints, type Balancer } from './endpoints.js';
import { checkConnectionVersion } from './version-check.js';
import { describe } from '../internal/describe-value.js';
import { toEtcdError } from './error-mapping.js';
import type { Logger } from './logger.js';
import { retryDelay, shouldRetry, type RetryBackoff } from './retry.js';
import { sleep } from '../internal/timers.js';
import type { AttemptObserver, RpcObserver } from './observer.js';
import type { CallOptions, Rpc, RpcStream, RpcStreamHandlers, StreamCallOptions } from './types.js';

/** Options of an {@link RpcClient}; every one optional. Times in milliseconds, sizes in bytes. */
export interface RpcOptions {
  /**
   * etcd endpoints: URLs (`http://host:port`, `https://host:port`, `host:port`, `unix://path`,
   * `unixs://path`), as an array or a comma-separated string. Default `[DEFAULT_ENDPOINT]`
   * (`http://127.0.0.1:2379`), with `tls` `[DEFAULT_TLS_ENDPOINT]`. All plain or all TLS; with
   * `tls`, `host:port` and `unix://` use TLS and `http://` is refused (`InvalidArgumentError`).
   */
  endpoints?: string | readonly string[];
  /** Longest wait for a ready connection before a call fails with `NoAvailableEndpointsError`, ms. Default 5000. */
  dialTimeout?: number;
  /**
   * How unary calls choose an endpoint (see `ClientOptions.balancer`): `'round-robin'` (default)
   * spreads them over the healthy endpoints, `'pinned'` sends them to one at a time. Streams open
   * on the pinned endpoint either way.
   */
  balancer?: Balancer;
  /** Interval of HTTP/2 PINGs on a connection in use, ms; 0 = off. Default 6000 (see defaults.ts). */
  keepAliveTime?: number;
  /** Time a PING may go unanswered before the connection is dropped, ms. Default 4000. */
  keepAliveTimeout?: number;
  /** Largest request sent, bytes; larger fail with `RequestTooLargeError` before sending. Default 2 MiB. */
  maxCallSendMsgSize?: number;
  /** Largest response accepted, bytes. Default 2^31 - 1. Must be >= `maxCallSendMsgSize`. */
  maxCallRecvMsgSize?: number;
  /** TLS settings (contents, checked by the client layer); given, every endpoint uses TLS. */
  tls?: TlsSettings;
  /** Receives retry and failover decisions (debug) and endpoint failures (warn). Default: none. */
  logger?: Logger;
  /**
   * Called before every attempt of every call; the headers it returns are sent with it (later: the
   * auth `token`, `hasleader` for require-leader). Names lower-case. Return undefined for none.
   */
  metadata?: () => Record<string, string> | undefined;
  /**
   * Most attempts of one call, the first included (clientv3's `MaxUnaryRetries` counts the same
   * way); a positive integer. Default {@link DEFAULT_RETRY_MAX_ATTEMPTS} (100, Go's). Bounds unary
   * calls and the attempts of a stream before its first response.
   */
  maxUnaryRetries?: number;
  /** Pause between retry rounds, ms, >= 0 (clientv3's `BackoffWaitBetween`). Default {@link DEFAULT_RETRY_BACKOFF_MS} (25). */
  backoffWaitBetween?: number;
  /** Random spread of that pause, a fraction in [0, 1] (clientv3's `BackoffJitterFraction`). Default {@link DEFAULT_RETRY_JITTER_FRACTION} (0.1). */
  backoffJitterFraction?: number;
  /** Creates the connection of one endpoint. Default: the transport's `createConnection`. For tests and proxies. */
  createConnection?: (endpoint: Endpoint, options: ConnectionOptions) => Connection;
  /** etcd user name; with `password`, calls carry an auth token (see `ClientOptions.username`). */
  username?: string;
  /** Password of `username`; never logged. */
  password?: string;
  /** Sends the require-leader metadata (`hasleader: true`) with every call (see `ClientOptions.requireLeader`). */
  requireLeader?: boolean;
  /** Refuses servers older than 3.2 (see `ClientOptions.rejectOldCluster`). */
  rejectOldCluster?: boolean;
  /** Interval of endpoint refresh from `Cluster.MemberList`, ms; 0 = off (see `ClientOptions.autoSyncInterval`). */
  autoSyncInterval?: number;
  /** Sees every attempt of every call (metrics, tracing: src/rpc/observer.ts). Default: none, at no cost. */
  observer?: RpcObserver;
  /** Aborting it closes this call layer, as `close()` (see `ClientOptions.signal`). Default: none. */
  signal?: AbortSignal;
}

/**
 * Makes every etcd call of a client: endpoint choice and failover, deadlines, AbortSignal, metadata,
 * size limits, retries and error mapping (contract: src/rpc/types.ts). Connects lazily, on the first
 * call. Safe for any number of concurrent calls.
 *
 * @throws InvalidArgumentError from the constructor when an option is invalid (the message names it)
 */
export class RpcClient implements Rpc {
  readonly #picker: EndpointPicker;
  readonly #dialTimeout: number;
  readonly #maxSend: number;
  readonly #maxAttempts: number;
  /** The pause between retry rounds (`backoffWaitBetween`, `backoffJitterFraction`). */
  readonly #backoff: RetryBackoff;
  readonly #logger: Logger | undefined;
  readonly #metadataHook: (() => Metadata | undefined) | undefined;
  readonly #observer: RpcObserver | undefined;
  /** The `requireLeader` option: calls carry `hasleader` unless their own `requireLeader` says otherwise. */
  readonly #requireLeader: boolean;
  readonly #autoSync: AutoSync | undefined;
  /** The auth token, with `username`/`password` (src/rpc/auth-token.ts); undefined without. */
  readonly #auth: AuthTokenManager | undefined;
  /** {@link #leaderWithToken}'s last result, keyed by the token's metadata object. */
  #tokenBase: [token: Metadata, merged: Metadata] | undefined;
  /** The options as given, for {@link forEndpoint}. */
  readonly #options: RpcOptions;
  /** The `tls` option is set: endpoints use TLS, `http://` ones are refused. */
  readonly #tls: boolean;
  /** Call layers made by {@link forEndpoint} and not closed yet: `close()` closes them too. */
  readonly #children = new Set<RpcClient>();
  /** The call layer whose {@link forEndpoint} made this one, if any. */
  #parent: RpcClient | undefined;
  /** The `signal` option and its abort listener, removed by `close()`. */
  readonly #signal: AbortSignal | undefined;
  readonly #onAbort: (() => void) | undefined;
  #closed = false;

  constructor(options: RpcOptions = {}) {
    this.#options = options;
    // TLS settings make bare host:port endpoints (and the default one) TLS, and refuse http:// ones.
    this.#tls = options.tls !== undefined;
    const endpoints = parseEndpoints(options.endpoints ?? [this.#tls ? DEFAULT_TLS_ENDPOINT : DEFAULT_ENDPOINT], { tls: this.#tls });
    this.#dialTimeout = positive('dialTimeout', options.dialTimeout, DEFAULT_DIAL_TIMEOUT_MS);
    const keepAliveTime = nonNegative('keepAliveTime', options.keepAliveTime, DEFAULT_KEEPALIVE_TIME_MS);
    const keepAliveTimeout = positive('keepAliveTimeout', options.keepAliveTimeout, DEFAULT_KEEPALIVE_TIMEOUT_MS);
    this.#maxSend = positiveInteger('maxCallSendMsgSize', options.maxCallSendMsgSize, DEFAULT_MAX_CALL_SEND_MSG_SIZE);
    const maxRecv = positiveInteger('maxCallRecvMsgSize', options.maxCallRecvMsgSize, DEFAULT_MAX_CALL_RECV_MSG_SIZE);
    if (this.#maxSend > maxRecv) {
      throw new InvalidArgumentError(
        `maxCallRecvMsgSize (${maxRecv} bytes) must be at least maxCallSendMsgSize (${this.#maxSend} bytes)`,
      );
    }
    this.#maxAttempts = positiveInteger('maxUnaryRetries', options.maxUnaryRetries, DEFAULT_RETRY_MAX_ATTEMPTS);
    this.#backoff = {
      waitBetween: nonNegative('backoffWaitBetween', options.backoffWaitBetween, DEFAULT_RETRY_BACKOFF_MS, '0 = no pause'),
      jitterFraction: fraction('backoffJitterFraction', options.backoffJitterFraction, DEFAULT_RETRY_JITTER_FRACTION),
    };
    this.#logger = checkLogger(options.logger);
    if (options.metadata !== undefined && typeof options.metadata !== 'function') {
      throw new InvalidArgumentError(`metadata must be a function returning headers, got ${typeof options.metadata}`);
    }
    this.#metadataHook = options.metadata;
    this.#observer = options.observer;
    const credentials = checkCredentials(options.username, options.password);
    this.#auth = credentials === undefined ? undefined : new AuthTokenManager(
      credentials,
      (c, timeout) => this.#call(AuthMethods.authenticate, { name: c.username, password: c.password }, undefined, { timeout }).then((r) => r!.token),
      this.#dialTimeout + AUTHENTICATE_TIMEOUT_MARGIN_MS,
      this.#logger,
    );
    this.#requireLeader = flag('requireLeader', options.requireLeader);
    const rejectOldCluster = flag('rejectOldCluster', options.rejectOldCluster);
    const autoSyncInterval = nonNegative('autoSyncInterval', options.autoSyncInterval, 0);
    if (keepAliveTime > 0 && keepAliveTime < ETCD_MIN_KEEPALIVE_TIME_MS) {
      this.#logger?.warn('keepAliveTime is below etcd\'s default --grpc-keepalive-min-time; the server may close the connection (too_many_pings)', {
        keepAliveTime,
        serverMinimum: ETCD_MIN_KEEPALIVE_TIME_MS,
      });
    }
    // A connection attempt longer than dialTimeout is of no use to any call: bound it the same.
    const connectionOptions: ConnectionOptions = {
      keepAliveTime,
      keepAliveTimeout,
      maxRecvMsgSize: maxRecv,
      connectTimeout: this.#dialTimeout,
      tls: options.tls,
    };
    const connect = options.createConnection ?? createConnection;
    this.#picker = new EndpointPicker(endpoints, (endpoint) => connect(endpoint, connectionOptions), {
      balancer: checkBalancer(options.balancer),
      dialTimeout: this.#dialTimeout,
      logger: this.#logger,
      // rejectOldCluster: Maintenance.Status on each endpoint's first ready connection.
      admit: rejectOldCluster
        ? (connection, deadline, signal) => checkConnectionVersion(connection, deadline, this.#metadataHook?.(), signal)
        : undefined,
    });
    this.#autoSync = autoSyncInterval > 0 ? new AutoSync(this, autoSyncInterval, this.#logger) : undefined;
    this.#signal = checkSignal(options.signal);
    if (this.#signal !== undefined) {
      this.#onAbort = () => {
        this.#logger?.info('etcd client closing: its signal was aborted');
        void this.close();
      };
      if (this.#signal.aborted) this.#onAbort();
      else this.#signal.addEventListener('abort', this.#onAbort, { once: true });
    }
  }

  /**
   * Replaces the endpoint list (Go's `Client.SetEndpoints`). Endpoints in both lists keep their
   * connection; calls move to the new list from their next attempt; connections of dropped
   * endpoints close once the calls running on them end.
   *
   * @param endpoints URLs as for the `endpoints` option (an array, or a comma-separated string)
   * @throws InvalidArgumentError for an empty or malformed list (nothing changes then)
   * @throws ClientClosedError after `close()`
   */
  setEndpoints(endpoints: string | readonly string[]): void {
    if (this.#closed) throw new ClientClosedError();
    this.#picker.setEndpoints(parseEndpoints(endpoints, { tls: this.#tls }));
  }

  /**
   * Refreshes the endpoint list from the cluster once (etcd `Cluster.MemberList`; Go's
   * `Client.Sync`): the client URLs of the started, voting members. What `autoSyncInterval` runs
   * periodically.
   *
   * @param options `timeout` in ms (default 5000) and `signal`
   * @returns the new endpoint list, or undefined when the cluster named no client URL (unchanged)
   * @throws the MemberList call's typed error; InvalidArgumentError when the members' URLs cannot
   *   be used (e.g. they mix http and https)
   */
  sync(options?: CallOptions): Promise<string[] | undefined> {
    return syncEndpoints(this, options, this.#logger);
  }

  /** The configured endpoints, in order. */
  get endpoints(): readonly Endpoint[] {
    return this.#picker.endpoints;
  }

  /**
   * The pinned endpoint: where streams (watch, lease keep-alive) open now, and with
   * `balancer: 'pinned'` every call. It moves to the next healthy endpoint when it fails.
   */
  get pinnedEndpoint(): Endpoint {
    return this.#picker.pinned;
  }

  /**
   * A call layer of its own for the one endpoint `url`, without failover: this client's options
   * (TLS, auth, limits, timeouts, metadata hook) with `endpoints: [url]` and no auto-sync. For
   * Maintenance calls aimed at one member (as Go's `Maintenance` dials a dedicated connection).
   * A `host:port` without scheme takes this client's scheme. The caller closes it; closing this
   * client closes it too (its calls then fail with `ClientClosedError`).
   *
   * @throws InvalidArgumentError for a malformed URL; ClientClosedError after `close()`
   */
  forEndpoint(url: string): RpcClient {
    if (this.#closed) throw new ClientClosedError();
    if (typeof url !== 'string' || url.trim() === '') {
      throw new InvalidArgumentError(`endpoint must be a URL like 'http://127.0.0.1:2379', got ${describe(url)}`);
    }
    const trimmed = url.trim();
    const scheme = this.#picker.endpoints[0]?.tls === true ? 'https://' : 'http://';
    const full = hasScheme(trimmed) ? trimmed : scheme + trimmed;
    // Without the signal: closing this call layer (by its signal too) closes the child.
    const child = new RpcClient({ ...this.#options, endpoints: [full], autoSyncInterval: 0, signal: undefined });
    child.#parent = this;
    this.#children.add(child);
    return child;
  }

  /**
   * Authenticates again now (etcd `Auth.Authenticate` with the client's `username`/`password`),
   * joining an authentication already in flight; later calls and streams carry the new token.
   *
   * Unary calls never need this: one refused for its token is re-authenticated and sent again by
   * the rpc layer itself. Stream owners call it before re-opening a stream that the server ended
   * for its token, or whose watch creation it refused (etcd 3.4 answers `created` + `canceled`
   * without a reason): a stream that already delivered messages is not re-opened automatically.
   *
   * @param options `timeout` (ms) and `signal` bound the wait (the authentication itself goes on)
   * @returns false when the client has no `username`/`password` (nothing to refresh), else true
   * @throws the authentication's typed error (`AuthFailedError`, ...), `DeadlineExceededError`,
   *   the signal's reason, `ClientClosedError` after `close()`
   */
  async refreshToken(options?: CallOptions): Promise<boolean> {
    if (this.#closed) throw new ClientClosedError();
    if (this.#auth === undefined) return false;
    const timeout = options?.timeout === undefined ? undefined : checkTimeout(options.timeout);
    const deadline = timeout === undefined ? undefined : Date.now() + timeout;
    await this.#auth.refresh(undefined, options?.signal, deadline, timeout);
    return true;
  }

  /**
   * One request, one response (e.g. `KV.range`). Rejects with a typed error from src/errors.ts,
   * with `signal.reason` when aborted, or with `DeadlineExceededError` past `timeout` (ms).
   */
  unary<Req, Res>(method: Method<Req, Res>, request: Req, options?: CallOptions): Promise<Res> {
    return this.#call(method, request, undefined, options) as Promise<Res>;
  }

  /**
   * One request, a stream of responses (Snapshot, Election.Observe) as an async iterable. The call
   * starts when iteration starts; leaving the loop (break, return, throw) cancels it on the server.
   * The loop throws the stream's typed error, or `signal.reason` when aborted.
   *
   * @throws InvalidArgumentError at once for an invalid `timeout`
   */
  serverStream<Req, Res>(method: Method<Req, Res>, request: Req, options?: StreamCallOptions): AsyncIterable<Res> {
    if (options?.timeout !== undefined) checkTimeout(options.timeout);
    return this.#iterate(method, request, options);
  }

  /**
   * A bidi stream (Watch, LeaseKeepAlive). Returns at once; writes made before the connection is
   * ready are queued. `handlers.onEnd` fires exactly once: undefined when the server ends the stream
   * with OK, else the typed error, `signal.reason` when aborted, or an `AbortError` after `cancel()`.
   *
   * @throws InvalidArgumentError at once for an invalid `timeout`
   */
  bidi<Req, Res>(method: Method<Req, Res>, handlers: RpcStreamHandlers<Res>, options?: StreamCallOptions): RpcStream<Req> {
    if (options?.timeout !== undefined) checkTimeout(options.timeout);
    return this.#startStream(method, undefined, handlers, options);
  }

  /**
   * Closes every connection, and every call layer {@link forEndpoint} made. Calls in flight and
   * later calls reject with `ClientClosedError`.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#onAbort !== undefined) this.#signal!.removeEventListener('abort', this.#onAbort);
    if (this.#parent !== undefined) this.#parent.#children.delete(this);
    this.#autoSync?.stop();
    const children = [...this.#children];
    this.#children.clear();
    await Promise.all([this.#picker.close(), ...children.map((child) => child.close())]);
  }

  /**
   * Encodes a request and checks it against `maxCallSendMsgSize` (used for every request sent).
   * @throws RequestTooLargeError (with `size` and `limit` in bytes) when it is larger; nothing is sent
   * @throws InvalidArgumentError when the request cannot be encoded (wrong field types)
   */
  encode<Req>(method: Method<Req, unknown>, request: Req): Uint8Array {
    let bytes: Uint8Array;
    try {
      bytes = method.encode(request);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new InvalidArgumentError(`cannot encode the ${method.path} request: ${reason}`, { cause: error });
    }
    if (bytes.length > this.#maxSend) throw RequestTooLargeError.clientSide(bytes.length, this.#maxSend);
    return bytes;
  }

  /**
   * The one function every call goes through (see the file comment). For a unary call `sink` is
   * undefined and the decoded response is returned; for a stream, `sink` opens the stream on the
   * chosen connection and the promise settles when the stream ends.
   */
  async #call<Req, Res>(
    method: Method<Req, Res>,
    request: Req | undefined,
    sink: RpcStreamCall<Req, Res> | undefined,
    options: StreamCallOptions | undefined,
  ): Promise<Res | undefined> {
    if (this.#closed) throw new ClientClosedError();
    let signal: AbortSignal | undefined;
    let timeout: number | undefined;
    let deadline: number | undefined;
    let extraMetadata: Metadata | undefined;
    let requireLeader = this.#requireLeader;
    if (options !== undefined) {
      signal = options.signal;
      timeout = options.timeout;
      extraMetadata = options.metadata;
      if (options.requireLeader !== undefined) requireLeader = flag('requireLeader', options.requireLeader);
      if (timeout !== undefined) deadline = Date.now() + checkTimeout(timeout);
      if (signal !== undefined && signal.aborted) throw signal.reason;
    }
    if (sink !== undefined) signal = sink.signal;
    const bytes = method.kind === 'bidi' ? undefined : this.encode(method, request as Req);
    let lastFailure: Error | undefined;
    // With username/password every call but Authenticate itself carries the token (auth-token.ts).
    const auth = this.#auth !== undefined && method.path !== AuthMethods.authenticate.path ? this.#auth : undefined;
    let authRefreshed = false;
    /** The endpoint of the previous attempt, for the observer's failover count. */
    let previousEndpoint: string | undefined;

    for (let attempt = 1; ; attempt++) {
      if (deadline !== undefined && Date.now() >= deadline) {
        throw new DeadlineExceededError('deadline exceeded before the call was sent', { timeout, cause: lastFailure });
      }
      if (auth !== undefined && !auth.ready) await auth.ensure(signal, deadline, timeout);
      const tokenGeneration = auth?.generation;
      const observed = this.#observer?.attempt(method, attempt, this.#picker.endpoints.length);
      const ready = sink === undefined ? this.#picker.pick() : this.#picker.readyConnection();
      const connection = ready ?? (await this.#waitObserved(deadline, timeout, signal, observed));
      const metadata = this.#metadata(requireLeader, extraMetadata, auth?.metadata);
      const callOptions: TransportCallOptions | undefined =
        metadata === undefined && deadline === undefined && signal === undefined ? undefined : { metadata, deadline, signal };
      const failureEpoch = this.#picker.failureEpoch;
      this.#picker.callStarted(connection);
      if (observed !== undefined) {
        const url = connection.endpoint.url;
        observed.connected(url, previousEndpoint !== undefined && previousEndpoint !== url ? previousEndpoint : undefined);
        previousEndpoint = url;
      }
      try {
        if (sink === undefined) {
          const response = method.decode(await connection.unary(method.path, bytes!, callOptions));
          observed?.end(undefined);
          return response;
        }
        await sink.open(connection, bytes, callOptions, observed);
        observed?.end(undefined);
        return undefined;
      } catch (error) {
        observed?.end(error);
        if (signal !== undefined && signal.aborted) throw signal.reason;
        if (this.#closed) throw new ClientClosedError({ cause: error });
        const failure = toEtcdError(error, { endpoint: connection.endpoint.url, path: method.path, timeout });
        if (failure instanceof AuthOldRevisionError && sink?.received !== true) {
          // The auth store changed (users, roles) between the request's permission check and its
          // apply: etcd applied nothing. As clientv3: refresh whatever credentials the client has
          // (a password's token; nothing for certificate-CN auth) and send it again, after the
          // retry pause, while attempts and the deadline allow (auth changes in a row can hit the
          // retry too; each time nothing was applied).
          if (attempt >= this.#maxAttempts || (deadline !== undefined && Date.now() >= deadline)) throw failure;
          this.#logger?.debug('etcd: auth revision moved during the call; refreshing credentials and retrying', { method: method.path, attempt, error: failure.message });
          if (auth !== undefined) await auth.refresh(tokenGeneration, signal, deadline, timeout);
          await this.#retryPause(attempt, deadline, signal);
          continue;
        }
        if (auth !== undefined && !authRefreshed && sink?.received !== true && auth.shouldRefresh(failure)) {
          // The server refused the token before applying anything (auth-token.ts): new token, same
          // request, once; this counts as an attempt.
          authRefreshed = true;
          this.#logger?.debug('etcd: auth token refused; authenticating again and retrying once', { method: method.path, attempt, error: failure.message });
          await auth.refresh(tokenGeneration, signal, deadline, timeout);
          continue;
        }
        const retry = shouldRetry(method, failure, attempt, {
          signal,
          deadline,
          endpointCount: this.#picker.endpoints.length,
          maxAttempts: this.#maxAttempts,
          received: sink?.received,
          logger: this.#logger,
        });
        // The endpoint is blamed (and the next call goes elsewhere) for a retried failure, a broken
        // connection, or an answer that means "unavailable here" (e.g. NoLeaderError with requireLeader).
        // Many calls failing with one incident (a lost connection under 64 calls) count once.
        if (retry || failure instanceof ConnectionError || isUnavailableError(failure)) this.#picker.reportFailure(connection, failure, failureEpoch);
        if (!retry) throw failure;
        lastFailure = failure;
        await this.#retryPause(attempt, deadline, signal);
      } finally {
        this.#picker.callEnded(connection);
      }
    }
  }

  /** The pause before the next attempt (retry.ts's `retryDelay`), cut short at `deadline`. */
  async #retryPause(attempt: number, deadline: number | undefined, signal: AbortSignal | undefined): Promise<void> {
    let delay = retryDelay(attempt, this.#picker.endpoints.length, Math.random, this.#backoff);
    if (deadline !== undefined) delay = Math.min(delay, deadline - Date.now());
    if (delay > 0) await sleep(delay, signal);
  }

  /** {@link #waitForConnection}, reporting its failure as the end of the attempt `observed`. */
  async #waitObserved(
    deadline: number | undefined,
    timeout: number | undefined,
    signal: AbortSignal | undefined,
    observed: AttemptObserver | undefined,
  ): Promise<Connection> {
    if (observed === undefined) return this.#waitForConnection(deadline, timeout, signal);
    try {
      return await this.#waitForConnection(deadline, timeout, signal);
    } catch (error) {
      observed.end(error);
      throw error;
    }
  }

  /** Waits for a ready connection up to min(deadline, now + dialTimeout). */
  async #waitForConnection(deadline: number | undefined, timeout: number | undefined, signal: AbortSignal | undefined): Promise<Connection> {
    const dialDeadline = Date.now() + this.#dialTimeout;
    const callFirst = deadline !== undefined && deadline < dialDeadline;
    try {
      return await this.#picker.connection(callFirst ? deadline : dialDeadline, signal);
    } catch (error) {
      if (callFirst && error instanceof NoAvailableEndpointsError) {
        throw new DeadlineExceededError('deadline exceeded while waiting for a connection', { timeout, cause: error });
      }
      throw error;
    }
  }

  /** Headers of one attempt: `hasleader` (with `requireLeader`) and the auth `token`, the hook's, then the call's own. */
  #metadata(requireLeader: boolean, extra: Metadata | undefined, token?: Metadata): Metadata | undefined {
    const base = !requireLeader ? token : token === undefined ? REQUIRE_LEADER_METADATA : this.#leaderWithToken(token);
    const fromHook = this.#metadataHook?.();
    if (extra === undefined && fromHook === undefined) return base;
    if (base === undefined) {
      if (extra === undefined) return fromHook;
      if (fromHook === undefined) return extra;
    }
    return { ...base, ...fromHook, ...extra };
  }

  /** `hasleader` plus the auth `token` (merged once per token, not per call). */
  #leaderWithToken(token: Metadata): Metadata {
    if (this.#tokenBase?.[0] !== token) this.#tokenBase = [token, { ...REQUIRE_LEADER_METADATA, ...token }];
    return this.#tokenBase[1];
  }

  /** Starts a streaming call in the background; its end goes to `handlers.onEnd`. */
  #startStream<Req, Res>(
    method: Method<Req, Res>,
    request: Req | undefined,
    handlers: RpcStreamHandlers<Res>,
    options: StreamCallOptions | undefined,
  ): RpcStreamCall<Req, Res> {
    const call = new RpcStreamCall(this, method, handlers, options?.signal);
    this.#call(method, request, call, options).then(
      () => call.finish(undefined),
      (error: unknown) => call.finish(error instanceof Error ? error : toEtcdError(error)),
    );
    return call;
  }

  /** The async iterable of `serverStream`: a queue between the stream's callbacks and the loop. */
  async *#iterate<Req, Res>(method: Method<Req, Res>, request: Req, options: StreamCallOptions | undefined): AsyncGenerator<Res, void, undefined> {
    const queue: Res[] = [];
    let head = 0;
    const state: { ended: boolean; error: Error | undefined; wake: (() => void) | undefined } = {
      ended: false,
      error: undefined,
      wake: undefined,
    };
    // Backpressure: while messages wait here for the loop, the transport holds back the stream's
    // flow-control credit, so a slow consumer stops the server instead of filling memory.
    const call: RpcStreamCall<Req, Res> = this.#startStream(method, request, {
      onMessage(message) {
        queue.push(message);
        if (state.wake === undefined) call.pause();
        else state.wake();
      },
      onEnd(error) {
        state.ended = true;
        state.error = error;
        state.wake?.();
      },
    }, options);
    try {
      for (;;) {
        if (head < queue.length) {
          const message = queue[head]!;
          queue[head++] = undefined as Res;
          if (head === queue.length) {
            queue.length = 0;
            head = 0;
          }
          yield message;
          continue;
        }
        if (state.ended) {
          if (state.error !== undefined) throw state.error;
          return;
        }
        call.resume();
        await new Promise<void>((resolve) => {
          state.wake = resolve;
        });
        state.wake = undefined;
      }
    } finally {
      if (!state.ended) call.cancel();
    }
  }
}

/**
 * One streaming call as the caller sees it (`RpcStream`), across the attempts `#call` makes: writes
 * before the first response are kept and replayed on a new attempt; `cancel()` and the caller's
 * signal abort `signal`, which `#call` passes to the transport.
 */
class RpcStreamCall<Req, Res> implements RpcStream<Req> {
  /** True once a response message arrived (the stream is then never retried). */
  received = false;
  readonly #rpc: RpcClient;
  readonly #method: Method<Req, Res>;
  readonly #handlers: RpcStreamHandlers<Res>;
  readonly #controller = new AbortController();
  readonly #userSignal: AbortSignal | undefined;
  readonly #onUserAbort: (() => void) | undefined;
  #stream: Stream | undefined;
  /** The consumer asked for no data for now (see `pause`). */
  #paused = false;
  /** The observer of the attempt whose stream is open, if any. */
  #observed: AttemptObserver | undefined;
  #writes: Uint8Array[] = [];
  #ended = false;
  #finished = false;

  constructor(rpc: RpcClient, method: Method<Req, Res>, handlers: RpcStreamHandlers<Res>, userSignal: AbortSignal | undefined) {
    this.#rpc = rpc;
    this.#method = method;
    this.#handlers = handlers;
    this.#userSignal = userSignal;
    if (userSignal !== undefined) {
      if (userSignal.aborted) this.#controller.abort(userSignal.reason);
      else {
        this.#onUserAbort = () => this.#abort(userSignal.reason);
        userSignal.addEventListener('abort', this.#onUserAbort, { once: true });
      }
    }
  }

  /** Aborted by `cancel()` or by the caller's signal (with its reason). */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /**
   * Sends one request (bidi). After the stream has ended (`onEnd` fired) writes are ignored.
   * @throws RequestTooLargeError over `maxCallSendMsgSize`, InvalidArgumentError when the request
   *   cannot be encoded or the stream was ended
   */
  write(request: Req): void {
    if (this.#ended) throw new InvalidArgumentError(`write after end() on the ${this.#method.path} stream`);
    if (this.#finished) return;
    const bytes = this.#rpc.encode(this.#method, request);
    if (!this.received) this.#writes.push(bytes);
    if (this.#stream !== undefined) {
      this.#stream.write(bytes);
      this.#observed?.sent();
    }
  }

  /** Half-closes the request side. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#stream?.end();
  }

  /** Cancels the call on the server; `onEnd` then fires with an `AbortError`. */
  cancel(): void {
    this.#abort(new DOMException(`the ${this.#method.path} stream was cancelled`, 'AbortError'));
  }

  /** The consumer has messages it has not taken: the transport holds back the stream's window credit. */
  pause(): void {
    if (this.#paused) return;
    this.#paused = true;
    this.#stream?.pause?.();
  }

  /** The consumer took every message: window credit flows again. */
  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#stream?.resume?.();
  }

  #abort(reason: unknown): void {
    if (this.#finished || this.#controller.signal.aborted) return;
    this.#controller.abort(reason);
    this.#stream?.cancel();
  }

  /** One attempt: opens the stream on `connection`; settles when it ends. Called by `#call` only. */
  open(
    connection: Connection,
    request: Uint8Array | undefined,
    options: TransportCallOptions | undefined,
    observed?: AttemptObserver,
  ): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const handlers: StreamHandlers = {
        onMessage: (bytes) => {
          if (settled) return;
          if (!this.received) {
            this.received = true;
            this.#writes = [];
          }
          try {
            const message = this.#method.decode(bytes);
            observed?.received(message);
            this.#handlers.onMessage(message);
          } catch (error) {
            settled = true;
            this.#stream?.cancel();
            this.#stream = undefined;
            reject(error);
          }
        },
        onEnd: (error) => {
          this.#stream = undefined;
          if (settled) return;
          settled = true;
          if (error === undefined) resolve();
          else reject(error);
        },
      };
      const stream =
        this.#method.kind === 'server-stream'
          ? connection.serverStream(this.#method.path, request ?? new Uint8Array(0), handlers, options)
          : connection.bidi(this.#method.path, handlers, options);
      if (settled) return; // ended synchronously
      this.#stream = stream;
      this.#observed = observed;
      if (this.#paused) stream.pause?.();
      for (const bytes of this.#writes) {
        stream.write(bytes);
        observed?.sent();
      }
      if (this.#ended) stream.end();
    });
  }

  /** Delivers the end of the call, once. */
  finish(error: Error | undefined): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#stream = undefined;
    this.#writes = [];
    if (this.#onUserAbort !== undefined) this.#userSignal?.removeEventListener('abort', this.#onUserAbort);
    this.#handlers.onEnd(error);
  }
}

// ---------------------------------------------------------------------------------------------
// Option checks
// ---------------------------------------------------------------------------------------------

/**
 * Checks a call's `timeout`: a non-negative finite number of milliseconds (0 = already expired).
 * @throws InvalidArgumentError otherwise
 */
export function checkTimeout(timeout: unknown): number {
  if (typeof timeout !== 'number' || !Number.isFinite(timeout) || timeout < 0) {
    throw new InvalidArgumentError(`timeout must be a non-negative finite number of milliseconds, got ${describe(timeout)}`);
  }
  return timeout;
}

function positive(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new InvalidArgumentError(`${name} must be a positive finite number of milliseconds, got ${describe(value)}`);
  }
  return value;
}

function nonNegative(name: string, value: unknown, fallback: number, zero = '0 = off'): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new InvalidArgumentError(`${name} must be a non-negative finite number of milliseconds (${zero}), got ${describe(value)}`);
  }
  return value;
}

function fraction(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
    throw new InvalidArgumentError(`${name} must be a fraction from 0 to 1 (0.1 = +-10%), got ${describe(value)}`);
  }
  return value;
}

function positiveInteger(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new InvalidArgumentError(`${name} must be a positive integer, got ${describe(value)}`);
  }
  return value;
}

function flag(name: string, value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw new InvalidArgumentError(`${name} must be true or false, got ${describe(value)}`);
  return value;
}

function checkSignal(signal: unknown): AbortSignal | undefined {
  if (signal === undefined || signal instanceof AbortSignal) return signal;
  throw new InvalidArgumentError(`signal must be an AbortSignal, got ${describe(signal)}`);
}

function checkBalancer(balancer: unknown): Balancer {
  if (balancer === undefined || balancer === 'round-robin' || balancer === 'pinned') return balancer ?? 'round-robin';
  throw new InvalidArgumentError(`balancer must be 'round-robin' or 'pinned', got ${describe(balancer)}`);
}

function checkLogger(logger: unknown): Logger | undefined {
  if (logger === undefined) return undefined;
  const l = logger as Partial<Record<keyof Logger, unknown>> | null;
  if (l === null || typeof l !== 'object' || (['debug', 'info', 'warn', 'error'] as const).some((m) => typeof l[m] !== 'function')) {
    throw new InvalidArgumentError('logger must be an object with debug, info, warn and error methods');
  }
  return logger as Logger;
}
