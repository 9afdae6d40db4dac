/**
 * The one definition of each client option: {@link CLIENT_OPTIONS}, a table of name, check,
 * unit, default, one doc line and the key of Go's YAML config file. From it come the rpc layer's
 * checks and defaults (`RpcClient`), {@link RpcOptions}, the client layer's list of known names
 * (src/client-options.ts), `CLIENT_DEFAULTS`, and the config-file mapping (src/config.ts). The
 * public, TypeDoc-rendered docs stay on `ClientOptions` (src/client-options.ts); a unit test keeps
 * its fields and this table's names the same.
 *
 * The checks take the value as given and return it (or the default when undefined), or throw
 * `InvalidArgumentError` naming the option, what it must be, and what it got.
 */
import { InvalidArgumentError } from '../errors/index.js';
import { describe } from '../internal/describe-value.js';
import type { Connection, ConnectionOptions, Endpoint, TlsSettings } from '../transport/types.js';
import {
  DEFAULT_DIAL_TIMEOUT_MS,
  DEFAULT_ENDPOINT,
  DEFAULT_KEEPALIVE_TIME_MS,
  DEFAULT_KEEPALIVE_TIMEOUT_MS,
  DEFAULT_MAX_CALL_RECV_MSG_SIZE,
  DEFAULT_MAX_CALL_SEND_MSG_SIZE,
  DEFAULT_RETRY_BACKOFF_MS,
  DEFAULT_RETRY_JITTER_FRACTION,
  DEFAULT_RETRY_MAX_ATTEMPTS,
} from './defaults.js';
import type { Balancer } from './endpoints.js';
import type { Logger } from './logger.js';
import type { MetadataHook } from './metadata.js';
import type { RpcObserver } from './observer.js';

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

/** A positive finite number of milliseconds, or `fallback` when undefined. @throws InvalidArgumentError otherwise */
export function checkPositive(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new InvalidArgumentError(`${name} must be a positive finite number of milliseconds, got ${describe(value)}`);
  }
  return value;
}

/** A non-negative finite number of milliseconds (`zero` says what 0 means), or `fallback` when undefined. @throws InvalidArgumentError otherwise */
export function checkNonNegative(name: string, value: unknown, fallback: number, zero = '0 = off'): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new InvalidArgumentError(`${name} must be a non-negative finite number of milliseconds (${zero}), got ${describe(value)}`);
  }
  return value;
}

/** A fraction from 0 to 1, or `fallback` when undefined. @throws InvalidArgumentError otherwise */
export function checkFraction(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
    throw new InvalidArgumentError(`${name} must be a fraction from 0 to 1 (0.1 = +-10%), got ${describe(value)}`);
  }
  return value;
}

/** A positive safe integer, or `fallback` when undefined. @throws InvalidArgumentError otherwise */
export function checkPositiveInteger(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new InvalidArgumentError(`${name} must be a positive integer, got ${describe(value)}`);
  }
  return value;
}

/** A boolean, false when undefined. @throws InvalidArgumentError otherwise */
export function checkFlag(name: string, value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw new InvalidArgumentError(`${name} must be true or false, got ${describe(value)}`);
  return value;
}

/** An `AbortSignal` or undefined. @throws InvalidArgumentError otherwise */
export function checkSignal(signal: unknown): AbortSignal | undefined {
  if (signal === undefined || signal instanceof AbortSignal) return signal;
  throw new InvalidArgumentError(`signal must be an AbortSignal, got ${describe(signal)}`);
}

/** `'round-robin'` (the default, when undefined) or `'pinned'`. @throws InvalidArgumentError otherwise */
export function checkBalancer(balancer: unknown): Balancer {
  if (balancer === undefined || balancer === 'round-robin' || balancer === 'pinned') return balancer ?? 'round-robin';
  throw new InvalidArgumentError(`balancer must be 'round-robin' or 'pinned', got ${describe(balancer)}`);
}

