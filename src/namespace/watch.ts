/**
 * Watches in a namespace: the watched key or range moved into the namespace, and the prefix taken
 * off the keys of every event (Go's `namespace.NewWatcher`). The watches share the client's watch
 * stream.
 */
import type { Bytes, KeyValue } from '../types.js';
import type { Watch, WatchEvent, WatchOptions, WatchResponse, Watcher } from '../watch/watch.js';
import { watchPlan } from '../watch/request.js';
import { prefixInterval } from './prefix.js';

function strip(length: number, kv: KeyValue): KeyValue {
  return { ...kv, key: kv.key.subarray(Math.min(length, kv.key.length)) };
}

function stripResponse(length: number, response: WatchResponse): WatchResponse {
  if (response.events.length === 0) return response;
  const events: WatchEvent[] = response.events.map((e) => ({
    ...e,
    kv: strip(length, e.kv),
    prevKv: e.prevKv === undefined ? undefined : strip(length, e.prevKv),
  }));
  return { ...response, events };
}

/** A watch of the client seen from a namespace: same responses, keys without the prefix. */
class NamespaceWatcher implements Watcher {
  readonly #inner: Watcher;
  readonly #length: number;

  constructor(inner: Watcher, length: number) {
    this.#inner = inner;
    this.#length = length;
  }

  cancel(): Promise<void> {
    return this.#inner.cancel();
  }

  requestProgress(): void {
    this.#inner.requestProgress();
  }

  [Symbol.asyncIterator](): AsyncIterator<WatchResponse> {
    const inner = this.#inner[Symbol.asyncIterator]();
    const length = this.#length;
    return {
      async next(): Promise<IteratorResult<WatchResponse>> {
        const r = await inner.next();
        return r.done === true ? r : { done: false, value: stripResponse(length, r.value) };
      },
      async return(value?: unknown): Promise<IteratorResult<WatchResponse>> {
        if (inner.return !== undefined) await inner.return(value);
        return { done: true, value: undefined };
      },
    };
  }
}

/**
 * Starts a watch of `key` (with `options` as for `client.watch`) inside the namespace `prefix`, on
 * the client's `watch` service (etcd `Watch.Watch`). Throws as `client.watch` does for bad
 * arguments (`EmptyKeyError`, `InvalidArgumentError`), before anything is sent.
 */
export function namespaceWatch(watch: Watch, prefix: Uint8Array, key: Bytes, options?: WatchOptions): Watcher {
  // The same checks as the client's, and the range they make, which then moves into the namespace.
  const { request } = watchPlan(key, options);
  const range = prefixInterval(prefix, request.key, request.rangeEnd);
  const moved: WatchOptions = { ...options, prefix: undefined, fromKey: undefined, rangeEnd: range.rangeEnd };
  return new NamespaceWatcher(watch.watch(range.key, moved), prefix.length);
}
