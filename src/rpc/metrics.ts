/**
 * Optional Prometheus metrics of a client (`metrics: { registry }`), through `prom-client`, which is
 * loaded only when this option is given (an optional peer dependency).
 *
 * Names and labels follow Go's grpc-prometheus client metrics where they overlap, so dashboards
 * built for the Go client work: `grpc_client_started_total`, `grpc_client_handled_total`,
 * `grpc_client_msg_sent_total`, `grpc_client_msg_received_total`, `grpc_client_handling_seconds`,
 * labelled `grpc_type` (`unary`, `server_stream`, `bidi_stream`), `grpc_service`
 * (`etcdserverpb.KV`), `grpc_method` (`Range`) and, on handled and handling, `grpc_code` (Go's code
 * names: `OK`, `Unavailable`, `DeadlineExceeded`, ...). One difference: the histogram also has
 * `grpc_code`. The client's own metrics are `etcd_client_*` (see {@link METRIC_NAMES}).
 *
 * Everything is counted per attempt, as a gRPC interceptor below the retry loop would see it: a
 * call retried once is two started RPCs, and `etcd_client_retries_total` counts the second.
 */
import { InvalidArgumentError } from '../errors/index.js';
import { describe } from '../internal/describe-value.js';
import { loadOptionalModule } from './optional-module.js';
import { splitPath, statusCodeOf, type AttemptObserver, type ObservedMethod, type RpcObserver } from './observer.js';

/**
 * The part of a prom-client `Registry` the client uses: a prom-client `Registry` (or the default
 * `register`) fits. Metrics already registered under the same names (by another client sharing the
 * registry) are reused, so several clients add up.
 */
export interface MetricsRegistry {
  /** Returns the metric registered under `name`, if any (prom-client's `Registry.getSingleMetric`). */
  getSingleMetric(name: string): unknown;
}

/** One labelled series of a prom-client counter (or gauge). */
export interface PromCounterSeries {
  /** Adds `value` (default 1). */
  inc(value?: number): void;
}
/** One labelled series of a prom-client gauge. */
export interface PromGaugeSeries extends PromCounterSeries {
  /** Subtracts `value` (default 1). */
  dec(value?: number): void;
}
/** One labelled series of a prom-client histogram. */
export interface PromHistogramSeries {
  /** Records one observation (for the client: seconds). */
  observe(value: number): void;
}
/** A prom-client metric with labels. */
export interface PromMetric<Series> {
  /** The series of one set of label values (prom-client's `metric.labels({ ... })`). */
  labels(labels: Record<string, string>): Series;
}
/** Configuration accepted by prom-client's metric constructors. */
interface MetricConfig {
  name: string;
  help: string;
  labelNames?: string[];
  registers?: MetricsRegistry[];
  buckets?: number[];
}

/**
 * The part of the `prom-client` module the client uses (its `Counter`, `Gauge` and `Histogram`
 * classes). Pass the module as `metrics.promClient` when the client should not load it itself
 * (e.g. in a bundle); `import * as promClient from 'prom-client'` fits. The constructors' parameter
 * is typed `never` so that any prom-client version's classes fit; the client passes prom-client's
 * `{ name, help, labelNames, registers, buckets }`.
 */
export interface PromClientModule {
  /** prom-client's `Counter` class. */
  Counter: new (config: never) => PromMetric<PromCounterSeries> & PromCounterSeries;
  /** prom-client's `Gauge` class. */
  Gauge: new (config: never) => PromMetric<PromGaugeSeries> & PromGaugeSeries;
  /** prom-client's `Histogram` class. */
  Histogram: new (config: never) => PromMetric<PromHistogramSeries>;
}

/** The `metrics` option of the client. */
export interface MetricsOptions {
  /** Where the metrics are registered: a prom-client `Registry` (e.g. `new Registry()` or `register`). */
  registry: MetricsRegistry;
  /**
   * Upper bounds of the latency histogram's buckets, in seconds, ascending.
   * Default {@link DEFAULT_LATENCY_BUCKETS_SECONDS}.
   */
  buckets?: readonly number[];
  /**
   * The prom-client module to use. Default: `require('prom-client')` from where etcd-ts is installed
   * (an `InvalidArgumentError` tells you to install it when it is missing).
   */
  promClient?: PromClientModule;
}

