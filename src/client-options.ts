/**
 * The options of `new Client(options)`: their types, documented defaults, and the check that
 * turns them into the rpc layer's options (unknown names and malformed values rejected with
 * `InvalidArgumentError` before anything connects).
 */
import { checkOptionsObject, unknownOption } from './internal/validation.js';
import { describe } from './internal/describe-value.js';
import { InvalidArgumentError } from './errors/index.js';
import { DEFAULT_ENDPOINT, DEFAULT_TLS_ENDPOINT } from './rpc/defaults.js';
import { CLIENT_OPTIONS, type ClientOptionName, type RpcOptions } from './rpc/options.js';
import type { Logger } from './rpc/logger.js';
import { createMetricsObserver, type MetricsOptions } from './rpc/metrics.js';
import { combineObservers, type RpcObserver } from './rpc/observer.js';
import { createTracingObserver, type TracingOptions } from './rpc/tracing.js';
import { resolveTlsOptions, type TlsOptions, type TlsVersion } from './tls-options.js';

export type { Logger, MetricsOptions, TlsOptions, TlsVersion, TracingOptions };

/**
 * Options of `new Client(options)`, named after Go's `clientv3.Config`. Every field is optional;
 * times are in milliseconds, sizes in bytes.
 */
export interface ClientOptions {
  /**
   * etcd client URLs: `http://host:port`, `https://host:port`, `host:port`, or a Unix domain
   * socket `unix:///abs/path` (`unix://name` relative to the working directory, as etcd's own
   * `unix://localhost:2379` listener) and `unixs://...` (TLS over the socket), read as clientv3
   * does. With `tls`, `host:port` and `unix://` endpoints use TLS and an `http://` one is refused
   * (`InvalidArgumentError` naming it): TLS settings are never dropped. All endpoints are plain or
   * all TLS. Default `['http://127.0.0.1:2379']`, or `['https://127.0.0.1:2379']` with `tls`.
   * How calls spread over them: {@link balancer}.
   */
  endpoints?: readonly string[];
  /**
   * How calls choose among the `endpoints`, as clientv3 3.5's round-robin balancer:
   * - `'round-robin'` (default): each unary call (`KV.Range`, `KV.Put`, `KV.Txn`, `Lease.LeaseGrant`,
   *   ...) goes to the next healthy endpoint in turn: connected (or connecting in the background),
   *   not backing off after a failure. Streams (`Watch.Watch`, `Lease.LeaseKeepAlive`,
   *   `Maintenance.Snapshot`, ...) open on one endpoint, the *pinned* one (the first healthy one in
   *   the list), and stay on that connection until it ends: all watches share one stream, all
   *   keep-alives another. The client connects to every endpoint it uses.
   * - `'pinned'`: every call and stream goes to the pinned endpoint while it works.
   *
   * Either way a failed endpoint backs off and is skipped, a retried call goes to the next one, and
   * the pin moves when the pinned endpoint fails (docs/guide/failure-behaviour.md). Other values
   * throw `InvalidArgumentError`.
   */
  balancer?: 'round-robin' | 'pinned';
  /**
   * How long a call waits for a ready connection before failing with `NoAvailableEndpointsError`,
   * in milliseconds. Default 5000.
   */
  dialTimeout?: number;
  /**
   * Interval between keep-alive pings on a connection in use, in milliseconds; 0 turns pings off.
   * Default 6000. etcd refuses pings more frequent than its `--grpc-keepalive-min-time` (5000).
   */
  keepAliveTime?: number;
  /**
   * How long a keep-alive ping may go unanswered before the connection is declared dead and calls
   * move to another endpoint, in milliseconds. Default 4000.
   */
  keepAliveTimeout?: number;
  /**
   * Largest request sent, in bytes; a larger one fails with `RequestTooLargeError` before it is
   * sent. Default 2 MiB (2097152). Must not exceed `maxCallRecvMsgSize`.
   */
  maxCallSendMsgSize?: number;
  /** Largest response accepted, in bytes. Default 2^31 - 1. Must be at least `maxCallSendMsgSize` (or its default). */
  maxCallRecvMsgSize?: number;
  /**
   * TLS settings: CA, client certificate and key (as PEM or as files: `caFile`, `certFile`,
   * `keyFile`, `pfxFile`, `crlFile`, read when the client is made), `passphrase`, `pfx`, `crl`,
   * `servername`, `minVersion`/`maxVersion`, `ciphers`, `checkServerIdentity`,
   * `insecureSkipVerify`; see {@link TlsOptions}. The client then uses TLS for every endpoint
   * (`https://`, `host:port`, `unixs://`, `unix://`; `http://` endpoints are refused). `https://`
   * and `unixs://` endpoints use TLS without it too, verified against Node's bundled root CAs.
   */
  tls?: TlsOptions;
  /** Receives the client's debug/info/warn/error messages (retries, failover). Default: none. */
  logger?: Logger;
  /**
   * User name for etcd auth (etcd `Auth.Authenticate`); needs `password` (both non-empty strings,
   * else `InvalidArgumentError`). The client authenticates before its first call (concurrent
   * calls share one authentication), sends the token with every call and stream, and
   * authenticates again once and resends the call when etcd refuses the token
   * (`InvalidAuthTokenError`; safe for writes: etcd did not apply them). `AuthOldRevisionError`
   * (the auth store changed under the call, nothing applied) is resent after authenticating again,
   * as clientv3 does, within the call's attempts and deadline; without a password (certificate-CN
   * auth) it is resent as is.
   * A wrong password fails calls with `AuthFailedError`. Default: none (no auth).
   */
  username?: string;
  /** Password of `username`. Never logged nor put in an error message. */
  password?: string;
  /**
   * Sends etcd's require-leader metadata with every call and stream, so a member that has lost
   * its leader answers `NoLeaderError` at once (and streams move to another member) instead of
   * hanging. Default false.
   */
  requireLeader?: boolean;
  /**
   * Refuses servers older than etcd 3.2: each endpoint's version is read with `Maintenance.Status`
   * on its first connection, and an older one is never used (when none is left, calls reject with
   * `NotSupportedError` naming the endpoint and its version). Default false.
   */
  rejectOldCluster?: boolean;
  /**
   * Most attempts of one call, the first included: a positive integer. Default 100
   * (`DEFAULT_RETRY_MAX_ATTEMPTS`), as clientv3's `MaxUnaryRetries`, which counts the same way
   * (1 = no retry). Only calls the retry policy may retry are tried again (reads, and requests
   * that never left the client; docs/guide/failure-behaviour.md); a stream's attempts before its
   * first response count too. The call's `timeout` usually ends retries first.
   */
  maxUnaryRetries?: number;
  /**
   * Pause between retry rounds, in milliseconds, >= 0 (0 = none): taken once every
   * `floor(endpoints / 2) + 1` attempts, so the first retries go to other members at once.
   * Default 25 (`DEFAULT_RETRY_BACKOFF_MS`), as clientv3's `BackoffWaitBetween`.
   */
  backoffWaitBetween?: number;
  /**
   * Random spread of `backoffWaitBetween`, a fraction from 0 to 1 (0.1 = +-10%). Default 0.1
   * (`DEFAULT_RETRY_JITTER_FRACTION`), as clientv3's `BackoffJitterFraction`.
   */
  backoffJitterFraction?: number;
  /**
   * Interval at which the endpoint list is refreshed from the cluster's members
   * (`Cluster.MemberList`), in milliseconds; 0 turns it off. Default 0.
   */
  autoSyncInterval?: number;
  /**
   * The client's lifetime as an `AbortSignal` (clientv3's `Config.Context`): when it aborts, the
   * client closes itself, as `client.close()` does. Calls in flight and later calls reject with
   * `ClientClosedError`; watches end their loop with `ClientClosedError`; lease keep-alives end with
   * `LeaseKeepAliveHaltedError` (its `cause` the `ClientClosedError`); sessions, locks, elections and
   * recipes end as after `close()` (docs/guide/failure-behaviour.md#closing-the-client). Every
   * connection is closed. An already aborted signal makes a closed client. A call's own `signal`
   * still rejects that call with its reason. Default: none.
   */
  signal?: AbortSignal;
  /**
   * Prometheus metrics of every RPC, recorded into a prom-client `Registry` (`prom-client` is an
   * optional peer dependency, loaded only when this is given): `{ registry, buckets?, promClient? }`.
   * Go grpc-prometheus names (`grpc_client_started_total`, `grpc_client_handled_total`,
   * `grpc_client_handling_seconds`, ...) plus `etcd_client_*` (streams, watches, keep-alives,
   * retries, failovers); see {@link MetricsOptions}. Default: none (no cost).
   */
  metrics?: MetricsOptions;
  /**
   * OpenTelemetry spans, one per RPC attempt, with the `rpc.*` attributes: `{ tracerProvider? }`
   * (default provider: `@opentelemetry/api`'s global one; the package is an optional peer
   * dependency, loaded only then); see {@link TracingOptions}. Default: none (no cost).
   */
  tracing?: TracingOptions;
}

