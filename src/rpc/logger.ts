/**
 * The logger the client accepts (`logger` option): any object with these four methods, e.g.
 * `console` or a pino/winston logger. Each call gets a message and an optional object of fields.
 * The rpc layer logs retry and failover decisions at `debug`, endpoint failures at `warn`.
 */
export interface Logger {
  /** Detail for troubleshooting: retry decisions, endpoint choice. */
  debug(message: string, fields?: Record<string, unknown>): void;
  /** Notable events, e.g. the endpoint list changed. */
  info(message: string, fields?: Record<string, unknown>): void;
  /** Something failed and the client works around it, e.g. an endpoint failed. */
  warn(message: string, fields?: Record<string, unknown>): void;
  /** Something failed that the client could not work around. */
  error(message: string, fields?: Record<string, unknown>): void;
}