/**
 * Default buckets of `grpc_client_handling_seconds`, in seconds: Prometheus's default buckets
 * (those of Go's grpc-prometheus, 5 ms to 10 s) plus 0.5, 1 and 2.5 ms, since an etcd call on a
 * local network often takes about a millisecond.
 */
export const DEFAULT_LATENCY_BUCKETS_SECONDS: readonly number[] = Object.freeze([
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
]);

/** Names of every metric the client registers. */
export const METRIC_NAMES = Object.freeze({
  /** Counter: attempts started (grpc-prometheus). */
  started: 'grpc_client_started_total',
  /** Counter: attempts ended, with `grpc_code` (grpc-prometheus). */
  handled: 'grpc_client_handled_total',
  /** Counter: request messages sent (grpc-prometheus). */
  msgSent: 'grpc_client_msg_sent_total',
  /** Counter: response messages received (grpc-prometheus). */
  msgReceived: 'grpc_client_msg_received_total',
  /** Histogram: seconds from the start of an attempt to its end, streams included (grpc-prometheus, plus `grpc_code`). */
  handling: 'grpc_client_handling_seconds',
  /** Gauge: streams open now (watch, lease keep-alive, snapshot, ...), by service and method. */
  openStreams: 'etcd_client_open_streams',
  /** Gauge: watches registered on the server on open watch streams (created and not yet cancelled). */
  watches: 'etcd_client_watches',
  /** Counter: lease keep-alive responses, by `result`: `renewed` or `not_found` (the lease is gone). */
  keepAlives: 'etcd_client_lease_keepalives_total',
  /** Counter: attempts made by the retry policy after a failed one, by service and method. */
  retries: 'etcd_client_retries_total',
  /** Counter: retried attempts that went to another endpoint than the same call's previous attempt. */
  failovers: 'etcd_client_failovers_total',
});

const GRPC_CODE_NAMES: readonly string[] = [
  'OK',
  'Canceled',
  'Unknown',
  'InvalidArgument',
  'DeadlineExceeded',
  'NotFound',
  'AlreadyExists',
  'PermissionDenied',
  'ResourceExhausted',
  'FailedPrecondition',
  'Aborted',
  'OutOfRange',
  'Unimplemented',
  'Internal',
  'Unavailable',
  'DataLoss',
  'Unauthenticated',
];

/** Go's name of a gRPC code (`codes.Code.String()`): `Unavailable` for 14, `Code(20)` beyond the list. */
export function goCodeName(code: number): string {
  return GRPC_CODE_NAMES[code] ?? `Code(${code})`;
}

const WATCH_PATH = '/etcdserverpb.Watch/Watch';
const KEEPALIVE_PATH = '/etcdserverpb.Lease/LeaseKeepAlive';
const RPC_LABELS = ['grpc_type', 'grpc_service', 'grpc_method'];
const GRPC_TYPES = { unary: 'unary', 'server-stream': 'server_stream', bidi: 'bidi_stream' } as const;

interface Metrics {
  started: PromMetric<PromCounterSeries>;
  handled: PromMetric<PromCounterSeries>;
  msgSent: PromMetric<PromCounterSeries>;
  msgReceived: PromMetric<PromCounterSeries>;
  handling: PromMetric<PromHistogramSeries>;
  openStreams: PromMetric<PromGaugeSeries>;
  watches: PromGaugeSeries;
  keepAlives: PromMetric<PromCounterSeries>;
  retries: PromMetric<PromCounterSeries>;
  failovers: PromCounterSeries;
}

/** The series of one RPC, made once per method and reused by every attempt. */
class MethodSeries {
  readonly labels: Record<string, string>;
  readonly started: PromCounterSeries;
  readonly msgSent: PromCounterSeries;
  readonly msgReceived: PromCounterSeries;
  readonly retries: PromCounterSeries;
  readonly openStreams: PromGaugeSeries | undefined;
  readonly #byCode = new Map<number, { handled: PromCounterSeries; handling: PromHistogramSeries }>();
  readonly #metrics: Metrics;

