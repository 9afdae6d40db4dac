/**
 * The whole retry policy of the client, in one file. It follows the Go client
 * (etcd's client/v3/retry_interceptor.go, `isSafeRetry`) with one strengthening: "the request
 * never left the client" is the transport's proof (`CallError.sent === false`), not a guess from a
 * message text.
 *
 * A failed attempt is retried only when all of these hold:
 * - fewer than `maxAttempts` attempts were made (the client's `maxUnaryRetries`, default
 *   {@link DEFAULT_RETRY_MAX_ATTEMPTS});
 * - the caller's signal is not aborted and the caller's deadline has not passed;
 * - the error is not final on its own: not bad input, not a closed client, not a request over the
 *   size limit, not "no endpoint available" (that already waited `dialTimeout`);
 * - and then:
 *   - any RPC: the request provably never left the client (`sent === false`), or a learner refused
 *     it and there are other endpoints (as Go does);
 *   - `read` RPCs (Range, MemberList, Status ...; `Method.retry`): the error means "unavailable"
 *     (a broken connection, no leader, leader changed, request timed out ...) and not a known etcd
 *     error with another meaning (compacted, permission denied ...); a deadline or cancellation the
 *     caller did not cause also counts (Go retries per-attempt context errors);
 *   - `write` RPCs (Put, Txn, Compact, member changes ...): nothing else. A write that may have
 *     reached the server is never retried silently: the caller gets the error.
 *   - streams: only before the first response message, and a bidi stream only when never sent.
 *
 * Between attempts: {@link retryDelay}, Go's round-robin-quorum idea: after each failure the call
 * moves to the next endpoint; it sleeps `backoffWaitBetween` (25 ms) +-`backoffJitterFraction`
 * (10%) only once every `quorum = floor(n/2) + 1` attempts, so the first retries hit other members
 * without delay. The attempt bound and both backoff values are client options (`maxUnaryRetries`,
 * `backoffWaitBetween`, `backoffJitterFraction`, as clientv3's `Config`); what is retried is not.
 *
 * Auth token refusals (`InvalidAuthTokenError`, `AuthOldRevisionError`, `UserEmptyError` with
 * credentials) are not decided here: the call loop in invoke.ts authenticates again and resends the
 * call once, before asking this policy (src/rpc/auth-token.ts explains why that is safe for writes).
 */
import {
  ClientClosedError,
  DeadlineExceededError,
  EtcdError,
  InvalidArgumentError,
  NoAvailableEndpointsError,
  NotSupportedForLearnerError,
  RequestTooLargeError,
  isServerError,
  isUnavailableError,
} from '../errors/index.js';
import type { Method } from '../proto/method-descriptor.js';
import { Status } from '../transport/types.js';
import {
  DEFAULT_RETRY_BACKOFF_MS,
  DEFAULT_RETRY_JITTER_FRACTION,
  DEFAULT_RETRY_MAX_ATTEMPTS,
} from './defaults.js';
import { requestMayHaveBeenSent } from './error-mapping.js';
import type { Logger } from './logger.js';

/** What the policy needs of a method: its path (for logs), its kind and its retry class. */
export type RetryMethod = Pick<Method<unknown, unknown>, 'path' | 'kind' | 'retry'>;

/** The circumstances of a failed attempt. */
export interface RetryContext {
  /** The caller's signal: once aborted, never retry. */
  signal?: AbortSignal;
  /** The caller's deadline (`Date.now()` ms): once passed, never retry. */
  deadline?: number;
  /** Number of configured endpoints (a learner's refusal is retried only when > 1). Default 1. */
  endpointCount?: number;
  /** Most attempts, the first included. Default {@link DEFAULT_RETRY_MAX_ATTEMPTS}. */
  maxAttempts?: number;
  /** Streams: whether a response message already arrived (then never retry). */
  received?: boolean;
  /** Receives every decision at debug level. */
  logger?: Logger;
  /** Clock, for tests. Default `Date.now`. */
  now?: () => number;
}

/**
 * Decides whether a failed attempt of `method` is retried (the policy above).
 *
 * @param method the RPC (`path`, `kind`, `retry`)
 * @param error the typed error of the attempt (its `cause` may be the transport's `CallError`)
 * @param attempt how many attempts were made so far, >= 1
 * @param context signal, deadline, endpoint count, attempt bound, logger
 * @returns true to try again (after {@link retryDelay})
 */
