/**
 * The transport's contract: gRPC over HTTP/2 on one connection to one endpoint.
 *
 * Messages cross this boundary as encoded protobuf bytes; the codec lives above (src/proto, src/rpc).
 * Nothing here knows about etcd: paths, metadata and statuses are plain gRPC.
 */

/** gRPC status codes (https://grpc.github.io/grpc/core/md_doc_statuscodes.html). */
export const Status = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;
export type StatusCode = (typeof Status)[keyof typeof Status];

/** Request or response metadata: lower-case header names to values. */
export type Metadata = Record<string, string>;

/** Where a connection goes. `host` is an IP address or a DNS name; `tls` selects https. */
export interface Endpoint {
  /** The endpoint as the user wrote it, e.g. `http://127.0.0.1:2379`; used in errors and logs. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
}

/** TLS settings for https endpoints (passed to `node:tls`). PEM strings or Buffers. */
export interface TlsOptions {
  ca?: string | Buffer | Array<string | Buffer>;
  cert?: string | Buffer;
  key?: string | Buffer;
  servername?: string;
  rejectUnauthorized?: boolean;
}

/** Options of one connection. All times in milliseconds. */
export interface ConnectionOptions {
  /** Time between HTTP/2 PINGs while the connection is in use; 0 turns pings off. */
  keepAliveTime: number;
  /** Time a PING may go unanswered before the connection is declared dead. */
  keepAliveTimeout: number;
  /** Largest response message accepted, in bytes; larger ones fail the call with RESOURCE_EXHAUSTED. */
  maxRecvMsgSize: number;
  tls?: TlsOptions;
}

/** Per-call options. */
export interface CallOptions {
  /** Extra request headers (e.g. `token`, `hasleader`). Names must be lower-case. */
  metadata?: Metadata;
  /** Absolute deadline, as `Date.now()` milliseconds; sent as `grpc-timeout` and enforced locally. */
  deadline?: number;
  /** Aborting cancels the call (RST_STREAM CANCEL); the call rejects with `signal.reason`. */
  signal?: AbortSignal;
}

/**
 * Why a call failed, as the transport saw it. The rpc layer turns it into a public typed error.
 *
 * `sent` tells whether the request may have reached the server: false only when it provably did not
 * (the stream was never opened, the server refused it with REFUSED_STREAM, or a GOAWAY named a last
 * stream id below it). The retry policy relies on it: a write is retried only when `sent` is false.
 */
export class CallError extends Error {
  override readonly name = 'CallError';
  constructor(
    readonly code: StatusCode,
    readonly details: string,
    readonly sent: boolean,
    readonly metadata: Metadata = {},
    options?: { cause?: unknown },
  ) {
    super(details, options);
  }
}

/** Callbacks of a streaming call. Exactly one of `onEnd` fires, once, after the last `onMessage`. */
export interface StreamHandlers {
  /** One response message (its bytes; valid until the handler returns unless copied or kept). */
  onMessage(message: Uint8Array): void;
  /** The stream ended: `error` undefined for status OK, else why it failed. */
  onEnd(error: CallError | undefined, trailers: Metadata): void;
}

/** A streaming call in progress (server-streaming or bidi). */
export interface Stream {
  /** Sends one request message (bidi only). Returns false when the HTTP/2 stream is buffering. */
  write(message: Uint8Array): boolean;
  /** Half-closes the request side. */
  end(): void;
  /** Cancels the call (RST_STREAM CANCEL); `onEnd` fires with CANCELLED. */
  cancel(): void;
}

/** Connection states; see src/transport/session.ts for the transitions. */
export type ConnectionState = 'idle' | 'connecting' | 'ready' | 'failing' | 'closed';

/** One HTTP/2 connection to one endpoint, opened on first use and reopened after a failure. */
export interface Connection {
  readonly endpoint: Endpoint;
  readonly state: ConnectionState;
  /** Resolves when the connection is ready; rejects with a CallError (UNAVAILABLE) if it fails or the deadline passes. */
  ready(deadline?: number, signal?: AbortSignal): Promise<void>;
  /** One request, one response. Rejects with a CallError, or with `signal.reason` when aborted. */
  unary(path: string, request: Uint8Array, options?: CallOptions): Promise<Uint8Array>;
  /** One request, a stream of responses. */
  serverStream(path: string, request: Uint8Array, handlers: StreamHandlers, options?: CallOptions): Stream;
  /** A stream each way (Watch, LeaseKeepAlive). */
  bidi(path: string, handlers: StreamHandlers, options?: CallOptions): Stream;
  /** Listener for state changes (used by the endpoint picker). Returns a function that removes it. */
  onStateChange(listener: (state: ConnectionState, error?: CallError) => void): () => void;
  /** Closes the HTTP/2 session; calls in flight fail with UNAVAILABLE. */
  close(): Promise<void>;
}