/** An object with `debug`, `info`, `warn` and `error` methods, or undefined. @throws InvalidArgumentError otherwise */
export function checkLogger(logger: unknown): Logger | undefined {
  if (logger === undefined) return undefined;
  const l = logger as Partial<Record<keyof Logger, unknown>> | null;
  if (l === null || typeof l !== 'object' || (['debug', 'info', 'warn', 'error'] as const).some((m) => typeof l[m] !== 'function')) {
    throw new InvalidArgumentError('logger must be an object with debug, info, warn and error methods');
  }
  return logger as Logger;
}

// ---------------------------------------------------------------------------------------------
// The table
// ---------------------------------------------------------------------------------------------

/** How a key of Go's YAML config file (`go.etcd.io/etcd/client/v3/yaml`) maps to an option. */
export interface YamlKey {
  /** The key, lower-case (e.g. `dial-timeout`). */
  readonly key: string;
  /**
   * The YAML value's kind: `duration` (a Go `time.Duration`, integer nanoseconds, read as ms),
   * `count` (a Go `uint`), `fraction` (a float from 0 to 1), `string`, `secret` (a string never
   * shown in an error), `flag` (a boolean), `list` (a list of strings).
   */
  readonly kind: 'duration' | 'count' | 'fraction' | 'string' | 'secret' | 'flag' | 'list';
  /** What the zero value (0, '', false) means: the option's default (as Go does; the default), or the value itself. */
  readonly zero?: 'default' | 'value';
}

/** One client option. `T` is the type of its checked value. */
export interface OptionSpec<T> {
  /**
   * Which layer checks it: `rpc` (passed as is by the client layer and checked by `RpcClient`
   * with {@link check}, or by the named function), `client` (resolved by src/client-options.ts
   * into rpc options).
   */
  readonly layer: 'rpc' | 'client';
  /** One line: what it is. The full docs are on `ClientOptions`. */
  readonly doc: string;
  /** Unit of a number: `ms`, `bytes`, `attempts`, `fraction` (0 to 1). */
  readonly unit?: 'ms' | 'bytes' | 'attempts' | 'fraction';
  /** The value used when the option is not given (undefined: none, the feature is off). */
  readonly default: T | undefined;
  /** Checks a given value; throws `InvalidArgumentError` naming `name`. Absent: checked elsewhere (see `checkedBy`). */
  readonly check?: (name: string, value: unknown) => T;
  /** Where an option without {@link check} is checked. */
  readonly checkedBy?: string;
  /** Its key in Go's YAML config file, if it has one. */
  readonly yaml?: YamlKey;
}

/** An option the rpc layer checks; `D`, the default's type, keeps a constant's literal type (for `CLIENT_DEFAULTS`). */
function rpcOption<T, const D extends T | undefined>(
  s: Omit<OptionSpec<T>, 'layer' | 'default'> & { readonly default: D },
): OptionSpec<T> & { readonly layer: 'rpc'; readonly default: D } {
  return { layer: 'rpc', ...s };
}

/** An option the client layer resolves into rpc options. */
function clientOption<T, const D extends T | undefined>(
  s: Omit<OptionSpec<T>, 'layer' | 'default'> & { readonly default: D },
): OptionSpec<T> & { readonly layer: 'client'; readonly default: D } {
  return { layer: 'client', ...s };
}

const positiveMs = (name: string, value: unknown): number => checkPositive(name, value, 0);
const nonNegativeMs = (name: string, value: unknown): number => checkNonNegative(name, value, 0);
const positiveInteger = (name: string, value: unknown): number => checkPositiveInteger(name, value, 0);
const flag = (name: string, value: unknown): boolean => checkFlag(name, value);

/**
 * Every option of `new Client(options)` (`ClientOptions`), in the order error messages list them.
 * The rpc layer's own extras (`createConnection`, `metadata`, `observer`) are not client options.
 */
