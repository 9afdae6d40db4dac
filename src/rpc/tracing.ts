/**
 * Optional OpenTelemetry tracing of a client (`tracing: { tracerProvider? }`): one CLIENT span per
 * RPC attempt, named `etcdserverpb.KV/Range` as the RPC semantic conventions name gRPC spans, with
 * `rpc.system` (`grpc`), `rpc.service`, `rpc.method`, `server.address`, `server.port` and
 * `rpc.grpc.status_code`; a failed attempt's span has status ERROR and the exception recorded. A
 * retried call shows one span per attempt; attempts after the first carry `etcd.attempt`.
 *
 * Spans start in the active context (their parent is the caller's current span). With a
 * `tracerProvider` nothing is loaded; without one, `@opentelemetry/api` (an optional peer
 * dependency) is loaded to reach the global tracer provider.
 *
 * The types below are the parts of the OpenTelemetry API the client calls; `@opentelemetry/api`'s
 * `TracerProvider`, `Tracer` and `Span` fit them, and so does any SDK's.
 */
import { InvalidArgumentError } from '../errors/index.js';
import { describe } from '../internal/describe-value.js';
import { loadOptionalModule } from './optional-module.js';
import { splitPath, statusCodeOf, type AttemptObserver, type ObservedMethod, type RpcObserver } from './observer.js';
import { parseEndpoint } from '../transport/index.js';

/** A span, as far as the client uses it (OpenTelemetry `Span`). */
export interface TraceSpan {
  /** Sets one attribute. */
  setAttribute(key: string, value: string | number | boolean): unknown;
  /** Sets the status: `code` 2 (ERROR) with a message for a failed attempt. */
  setStatus(status: { code: number; message?: string }): unknown;
  /** Records an exception event (the error of a failed attempt). */
  recordException(exception: Error): void;
  /** Ends the span. */
  end(): void;
}

/** A tracer, as far as the client uses it (OpenTelemetry `Tracer`). */
export interface Tracer {
  /** Starts a span in the active context; `kind` 2 is CLIENT. */
  startSpan(name: string, options?: { kind?: number; attributes?: Record<string, string | number | boolean> }): TraceSpan;
}

/** A tracer provider (OpenTelemetry `TracerProvider`, e.g. an SDK's `NodeTracerProvider`). */
export interface TracerProvider {
  /** The tracer of an instrumentation scope (`etcd-ts`). */
  getTracer(name: string, version?: string): Tracer;
}

/** The `tracing` option of the client. */
export interface TracingOptions {
  /**
   * Where spans go. Default: the global tracer provider of `@opentelemetry/api` (`trace.getTracerProvider()`,
   * which follows whatever provider the application registers, before or after the client is made).
   */
  tracerProvider?: TracerProvider;
}

/** Instrumentation scope name of the client's tracer. */
export const TRACER_NAME = 'etcd-ts';

/** OpenTelemetry `SpanKind.CLIENT`. */
const SPAN_KIND_CLIENT = 2;
/** OpenTelemetry `SpanStatusCode.ERROR`. */
const SPAN_STATUS_ERROR = 2;

/**
 * Makes the observer that traces a client's RPCs.
 *
 * @throws InvalidArgumentError when `options` is not `{ tracerProvider? }`, when the provider has
 *   no `getTracer`, or when no provider is given and `@opentelemetry/api` is not installed
 */
export function createTracingObserver(options: TracingOptions): RpcObserver {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError(`tracing must be an object like { tracerProvider }, got ${describe(options)}`);
  }
  for (const name of Object.keys(options)) {
    if (name !== 'tracerProvider') throw new InvalidArgumentError(`unknown tracing option ${JSON.stringify(name)}; expected tracerProvider`);
  }
  let provider = options.tracerProvider;
  if (provider === undefined) {
    provider = loadOptionalModule<{ trace: { getTracerProvider(): TracerProvider } }>(
      '@opentelemetry/api',
      'the tracing option without a tracerProvider',
    ).trace.getTracerProvider();
  } else if (typeof provider !== 'object' || provider === null || typeof provider.getTracer !== 'function') {
    throw new InvalidArgumentError(`tracing.tracerProvider must be an OpenTelemetry TracerProvider, got ${describe(provider)}`);
  }
  const tracer = provider.getTracer(TRACER_NAME);
  const names = new Map<string, { name: string; service: string; method: string }>();
  const addresses = new Map<string, ServerAddress>();
  return {
    attempt(method: ObservedMethod, attempt: number): AttemptObserver {
      let name = names.get(method.path);
      if (name === undefined) {
        const parts = splitPath(method.path);
        name = { name: `${parts.service}/${parts.method}`, ...parts };
        names.set(method.path, name);
      }
      const attributes: Record<string, string | number | boolean> = {
        'rpc.system': 'grpc',
        'rpc.service': name.service,
        'rpc.method': name.method,
      };
      if (attempt > 1) attributes['etcd.attempt'] = attempt;
      return new TracedAttempt(tracer.startSpan(name.name, { kind: SPAN_KIND_CLIENT, attributes }), addresses);
    },
  };
}

/**
 * `server.address` and `server.port` of an endpoint URL (both undefined when it does not parse);
 * for a Unix socket the socket's path and no port, as OpenTelemetry's conventions say.
 */
interface ServerAddress {
  address: string | undefined;
  port: number | undefined;
}

function serverAddress(endpoint: string): ServerAddress {
  try {
    const parsed = parseEndpoint(endpoint);
    return parsed.path !== undefined ? { address: parsed.path, port: undefined } : { address: parsed.host, port: parsed.port };
  } catch {
    return { address: undefined, port: undefined };
  }
}

/** One attempt's span. */
class TracedAttempt implements AttemptObserver {
  readonly #span: TraceSpan;
  /** Parsed endpoint URLs, shared by the attempts of one client. */
  readonly #addresses: Map<string, ServerAddress>;
  #ended = false;

  constructor(span: TraceSpan, addresses: Map<string, ServerAddress>) {
    this.#span = span;
    this.#addresses = addresses;
  }

  connected(endpoint: string): void {
    let server = this.#addresses.get(endpoint);
    if (server === undefined) {
      server = serverAddress(endpoint);
      this.#addresses.set(endpoint, server);
    }
    if (server.address !== undefined) this.#span.setAttribute('server.address', server.address);
    if (server.port !== undefined) this.#span.setAttribute('server.port', server.port);
  }

  sent(): void {}

  received(): void {}

  end(error: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    const code = statusCodeOf(error);
    this.#span.setAttribute('rpc.grpc.status_code', code);
    if (error !== undefined) {
      const failure = error instanceof Error ? error : new Error(String(error));
      this.#span.recordException(failure);
      this.#span.setStatus({ code: SPAN_STATUS_ERROR, message: failure.message });
    }
    this.#span.end();
  }
}