export function shouldRetry(method: RetryMethod, error: unknown, attempt: number, context: RetryContext = {}): boolean {
  const verdict = decide(method, error, attempt, context);
  context.logger?.debug(verdict.retry ? 'etcd call will be retried' : 'etcd call not retried', {
    method: method.path,
    attempt,
    reason: verdict.reason,
    error: error instanceof Error ? error.message : String(error),
  });
  return verdict.retry;
}

function decide(method: RetryMethod, error: unknown, attempt: number, context: RetryContext): { retry: boolean; reason: string } {
  const maxAttempts = context.maxAttempts ?? DEFAULT_RETRY_MAX_ATTEMPTS;
  if (attempt >= maxAttempts) return { retry: false, reason: `attempt limit (${maxAttempts}) reached` };
  if (context.signal?.aborted === true) return { retry: false, reason: 'the caller aborted' };
  if (context.deadline !== undefined && (context.now ?? Date.now)() >= context.deadline) {
    return { retry: false, reason: "the caller's deadline passed" };
  }
  if (!(error instanceof Error)) return { retry: false, reason: 'not an error' };
  if (error instanceof InvalidArgumentError) return { retry: false, reason: 'bad input' };
  if (error instanceof ClientClosedError) return { retry: false, reason: 'client closed' };
  if (error instanceof NoAvailableEndpointsError) return { retry: false, reason: 'no endpoint became available within dialTimeout' };
  if (error instanceof RequestTooLargeError && error.limit !== undefined) return { retry: false, reason: 'request over maxCallSendMsgSize' };
  if (context.received === true) return { retry: false, reason: 'the stream already delivered messages' };

  if (error instanceof NotSupportedForLearnerError && (context.endpointCount ?? 1) > 1) {
    return { retry: true, reason: 'a learner refused the RPC; another endpoint may be a voting member' };
  }
  if (!requestMayHaveBeenSent(error)) return { retry: true, reason: 'the request never left the client' };
  if (method.retry === 'write' || method.kind === 'bidi') {
    return { retry: false, reason: 'a write that may have reached the server is not retried' };
  }
  // A read that may have reached the server: retry only what means "unavailable".
  if (isUnavailableError(error)) return { retry: true, reason: 'unavailable' };
  if (!isServerError(error) && error instanceof EtcdError &&
      (error instanceof DeadlineExceededError || error.code === Status.CANCELLED)) {
    return { retry: true, reason: 'the attempt timed out or was cancelled, not by the caller' };
  }
  return { retry: false, reason: 'not a transient error' };
}

/** The pause between retry rounds (clientv3's `BackoffWaitBetween` and `BackoffJitterFraction`). */
export interface RetryBackoff {
  /** The pause, in milliseconds. Default {@link DEFAULT_RETRY_BACKOFF_MS} (25). */
  readonly waitBetween: number;
  /** Its random spread as a fraction in [0, 1] (0.1 = +-10%). Default {@link DEFAULT_RETRY_JITTER_FRACTION} (0.1). */
  readonly jitterFraction: number;
}

/** The default {@link RetryBackoff}: 25 ms +-10%, as clientv3. */
export const DEFAULT_RETRY_BACKOFF: RetryBackoff = Object.freeze({
  waitBetween: DEFAULT_RETRY_BACKOFF_MS,
  jitterFraction: DEFAULT_RETRY_JITTER_FRACTION,
});

/**
 * Wait before the next attempt, in milliseconds: `backoff.waitBetween` +- `backoff.jitterFraction`
 * once every `quorum = floor(endpointCount / 2) + 1` attempts, else 0 (Go's
 * `roundRobinQuorumBackoff`).
 *
 * @param attempt attempts made so far, >= 1 (the next attempt's index)
 * @param endpointCount configured endpoints, >= 1
 * @param random source of randomness in [0, 1), for tests
 * @param backoff the pause and its jitter; default {@link DEFAULT_RETRY_BACKOFF} (25 ms +-10%)
 */
export function retryDelay(
  attempt: number,
  endpointCount: number,
  random: () => number = Math.random,
  backoff: RetryBackoff = DEFAULT_RETRY_BACKOFF,
): number {
  const quorum = Math.floor(Math.max(1, endpointCount) / 2) + 1;
  if (attempt % quorum !== 0) return 0;
  const spread = backoff.waitBetween * backoff.jitterFraction;
  return backoff.waitBetween - spread + 2 * spread * random();
}