  constructor(metrics: Metrics, method: ObservedMethod) {
    const { service, method: name } = splitPath(method.path);
    this.#metrics = metrics;
    this.labels = { grpc_type: GRPC_TYPES[method.kind], grpc_service: service, grpc_method: name };
    this.started = metrics.started.labels(this.labels);
    this.msgSent = metrics.msgSent.labels(this.labels);
    this.msgReceived = metrics.msgReceived.labels(this.labels);
    this.retries = metrics.retries.labels({ grpc_service: service, grpc_method: name });
    this.openStreams = method.kind === 'unary' ? undefined : metrics.openStreams.labels({ grpc_service: service, grpc_method: name });
  }

  /** The handled counter and latency histogram of `code`. */
  outcome(code: number): { handled: PromCounterSeries; handling: PromHistogramSeries } {
    let series = this.#byCode.get(code);
    if (series === undefined) {
      const labels = { ...this.labels, grpc_code: goCodeName(code) };
      series = { handled: this.#metrics.handled.labels(labels), handling: this.#metrics.handling.labels(labels) };
      this.#byCode.set(code, series);
    }
    return series;
  }
}

/** A decoded WatchResponse, as far as the watch gauge reads it. */
interface WatchResponseLike {
  /** A bigint in the wire shape (`Watch.watch`), a number as the watch layer decodes it. */
  watchId?: bigint | number;
  created?: boolean;
  canceled?: boolean;
}

/**
 * Makes the observer that records a client's metrics into `options.registry`.
 *
 * @throws InvalidArgumentError when `options` is not `{ registry, buckets?, promClient? }` with a
 *   registry that has `getSingleMetric`, ascending positive `buckets`, or when `prom-client` is not
 *   installed (and no `promClient` was given)
 */
export function createMetricsObserver(options: MetricsOptions): RpcObserver {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError(`metrics must be an object like { registry }, got ${describe(options)}`);
  }
  for (const name of Object.keys(options)) {
    if (name !== 'registry' && name !== 'buckets' && name !== 'promClient') {
      throw new InvalidArgumentError(`unknown metrics option ${JSON.stringify(name)}; expected registry, buckets or promClient`);
    }
  }
  const registry = options.registry;
  if (typeof registry !== 'object' || registry === null || typeof registry.getSingleMetric !== 'function') {
    throw new InvalidArgumentError(`metrics.registry must be a prom-client Registry, got ${describe(registry)}`);
  }
  const buckets = options.buckets ?? DEFAULT_LATENCY_BUCKETS_SECONDS;
  if (!Array.isArray(buckets) || buckets.length === 0 || buckets.some((b, i) => typeof b !== 'number' || !(b > 0) || (i > 0 && b <= buckets[i - 1]!))) {
    throw new InvalidArgumentError(`metrics.buckets must be ascending positive numbers of seconds, got ${describe(buckets)}`);
  }
  const prom = options.promClient ?? loadOptionalModule<PromClientModule>('prom-client', 'the metrics option');
  const metrics = registerMetrics(prom, registry, buckets);
  return new MetricsObserver(metrics);
}

function registerMetrics(prom: PromClientModule, registry: MetricsRegistry, buckets: readonly number[]): Metrics {
  const get = <T>(name: string, make: (config: MetricConfig) => T, help: string, labelNames: string[]): T => {
    const existing = registry.getSingleMetric(name);
    if (existing !== undefined) return existing as T;
    return make({ name, help, labelNames, registers: [registry] });
  };
  const counter = (config: MetricConfig) => new prom.Counter(config as never);
  const gauge = (config: MetricConfig) => new prom.Gauge(config as never);
  const codeLabels = [...RPC_LABELS, 'grpc_code'];
  const methodLabels = ['grpc_service', 'grpc_method'];
  return {
    started: get(METRIC_NAMES.started, counter, 'Total number of RPCs started by the etcd client (per attempt).', RPC_LABELS),
    handled: get(METRIC_NAMES.handled, counter, 'Total number of RPCs completed by the etcd client, regardless of success or failure.', codeLabels),
    msgSent: get(METRIC_NAMES.msgSent, counter, 'Total number of request messages sent by the etcd client.', RPC_LABELS),
    msgReceived: get(METRIC_NAMES.msgReceived, counter, 'Total number of response messages received by the etcd client.', RPC_LABELS),
    handling: get(
      METRIC_NAMES.handling,
      (config) => new prom.Histogram({ ...config, buckets: [...buckets] } as never),
      'Seconds from the start of an RPC attempt of the etcd client to its end (streams: their whole life).',
      codeLabels,
    ),
    openStreams: get(METRIC_NAMES.openStreams, gauge, 'Streams (watch, lease keep-alive, snapshot, ...) the etcd client has open.', methodLabels),
    watches: get(METRIC_NAMES.watches, gauge, 'Watches registered on the server on the etcd client\'s open watch streams.', []),
    keepAlives: get(METRIC_NAMES.keepAlives, counter, 'Lease keep-alive responses received by the etcd client, by result (renewed, not_found).', ['result']),
    retries: get(METRIC_NAMES.retries, counter, 'Attempts the etcd client\'s retry policy made after a failed attempt.', methodLabels),
    failovers: get(METRIC_NAMES.failovers, counter, 'Retried attempts of the etcd client that went to another endpoint than the previous attempt of the call.', []),
  };
}

