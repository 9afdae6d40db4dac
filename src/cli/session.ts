/**
 * What one `etcdts` command runs with: the resolved global options, a client made on first use
 * from them, the per-request call options, and the process's stdout. It holds the library's
 * client, so program.ts loads it (and with it the library) only when a command runs; command
 * modules import it as a type only. Reading stdin: stdin.ts.
 */
import { Buffer } from 'node:buffer';

import { Client } from '../index.js';
import type { CallOptions } from '../types.js';
import { CliError, EXIT_BAD_CONNECTION } from './exit.js';
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
