/**
 * The Watch service: etcd `Watch.Watch`, watches of keys and ranges multiplexed on one stream per
 * client, resumed after a broken stream without losing or repeating an event.
 *
 * The options and the service are here; the work is in the other files of src/watch/: `types.ts`
 * (the public `WatchEvent`, `WatchResponse` and `Watcher`, re-exported here), `request.ts` (options
 * to the create request), `stream.ts` (the shared stream: multiplexing and resumption),
 * `watcher.ts` (one watch: its bounded buffer and async iterator), `decode.ts` (a response's
 * bytes straight into the public header and events), `response.ts` (the public response),
 * `defaults.ts`. Its errors are in src/errors/ (watch.ts, and by-message.ts for a
 * cancelled watch).
 */
import type { Rpc } from '../rpc/types.js';
import type { Bytes } from '../types.js';
import type { KeyRangeOptions } from '../kv/types.js';
import { watchPlan } from './request.js';
import { WatchStream } from './stream.js';
import type { Watcher } from './types.js';
import { WatchHandle } from './watcher.js';

export { DEFAULT_WATCH_MAX_BUFFERED_BYTES } from './defaults.js';
export type { WatchEvent, WatchResponse, Watcher } from './types.js';

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
  /**
   * The watch's own require-leader setting (clientv3's `WithRequireLeader(ctx)` on `Watch`):
   * - `true`: its stream carries etcd's require-leader metadata (`hasleader: true`). When the
   *   member loses its leader etcd closes the stream (after about three election timeouts), and the
   *   watch ends with it: the loop throws `NoLeaderError` (after the responses already buffered), as
   *   clientv3's watch channel closes with `ErrNoLeader`. A watch made on a member that has no
   *   leader ends so at once. Your code learns of the partition and decides what to do (e.g. watch
   *   again from `lastRevision + 1`).
   * - `false`: no require-leader metadata, even when the client's `requireLeader` option is set;
   *   on a member without a leader the watch waits (no events) until the member rejoins.
   * - not given (default): the client's `requireLeader` option; with it set, a stream ended with
   *   `NoLeaderError` is opened again on another member and the watch resumes there without a gap.
   *
   * Watches of each kind share one `Watch.Watch` stream (at most three per client).
   */
  requireLeader?: boolean;
  /** Aborting cancels the watch; the iteration then throws `signal.reason` (buffered responses are dropped). */
  signal?: AbortSignal;
}

/**
 * The Watch service of one client: every watch of the client shares one etcd `Watch.Watch` stream
 * (opened on the first watch, closed when the last ends); create requests are pipelined. Watches
 * with their own `requireLeader` (true, or false) share a stream of their kind instead.
 */
export class Watch {
  readonly #rpc: Rpc;
  /** Watches without their own `requireLeader`. */
  readonly #stream: WatchStream;
  /** Watches with `requireLeader: true`, then `false`; made on first use. */
  #leader: WatchStream | undefined;
  #noLeader: WatchStream | undefined;

  /** `rpc`: the client's call layer. */
  constructor(rpc: Rpc) {
    this.#rpc = rpc;
    this.#stream = new WatchStream(rpc);
  }

  /** Number of watches currently receiving (not ended or cancelled). */
  get size(): number {
    return this.#stream.size + (this.#leader?.size ?? 0) + (this.#noLeader?.size ?? 0);
  }

  /** The stream for watches with `requireLeader` as given (undefined: the client's option). */
  #streamFor(requireLeader: boolean | undefined): WatchStream {
    if (requireLeader === undefined) return this.#stream;
    if (requireLeader) return (this.#leader ??= new WatchStream(this.#rpc, { requireLeader: true }));
    return (this.#noLeader ??= new WatchStream(this.#rpc, { requireLeader: false }));
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
    const plan = watchPlan(key, options);
    const stream = this.#streamFor(plan.requireLeader);
    const handle = new WatchHandle(stream, plan);
    stream.add(handle);
    return handle;
  }

  /**
   * Cancels every watch of the client (a `WatchCancelRequest` each, on the shared stream). See
   * `Client.cancelWatches`.
   */
  cancelAll(): Promise<void> {
    const streams = [this.#stream, this.#leader, this.#noLeader].filter((s) => s !== undefined);
    return Promise.all(streams.map((s) => s.cancelAll())).then(() => undefined);
  }
}