/** Defaults of {@link ClientOptions}, for reference; each also has its own named constant in `rpc/defaults`. */
export const CLIENT_DEFAULTS = Object.freeze({
  endpoints: CLIENT_OPTIONS.endpoints.default,
  dialTimeout: CLIENT_OPTIONS.dialTimeout.default,
  keepAliveTime: CLIENT_OPTIONS.keepAliveTime.default,
  keepAliveTimeout: CLIENT_OPTIONS.keepAliveTimeout.default,
  maxCallSendMsgSize: CLIENT_OPTIONS.maxCallSendMsgSize.default,
  maxCallRecvMsgSize: CLIENT_OPTIONS.maxCallRecvMsgSize.default,
  balancer: CLIENT_OPTIONS.balancer.default,
  maxUnaryRetries: CLIENT_OPTIONS.maxUnaryRetries.default,
  backoffWaitBetween: CLIENT_OPTIONS.backoffWaitBetween.default,
  backoffJitterFraction: CLIENT_OPTIONS.backoffJitterFraction.default,
});

/** Compile-time guard: every field of {@link ClientOptions} is in the option table, and every name of the table is a field. */
type SameNames<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const TABLE_MATCHES_CLIENT_OPTIONS: SameNames<keyof ClientOptions, ClientOptionName> = true;
void TABLE_MATCHES_CLIENT_OPTIONS;