export const CLIENT_OPTIONS = Object.freeze({
  endpoints: clientOption<readonly string[], readonly string[]>({
    doc: 'etcd client URLs (http://, https://, host:port, unix://, unixs://)',
    default: Object.freeze([DEFAULT_ENDPOINT]),
    checkedBy: 'resolveClientOptions (a non-empty array of strings), then parseEndpoints (src/rpc/endpoints.ts)',
    yaml: { key: 'endpoints', kind: 'list' },
  }),
  dialTimeout: rpcOption({
    doc: 'longest wait for a ready connection before NoAvailableEndpointsError',
    unit: 'ms',
    default: DEFAULT_DIAL_TIMEOUT_MS,
    check: positiveMs,
    yaml: { key: 'dial-timeout', kind: 'duration' },
  }),
  keepAliveTime: rpcOption({
    doc: 'interval of HTTP/2 PINGs on a connection in use; 0 = off',
    unit: 'ms',
    default: DEFAULT_KEEPALIVE_TIME_MS,
    check: nonNegativeMs,
    yaml: { key: 'dial-keep-alive-time', kind: 'duration', zero: 'value' },
  }),
  keepAliveTimeout: rpcOption({
    doc: 'time a PING may go unanswered before the connection is dropped',
    unit: 'ms',
    default: DEFAULT_KEEPALIVE_TIMEOUT_MS,
    check: positiveMs,
    yaml: { key: 'dial-keep-alive-timeout', kind: 'duration' },
  }),
  maxCallSendMsgSize: rpcOption({
    doc: 'largest request sent; larger ones fail with RequestTooLargeError before sending',
    unit: 'bytes',
    default: DEFAULT_MAX_CALL_SEND_MSG_SIZE,
    check: positiveInteger,
  }),
  maxCallRecvMsgSize: rpcOption({
    doc: 'largest response accepted; at least maxCallSendMsgSize',
    unit: 'bytes',
    default: DEFAULT_MAX_CALL_RECV_MSG_SIZE,
    check: positiveInteger,
  }),
  tls: clientOption<TlsSettings, undefined>({
    doc: 'TLS settings; given, every endpoint uses TLS',
    default: undefined,
    checkedBy: 'resolveTlsOptions (src/tls-options.ts)',
  }),
  logger: rpcOption<Logger, undefined>({
    doc: 'receives retry and failover decisions (debug) and endpoint failures (warn)',
    default: undefined,
    check: (_name, value) => checkLogger(value)!,
  }),
  username: rpcOption<string, undefined>({
    doc: 'etcd user name for Auth.Authenticate; needs password',
    default: undefined,
    checkedBy: 'checkCredentials (src/rpc/auth-token.ts), with password',
    yaml: { key: 'username', kind: 'string' },
  }),
  password: rpcOption<string, undefined>({
    doc: 'password of username; never logged nor shown in an error',
    default: undefined,
    checkedBy: 'checkCredentials (src/rpc/auth-token.ts), with username',
    yaml: { key: 'password', kind: 'secret' },
  }),
  requireLeader: rpcOption({
    doc: 'sends the require-leader metadata (hasleader) with every call',
    default: false,
    check: flag,
  }),
  rejectOldCluster: rpcOption({
    doc: 'refuses servers older than etcd 3.2 (Maintenance.Status on each first connection)',
    default: false,
    check: flag,
    yaml: { key: 'reject-old-cluster', kind: 'flag' },
  }),
  balancer: rpcOption<Balancer, 'round-robin'>({
    doc: "how unary calls choose an endpoint: 'round-robin' or 'pinned'",
    default: 'round-robin',
    check: (_name, value) => checkBalancer(value),
  }),
  maxUnaryRetries: rpcOption({
    doc: "most attempts of one call, the first included (clientv3's MaxUnaryRetries)",
    unit: 'attempts',
    default: DEFAULT_RETRY_MAX_ATTEMPTS,
    check: positiveInteger,
    yaml: { key: 'max-unary-retries', kind: 'count' },
  }),
  backoffWaitBetween: rpcOption({
    doc: "pause between retry rounds (clientv3's BackoffWaitBetween); 0 = no pause",
    unit: 'ms',
    default: DEFAULT_RETRY_BACKOFF_MS,
    check: (name, value) => checkNonNegative(name, value, 0, '0 = no pause'),
    yaml: { key: 'backoff-wait-between', kind: 'duration' },
  }),
  backoffJitterFraction: rpcOption({
    doc: "random spread of that pause (clientv3's BackoffJitterFraction)",
    unit: 'fraction',
    default: DEFAULT_RETRY_JITTER_FRACTION,
    check: (name, value) => checkFraction(name, value, 0),
    yaml: { key: 'backoff-jitter-fraction', kind: 'fraction' },
  }),
  autoSyncInterval: rpcOption({
    doc: 'interval of endpoint refresh from Cluster.MemberList; 0 = off',
    unit: 'ms',
    default: 0,
    check: nonNegativeMs,
    yaml: { key: 'auto-sync-interval', kind: 'duration', zero: 'value' },
  }),
  signal: rpcOption<AbortSignal, undefined>({
    doc: "the client's lifetime: aborting it closes the client (clientv3's Config.Context)",
    default: undefined,
    check: (_name, value) => checkSignal(value)!,
  }),
  metrics: clientOption<object, undefined>({
    doc: 'Prometheus metrics of every RPC into a prom-client Registry',
    default: undefined,
    checkedBy: 'createMetricsObserver (src/rpc/metrics.ts)',
  }),
  tracing: clientOption<object, undefined>({
    doc: 'OpenTelemetry spans, one per RPC attempt',
    default: undefined,
    checkedBy: 'createTracingObserver (src/rpc/tracing.ts)',
  }),
});

