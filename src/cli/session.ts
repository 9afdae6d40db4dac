/**
 * What one `etcdts` command runs with: the resolved global options, a client made on first use
 * from them, the per-request call options, and the process's stdin/stdout.
 */
import { Buffer } from 'node:buffer';

import { Client } from '../index.js';
import type { CallOptions } from '../types.js';
import { CliError, EXIT_BAD_CONNECTION, EXIT_IO } from './exit.js';
import { debugLine, stderrLogger } from './debug-log.js';
import { MIN_KEEPALIVE_TIME_MS, clientOptions, keepAliveClientOptions, requestTimeoutMs, withTlsServerName, type GlobalOptions } from './global.js';

/** One command's connection to etcd and its terminal. */
export class CliSession {
  #client: Client | undefined;
  readonly #extra: Client[] = [];

  /** @param options the resolved global flags (see `resolveGlobalOptions`) */
  constructor(readonly options: GlobalOptions) {}

  /**
   * The client, created on first use with the session's endpoints and dial timeout (it connects
   * lazily, on the first request). Throws `CliError` (exit 2, etcdctl's ExitBadConnection) when
   * the client cannot be created from the flags (e.g. a malformed endpoint), or the security
   * flags' own `CliError` (exit 128 for an unreadable TLS file). With `--user NAME` and no password
   * it prompts for the password (see security.ts). With `--debug` it first prints the resolved
   * global flags on stderr, and the client logs there.
   */
  client(): Client {
    if (!this.#client) {
      const debug = this.options.debug;
      if (debug !== undefined) {
        process.stderr.write(debug.map((line) => `${line}\n`).join(''));
        if (this.options.keepAliveTimeMs > 0 && this.options.keepAliveTimeMs < MIN_KEEPALIVE_TIME_MS) {
          process.stderr.write(`${debugLine('WARNING', `Adjusting keepalive ping interval to minimum period of ${MIN_KEEPALIVE_TIME_MS / 1000}s`)}\n`);
        }
      }
      try {
        this.#client = new Client({
          ...withTlsServerName(clientOptions(this.options), this.options),
          ...keepAliveClientOptions(this.options),
          ...(debug !== undefined ? { logger: stderrLogger } : {}),
        });
      } catch (err) {
        // A CliError (e.g. an unreadable --cacert file, a refused password prompt) keeps its own exit code.
        if (err instanceof CliError) throw err;
        throw new CliError(EXIT_BAD_CONNECTION, err instanceof Error ? err.message : String(err));
      }
    }
    return this.#client;
  }

  /**
   * One more client with the session's options (its own connection), closed with the session:
   * `check perf` and `check datascale` drive the cluster through many, as etcdctl does. Call
   * {@link client} first (it asks for a password when one is needed, once).
   */
  extraClient(): Client {
    const c = new Client({
      ...withTlsServerName(clientOptions(this.options), this.options),
      ...keepAliveClientOptions(this.options),
    });
    this.#extra.push(c);
    return c;
  }

  /** Options of each request: its deadline from `--command-timeout`. Throws for a timeout <= 0 (already expired). */
  callOptions(): CallOptions {
    return { timeout: requestTimeoutMs(this.options) };
  }

  /** Writes to stdout (bytes as they are). */
  write(data: Buffer | string): void {
    process.stdout.write(typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
  }

  /** Closes the client, if one was made, and the extra ones. */
  async close(): Promise<void> {
    const all = [...this.#extra.splice(0), ...(this.#client ? [this.#client] : [])];
    this.#client = undefined;
    await Promise.all(all.map((c) => c.close()));
  }
}

/** All of stdin as bytes (for `put KEY` without a value). Throws `CliError` (exit 6) on a read error. */
export async function readAllStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  } catch (err) {
    throw new CliError(EXIT_IO, `reading stdin: ${err instanceof Error ? err.message : String(err)}`);
  }
  return Buffer.concat(chunks);
}

/**
 * A line reader over stdin that reads only as far as asked (so `txn -i` can prompt between
 * sections): each call resolves to the next `\n`-terminated line (UTF-8, without the `\n`), or
 * `undefined` at the end of input, a final line without `\n` included (as etcdctl's reader).
 */
export function stdinLines(): () => Promise<string | undefined> {
  const iterator = process.stdin[Symbol.asyncIterator]();
  let pending: Buffer = Buffer.alloc(0);
  let ended = false;
  return async () => {
    for (;;) {
      const nl = pending.indexOf(0x0a);
      if (nl >= 0) {
        const line = pending.subarray(0, nl).toString('utf8');
        pending = pending.subarray(nl + 1);
        return line;
      }
      if (ended) return undefined;
      const { value, done } = await iterator.next();
      if (done) {
        ended = true;
        continue;
      }
      const chunk = typeof value === 'string' ? Buffer.from(value) : (value as Buffer);
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    }
  };
}
