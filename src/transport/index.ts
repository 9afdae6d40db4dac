/**
 * The transport layer: gRPC over our own HTTP/2 client (RFC 9113) on node:net / node:tls sockets,
 * one `Connection` per etcd endpoint.
 *
 * Messages cross this boundary as encoded bytes; statuses and metadata are plain gRPC. The rpc
 * layer (src/rpc) builds on `createConnection` and `CallError.sent`.
 */
import { Http2Connection } from './connection.js';
import type { Connection, ConnectionOptions, Endpoint } from './types.js';

export { DEFAULT_CONNECT_TIMEOUT } from './connection.js';
export { hasScheme, parseEndpoint } from './endpoint.js';
export { CallError, Status } from './types.js';
export type {
  CallOptions,
  Connection,
  ConnectionOptions,
  ConnectionState,
  Endpoint,
  Metadata,
  StatusCode,
  Stream,
  StreamHandlers,
  TlsSettings,
  TlsVersion,
} from './types.js';

/**
 * Creates the connection to one endpoint. Nothing is opened until the first call or `ready()`.
 *
 * @param endpoint - where to connect; from `parseEndpoint` (`http://host:port`, `https://...`,
 *   `host:port`, `[::1]:port`, `unix:///path`, `unixs:///path`).
 * @param options - `keepAliveTime` / `keepAliveTimeout` (ms; PINGs only while calls are in flight;
 *   at least 5000 against etcd), `maxRecvMsgSize` (bytes), `connectTimeout` (ms, default 20000),
 *   `tls` (node:tls settings of TLS endpoints), `firstStreamId` (tests only).
 * @returns a `Connection` in state `idle`.
 * @throws RangeError when a time or size option is negative or not finite.
 */
export function createConnection(endpoint: Endpoint, options: ConnectionOptions): Connection {
  return new Http2Connection(endpoint, options);
}
