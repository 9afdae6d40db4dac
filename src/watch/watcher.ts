/**
 * One watch as its user sees it (`Watcher`): a bounded queue of responses between the shared watch
 * stream and the `for await` loop, the watch's resume point, and its end (done or an error).
 *
 * The stream (src/watch/stream.ts) feeds it; the consumer takes from it. A consumer waiting in
 * `next()` is handed a response directly; otherwise responses wait in the queue, counted in bytes
 * against `maxBufferedBytes`. The object is its own async iterator and its own abort listener, so a
 * watch costs one object, its queue, and its create request.
 */
import { responseHeader } from '../internal/wire.js';
import type { Event as WireEvent, WatchResponse as WireWatchResponse } from '../proto/index.js';
import type { WatchEvent, Watcher, WatchResponse } from './types.js';
import { watchCanceledError } from '../errors/by-message.js';
import { InvalidArgumentError, WatchOverflowError } from '../errors/index.js';
import type { WatchCreateRequestInit, WatchPlan } from './request.js';
import { appendEvents, NOTIFICATION_BYTES, watchResponse } from './response.js';
import type { StreamWatch, WatchStream } from './stream.js';

/** The watch receives from the server. */
const OPEN = 0;
/** Nothing more comes from the server; the queue drains, then the iteration ends (or throws `#error`). */
const CLOSING = 1;
/** The iteration has ended. */
const DONE = 2;

const DONE_RESULT: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/** One watch: the `Watcher` handed to the user, fed by its {@link WatchStream}. */
export class WatchHandle implements Watcher, StreamWatch, AsyncIterator<WatchResponse, undefined> {
  /** Bound of the queue, in bytes. */
  readonly maxBufferedBytes: number;

  /** The create request; its `startRevision` is set from `#nextRevision` at each (re)creation. */
  readonly #request: WatchCreateRequestInit;
  /** See {@link id}. */
  #id = -1;
  /** See {@link nextRevision}. */
  #nextRevision: number;
  /** See {@link pending}. */
  #pending = false;
  /** Events of a fragmented response received so far, merged when its last fragment arrives. */
  #fragments: WireEvent[] | undefined = undefined;
  readonly #stream: WatchStream;
  readonly #signal: AbortSignal | undefined;
  #state = OPEN;
  #created = false;
  #queue: WatchResponse[] = [];
  #sizes: number[] = [];
  #head = 0;
  #bytes = 0;
  #hasError = false;
  #error: unknown = undefined;
  #resolve: ((result: IteratorResult<WatchResponse, undefined>) => void) | undefined = undefined;
  #reject: ((error: unknown) => void) | undefined = undefined;
  #cancelled: Array<() => void> | undefined = undefined;

  constructor(stream: WatchStream, plan: WatchPlan) {
    this.#stream = stream;
    this.#request = plan.request;
    this.#nextRevision = plan.startRevision;
    this.maxBufferedBytes = plan.maxBufferedBytes;
    this.#signal = plan.signal;
    if (plan.signal !== undefined) {
      if (plan.signal.aborted) this.#finish(true, plan.signal.reason, true);
      else plan.signal.addEventListener('abort', this, { once: true });
    }
  }

  /** Whether the watch still receives from the server. */
  get open(): boolean {
    return this.#state === OPEN;
  }

  /** The watch's ID on the current stream, -1 while it has none. */
  get id(): number {
    return this.#id;
  }

  /**
   * The revision to resume from: the last received event's revision + 1 (or a periodic progress
   * notification's + 1 when higher); 0 while unknown (a watch of new events not yet created).
   */
  get nextRevision(): number {
    return this.#nextRevision;
  }

  /** True while its create request is on the current stream, awaiting etcd's answer. */
  get pending(): boolean {
    return this.#pending;
  }

  // --- fed by the stream ---------------------------------------------------------------------------

  /** The create request, from the resume point ({@link nextRevision}). */
  createRequest(): WatchCreateRequestInit {
    this.#request.startRevision = BigInt(this.#nextRevision);
    return this.#request;
  }

  /** The create request went out on the current stream. */
  onCreateSent(): void {
    this.#pending = true;
  }

  /** etcd answered the create request (created, or refused). */
  onCreateAnswered(): void {
    this.#pending = false;
  }

  /** No longer on the stream under its ID: its cancel request went out, or the server cancelled it. */
  onRemoved(): void {
    this.#id = -1;
  }

