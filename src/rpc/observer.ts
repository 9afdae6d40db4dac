/**
 * The observer hook of the rpc layer: how metrics (src/rpc/metrics.ts) and tracing
 * (src/rpc/tracing.ts) see every call without the call path knowing about either.
 *
 * `RpcClient.#call` asks the observer once per attempt (`attempt()`), tells the returned
 * {@link AttemptObserver} which endpoint the attempt went to, every stream message sent and
 * received, and how the attempt ended. With no observer configured the call path pays one
 * `undefined` check per attempt and allocates nothing.
 */
import type { Method } from '../proto/method-descriptor.js';
import { CallError, Status } from '../transport/types.js';

/** What an observer learns of the RPC an attempt belongs to. */
export type ObservedMethod = Pick<Method<unknown, unknown>, 'path' | 'kind' | 'retry'>;

/**
 * Sees every attempt of every call of one client. Implementations must not throw and must be
 * cheap: they run on the call path.
 */
export interface RpcObserver {
  /**
   * An attempt of `method` starts (before it waits for a connection). `attempt` counts from 1; a
   * value above 1 means the rpc layer's retry policy is trying again. `endpointCount` is the
   * number of endpoints the calling rpc client chooses from (1 for a client bound to one endpoint,
   * e.g. a per-endpoint maintenance call, which shares the observer). Returns the observer of
   * this attempt, or undefined to ignore it.
   */
  attempt(method: ObservedMethod, attempt: number, endpointCount: number): AttemptObserver | undefined;
}

/** Sees one attempt. `end` is called exactly once; the other methods before it, if at all. */
export interface AttemptObserver {
  /**
   * The attempt has a connection to `endpoint` (its URL, e.g. `http://127.0.0.1:2379`) and sends
   * now. `movedFrom`: the endpoint of the same call's previous attempt when that was another one
   * (the retry moved: a failover), else undefined.
   */
  connected(endpoint: string, movedFrom?: string): void;
  /** A request message was written on a bidi stream (the one request of a unary or server-stream call is implied by `connected`). */
  sent(): void;
  /** A stream response message arrived, decoded (server-stream and bidi calls). */
  received(message: unknown): void;
  /**
   * The attempt ended: `error` undefined for gRPC status OK, else the failure as the rpc layer
   * saw it (a transport `CallError`, a typed `EtcdError`, the signal's reason...); see
   * {@link statusCodeOf} for its gRPC code.
   */
  end(error: unknown): void;
}

/**
 * The gRPC status code of an attempt's outcome: 0 (OK) for undefined, the `code` of a
 * transport `CallError` or an `EtcdError`, 1 (CANCELLED) for an `AbortError`, else 2 (UNKNOWN).
 */
export function statusCodeOf(error: unknown): number {
  if (error === undefined) return Status.OK;
  if (error instanceof CallError) return error.code;
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'number' && Number.isInteger(code) && code >= 0 && code <= 16) return code;
    if (error.name === 'AbortError') return Status.CANCELLED;
  }
  return Status.UNKNOWN;
}

/**
 * One observer from several (metrics and tracing together): each attempt goes to all of them.
 * Returns undefined for an empty list and the observer itself for a list of one.
 */
export function combineObservers(observers: readonly RpcObserver[]): RpcObserver | undefined {
  if (observers.length === 0) return undefined;
  if (observers.length === 1) return observers[0];
  return {
    attempt(method, attempt, endpointCount) {
      const parts: AttemptObserver[] = [];
      for (const observer of observers) {
        const part = observer.attempt(method, attempt, endpointCount);
        if (part !== undefined) parts.push(part);
      }
      if (parts.length <= 1) return parts[0];
      return {
        connected: (endpoint, movedFrom) => parts.forEach((p) => p.connected(endpoint, movedFrom)),
        sent: () => parts.forEach((p) => p.sent()),
        received: (message) => parts.forEach((p) => p.received(message)),
        end: (error) => parts.forEach((p) => p.end(error)),
      };
    },
  };
}

/**
 * Splits a gRPC path into service and method: `/etcdserverpb.KV/Range` gives
 * `{ service: 'etcdserverpb.KV', method: 'Range' }`.
 */
export function splitPath(path: string): { service: string; method: string } {
  const slash = path.lastIndexOf('/');
  return { service: path.slice(path.startsWith('/') ? 1 : 0, slash), method: path.slice(slash + 1) };
}
