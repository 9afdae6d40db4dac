/**
 * The options of `new Client(options)`: their types, documented defaults, and the check that
 * turns them into the rpc layer's options (unknown names and malformed values rejected with
 * `InvalidArgumentError` before anything connects).
 */
import { checkOptionsObject, unknownOption } from './internal/validation.js';
import { describe } from './internal/describe-value.js';
import { InvalidArgumentError } from './errors/index.js';
import {
  DEFAULT_DIAL_TIMEOUT_MS,
  DEFAULT_ENDPOINT,
  DEFAULT_TLS_ENDPOINT,
  DEFAULT_KEEPALIVE_TIME_MS,
  DEFAULT_KEEPALIVE_TIMEOUT_MS,
  DEFAULT_MAX_CALL_RECV_MSG_SIZE,
  DEFAULT_MAX_CALL_SEND_MSG_SIZE,
} from './rpc/defaults.js';
import type { RpcOptions } from './rpc/invoke.js';
import type { Logger } from './rpc/logger.js';
import { createMetricsObserver, type MetricsOptions } from './rpc/metrics.js';
import { combineObservers, type RpcObserver } from './rpc/observer.js';
import { createTracingObserver, type TracingOptions } from './rpc/tracing.js';
import type { TlsOptions } from './transport/types.js';

export type { Logger, MetricsOptions, TlsOptions, TracingOptions };

/**
 * Options of `new Client(options)`, named after Go's `clientv3.Config`. Every field is optional;
 * times are in milliseconds, sizes in bytes.
 */
export interface ClientOptions {
  /**
   * etcd client URLs: `http://host:port`, `https://host:port` or `host:port`. With `tls`, a
   * `host:port` endpoint uses TLS and an `http://` one is refused (`InvalidArgumentError` naming
   * it): TLS settings are never dropped. Default `['http://127.0.0.1:2379']`, or
   * `['https://127.0.0.1:2379']` with `tls`. Calls go to one endpoint at a time and move to
   * another when it fails.
   */
  endpoints?: readonly string[];
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
   * TLS settings (CA, client certificate and key, server name): the client then uses TLS for
   * every endpoint (`https://` and `host:port`; `http://` endpoints are refused). `https://`
   * endpoints use TLS without it too, verified against Node's bundled root CAs.
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
   * Interval at which the endpoint list is refreshed from the cluster's members
   * (`Cluster.MemberList`), in milliseconds; 0 turns it off. Default 0.
   */
  autoSyncInterval?: number;
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
  endpoints: Object.freeze([DEFAULT_ENDPOINT]) as readonly string[],
  dialTimeout: DEFAULT_DIAL_TIMEOUT_MS,
  keepAliveTime: DEFAULT_KEEPALIVE_TIME_MS,
  keepAliveTimeout: DEFAULT_KEEPALIVE_TIMEOUT_MS,
  maxCallSendMsgSize: DEFAULT_MAX_CALL_SEND_MSG_SIZE,
  maxCallRecvMsgSize: DEFAULT_MAX_CALL_RECV_MSG_SIZE,
});

const CLIENT_OPTION_NAMES: readonly string[] = [
  'endpoints',
  'dialTimeout',
  'keepAliveTime',
  'keepAliveTimeout',
  'maxCallSendMsgSize',
  'maxCallRecvMsgSize',
  'tls',
  'logger',
  'username',
  'password',
  'requireLeader',
  'rejectOldCluster',
  'autoSyncInterval',
  'metrics',
  'tracing',
];
const TLS_OPTION_NAMES: readonly string[] = ['ca', 'cert', 'key', 'servername', 'rejectUnauthorized'];

function isPem(value: unknown): boolean {
  return typeof value === 'string' || Buffer.isBuffer(value);
}

function checkTls(tls: unknown): TlsOptions {
  if (typeof tls !== 'object' || tls === null || Array.isArray(tls)) {
    throw new InvalidArgumentError(`tls must be an object, got ${describe(tls)}`);
  }
  for (const name in tls) {
    const value: unknown = (tls as Record<string, unknown>)[name];
    if (value === undefined) continue;
    switch (name) {
      case 'ca':
        if (isPem(value) || (Array.isArray(value) && value.every(isPem))) break;
        throw new InvalidArgumentError(`tls.ca must be a PEM string or Buffer, or an array of them, got ${describe(value)}`);
      case 'cert':
        if (isPem(value)) break;
        throw new InvalidArgumentError(`tls.cert must be a PEM string or Buffer, got ${describe(value)}`);
      case 'key':
        // A private key: never shown, whatever was passed.
        if (isPem(value)) break;
        throw new InvalidArgumentError('tls.key must be a PEM string or Buffer (the value is not shown)');
      case 'servername':
        if (typeof value === 'string') break;
        throw new InvalidArgumentError(`tls.servername must be a string, got ${describe(value)}`);
      case 'rejectUnauthorized':
        if (typeof value === 'boolean') break;
        throw new InvalidArgumentError(`tls.rejectUnauthorized must be a boolean, got ${describe(value)}`);
      default:
        throw unknownOption(name, 'tls', TLS_OPTION_NAMES);
    }
  }
  return tls as TlsOptions;
}

/**
 * Checks client options and turns them into the rpc layer's options (defaults left to the rpc
 * layer). Throws `InvalidArgumentError` naming the problem: an unknown option name, an empty
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
    switch (name) {
      case 'endpoints': {
        if (!Array.isArray(value) || value.length === 0) {
          throw new InvalidArgumentError(`endpoints must be a non-empty array of URLs, got ${describe(value)}`);
        }
        for (const endpoint of value) {
          if (typeof endpoint !== 'string' || endpoint.trim() === '') {
            throw new InvalidArgumentError(`endpoints must hold URL strings like 'http://127.0.0.1:2379', got ${describe(endpoint)}`);
          }
        }
        resolved.endpoints = (value as string[]).slice();
        break;
      }
      case 'dialTimeout':
      case 'keepAliveTime':
      case 'keepAliveTimeout':
      case 'maxCallSendMsgSize':
      case 'maxCallRecvMsgSize':
      case 'logger':
      case 'username':
      case 'password':
      case 'requireLeader':
      case 'rejectOldCluster':
      case 'autoSyncInterval':
        // Times, sizes, the logger, auth and connection behaviour are checked by the rpc layer, which owns them.
        (resolved as Record<string, unknown>)[name] = value;
        break;
      case 'tls':
        resolved.tls = checkTls(value);
        break;
      case 'metrics':
        observers.push(createMetricsObserver(value as MetricsOptions));
        break;
      case 'tracing':
        observers.push(createTracingObserver(value as TracingOptions));
        break;
      default:
        throw unknownOption(name, 'the client', CLIENT_OPTION_NAMES);
    }
  }
  // The local endpoint by default: over TLS when TLS settings are given (never dropped).
  resolved.endpoints ??= [resolved.tls === undefined ? DEFAULT_ENDPOINT : DEFAULT_TLS_ENDPOINT];
  const observer = combineObservers(observers);
  if (observer !== undefined) resolved.observer = observer;
  return resolved;
}