  /** The stream it was on ended: it is created again from its resume point on the next one. */
  onStreamEnd(): void {
    this.#id = -1;
    this.#pending = false;
    this.#fragments = undefined; // the whole response comes again from the resume point
  }

  /** etcd confirmed a (re)creation under `id`; the first one is delivered as a `created` response. */
  onCreated(id: number, header: WireWatchResponse['header']): void {
    this.#id = id;
    if (this.#state !== OPEN) return;
    const h = responseHeader(header);
    // A watch of new events starts after the revision the server had when it created it.
    if (this.#nextRevision === 0) this.#nextRevision = h.revision + 1;
    if (this.#created) return;
    this.#created = true;
    this.#push(watchResponse(h, [], 'created'), NOTIFICATION_BYTES);
  }

  /** A response of this watch with events, a fragment of one, or a periodic progress notification. */
  onResponse(r: WireWatchResponse): void {
    if (this.#state !== OPEN) return;
    if (r.fragment) {
      const list = (this.#fragments ??= []);
      for (const e of r.events) list.push(e);
      return;
    }
    let wire = r.events;
    if (this.#fragments !== undefined) {
      for (const e of wire) this.#fragments.push(e);
      wire = this.#fragments;
      this.#fragments = undefined;
    }
    const header = responseHeader(r.header);
    if (wire.length === 0) {
      // etcd sends a watch its own progress notification only while the watch is synced (it has
      // sent every event up to that revision), so the resume point may move past it.
      if (this.#push(watchResponse(header, [], 'progress'), NOTIFICATION_BYTES) && header.revision >= this.#nextRevision) {
        this.#nextRevision = header.revision + 1;
      }
      return;
    }
    // Events already delivered (a revision below the resume point) are skipped: never twice.
    let from = 0;
    while (from < wire.length && Number(wire[from]!.kv?.modRevision ?? 0n) < this.#nextRevision) from++;
    if (from === wire.length) return;
    const events: WatchEvent[] = [];
    const bytes = appendEvents(wire, from, events);
    if (this.#push(watchResponse(header, events, 'events'), bytes)) {
      this.#nextRevision = events[events.length - 1]!.kv.modRevision + 1;
    }
  }

  /** A progress notification for the whole stream (the answer to `requestProgress()`). */
  onStreamProgress(header: WireWatchResponse['header']): void {
    if (this.#state !== OPEN) return;
    // Not a resume point: etcd 3.4 (before 3.4.25) may answer with a revision ahead of events a
    // catching-up watch has yet to send.
    this.#push(watchResponse(responseHeader(header), [], 'progress'), NOTIFICATION_BYTES);
  }

  /** The server cancelled the watch: a last `canceled` response, then the error. */
  onServerCancel(r: WireWatchResponse): void {
    if (this.#state !== OPEN) return;
    const compactRevision = Number(r.compactRevision);
    this.#append(watchResponse(responseHeader(r.header), [], 'canceled', compactRevision), NOTIFICATION_BYTES);
    this.#finish(true, watchCanceledError(r.cancelReason, compactRevision), false);
  }

  /** The watch cannot go on (stream error that is not transient, closed client): buffered responses, then `error`. */
  fail(error: unknown): void {
    if (this.#state !== OPEN) return;
    this.#finish(true, error, false);
  }

  /** The server confirmed a cancellation, or the stream that held the watch is gone. */
  cancelConfirmed(): void {
    const waiters = this.#cancelled;
    this.#cancelled = undefined;
    if (waiters !== undefined) for (const resolve of waiters) resolve();
  }

  // --- the consumer side ---------------------------------------------------------------------------

  /** The watch is its own iterator: one `for await` loop at a time. */
  [Symbol.asyncIterator](): AsyncIterator<WatchResponse, undefined> {
    return this;
  }

  /** The next response; rejects with the watch's error once the buffered responses are taken. */
  next(): Promise<IteratorResult<WatchResponse, undefined>> {
    if (this.#head < this.#queue.length) return Promise.resolve({ done: false, value: this.#shift() });
    if (this.#state === OPEN) {
      if (this.#resolve !== undefined) return Promise.reject(new InvalidArgumentError('watch: next() called while an earlier next() is still pending'));
      return new Promise((resolve, reject) => {
        this.#resolve = resolve;
        this.#reject = reject;
      });
    }
    this.#state = DONE;
    if (this.#hasError) {
      this.#hasError = false;
      const error = this.#error;
      this.#error = undefined;
      return Promise.reject(error);
    }
    return Promise.resolve(DONE_RESULT);
  }

  /** Leaving the `for await` loop: cancels the watch on the server (without waiting for its answer). */
  return(): Promise<IteratorResult<WatchResponse, undefined>> {
    if (this.#state === OPEN) {
      this.#finish(false, undefined, true);
      this.#stream.cancelWatch(this);
    }
    this.#clear();
    this.#state = DONE;
    this.#hasError = false;
    this.#error = undefined;
    return Promise.resolve(DONE_RESULT);
  }

  /** See `Watcher.cancel`: ends the iteration, drops what is buffered, cancels on the server. */
  cancel(): Promise<void> {
    if (this.#state !== OPEN) {
      this.#clear();
      this.#state = DONE;
      this.#hasError = false;
      return Promise.resolve();
    }
    const confirmed = new Promise<void>((resolve) => (this.#cancelled ??= []).push(resolve));
    this.#finish(false, undefined, true);
    this.#stream.cancelWatch(this);
    return confirmed;
  }

  /** See `Watcher.requestProgress` (etcd `WatchProgressRequest` on the shared stream). */
  requestProgress(): void {
    if (this.#state === OPEN) this.#stream.requestProgress();
  }

  /** The abort listener of the caller's signal: cancels the watch; the iteration throws the reason. */
  handleEvent(): void {
    if (this.#state !== OPEN) return;
    this.#finish(true, this.#signal!.reason, true);
    this.#stream.cancelWatch(this);
  }

  // --- internals -----------------------------------------------------------------------------------

  /**
   * Hands a response to the consumer or queues it. Returns false when it did not fit: the watch then
   * ends with `WatchOverflowError` (after the responses queued before) and is cancelled on the server.
   */
  #push(response: WatchResponse, bytes: number): boolean {
    const resolve = this.#resolve;
    if (resolve !== undefined) {
      this.#resolve = undefined;
      this.#reject = undefined;
      resolve({ done: false, value: response });
      return true;
    }
    if (this.#head < this.#queue.length && this.#bytes + bytes > this.maxBufferedBytes) {
      this.#finish(true, new WatchOverflowError(this.#nextRevision, this.maxBufferedBytes), false);
      this.#stream.cancelWatch(this);
      return false;
    }
    this.#queue.push(response);
    this.#sizes.push(bytes);
    this.#bytes += bytes;
    return true;
  }

  /** Queues a last response regardless of the bound (it is the end of the watch). */
  #append(response: WatchResponse, bytes: number): void {
    if (this.#resolve !== undefined) {
      this.#push(response, bytes);
      return;
    }
    this.#queue.push(response);
    this.#sizes.push(bytes);
    this.#bytes += bytes;
  }

  #shift(): WatchResponse {
    const i = this.#head;
    const response = this.#queue[i]!;
    this.#bytes -= this.#sizes[i]!;
    if (i + 1 === this.#queue.length) {
      this.#queue = [];
      this.#sizes = [];
      this.#head = 0;
    } else {
      this.#queue[i] = undefined as unknown as WatchResponse;
      this.#head = i + 1;
      // Drop the taken half now and then, so a queue that never empties does not keep it.
      if (this.#head >= 1024 && this.#head * 2 >= this.#queue.length) {
        this.#queue = this.#queue.slice(this.#head);
        this.#sizes = this.#sizes.slice(this.#head);
        this.#head = 0;
      }
    }
    return response;
  }

  #clear(): void {
    this.#queue = [];
    this.#sizes = [];
    this.#head = 0;
    this.#bytes = 0;
    this.#fragments = undefined;
  }

  /**
   * Stops receiving. `withError`: the iteration throws `error` (after the queue unless `discard`);
   * else it ends. `discard`: drop what is queued (the user cancelled or aborted).
   */
  #finish(withError: boolean, error: unknown, discard: boolean): void {
    if (this.#state !== OPEN) return;
    this.#state = CLOSING;
    this.#fragments = undefined;
    this.#signal?.removeEventListener('abort', this);
    if (discard) this.#clear();
    this.#hasError = withError;
    this.#error = error;
    const resolve = this.#resolve;
    const reject = this.#reject;
    if (resolve === undefined) return;
    this.#resolve = undefined;
    this.#reject = undefined;
    this.#state = DONE;
    this.#hasError = false;
    this.#error = undefined;
    if (withError) reject!(error);
    else resolve(DONE_RESULT);
  }
}
