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
import type { ConnectionOptions, Endpoint } from '../transport/types.js';
import { DEFAULT_ENDPOINT, DEFAULT_TLS_ENDPOINT, ETCD_MIN_KEEPALIVE_TIME_MS } from './defaults.js';
import { AUTHENTICATE_TIMEOUT_MARGIN_MS, AuthTokenManager, checkCredentials } from './auth-token.js';
import { AutoSync, syncEndpoints } from './autosync.js';
import { CallLoop } from './call-loop.js';
import { encodeRequest } from './codec.js';
import { EndpointPicker, parseEndpoints } from './endpoints.js';
import { checkConnectionVersion } from './version-check.js';
import { describe } from '../internal/describe-value.js';
import type { Logger } from './logger.js';
import { CallMetadata } from './metadata.js';
import { checkTimeout, optionValue, type RpcOptions } from './options.js';

export type { RpcOptions };
import { iterateStream } from './stream-call.js';
import type { CallOptions, Rpc, RpcStream, RpcStreamHandlers, StreamCallOptions } from './types.js';

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
    const dialTimeout = optionValue(options, 'dialTimeout');
    const keepAliveTime = optionValue(options, 'keepAliveTime');
    const keepAliveTimeout = optionValue(options, 'keepAliveTimeout');
    this.#maxSend = optionValue(options, 'maxCallSendMsgSize');
    const maxRecv = optionValue(options, 'maxCallRecvMsgSize');
    if (this.#maxSend > maxRecv) {
      throw new InvalidArgumentError(
        `maxCallRecvMsgSize (${maxRecv} bytes) must be at least maxCallSendMsgSize (${this.#maxSend} bytes)`,
      );
    }
    const maxAttempts = optionValue(options, 'maxUnaryRetries');
    const backoff = {
      waitBetween: optionValue(options, 'backoffWaitBetween'),
      jitterFraction: optionValue(options, 'backoffJitterFraction'),
    };
    this.#logger = optionValue(options, 'logger');
    if (options.metadata !== undefined && typeof options.metadata !== 'function') {
      throw new InvalidArgumentError(`metadata must be a function returning headers, got ${typeof options.metadata}`);
    }
    const metadata = new CallMetadata(options.metadata);
    const credentials = checkCredentials(options.username, options.password);
    const requireLeader = optionValue(options, 'requireLeader');
    const rejectOldCluster = optionValue(options, 'rejectOldCluster');
    const autoSyncInterval = optionValue(options, 'autoSyncInterval');
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
      balancer: optionValue(options, 'balancer'),
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
    this.#signal = optionValue(options, 'signal');
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