/** The name of a client option. */
export type ClientOptionName = keyof typeof CLIENT_OPTIONS;

/** The checked type of option `K`. */
export type OptionValue<K extends ClientOptionName> = (typeof CLIENT_OPTIONS)[K] extends OptionSpec<infer T> ? T : never;

/** The client options the rpc layer checks itself. */
export type RpcOptionName = {
  [K in ClientOptionName]: (typeof CLIENT_OPTIONS)[K]['layer'] extends 'rpc' ? K : never;
}[ClientOptionName];

/**
 * Options of an `RpcClient`, every one optional: the rpc layer's client options (see
 * `ClientOptions` for each one's docs, {@link CLIENT_OPTIONS} for checks and defaults), and the
 * rpc layer's own.
 */
export type RpcOptions = { [K in RpcOptionName]?: OptionValue<K> } & {
  /** Endpoint URLs as an array or a comma-separated string (see `ClientOptions.endpoints`); with `tls` they use TLS. */
  endpoints?: string | readonly string[];
  /** TLS settings (contents, checked by the client layer); given, every endpoint uses TLS. */
  tls?: TlsSettings;
  /** Called before every attempt of every call; the headers it returns are sent with it (names lower-case; undefined: none). */
  metadata?: MetadataHook;
  /** Creates the connection of one endpoint. Default: the transport's `createConnection`. For tests and proxies. */
  createConnection?: (endpoint: Endpoint, options: ConnectionOptions) => Connection;
  /** Sees every attempt of every call (metrics, tracing: src/rpc/observer.ts). Default: none, at no cost. */
  observer?: RpcObserver;
};

/**
 * The checked value of the rpc-layer option `name` in `options`, or its default from the table.
 * @throws InvalidArgumentError naming the option when the value is malformed
 */
export function optionValue<K extends RpcOptionName>(options: RpcOptions, name: K): OptionValue<K> {
  const s = CLIENT_OPTIONS[name] as OptionSpec<OptionValue<K>>;
  const value: unknown = options[name];
  if (value === undefined || s.check === undefined) return (value ?? s.default) as OptionValue<K>;
  return s.check(name, value);
}
