/**
 * `CallLoop`: the one place that makes a call. Every unary and streaming call of a call layer
 * (`RpcClient`, src/rpc/invoke.ts) goes through its `call`, which once per call:
 *
 * 1. validates `timeout` and computes the deadline; rejects at once with `signal.reason` if the
 *    signal is already aborted;
 * 2. encodes the request and checks its size against `maxCallSendMsgSize` before sending
 *    (src/rpc/codec.ts: `RequestTooLargeError` with both sizes);
 *
 * and then per attempt:
 *
 * 3. with `username`/`password`, waits for the auth token (src/rpc/auth-token.ts: one
 *    authentication shared by all waiting calls);
 * 4. takes a ready connection (a unary call: the next healthy endpoint in turn with the default
 *    `balancer: 'round-robin'`, the pinned one with `'pinned'`; a stream: the pinned one), else
 *    waits for one up to min(deadline, now + dialTimeout) (`NoAvailableEndpointsError` naming each
 *    endpoint's error, or `DeadlineExceededError` when the call's own deadline came first);
 * 5. makes the call with the deadline, the signal and the metadata (src/rpc/metadata.ts:
 *    `hasleader`, the `token`, the `metadata` hook's, the call's own);
 * 6. maps a failure to a typed error (src/rpc/error-mapping.ts); a refused auth token is replaced
 *    and the call resent once; `AuthOldRevisionError` (the auth store changed under the call,
 *    nothing applied) is resent after refreshing the client's credentials if it has any (none for
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
  NoAvailableEndpointsError,
  isUnavailableError,
} from '../errors/index.js';
import { sleep } from '../internal/timers.js';
import { Auth as AuthMethods } from '../proto/index.js';
import type { Method } from '../proto/method-descriptor.js';
import type { CallOptions as TransportCallOptions, Connection, Metadata } from '../transport/types.js';
import type { AuthTokenManager } from './auth-token.js';
import { decodeResponse, encodeRequest } from './codec.js';
import type { EndpointPicker } from './endpoints.js';
import { toEtcdError } from './error-mapping.js';
import type { Logger } from './logger.js';
import type { CallMetadata } from './metadata.js';
import type { AttemptObserver, RpcObserver } from './observer.js';
import { checkFlag, checkTimeout } from './options.js';
import { retryDelay, shouldRetry, type RetryBackoff } from './retry.js';
import { RpcStreamCall } from './stream-call.js';
import type { RpcStreamHandlers, StreamCallOptions } from './types.js';

/** What a {@link CallLoop} works with: the call layer's checked options and parts. */
export interface CallLoopParts {
  readonly picker: EndpointPicker;
  /** Longest wait for a ready connection, ms. */
  readonly dialTimeout: number;
  /** `maxCallSendMsgSize`, bytes. */
  readonly maxSend: number;
  /** `maxUnaryRetries`: most attempts of one call, the first included. */
  readonly maxAttempts: number;
  readonly backoff: RetryBackoff;
  readonly logger: Logger | undefined;
  readonly observer: RpcObserver | undefined;
  readonly metadata: CallMetadata;
  /** The `requireLeader` option: calls carry `hasleader` unless their own `requireLeader` says otherwise. */
  readonly requireLeader: boolean;
  /** Whether the call layer was closed (calls then fail with `ClientClosedError`). */
  readonly isClosed: () => boolean;
}

/** The attempts of every call of one call layer (see the file comment). */
export class CallLoop {
  readonly #picker: EndpointPicker;
  readonly #dialTimeout: number;
  readonly #maxSend: number;
  readonly #maxAttempts: number;
  readonly #backoff: RetryBackoff;
  readonly #logger: Logger | undefined;
  readonly #observer: RpcObserver | undefined;
  readonly #metadata: CallMetadata;
  readonly #requireLeader: boolean;
  readonly #isClosed: () => boolean;
  /** The auth token, with `username`/`password` (src/rpc/auth-token.ts); undefined without. */
  #auth: AuthTokenManager | undefined;

  constructor(parts: CallLoopParts) {
    this.#picker = parts.picker;
    this.#dialTimeout = parts.dialTimeout;
    this.#maxSend = parts.maxSend;
    this.#maxAttempts = parts.maxAttempts;
    this.#backoff = parts.backoff;
    this.#logger = parts.logger;
    this.#observer = parts.observer;
    this.#metadata = parts.metadata;
    this.#requireLeader = parts.requireLeader;
    this.#isClosed = parts.isClosed;
  }

  /** The auth token manager, once {@link useAuth} set one. */
  get auth(): AuthTokenManager | undefined {
    return this.#auth;
  }

  /** Sets the auth token that every call but `Auth.Authenticate` itself waits for and carries. */
  useAuth(auth: AuthTokenManager): void {
    this.#auth = auth;
  }

  /**
   * The one function every call goes through (see the file comment). For a unary call `sink` is
   * undefined and the decoded response is returned; for a stream, `sink` opens the stream on the
   * chosen connection and the promise settles when the stream ends.
   */
  async call<Req, Res>(
    method: Method<Req, Res>,
    request: Req | undefined,
    sink: RpcStreamCall<Req, Res> | undefined,
    options: StreamCallOptions | undefined,
  ): Promise<Res | undefined> {
    if (this.#isClosed()) throw new ClientClosedError();
    let signal: AbortSignal | undefined;
    let timeout: number | undefined;
    let deadline: number | undefined;
    let extraMetadata: Metadata | undefined;
    let requireLeader = this.#requireLeader;
    if (options !== undefined) {
      signal = options.signal;
      timeout = options.timeout;
      extraMetadata = options.metadata;
      if (options.requireLeader !== undefined) requireLeader = checkFlag('requireLeader', options.requireLeader);
      if (timeout !== undefined) deadline = Date.now() + checkTimeout(timeout);
      if (signal !== undefined && signal.aborted) throw signal.reason;
    }
    if (sink !== undefined) signal = sink.signal;
    const bytes = method.kind === 'bidi' ? undefined : encodeRequest(method, request as Req, this.#maxSend);
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
      const metadata = this.#metadata.build(requireLeader, extraMetadata, auth?.metadata);
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
          const response = decodeResponse(method, await connection.unary(method.path, bytes!, callOptions));
          observed?.end(undefined);
          return response;
        }
        await sink.open(connection, bytes, callOptions, observed);
        observed?.end(undefined);
        return undefined;
      } catch (error) {
        observed?.end(error);
        if (signal !== undefined && signal.aborted) throw signal.reason;
        if (this.#isClosed()) throw new ClientClosedError({ cause: error });
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

  /** Starts a streaming call in the background; its end goes to `handlers.onEnd`. */
  startStream<Req, Res>(
    method: Method<Req, Res>,
    request: Req | undefined,
    handlers: RpcStreamHandlers<Res>,
    options: StreamCallOptions | undefined,
  ): RpcStreamCall<Req, Res> {
    const call = new RpcStreamCall(this.#maxSend, method, handlers, options?.signal);
    this.call(method, request, call, options).then(
      () => call.finish(undefined),
      (error: unknown) => call.finish(error instanceof Error ? error : toEtcdError(error)),
    );
    return call;
  }
}
