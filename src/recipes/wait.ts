/**
 * Waiting in the recipes: the scope of one blocking call (the caller's `signal` and `timeout`, and
 * for session-based recipes the session's end) and waiting for one event on a key or prefix (Go's
 * `recipe.WaitEvents` / `WaitPrefixEvents`).
 */
import type { Client } from '../client.js';
import type { Session } from '../concurrency/index.js';
import { SessionExpiredError } from '../concurrency/index.js';
import { checkCallOption, checkOptionsObject, unknownOption } from '../convert.js';
import { DeadlineExceededError } from '../errors.js';
import type { Bytes, CallOptions } from '../types.js';
import type { WatchEvent } from '../watch.js';

const CALL_OPTION_NAMES: readonly string[] = ['signal', 'timeout'];

/** One blocking call: a signal for everything it sends, and the error a failure turns into. */
export interface CallScope {
  /** Aborted by the caller's signal, the timeout, or the session's end. */
  readonly signal: AbortSignal;
  /**
   * The error to report for `error` raised inside the scope: `DeadlineExceededError` past the
   * timeout, `SessionExpiredError` when the session ended, the caller's `signal.reason` when it
   * aborted, else `error` itself.
   */
  failure(error: unknown): unknown;
  /** Clears the timer. */
  dispose(): void;
}

/**
 * Checks `options` (only `signal` and `timeout` in ms) of `operation` and opens a scope, tied to
 * `session` when given. Throws `InvalidArgumentError` for bad options.
 */
export function callScope(options: CallOptions | undefined, operation: string, session?: Session): CallScope {
  checkOptionsObject(options, `${operation} options`);
  let userSignal: AbortSignal | undefined;
  let timeout: number | undefined;
  for (const name in options) {
    const value: unknown = (options as Record<string, unknown>)[name];
    if (value === undefined) continue;
    if (name !== 'signal' && name !== 'timeout') throw unknownOption(name, operation, CALL_OPTION_NAMES);
    checkCallOption(name, value);
    if (name === 'signal') userSignal = value as AbortSignal;
    else timeout = value as number;
  }
  const signals: AbortSignal[] = [];
  if (session !== undefined) signals.push(session.signal);
  if (userSignal !== undefined) signals.push(userSignal);
  let timer: NodeJS.Timeout | undefined;
  let timedOut = false;
  if (timeout !== undefined) {
    const controller = new AbortController();
    timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new DeadlineExceededError(undefined, { timeout }));
    }, timeout);
    signals.push(controller.signal);
  }
  const signal = signals.length === 1 ? signals[0]! : AbortSignal.any(signals);
  return {
    signal,
    failure(error) {
      if (userSignal?.aborted) return userSignal.reason;
      if (timedOut) return new DeadlineExceededError(undefined, { timeout, cause: error });
      if (session?.signal.aborted) return new SessionExpiredError(`${operation}: session is expired`, { cause: session.signal.reason });
      return error;
    },
    dispose() {
      clearTimeout(timer);
    },
  };
}

/**
 * Runs `body` inside a scope made from `options` (see {@link callScope}), translating its failure.
 */
export async function inScope<T>(
  options: CallOptions | undefined,
  operation: string,
  session: Session | undefined,
  body: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const scope = callScope(options, operation, session);
  try {
    scope.signal.throwIfAborted();
    return await body(scope.signal);
  } catch (error) {
    throw scope.failure(error);
  } finally {
    scope.dispose();
  }
}

/**
 * Resolves with the first event of type `type` on `key` (or, with `prefix`, on any key under it)
 * at a revision from `startRevision` on (etcd `Watch.Watch`). Rejects with the watch's error (e.g.
 * `CompactedError`), `signal.reason`, or an error when the watch ends without that event.
 */
export async function waitEvent(
  client: Client,
  key: Bytes,
  type: 'put' | 'delete',
  startRevision: number,
  signal: AbortSignal,
  prefix = false,
): Promise<WatchEvent> {
  for await (const response of client.watch(key, { prefix, startRevision, signal })) {
    for (const event of response.events) if (event.type === type) return event;
  }
  signal.throwIfAborted();
  throw new Error(`the watch of ${JSON.stringify(typeof key === 'string' ? key : Buffer.from(key).toString('latin1'))} ended before a ${type} event`);
}
