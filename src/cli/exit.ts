/**
 * Exit codes and error reporting of the `etcdts` command line, the same as etcdctl's
 * (etcdctl/ctlv3/command/error.go; in 3.5 pkg/cobrautl): errors print `Error: <message>` on
 * stderr and end the process with one of these codes.
 */
import { Buffer } from 'node:buffer';

import { DeadlineExceededError, EtcdError, EtcdServerError } from '../errors/index.js';
import { isAuthenticationFailure } from '../rpc/auth-token.js';

/** The command succeeded. */
export const EXIT_SUCCESS = 0;
/** A request failed (server error, timeout, unreachable cluster). */
export const EXIT_ERROR = 1;
/** The client could not be set up from the given connection flags. */
export const EXIT_BAD_CONNECTION = 2;
/** Unparsable input read from stdin (txn). */
export const EXIT_INVALID_INPUT = 3;
/** A valid flag with a value that is not supported (output format, sort order, consistency). */
export const EXIT_BAD_FEATURE = 4;
/** Interrupted (Ctrl-C). */
export const EXIT_INTERRUPTED = 5;
/** An I/O error (reading stdin, writing output). */
export const EXIT_IO = 6;
/** Wrong arguments for the command. */
export const EXIT_BAD_ARGS = 128;

/** Options of a {@link CliError}. */
export interface CliErrorOptions {
  /**
   * The command has already reported what failed (e.g. `Failed to get the status of endpoint ...`
   * lines): end with `exitCode` but print no `Error:` line, as etcdctl's `os.Exit(1)` after a
   * partial success (`endpoint status`, `defrag` with failed endpoints). Default false.
   */
  quiet?: boolean;
}

/**
 * An error that ends the command with `Error: <message>` on stderr and `exitCode` (only the exit
 * code when `quiet`). Commands throw it; program.ts prints it and sets the exit code.
 */
export class CliError extends Error {
  override name = 'CliError';
  /** True when no `Error:` line is printed for it (see {@link CliErrorOptions.quiet}). */
  readonly quiet: boolean;
  /**
   * @param exitCode one of the `EXIT_*` codes
   * @param message the text after `Error: ` (not printed when quiet)
   * @param options `quiet`
   */
  constructor(
    readonly exitCode: number,
    message: string,
    options: CliErrorOptions = {},
  ) {
    super(message);
    this.quiet = options.quiet ?? false;
  }
}

/**
 * The text etcdctl would print after `Error: ` for an error thrown by the library:
 * the server's own message for etcd errors (`etcdserver: mvcc: required revision has been
 * compacted`), `context deadline exceeded` for a timeout, `context canceled` for an abort,
 * else the error's message.
 */
export function errorText(err: unknown): string {
  if (err instanceof CliError) return err.message;
  if (err instanceof DeadlineExceededError) return 'context deadline exceeded';
  if (err instanceof EtcdServerError) return err.details;
  if (err instanceof EtcdError) return err.message;
  if (err instanceof Error) return err.name === 'AbortError' ? 'context canceled' : err.message;
  return String(err);
}

/**
 * The exit code for an error: its own for a `CliError`; `EXIT_BAD_CONNECTION` when the client's
 * own authentication (`--user`) failed, as etcdctl, which authenticates while making its client;
 * `EXIT_ERROR` for anything else.
 */
export function exitCodeOf(err: unknown): number {
  if (err instanceof CliError) return err.exitCode;
  return isAuthenticationFailure(err) ? EXIT_BAD_CONNECTION : EXIT_ERROR;
}

/** Writes `Error: <text>` to stderr, as etcdctl's `ExitWithError` does. */
export function printError(err: unknown): void {
  process.stderr.write(Buffer.from(`Error: ${errorText(err)}\n`, 'utf8'));
}
