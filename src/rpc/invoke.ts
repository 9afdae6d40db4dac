/**
 * `RpcClient`: the call layer of one client, assembled from its parts: the options checked
 * (src/rpc/option-checks.ts), the endpoint list and its connections (src/rpc/endpoints.ts), the
 * auth token (src/rpc/auth-token.ts), the metadata of each attempt (src/rpc/metadata.ts),
 * auto-sync (src/rpc/autosync.ts), and the call loop every call goes through
 * (src/rpc/call-loop.ts; streams: src/rpc/stream-call.ts).
 */
import { ClientClosedError, InvalidArgumentError } from '../errors/index.js';
import type { Method } from '../proto/method-descriptor.js';
import { Auth as AuthMethods } from '../proto/index.js';
import { createConnection, hasScheme } from '../transport/index.js';
import type { Connection, ConnectionOptions, Endpoint, TlsSettings } from '../transport/types.js';
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
} from './defaults.js';
import { AUTHENTICATE_TIMEOUT_MARGIN_MS, AuthTokenManager, checkCredentials } from './auth-token.js';
import { AutoSync, syncEndpoints } from './autosync.js';
import { CallLoop } from './call-loop.js';
import { encodeRequest } from './codec.js';
import { EndpointPicker, parseEndpoints, type Balancer } from './endpoints.js';
import { checkConnectionVersion } from './version-check.js';
import { describe } from '../internal/describe-value.js';
import type { Logger } from './logger.js';
import { CallMetadata } from './metadata.js';
import {
  checkBalancer,
  checkFlag,
  checkFraction,
  checkLogger,
  checkNonNegative,
  checkPositive,
  checkPositiveInteger,
  checkSignal,
  checkTimeout,
} from './option-checks.js';
import type { RpcObserver } from './observer.js';
import { iterateStream } from './stream-call.js';
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
 * size limits, retries and error mapping (contract: src/rpc/types.ts; the calls: src/rpc/call-loop.ts). Connects lazily, on the first
 * call. Safe for any number of concurrent calls.
 *
 * @throws InvalidArgumentError from the constructor when an option is invalid (the message names it)
 */
export class RpcClient implements Rpc {
  readonly #picker: EndpointPicker;
  readonly #loop: CallLoop;
  readonly #maxSend: number;
  readonly #logger: Logger | undefined;
  readonly #autoSync: AutoSync | undefined;
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
    const dialTimeout = checkPositive('dialTimeout', options.dialTimeout, DEFAULT_DIAL_TIMEOUT_MS);
    const keepAliveTime = checkNonNegative('keepAliveTime', options.keepAliveTime, DEFAULT_KEEPALIVE_TIME_MS);
    const keepAliveTimeout = checkPositive('keepAliveTimeout', options.keepAliveTimeout, DEFAULT_KEEPALIVE_TIMEOUT_MS);
    this.#maxSend = checkPositiveInteger('maxCallSendMsgSize', options.maxCallSendMsgSize, DEFAULT_MAX_CALL_SEND_MSG_SIZE);
    const maxRecv = checkPositiveInteger('maxCallRecvMsgSize', options.maxCallRecvMsgSize, DEFAULT_MAX_CALL_RECV_MSG_SIZE);
    if (this.#maxSend > maxRecv) {
      throw new InvalidArgumentError(
        `maxCallRecvMsgSize (${maxRecv} bytes) must be at least maxCallSendMsgSize (${this.#maxSend} bytes)`,
      );
    }
    const maxAttempts = checkPositiveInteger('maxUnaryRetries', options.maxUnaryRetries, DEFAULT_RETRY_MAX_ATTEMPTS);
    const backoff = {
      waitBetween: checkNonNegative('backoffWaitBetween', options.backoffWaitBetween, DEFAULT_RETRY_BACKOFF_MS, '0 = no pause'),
      jitterFraction: checkFraction('backoffJitterFraction', options.backoffJitterFraction, DEFAULT_RETRY_JITTER_FRACTION),
    };
    this.#logger = checkLogger(options.logger);
    if (options.metadata !== undefined && typeof options.metadata !== 'function') {
      throw new InvalidArgumentError(`metadata must be a function returning headers, got ${typeof options.metadata}`);
    }
    const metadata = new CallMetadata(options.metadata);
    const credentials = checkCredentials(options.username, options.password);
    const requireLeader = checkFlag('requireLeader', options.requireLeader);
    const rejectOldCluster = checkFlag('rejectOldCluster', options.rejectOldCluster);
    const autoSyncInterval = checkNonNegative('autoSyncInterval', options.autoSyncInterval, 0);
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
      connectTimeout: dialTimeout,
      tls: options.tls,
    };
    const connect = options.createConnection ?? createConnection;
    this.#picker = new EndpointPicker(endpoints, (endpoint) => connect(endpoint, connectionOptions), {
      balancer: checkBalancer(options.balancer),
      dialTimeout,
      logger: this.#logger,
      // rejectOldCluster: Maintenance.Status on each endpoint's first ready connection.
      admit: rejectOldCluster
        ? (connection, deadline, signal) => checkConnectionVersion(connection, deadline, metadata.fromHook(), signal)
        : undefined,
    });
    this.#loop = new CallLoop({
      picker: this.#picker,
      dialTimeout,
      maxSend: this.#maxSend,
      maxAttempts,
      backoff,
      logger: this.#logger,
      observer: options.observer,
      metadata,
      requireLeader,
      isClosed: () => this.#closed,
    });
    if (credentials !== undefined) {
      const loop = this.#loop;
      loop.useAuth(new AuthTokenManager(
        credentials,
        (c, timeout) => loop.call(AuthMethods.authenticate, { name: c.username, password: c.password }, undefined, { timeout }).then((r) => r!.token),
        dialTimeout + AUTHENTICATE_TIMEOUT_MARGIN_MS,
        this.#logger,
      ));
    }
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
    const auth = this.#loop.auth;
    if (auth === undefined) return false;
    const timeout = options?.timeout === undefined ? undefined : checkTimeout(options.timeout);
    const deadline = timeout === undefined ? undefined : Date.now() + timeout;
    await auth.refresh(undefined, options?.signal, deadline, timeout);
    return true;
  }

  /**
   * One request, one response (e.g. `KV.range`). Rejects with a typed error of src/errors/,
   * with `signal.reason` when aborted, or with `DeadlineExceededError` past `timeout` (ms).
   */
  unary<Req, Res>(method: Method<Req, Res>, request: Req, options?: CallOptions): Promise<Res> {
    return this.#loop.call(method, request, undefined, options) as Promise<Res>;
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
    return iterateStream((handlers) => this.#loop.startStream(method, request, handlers, options));
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
    return this.#loop.startStream(method, undefined, handlers, options);
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
    return encodeRequest(method, request, this.#maxSend);
  }
}