/** Records every attempt of one client. */
class MetricsObserver implements RpcObserver {
  readonly #metrics: Metrics;
  readonly #series = new Map<string, MethodSeries>();

  constructor(metrics: Metrics) {
    this.#metrics = metrics;
  }

  attempt(method: ObservedMethod, attempt: number, _endpointCount: number): AttemptObserver {
    let series = this.#series.get(method.path);
    if (series === undefined) {
      series = new MethodSeries(this.#metrics, method);
      this.#series.set(method.path, series);
    }
    series.started.inc();
    if (attempt > 1) series.retries.inc();
    return new MetricsAttempt(this.#metrics, series, method);
  }
}

/** One attempt's timing, stream gauge and watch bookkeeping. */
class MetricsAttempt implements AttemptObserver {
  readonly #metrics: Metrics;
  readonly #series: MethodSeries;
  readonly #method: ObservedMethod;
  readonly #start = performance.now();
  #streamOpen = false;
  #ended = false;
  /** Watch IDs created and not cancelled on this attempt's watch stream. */
  #watches: Set<bigint | number> | undefined;

  constructor(metrics: Metrics, series: MethodSeries, method: ObservedMethod) {
    this.#metrics = metrics;
    this.#series = series;
    this.#method = method;
  }

  connected(_endpoint: string, movedFrom?: string): void {
    if (movedFrom !== undefined) this.#metrics.failovers.inc();
    if (this.#method.kind !== 'bidi') this.#series.msgSent.inc();
    if (this.#series.openStreams !== undefined) {
      this.#series.openStreams.inc();
      this.#streamOpen = true;
    }
  }

  sent(): void {
    this.#series.msgSent.inc();
  }

  received(message: unknown): void {
    this.#series.msgReceived.inc();
    if (this.#method.path === WATCH_PATH) this.#watchResponse(message as WatchResponseLike);
    else if (this.#method.path === KEEPALIVE_PATH) {
      const ttl = (message as { TTL?: bigint }).TTL;
      this.#metrics.keepAlives.labels({ result: ttl !== undefined && ttl > 0n ? 'renewed' : 'not_found' }).inc();
    }
  }

  end(error: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    const code = statusCodeOf(error);
    if (code === 0 && this.#method.kind === 'unary') this.#series.msgReceived.inc();
    const outcome = this.#series.outcome(code);
    outcome.handled.inc();
    outcome.handling.observe((performance.now() - this.#start) / 1000);
    if (this.#streamOpen) this.#series.openStreams!.dec();
    if (this.#watches !== undefined && this.#watches.size > 0) this.#metrics.watches.dec(this.#watches.size);
    this.#watches = undefined;
  }

  #watchResponse(response: WatchResponseLike): void {
    const id = response.watchId;
    if (id === undefined || this.#ended) return;
    this.#watches ??= new Set();
    if (response.canceled === true) {
      if (this.#watches.delete(id)) this.#metrics.watches.dec();
    } else if (response.created === true && !this.#watches.has(id)) {
      this.#watches.add(id);
      this.#metrics.watches.inc();
    }
  }
}
