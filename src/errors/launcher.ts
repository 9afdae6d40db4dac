/**
 * The errors of `etcd-ts/testing`, the launcher of real etcd clusters for tests:
 * {@link EtcdLaunchError} for every launch or run failure, and its subclass {@link EtcdStartError}
 * for a member that did not start (with the member's log tail). Bad options are the client's
 * `InvalidArgumentError` (client.ts), thrown before anything is started.
 *
 * Exported by `etcd-ts/testing` only (not by the root entry point, which starts no process).
 */
import { Status } from '../transport/types.js';
import { EtcdError, type EtcdErrorOptions } from './etcd-error.js';

/**
 * The launcher could not do what was asked: etcd (or openssl) is missing, an etcd process exited
 * or did not become healthy in time, a port was taken, a member was not in the state the call
 * needs. `message` names the member, port or binary and the problem; `cause` is the lower-level
 * error when there is one (e.g. the `EADDRINUSE` of a listen). `code` is the gRPC status code
 * that says which kind of failure it is:
 *
 * - FAILED_PRECONDITION (9): the machine lacks what the launcher needs, or the object is not in
 *   the state the call needs: no etcd binary (`etcdBin`, `ETCD_BIN`, PATH), one that cannot be
 *   run or is no etcd (`etcd --version` fails), no openssl for a TLS cluster; a member that is not
 *   running (`isLeader()`, `pause()`, `resume()`), paused (`isLeader()`) or already running
 *   (`start()`); a closed cluster (`addMember()`); a member folder that cannot be made.
 * - UNAVAILABLE (14): something that should serve did not: an etcd process exited before it was
 *   healthy (bad flags, a port taken by another process: its log tail says), a proxy's port is
 *   taken, a `/metrics` probe got no usable answer (refused, an HTTP error status, no leader
 *   metric).
 * - DEADLINE_EXCEEDED (4): a member was not healthy within the start timeout, or no single leader
 *   emerged within `leader()`'s timeout.
 * - RESOURCE_EXHAUSTED (8): no free TCP port on 127.0.0.1 was found.
 * - OUT_OF_RANGE (11): `cluster.member(index)` with no member at that index.
 * - UNIMPLEMENTED (12): `addMember()` on a TLS cluster (plain-http clusters only).
 * - INTERNAL (13): a tool failed in a way the launcher does not expect (openssl exiting with an
 *   error, a listener without a TCP address).
 */
export class EtcdLaunchError extends EtcdError {
  override name = 'EtcdLaunchError';

  /**
   * @param message what failed, naming the member, port or binary, e.g. `etcd member member-1 is not running`
   * @param code gRPC status code, one of those listed on the class (e.g. `Status.FAILED_PRECONDITION`)
   * @param options `cause`: the lower-level error, when there is one
   */
  constructor(message: string, code: number, options?: EtcdErrorOptions) {
    super(message, code, message, options);
  }
}

/** How an etcd process ended: its exit code, or the signal that killed it. */
export interface EtcdProcessExit {
  /** Exit code; null when a signal ended it. */
  readonly code: number | null;
  /** Signal name (e.g. `SIGKILL`); null when it exited by itself. */
  readonly signal: string | null;
}

/** Options of {@link EtcdStartError}. */
export interface EtcdStartErrorOptions extends EtcdErrorOptions {
  /**
   * gRPC status code: UNAVAILABLE (14, the default) when the process exited, DEADLINE_EXCEEDED
   * (4) when it was not healthy in time, FAILED_PRECONDITION (9) when it could not be spawned.
   */
  code?: number;
  /** How the process ended, when it has. */
  exit?: EtcdProcessExit;
}

/**
 * A member failed to start: the process could not be spawned (code FAILED_PRECONDITION), exited
 * before it was healthy (UNAVAILABLE; `exit` says how), or was not healthy in time
 * (DEADLINE_EXCEEDED). The message ends with the tail of the member's log, which `logTail` holds
 * alone.
 */
export class EtcdStartError extends EtcdLaunchError {
  override name = 'EtcdStartError';
  /** Name of the member (`--name`). */
  readonly memberName: string;
  /** Path of the member's log file. */
  readonly logFile: string;
  /** The last lines of the log of this start attempt (up to 40). */
  readonly logTail: string;
  /** How the process ended (exit code or signal); undefined when it did not exit (a timeout) or never ran. */
  readonly exit: EtcdProcessExit | undefined;

  /**
   * @param message what failed, e.g. `etcd member member-0 (http://127.0.0.1:41234) exited before it was healthy (exit code 2, signal null)`
   * @param memberName the member's `--name`
   * @param logFile path of the member's log file
   * @param logTail the last lines of that log (appended to `message`)
   * @param options `code` (default UNAVAILABLE), `exit`, `cause`
   */
  constructor(message: string, memberName: string, logFile: string, logTail: string, options?: EtcdStartErrorOptions) {
    super(`${message}\n--- last lines of ${logFile} ---\n${logTail}`, options?.code ?? Status.UNAVAILABLE, options);
    this.memberName = memberName;
    this.logFile = logFile;
    this.logTail = logTail;
    this.exit = options?.exit === undefined ? undefined : Object.freeze({ ...options.exit });
  }
}
