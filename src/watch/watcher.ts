/**
 * One watch as its user sees it (`Watcher`): a bounded queue of responses between the shared watch
 * stream and the `for await` loop, the watch's resume point, and its end (done or an error).
 *
 * The stream (src/watch/stream.ts) feeds it; the consumer takes from it. A consumer waiting in
 * `next()` is handed a response directly; otherwise responses wait in the queue, counted in bytes
 * against `maxBufferedBytes`. The object is its own async iterator and its own abort listener, so a
 * watch costs one object, its queue, and its create request.
 */
import type { ResponseHeader } from '../types.js';
import type { WatchEvent, Watcher, WatchResponse } from './types.js';
import { eventBytes, type WatchMessage } from './decode.js';
import { watchCanceledError } from '../errors/by-message.js';
import { InvalidArgumentError, WatchOverflowError } from '../errors/index.js';
import type { WatchCreateRequestInit, WatchPlan } from './request.js';
import { NOTIFICATION_BYTES, watchResponse } from './response.js';
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

  /** The create request, without its start revision (each (re)creation adds `#nextRevision`). */
  readonly #request: WatchCreateRequestInit;
  /** See {@link id}. */
  #id = -1;
  /** See {@link nextRevision}. */
  #nextRevision: number;
  /** See {@link pending}. */
  #pending = false;
  /** Events of a fragmented response received so far, merged when its last fragment arrives. */
  #fragments: WatchEvent[] | undefined = undefined;
  readonly #stream: WatchStream;
  readonly #signal: AbortSignal | undefined;
  #state = OPEN;
  #created = false;
  /** Responses not yet taken (from `#head`); none while the consumer keeps up. */
  #queue: WatchResponse[] | undefined = undefined;
  #head = 0;
  #bytes = 0;
  #hasError = false;
  #error: unknown = undefined;
  /** The pending `next()`'s resolve (an error is handed to it as a rejected promise). */
  #resolve: ((result: IteratorResult<WatchResponse, undefined> | Promise<never>) => void) | undefined = undefined;
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

  /** The create request, from the resume point ({@link nextRevision}): a new object each time. */
  createRequest(): WatchCreateRequestInit {
    return { ...this.#request, startRevision: BigInt(this.#nextRevision) };
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
  onCreated(id: number, header: ResponseHeader): void {
    this.#id = id;
    if (this.#state !== OPEN) return;
    // A watch of new events starts after the revision the server had when it created it.
    if (this.#nextRevision === 0) this.#nextRevision = header.revision + 1;
    if (this.#created) return;
    this.#created = true;
    this.#push(watchResponse(header, [], 'created'), NOTIFICATION_BYTES);
  }

  /** A response of this watch with events, a fragment of one, or a periodic progress notification. */
  onResponse(r: WatchMessage): void {
    if (this.#state !== OPEN) return;
    if (r.fragment) {
      const list = (this.#fragments ??= []);
      for (const e of r.events) list.push(e);
      return;
    }
    let events = r.events;
    if (this.#fragments !== undefined) {
      for (const e of events) this.#fragments.push(e);
      events = this.#fragments;
      this.#fragments = undefined;
    }
    const header = r.header;
    if (events.length === 0) {
      // etcd sends a watch its own progress notification only while the watch is synced (it has
      // sent every event up to that revision), so the resume point may move past it.
      if (this.#push(watchResponse(header, [], 'progress'), NOTIFICATION_BYTES) && header.revision >= this.#nextRevision) {
        this.#nextRevision = header.revision + 1;
      }
      return;
    }
    // Events already delivered (a revision below the resume point) are skipped: never twice.
    let from = 0;
    while (from < events.length && events[from]!.kv.modRevision < this.#nextRevision) from++;
    if (from === events.length) return;
    if (from > 0) events = events.slice(from);
    if (this.#push(watchResponse(header, events, 'events'), eventBytes(events))) {
      this.#nextRevision = events[events.length - 1]!.kv.modRevision + 1;
    }
  }

  /** A progress notification for the whole stream (the answer to `requestProgress()`). */
  onStreamProgress(header: ResponseHeader): void {
    if (this.#state !== OPEN) return;
    // Not a resume point: etcd 3.4 (before 3.4.25) may answer with a revision ahead of events a
    // catching-up watch has yet to send. Every watch of the stream gets its own copy of the header.
    this.#push(watchResponse({ ...header }, [], 'progress'), NOTIFICATION_BYTES);
  }

  /** The server cancelled the watch: a last `canceled` response, then the error. */
  onServerCancel(r: WatchMessage): void {
    if (this.#state !== OPEN) return;
    const compactRevision = r.compactRevision;
    this.#append(watchResponse(r.header, [], 'canceled', compactRevision), NOTIFICATION_BYTES);
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
    if (this.#queue !== undefined) return Promise.resolve({ done: false, value: this.#shift() });
    if (this.#state === OPEN) {
      if (this.#resolve !== undefined) return Promise.reject(new InvalidArgumentError('watch: next() called while an earlier next() is still pending'));
      return new Promise((resolve) => {
        this.#resolve = resolve;
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
      resolve({ done: false, value: response });
      return true;
    }
    if (this.#queue !== undefined && this.#bytes + bytes > this.maxBufferedBytes) {
      this.#finish(true, new WatchOverflowError(this.#nextRevision, this.maxBufferedBytes), false);
      this.#stream.cancelWatch(this);
      return false;
    }
    (this.#queue ??= []).push(response);
    this.#bytes += bytes;
    return true;
  }

  /** Queues a last response regardless of the bound (it is the end of the watch). */
  #append(response: WatchResponse, bytes: number): void {
    if (this.#resolve !== undefined) {
      this.#push(response, bytes);
      return;
    }
    (this.#queue ??= []).push(response);
    this.#bytes += bytes;
  }

  /** Takes the oldest queued response (the queue is not empty). */
  #shift(): WatchResponse {
    const queue = this.#queue!;
    const i = this.#head;
    const response = queue[i]!;
    // What it counted for when queued (#push's callers count the same way).
    this.#bytes -= response.events.length === 0 ? NOTIFICATION_BYTES : eventBytes(response.events);
    if (i + 1 === queue.length) {
      this.#queue = undefined;
      this.#head = 0;
    } else {
      queue[i] = undefined as unknown as WatchResponse;
      this.#head = i + 1;
      // Drop the taken half now and then, so a queue that never empties does not keep it.
      if (this.#head >= 1024 && this.#head * 2 >= queue.length) {
        this.#queue = queue.slice(this.#head);
        this.#head = 0;
      }
    }
    return response;
  }

  #clear(): void {
    this.#queue = undefined;
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
    if (resolve === undefined) return;
    this.#resolve = undefined;
    this.#state = DONE;
    this.#hasError = false;
    this.#error = undefined;
    resolve(withError ? Promise.reject(error) : DONE_RESULT);
  }
}
