/**
 * The logger the client accepts (`logger` option): any object with these four methods, e.g.
 * `console` or a pino/winston logger. Each call gets a message and an optional object of fields.
 * The rpc layer logs retry and failover decisions at `debug`, endpoint failures at `warn`.
 */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}
