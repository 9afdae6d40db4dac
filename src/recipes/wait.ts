/**
 * Waiting in the recipes: the scope of one blocking call (the caller's `signal` and `timeout`, and
 * for session-based recipes the session's end) and waiting for one event on a key or prefix (Go's
 * `recipe.WaitEvents` / `WaitPrefixEvents`).
 */
import type { Session } from '../concurrency/index.js';
import { waitScope } from '../concurrency/wait.js';
import { WatchEndedError } from '../errors/index.js';
import type { SessionClient, WatchService } from '../service-interfaces.js';
import type { Bytes, CallOptions } from '../types.js';
import type { WatchEvent } from '../watch/watch.js';

/**
 * Runs `body` inside a wait scope made from `options` and `session` (`waitScope` of
 * concurrency/wait.ts), translating its failure.
 */
export async function inScope<T>(
  options: CallOptions | undefined,
  operation: string,
  session: Session<SessionClient> | undefined,
  body: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const scope = waitScope(session, options, operation);
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
 * `CompactedError`), `signal.reason`, or `WatchEndedError` when the watch ends without that event.
 */
export async function waitEvent(
  client: WatchService,
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
  throw new WatchEndedError(`the watch of ${JSON.stringify(typeof key === 'string' ? key : Buffer.from(key).toString('latin1'))} ended before a ${type} event`);
}
