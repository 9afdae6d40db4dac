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
/** One of the gRPC status codes 0-16 of {@link Status}. */
export type StatusCode = (typeof Status)[keyof typeof Status];

/** Request or response metadata: lower-case header names to values. */
export type Metadata = Record<string, string>;

/**
 * Where a connection goes: a TCP host and port, or a Unix domain socket (`path`). `tls` selects
 * HTTP/2 over TLS.
 */
export interface Endpoint {
  /** The endpoint as the user wrote it, e.g. `http://127.0.0.1:2379`; used in errors and logs. */
  readonly url: string;
  /**
   * IP address (IPv6 without brackets) or DNS name. For a Unix socket: the server name its file
   * name gives (`localhost` for `/run/etcd/localhost:2379`, see `parseEndpoint`), used as the
   * HTTP/2 `:authority` and for TLS server name checks.
   */
  readonly host: string;
  /** TCP port, 1-65535; 0 for a Unix socket. */
  readonly port: number;
  /** True for `https://` and `unixs://`: HTTP/2 over TLS. */
  readonly tls: boolean;
  /**
   * Path of the Unix domain socket (`unix://`, `unixs://` endpoints): absolute, or relative to the
   * process's working directory. Absent for TCP endpoints.
   */
  readonly path?: string;
}

/** TLS protocol versions, as `node:tls` names them. */
export type TlsVersion = 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';

/**
 * TLS settings of a connection, handed to `tls.connect` (`node:tls` names and meanings). Contents,
 * never file paths: the client layer reads files and checks every value before a connection
 * exists.
 */
export interface TlsSettings {
  /** CA certificate(s) that verify the servers (PEM). Default: Node's bundled root CAs. */
  ca?: string | Buffer | Array<string | Buffer>;
  /** Client certificate (PEM) for servers that require one (etcd `--client-cert-auth`); with `key`. */
  cert?: string | Buffer;
  /** Private key of `cert` (PEM), encrypted or not (then `passphrase`). */
  key?: string | Buffer;
  /** Passphrase of an encrypted `key` or of `pfx`. */
  passphrase?: string;
  /** Client certificate and key (and optionally CA certificates) as one PKCS#12 archive (DER). */
  pfx?: Buffer;
  /** Certificate revocation list(s), PEM: a server certificate they list is refused. */
  crl?: string | Buffer | Array<string | Buffer>;
  /** OpenSSL cipher list, e.g. `'ECDHE-ECDSA-AES256-GCM-SHA384'`. Default: Node's. */
  ciphers?: string;
  /** Lowest TLS version offered. Default: Node's (`TLSv1.2`). */
  minVersion?: TlsVersion;
  /** Highest TLS version offered. Default: Node's (`TLSv1.3`). */
  maxVersion?: TlsVersion;
  /** Server name for SNI and certificate checks. Default: the endpoint's host (none for an IP address). */
  servername?: string;
  /**
   * Whether to refuse servers whose certificate does not verify. Default true. With false, a
   * `checkServerIdentity` given is still enforced (the transport calls it itself).
   */
  rejectUnauthorized?: boolean;
  /**
   * Extra check of the server's certificate, after the chain verified: returns an Error to refuse
   * the server (or throws one), undefined to accept. Default: `tls.checkServerIdentity` (host name
   * against the certificate's names).
   */
  checkServerIdentity?: (hostname: string, cert: import('node:tls').PeerCertificate) => Error | undefined;
}

/** Options of one connection. All times in milliseconds. */
export interface ConnectionOptions {
  /**
   * Time between HTTP/2 PINGs while the connection has calls in flight; 0 turns pings off.
   * etcd answers pings more frequent than its `--grpc-keepalive-min-time` (default 5000) with a
   * GOAWAY, so keep it at 5000 or more against etcd.
   */
  keepAliveTime: number;
  /** Time a PING may go unanswered before the connection is declared dead (its calls fail with UNAVAILABLE). */
  keepAliveTimeout: number;
  /** Largest response message accepted, in bytes; larger ones fail the call with RESOURCE_EXHAUSTED. */
  maxRecvMsgSize: number;
  /**
   * Longest time one connection attempt (TCP, TLS, the server's HTTP/2 SETTINGS) may take before it
   * fails with UNAVAILABLE; default `DEFAULT_CONNECT_TIMEOUT` (20000). Calls waiting for it also
   * stop at their own deadline.
   */
  connectTimeout?: number;
  /** TLS settings of TLS endpoints (`https://`, `unixs://`, or every endpoint of a client with TLS settings). */
  tls?: TlsSettings;
  /**
   * For tests of stream-id exhaustion only: the first stream id of each HTTP/2 connection (odd,
   * default 1). Near 2^31 - 1 the connection opens its replacement after a few calls.
   * @internal
   */
  firstStreamId?: number;
  /**
   * For tests only: opens the byte stream instead of `node:net` / `node:tls` (see dial.ts), e.g.
   * to feed a recorded server byte stream cut at chosen points.
   * @internal
   */
  dial?: (endpoint: Endpoint) => { socket: import('node:net').Socket; readyEvent: 'connect' | 'secureConnect' };
}

