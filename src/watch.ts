/**
 * The Watch service: etcd `Watch.Watch`, watches of keys and ranges multiplexed on one stream per
 * connection (issue 3).
 * CONTRACT STUB written by the lead: the public types and signatures below are the contract other
 * code is written against; the helper owning this file implements them (and may add to them).
 */
import { NotSupportedError } from './errors.js';
import type { Rpc } from './rpc/types.js';
import type { Bytes, KeyRangeOptions, KeyValue, ResponseHeader } from './types.js';

/** Options of `client.watch(key, options)`. */
export interface WatchOptions extends KeyRangeOptions {
  /** First revision to deliver events from; default: the store's revision + 1 when the watch is created (only new events). */
  startRevision?: number;
  /** Include each event's previous key-value (`prevKv`). Default false. */
  prevKv?: boolean;
  /** Ask etcd for periodic progress notifications (empty responses with `isProgressNotify`). Default false. */
  progressNotify?: boolean;
  /** Do not deliver put events (etcd filter `NOPUT`). Default false. */
  noPut?: boolean;
  /** Do not deliver delete events (etcd filter `NODELETE`). Default false. */
  noDelete?: boolean;
  /** Let etcd split large responses into fragments (merged back before delivery). Default false. */
  fragment?: boolean;
  /** Aborting cancels the watch; the iteration then throws `signal.reason`. */
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
  header: ResponseHeader;
  events: WatchEvent[];
  /** Non-zero when the watch ended because its start revision was compacted. */
  compactRevision: number;
  /** True on the watch's last response (cancelled by the server or by `cancel()`). */
  canceled: boolean;
  /** True for a progress notification (no events; `header.revision` is the store's revision). */
  isProgressNotify: boolean;
  /** True for the response confirming the watch's creation (no events). */
  created: boolean;
}

/**
 * One watch: an async iterable of its responses. Leaving the `for await` loop cancels it on the server.
 */
export interface Watcher extends AsyncIterable<WatchResponse> {
  /** Cancels the watch on the server; the iteration ends. Resolves once the server confirmed (or the stream is gone). */
  cancel(): Promise<void>;
  /** Asks etcd for a progress notification on this watch's stream (etcd `WatchProgressRequest`). */
  requestProgress(): void;
}

/** The Watch service of one client. */
export class Watch {
  readonly #rpc: Rpc;

  /** `rpc`: the client's call layer. */
  constructor(rpc: Rpc) {
    this.#rpc = rpc;
  }

  /** Starts a watch (etcd `Watch.Watch`). See `Client.watch`. */
  watch(key: Bytes, options?: WatchOptions): Watcher {
    void this.#rpc;
    void key;
    void options;
    throw new NotSupportedError('watch (not implemented yet)');
  }
}
