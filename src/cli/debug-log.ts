/**
 * `--debug`: the client's log on stderr, one line per message in the manner of grpc-go's logger
 * that etcdctl's `--debug` turns on (`INFO: 2006/01/02 15:04:05 message`), with the message's
 * fields as JSON after it. The library never puts a secret in its log messages.
 */
import type { Logger } from '../rpc/logger.js';

const pad = (n: number): string => String(n).padStart(2, '0');

/** Go's `log` timestamp: local time, `2006/01/02 15:04:05`. */
function timestamp(d: Date = new Date()): string {
  return `${d.getFullYear()}/${pad(d.getMonth() + 1)}/${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** One log line (without the newline): `LEVEL: time message {fields}`. */
export function debugLine(level: 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR', message: string, fields?: Record<string, unknown>): string {
  let extra = '';
  if (fields !== undefined && Object.keys(fields).length > 0) {
    extra = ` ${JSON.stringify(fields, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v instanceof Error ? v.message : v))}`;
  }
  return `${level}: ${timestamp()} ${message}${extra}`;
}

/** A {@link Logger} writing every message to stderr. */
export const stderrLogger: Logger = {
  debug: (message, fields) => process.stderr.write(`${debugLine('DEBUG', message, fields)}\n`),
  info: (message, fields) => process.stderr.write(`${debugLine('INFO', message, fields)}\n`),
  warn: (message, fields) => process.stderr.write(`${debugLine('WARNING', message, fields)}\n`),
  error: (message, fields) => process.stderr.write(`${debugLine('ERROR', message, fields)}\n`),
};
