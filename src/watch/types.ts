/**
 * The public types of a watch: `WatchEvent`, `WatchResponse` and `Watcher` (re-exported by
 * src/watch/watch.ts: import them from `etcd-ts`). Their own file so that watch.ts and the files of
 * src/watch/ that implement them do not import each other.
 */
import type { KeyValue, ResponseHeader } from '../types.js';

/** One change of a key. */
export interface WatchEvent {
  /** `put` (created or modified) or `delete`. */
  type: 'put' | 'delete';
  /** The key after the change (for a delete: the key with its deletion revision as `modRevision`). */
  kv: KeyValue;
  /** The key before the change, with `prevKv: true` (undefined when it did not exist). */
  prevKv?: KeyValue;
  /**
   * True for a put that created the key: its create revision is its mod revision (Go's
   * `Event.IsCreate()`). False for a put of an existing key and for a delete.
   */
  isCreate: boolean;
  /**
   * True for a put that changed an existing key: its create revision is below its mod revision
   * (Go's `Event.IsModify()`). False for a put that created the key and for a delete.
   */
  isModify: boolean;
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
