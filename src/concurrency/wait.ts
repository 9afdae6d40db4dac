/**
 * Waiting, shared by `Mutex` and `Election` (Go's concurrency/key.go): for the deletion of every key
 * created before ours under a prefix, one watch at a time on the newest of them; and the scope of
 * one wait (the caller's `signal` and `timeout`, and the session's end) with the error it ends with.
 */
import { checkCallOptions } from '../internal/validation.js';
import { ClientClosedError, CompactedError, DeadlineExceededError, SessionExpiredError, WatchEndedError } from '../errors/index.js';
import { startTimer, type TimerHandle } from '../internal/timers.js';
import { lastCreate } from '../kv/range.js';
import { op } from '../kv/op.js';
import type { CallOptions, KeyValue, ResponseHeader } from '../types.js';
import type { RangeOptions } from '../kv/types.js';
import type { KVService, SessionClient, WatchService } from '../service-interfaces.js';
import type { Session } from './session.js';

/**
 * How long the best-effort clean-up after a failed lock or campaign may take, in ms: a Mutex's or an
 * Election's key, and an RWMutex's (etcd-ts/recipes exports the same constant).
 */
export const CLEANUP_TIMEOUT_MS = 5_000;

/** One wait: a signal for its calls, and the error a failure turns into. */
export interface WaitScope {
  /** Aborted by the caller's signal, the caller's timeout, or the session's end. */
  readonly signal: AbortSignal;
  /**
   * The error to report for a failure inside the scope: `DeadlineExceededError` past the timeout,
   * `SessionExpiredError` (text `expired`, default `<operation>: session is expired`) when the
   * session ended (`ClientClosedError` when it ended because its client was closed), the caller's `signal.reason`
   * when it aborted, else `error` itself.
   */
  failure(error: unknown, expired?: string): unknown;
  /** Clears the timer. */
  dispose(): void;
}

/**
 * `options` of `operation` reduced to what it may hold, `signal` and `timeout` (ms), both checked.
 * Throws `InvalidArgumentError` for anything else.
 */
export function callOptions(options: CallOptions | undefined, operation: string): CallOptions {
  checkCallOptions(options, operation);
  const checked: CallOptions = {};
  if (options?.signal !== undefined) checked.signal = options.signal;
  if (options?.timeout !== undefined) checked.timeout = options.timeout;
  return checked;
}

/**
 * Checks `options` (only `signal` and `timeout`, in ms) of `operation` and opens a wait scope tied
 * to `session` when given (Mutex, Election, the recipes, leasing). Throws `InvalidArgumentError`
 * for bad options.
 */
export function waitScope(session: Session<SessionClient> | undefined, options: CallOptions | undefined, operation: string): WaitScope {
  const { signal: userSignal, timeout } = callOptions(options, operation);
  const signals: AbortSignal[] = [];
  if (session !== undefined) signals.push(session.signal);
  if (userSignal !== undefined) signals.push(userSignal);
  let timer: TimerHandle | undefined;
  let timedOut = false;
  if (timeout !== undefined) {
    const controller = new AbortController();
    timer = startTimer(() => {
      timedOut = true;
      controller.abort(new DeadlineExceededError(undefined, { timeout }));
    }, timeout);
    signals.push(controller.signal);
  }
  const signal = signals.length === 1 ? signals[0]! : AbortSignal.any(signals);
  return {
    signal,
    failure(error, expired = `${operation}: session is expired`) {
      if (userSignal?.aborted) return userSignal.reason;
      if (timedOut) return new DeadlineExceededError(undefined, { timeout, cause: error });
      if (session?.signal.aborted) {
        // A session that ended because its client was closed: the caller sees the close.
        const reason: unknown = session.signal.reason;
        if (reason instanceof ClientClosedError) return reason;
        return new SessionExpiredError(expired, { cause: reason });
      }
      return error;
    },
    dispose() {
      timer?.cancel();
    },
  };
}

/**
 * Resolves once `key` is deleted at a revision from `revision` on (etcd `Watch.Watch` from
 * `revision`). Rejects with the watch's error, `signal.reason`, or `WatchEndedError` when the watch ends
 * without the deletion.
 */
export async function waitDelete(client: WatchService, key: Buffer, revision: number, signal: AbortSignal): Promise<void> {
  for await (const response of client.watch(key, { startRevision: revision, signal })) {
    for (const event of response.events) if (event.type === 'delete') return;
  }
  signal.throwIfAborted();
  throw new WatchEndedError(`the watch of ${JSON.stringify(key.toString('latin1'))} ended before its deletion`);
}

/** What {@link waitDeletes} read last: its header, and the waiter's own key then (undefined if gone). */
export interface WaitResult {
  header: ResponseHeader;
  own: KeyValue | undefined;
}

/**
 * Resolves once no key under `prefix` has a create revision at or below `maxCreateRevision`
 * (Go `waitDeletes`): reads the newest such key, waits for its deletion, and again, so each waiter
 * watches only the key just before its own: FIFO without a thundering herd. Each read is one
 * read-only `KV.Txn` that also reads `ownKey`, so the caller learns in the same round trip whether
 * its own key survived the wait (Go reads it separately). A watch whose start revision was
 * compacted meanwhile just reads again.
 */
export async function waitDeletes(
  client: KVService & WatchService,
  prefix: Buffer,
  maxCreateRevision: number,
  ownKey: Buffer,
  signal: AbortSignal,
): Promise<WaitResult> {
  // 0 would mean "no bound" to etcd; no key has a create revision below 1.
  const before: RangeOptions = maxCreateRevision < 1 ? { prefix: true, countOnly: true } : { ...lastCreate(), maxCreateRevision };
  for (;;) {
    const response = await client.txn().then(op.get(prefix, before), op.get(ownKey)).commit({ signal });
    const [newestRead, ownRead] = response.responses;
    const newest = newestRead?.type === 'get' ? newestRead.kvs[0] : undefined;
    if (newest === undefined) return { header: response.header, own: ownRead?.type === 'get' ? ownRead.kvs[0] : undefined };
    try {
      await waitDelete(client, newest.key, response.header.revision, signal);
    } catch (error) {
      if (!(error instanceof CompactedError)) throw error;
    }
  }
}