const CLIENT_OPTION_NAMES: readonly string[] = Object.keys(CLIENT_OPTIONS);

/** How the client layer turns each option it owns into rpc options. */
const CLIENT_LAYER: {
  readonly [K in ClientOptionName as (typeof CLIENT_OPTIONS)[K]['layer'] extends 'client' ? K : never]: (
    value: unknown,
    resolved: RpcOptions,
    observers: RpcObserver[],
  ) => void;
} = {
  endpoints(value, resolved) {
    if (!Array.isArray(value) || value.length === 0) {
      throw new InvalidArgumentError(`endpoints must be a non-empty array of URLs, got ${describe(value)}`);
    }
    for (const endpoint of value) {
      if (typeof endpoint !== 'string' || endpoint.trim() === '') {
        throw new InvalidArgumentError(`endpoints must hold URL strings like 'http://127.0.0.1:2379', got ${describe(endpoint)}`);
      }
    }
    resolved.endpoints = (value as string[]).slice();
  },
  tls(value, resolved) {
    resolved.tls = resolveTlsOptions(value);
  },
  metrics(value, _resolved, observers) {
    observers.push(createMetricsObserver(value as MetricsOptions));
  },
  tracing(value, _resolved, observers) {
    observers.push(createTracingObserver(value as TracingOptions));
  },
};

/**
 * Checks client options and turns them into the rpc layer's options (defaults left to the rpc
 * layer), as the option table says (src/rpc/options.ts `CLIENT_OPTIONS`). Throws `InvalidArgumentError` naming the problem: an unknown option name, an empty
 * endpoint list, a malformed `tls`. The rpc layer (`new RpcClient`) checks the rest and throws the
 * same error class: endpoint URLs, times, sizes, send size above receive size, the logger.
 */
export function resolveClientOptions(options: ClientOptions | undefined): RpcOptions {
  checkOptionsObject(options, 'client options');
  const resolved: RpcOptions = {};
  if (options === undefined) return { endpoints: [DEFAULT_ENDPOINT] };
  const observers: RpcObserver[] = [];
  for (const name in options) {
    const value: unknown = (options as Record<string, unknown>)[name];
    if (value === undefined) continue;
    const spec = (CLIENT_OPTIONS as Record<string, (typeof CLIENT_OPTIONS)[ClientOptionName]>)[name];
    if (spec === undefined || !Object.hasOwn(CLIENT_OPTIONS, name)) throw unknownOption(name, 'the client', CLIENT_OPTION_NAMES);
    // Times, sizes, the logger, auth, retries, the signal and connection behaviour are checked by the rpc layer, which owns them.
    if (spec.layer === 'rpc') (resolved as Record<string, unknown>)[name] = value;
    else CLIENT_LAYER[name as keyof typeof CLIENT_LAYER](value, resolved, observers);
  }
  // The local endpoint by default: over TLS when TLS settings are given (never dropped).
  resolved.endpoints ??= [resolved.tls === undefined ? DEFAULT_ENDPOINT : DEFAULT_TLS_ENDPOINT];
  const observer = combineObservers(observers);
  if (observer !== undefined) resolved.observer = observer;
  return resolved;
}
