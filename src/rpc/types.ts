/**
 * The rpc layer's contract with the services above it (kv, lease, watch, ...). Every call of the
 * client goes through one `Rpc` object: endpoint choice, waiting for a ready connection within
 * `dialTimeout`, deadlines and AbortSignal, metadata, size limits, retries and error mapping.
 */
import type { Method } from '../proto/method-descriptor.js';
import type { CallOptions } from '../types.js';

export type { CallOptions };

/** Options of a stream call: call options plus extra metadata (e.g. require-leader). */
export interface StreamCallOptions extends CallOptions {
  /** Extra request headers (lower-case names, printable ASCII values), merged over the client's `metadata` hook (these win). */
  metadata?: Record<string, string>;
}

/** Callbacks of a streaming call, with decoded messages and typed errors. */
export interface RpcStreamHandlers<Res> {
  /** One decoded response message, in order. */
  onMessage(message: Res): void;
  /** Exactly once: `error` undefined when the server ended the stream with OK. */
  onEnd(error: Error | undefined): void;
}

/** A streaming call in progress. */
export interface RpcStream<Req> {
  /** Sends one request (bidi). Throws `RequestTooLargeError` before sending when over `maxCallSendMsgSize`. */
  write(request: Req): void;
  /** Half-closes the request side; the server may still send responses. */
  end(): void;
  /** Cancels the call on the server; `onEnd` then fires with an `AbortError`. */
  cancel(): void;
}

/**
 * What the services (kv, lease, watch, ...) call: one object per client, implemented by
 * `RpcClient` (src/rpc/invoke.ts). Each method takes a {@link Method} descriptor from
 * src/proto/methods.ts, which names the etcd RPC (e.g. `KV.range` for `/etcdserverpb.KV/Range`).
 */
export interface Rpc {
  /** One request, one response; rejects with a typed error of src/errors/. */
  unary<Req, Res>(method: Method<Req, Res>, request: Req, options?: CallOptions): Promise<Res>;
  /** One request, a stream of responses; leaving the loop cancels the call on the server. */
  serverStream<Req, Res>(method: Method<Req, Res>, request: Req, options?: StreamCallOptions): AsyncIterable<Res>;
  /** A bidi stream (Watch, LeaseKeepAlive). */
  bidi<Req, Res>(method: Method<Req, Res>, handlers: RpcStreamHandlers<Res>, options?: StreamCallOptions): RpcStream<Req>;
  /** Closes every connection; later calls reject with `ClientClosedError`. */
  close(): Promise<void>;
  /**
   * A call layer of its own for the one endpoint `url` (no failover), with this one's options;
   * the caller closes it. Maintenance calls aimed at one member use it (Go dials a dedicated
   * connection for them).
   */
  forEndpoint(url: string): Rpc;
  /**
   * Authenticates again now with the client's `username`/`password` (etcd `Auth.Authenticate`),
   * sharing an authentication in flight; resolves false when the client has none. For stream
   * owners: call it before re-opening a stream the server ended or refused for its auth token
   * (unary calls are re-authenticated and retried by the rpc layer itself). See
   * `RpcClient.refreshToken`.
   */
  refreshToken(options?: CallOptions): Promise<boolean>;
}
