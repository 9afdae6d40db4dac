/**
 * Errors of locks, elections and software transactional memory, with the Go client's messages
 * (`concurrency.ErrLocked`, `ErrSessionExpired`, `ErrLockReleased`, `ErrElectionNotLeader`,
 * `ErrElectionNoLeader`). The server-side Lock and Election services (`client.lock`,
 * `client.election`) report the same conditions with the same classes, since etcd runs Go's
 * `concurrency` package there; so this file is a leaf (it imports only the error root) that the
 * services layer may import too.
 *
 * Every class extends `EtcdError`. `code` is the gRPC code etcd sends for them (UNKNOWN: etcd's
 * lock and election servers pass these Go errors through untranslated), or ABORTED for
 * {@link StmConflictError}, which only the client raises.
 */
import { EtcdError, type EtcdErrorOptions, type ServerErrorOptions } from './etcd-error.js';

/** gRPC UNKNOWN: the code etcd's v3lock/v3election servers send with these messages. */
const CODE_UNKNOWN = 2;
/** gRPC ABORTED. */
const CODE_ABORTED = 10;

/** `mutex.tryLock()` found the lock held by another session (Go `ErrLocked`). */
export class LockedError extends EtcdError {
  override name = 'LockedError';
  /** The exact text of Go's error. */
  static readonly text = 'mutex: Locked by another session';
  constructor(options?: EtcdErrorOptions) {
    super(LockedError.text, CODE_UNKNOWN, LockedError.text, options);
  }
}

/**
 * The session's lease ended (expired or revoked) while a lock or leadership was being acquired, so
 * it was not acquired (Go `ErrSessionExpired`).
 */
export class SessionExpiredError extends EtcdError {
  override name = 'SessionExpiredError';
  /** The exact text of Go's error (a mutex's). */
  static readonly text = 'mutex: session is expired';
  /** @param details the message; default Go's `mutex: session is expired` */
  constructor(details: string = SessionExpiredError.text, options?: ServerErrorOptions) {
    super(details, options?.code ?? CODE_UNKNOWN, details, options);
  }
}

/** `mutex.unlock()` on a mutex that does not hold the lock (Go `ErrLockReleased`). */
export class LockReleasedError extends EtcdError {
  override name = 'LockReleasedError';
  /** The exact text of Go's error. */
  static readonly text = 'mutex: lock has already been released';
  constructor(options?: EtcdErrorOptions) {
    super(LockReleasedError.text, CODE_UNKNOWN, LockReleasedError.text, options);
  }
}

/** `proclaim` by a candidate that is not (or no longer) the leader (Go `ErrElectionNotLeader`). */
export class ElectionNotLeaderError extends EtcdError {
  override name = 'ElectionNotLeaderError';
  /** The exact text of Go's error, as etcd's Election service sends it. */
  static readonly text = 'election: not leader';
  /** @param options `code`: what the server sent, when it came from etcd (default UNKNOWN) */
  constructor(options?: ServerErrorOptions) {
    super(ElectionNotLeaderError.text, options?.code ?? CODE_UNKNOWN, ElectionNotLeaderError.text, options);
  }
}

/** `leader()` of an election nobody holds (Go `ErrElectionNoLeader`). */
export class ElectionNoLeaderError extends EtcdError {
  override name = 'ElectionNoLeaderError';
  /** The exact text of Go's error, as etcd's Election service sends it. */
  static readonly text = 'election: no leader';
  /** @param options `code`: what the server sent, when it came from etcd (default UNKNOWN) */
  constructor(options?: ServerErrorOptions) {
    super(ElectionNoLeaderError.text, options?.code ?? CODE_UNKNOWN, ElectionNoLeaderError.text, options);
  }
}

/**
 * `stm()` gave up: every one of its `attempts` conflicted with a concurrent write (code ABORTED).
 * Go's STM retries without bound; ours stops at `maxAttempts` (default `DEFAULT_STM_MAX_ATTEMPTS`).
 */
export class StmConflictError extends EtcdError {
  override name = 'StmConflictError';
  /** How many times the transaction ran and conflicted. */
  readonly attempts: number;
  /** @param attempts how many attempts were made */
  constructor(attempts: number, options?: EtcdErrorOptions) {
    const message = `stm: gave up after ${attempts} attempts, each conflicting with a concurrent write`;
    super(message, CODE_ABORTED, message, options);
    this.attempts = attempts;
  }
}
