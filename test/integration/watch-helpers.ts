// Helpers of the watch tests: collecting a watch's events with a deadline, reading etcd's watch
// gauges, polling a condition, and an event's comparable form.
import type { Client, WatchEvent, Watcher, WatchResponse } from '../../src/index.js';
import { httpGetText } from '../../src/testing/probe.js';

/** An event as a comparable string: `<modRevision> <put|delete> <key> <value>`. */
export function eventText(e: WatchEvent): string {
  return `${e.kv.modRevision} ${e.type} ${e.kv.key.toString()} ${e.kv.value.toString()}`;
}

/**
 * Takes responses of `watcher` until `done(responses)` holds, and returns them; then cancels the
 * watch unless `keep`. Rejects after `timeoutMs` with what it got so far.
 */
export async function collect(
  watcher: Watcher,
  done: (responses: WatchResponse[]) => boolean,
  timeoutMs = 15_000,
  keep = false,
): Promise<WatchResponse[]> {
  const responses: WatchResponse[] = [];
  const iterator = watcher[Symbol.asyncIterator]();
  const deadline = Date.now() + timeoutMs;
  let timer: NodeJS.Timeout | undefined;
  try {
    while (!done(responses)) {
      const left = deadline - Date.now();
      const next = await Promise.race([
        iterator.next(),
        new Promise<'timeout'>((resolve) => {
          timer = setTimeout(() => resolve('timeout'), Math.max(0, left));
        }),
      ]);
      clearTimeout(timer);
      if (next === 'timeout') {
        const events = responses.flatMap((r) => r.events).map(eventText);
        throw new Error(`watch: condition not met within ${timeoutMs} ms; got ${responses.length} responses, events: ${events.slice(-10).join(' | ')}`);
      }
      if (next.done) break;
      responses.push(next.value);
    }
    return responses;
  } finally {
    if (!keep) await watcher.cancel(); // waits for etcd's confirmation, so its watch gauges are settled
  }
}

/** The events of `responses`, flattened. */
export function eventsOf(responses: readonly WatchResponse[]): WatchEvent[] {
  return responses.flatMap((r) => r.events);
}

/** A condition on responses: at least `n` events received. */
export function atLeastEvents(n: number): (responses: WatchResponse[]) => boolean {
  return (responses) => {
    let count = 0;
    for (const r of responses) count += r.events.length;
    return count >= n;
  };
}

/** A condition on responses: an event at revision `revision` (or later) received. */
export function reachedRevision(revision: number): (responses: WatchResponse[]) => boolean {
  return (responses) => {
    const last = responses.at(-1)?.events.at(-1);
    return last !== undefined && last.kv.modRevision >= revision;
  };
}

/** etcd's watch gauges from a member's `/metrics`: watch streams and watchers it serves now. */
export async function watchGauges(endpoint: string): Promise<{ streams: number; watchers: number }> {
  const text = (await httpGetText(`${endpoint}/metrics`)).body;
  const gauge = (name: string): number => {
    const line = text.split('\n').find((l) => l.startsWith(`${name} `));
    if (line === undefined) throw new Error(`no ${name} in ${endpoint}/metrics`);
    return Number(line.slice(name.length + 1));
  };
  return { streams: gauge('etcd_debugging_mvcc_watch_stream_total'), watchers: gauge('etcd_debugging_mvcc_watcher_total') };
}

/** Polls `condition` every 50 ms until it holds; throws with `what` after `timeoutMs`. */
export async function waitFor(condition: () => Promise<boolean> | boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * The store's history of keys under `prefix` from revision `from` to `to` (inclusive), read with a
 * fresh watch from `from` (no reconnection involved), as event texts.
 */
export async function history(client: Client, prefix: string, from: number, to: number): Promise<string[]> {
  const responses = await collect(client.watch(prefix, { prefix: true, startRevision: from }), reachedRevision(to), 30_000);
  return eventsOf(responses).map(eventText).filter((t) => Number(t.split(' ')[0]) <= to);
}

/** The store's current revision. */
export async function currentRevision(client: Client): Promise<number> {
  return (await client.get('\0')).header.revision;
}
