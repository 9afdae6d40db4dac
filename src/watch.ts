/**
 * The Watch service: etcd `Watch.Watch`, watches of keys and ranges multiplexed on one stream per
 * client, resumed after a broken stream without losing or repeating an event.
 *
 * The public types are here; the work is in src/watch/: `request.ts` (options to the create
 * request), `stream.ts` (the shared stream: multiplexing and resumption), `watcher.ts` (one watch:
 * its bounded buffer and async iterator), `response.ts` (wire to public types), `errors.ts`,
 * `defaults.ts`.
 */
import type { Rpc } from './rpc/types.js';
import type { Bytes, KeyRangeOptions, KeyValue, ResponseHeader } from './types.js';
import { watchPlan } from './watch/request.js';
import { WatchStream } from './watch/stream.js';
import { WatchHandle } from './watch/watcher.js';

export { DEFAULT_WATCH_MAX_BUFFERED_BYTES } from './watch/defaults.js';
export { WatchOverflowError } from './watch/errors.js';

/**
 * Options of `client.watch(key, options)`. Which keys: the key alone, or with `prefix`, `rangeEnd`
 * or `fromKey` (at most one; as for `client.get`). Unknown names and wrong types throw
 * `InvalidArgumentError` from `watch()`.
 */
export interface WatchOptions extends KeyRangeOptions {
  /**
   * First revision to deliver events from (inclusive). Default: the store's revision + 1 when the
   * watch is created (only new events). A compacted revision ends the watch with `CompactedError`.
   */
  startRevision?: number;
  /** Include each event's previous key-value (`prevKv`). Default false. */
  prevKv?: boolean;
  /**
   * Ask etcd for periodic progress notifications (responses without events and with
   * `isProgressNotify`) while nothing changes. Default false. etcd's interval is 10 minutes
   * (server flag `--experimental-watch-progress-notify-interval`).
   */
  progressNotify?: boolean;
  /** Do not deliver put events (etcd filter `NOPUT`). Default false. */
  noPut?: boolean;
  /** Do not deliver delete events (etcd filter `NODELETE`). Default false. */
  noDelete?: boolean;
  /**
   * Let etcd split responses larger than its `--max-request-bytes` (default 1.5 MiB) into fragments;
   * they are merged back before delivery, so the user sees whole responses either way. Default false.
   */
  fragment?: boolean;
  /**
   * Bound of the responses received but not yet taken by the loop, in bytes (counted as the keys'
   * and values' bytes plus 256 per event). Default {@link DEFAULT_WATCH_MAX_BUFFERED_BYTES} (8 MiB).
   * A response that arrives while the buffer is non-empty and would take it past the bound ends the
   * watch: the responses buffered before it are still delivered, then the loop throws
   * `WatchOverflowError` with `resumeRevision` (the first revision not delivered), and the watch is
   * cancelled on the server. One response is always accepted into an empty buffer, however large.
   */
  maxBufferedBytes?: number;
  /** Aborting cancels the watch; the iteration then throws `signal.reason` (buffered responses are dropped). */
  signal?: AbortSignal;
}

/** One change of a key. */
export interface WatchEvent {
  /** `put` (created or modified) or `delete`. */
  type: 'put' | 'delete';
  /** The key after the change (for a delete: the key with its deletion revision as `modRevision`). */
  kv: KeyValue;
  /** The key before the change, with `prevKv: true` (undefined when it did not exist). */
  prevKv?: KeyValue;
}

/** One response of a watch: events of one or more revisions, in order, or a notification. */
export interface WatchResponse {
  /** The answering member and the store's revision when the response was made. */
  header: ResponseHeader;
  /**
   * The events, in revision order; all the events of one revision (one transaction) are always in
   * the same response. Empty for notifications (`created`, `isProgressNotify`, `canceled`).
   */
  events: WatchEvent[];
  /** Non-zero when the watch ended because its start (or resume) revision was compacted. */
  compactRevision: number;
  /**
   * True on the last response of a watch the server cancelled (compaction, permission denied ...);
   * the iteration then throws the matching error (`CompactedError` ...). Not sent after `cancel()`.
   */
  canceled: boolean;
  /**
   * True for a progress notification: no events; `header.revision` is the store's revision. A
   * periodic one (`progressNotify`) means the watch has every event up to that revision. One
   * answering `requestProgress()` goes to every watch of the client; on etcd before 3.4.25 its
   * revision may be ahead of events a watch still catching up on old revisions has yet to deliver.
   */
  isProgressNotify: boolean;
  /**
   * True for the first response of every watch, confirming its creation (no events;
   * `header.revision` is the store's revision then). Not repeated when the watch is resumed.
   */
  created: boolean;
}

/**
 * One watch: an async iterable of its responses, for one `for await` loop at a time.
 *
 * - The first response is `created`; then events in revision order, each exactly once, across
 *   reconnections and member failures (the watch is created again from the revision after the last
 *   event received). Leaving the loop (break, return, throw) cancels the watch on the server.
 * - The loop ends after `cancel()`; it throws when the watch cannot go on: `CompactedError` (with
 *   `compactRevision`) when the revision to start or resume from is compacted, `WatchOverflowError`
 *   when the consumer fell behind by more than `maxBufferedBytes`, `signal.reason` when aborted,
 *   `ClientClosedError` when the client is closed, or the server's error (e.g.
 *   `PermissionDeniedError`). While etcd is unreachable the watch keeps trying to resume.
 */
export interface Watcher extends AsyncIterable<WatchResponse> {
  /**
   * Cancels the watch on the server (etcd `WatchCancelRequest`); the iteration ends, and responses
   * not yet taken are dropped. Resolves once etcd confirmed, or the stream is gone. Never rejects.
   */
  cancel(): Promise<void>;
  /**
   * Asks etcd for a progress notification (etcd `WatchProgressRequest`): a response with
   * `isProgressNotify` and the store's current revision arrives on every watch of this client's
   * stream. Sent when the stream is next open if it is reconnecting. Does nothing once the watch ended.
   */
  requestProgress(): void;
}

/**
 * The Watch service of one client: every watch of the client shares one etcd `Watch.Watch` stream
 * (opened on the first watch, closed when the last ends); create requests are pipelined.
 */
export class Watch {
  readonly #stream: WatchStream;

  /** `rpc`: the client's call layer. */
  constructor(rpc: Rpc) {
    this.#stream = new WatchStream(rpc);
  }

  /** Number of watches currently receiving (not ended or cancelled). */
  get size(): number {
    return this.#stream.size;
  }

  /**
   * Starts a watch (etcd `Watch.Watch`, a `WatchCreateRequest` on the shared stream) and returns it
   * at once; the request goes out without waiting for other watches' answers. See `Client.watch`,
   * {@link WatchOptions} and {@link Watcher}.
   *
   * @throws EmptyKeyError for an empty key without `prefix` / `fromKey`
   * @throws InvalidArgumentError for bad options (the message names the option)
   */
  watch(key: Bytes, options?: WatchOptions): Watcher {
    const handle = new WatchHandle(this.#stream, watchPlan(key, options));
    this.#stream.add(handle);
    return handle;
  }
}