/** Per-call options. */
export interface CallOptions {
  /**
   * Extra request headers (e.g. `token`, `hasleader`). Names: lower-case `0-9 a-z - _ .`, not
   * reserved (`grpc-*`, `content-type`, `te`, `user-agent`, connection headers); values: printable
   * ASCII. Anything else throws a TypeError before the call starts.
   */
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
  /**
   * @param code - the gRPC status code.
   * @param details - the server's `grpc-message` (decoded), or the transport's explanation; also `message`.
   * @param sent - false only when the request provably never reached the server.
   * @param metadata - response headers / trailers other than the status, lower-case names.
   * @param options - `cause`: the lower-level error (socket, HTTP/2, the signal's reason).
   */
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
  /**
   * One response message: a view of the received socket chunk when it arrived in one (no copy),
   * else a buffer allocated for it. Received memory is never reused, so the bytes stay valid if kept.
   */
  onMessage(message: Uint8Array): void;
  /**
   * The stream ended: `error` undefined for status OK, else why it failed. Aborting the call's
   * signal ends it with CANCELLED and `error.cause` set to `signal.reason`; `Stream.cancel()` with
   * CANCELLED. Called synchronously from `cancel()`.
   */
  onEnd(error: CallError | undefined, trailers: Metadata): void;
}

/** A streaming call in progress (server-streaming or bidi). */
export interface Stream {
  /**
   * Sends one request message (bidi only). Before the connection is ready the message is queued
   * and sent when the stream opens (returns true). Returns false when the HTTP/2 stream is
   * buffering, and drops the message (false) once the call has ended.
   * @throws Error after `end()`, or on a server-streaming call.
   */
  write(message: Uint8Array): boolean;
  /** Half-closes the request side. */
  end(): void;
  /** Cancels the call (RST_STREAM CANCEL); `onEnd` fires with CANCELLED. */
  cancel(): void;
  /**
   * Backpressure: the consumer has not taken the messages delivered so far. The stream's HTTP/2
   * window credit is held back until `resume()`, so the server stops sending after at most one
   * stream window (4 MiB); messages already on their way are still delivered. Optional: a stream
   * without it is always read at full speed.
   */
  pause?(): void;
  /** The consumer took every message delivered: the held-back window credit goes to the server. */
  resume?(): void;
}

/**
 * Connection states; the transitions are in one place, `Http2Connection.transition` in
 * src/transport/connection.ts: idle → connecting → ready → (idle | failing); failing → connecting;
 * any → closed. `idle`: no session (never connected, or the last one ended cleanly, e.g. GOAWAY);
 * `failing`: the last connection attempt or session failed (the next call tries again).
 */
export type ConnectionState = 'idle' | 'connecting' | 'ready' | 'failing' | 'closed';

/** One connection to one endpoint (HTTP/2 sessions over TCP or TLS), opened on first use and reopened after a failure. */
export interface Connection {
  /** The endpoint this connection goes to. */
  readonly endpoint: Endpoint;
  /** The current state (see {@link ConnectionState}). */
  readonly state: ConnectionState;
  /**
   * Resolves when the connection is ready, connecting if needed; rejects with a CallError
   * (UNAVAILABLE, sent = false) if it fails or the deadline passes, with `signal.reason` if aborted.
   */
  ready(deadline?: number, signal?: AbortSignal): Promise<void>;
  /**
   * One request, one response. Resolves with the response message (a view of the received chunk
   * when it arrived in one, no copy). Rejects with a CallError, or with `signal.reason` when aborted.
   */
  unary(path: string, request: Uint8Array, options?: CallOptions): Promise<Uint8Array>;
  /** One request, a stream of responses. */
  serverStream(path: string, request: Uint8Array, handlers: StreamHandlers, options?: CallOptions): Stream;
  /** A stream each way (Watch, LeaseKeepAlive). */
  bidi(path: string, handlers: StreamHandlers, options?: CallOptions): Stream;
  /** Listener for state changes (used by the endpoint picker). Returns a function that removes it. */
  onStateChange(listener: (state: ConnectionState, error?: CallError) => void): () => void;
  /**
   * Closes the connection: calls in flight fail with UNAVAILABLE, RST_STREAM and GOAWAY go out, and
   * the socket is destroyed once the peer closes or after 1 s (a frozen peer). Resolves when no
   * socket is left.
   */
  close(): Promise<void>;
}
