// client.watch() against a real etcd: events and their options, ordering and atomicity under
// concurrent writers, compaction, progress notifications, fragments, slow consumers, cancellation,
// one shared stream, and 10,000 watches on one client.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import v8 from 'node:v8';
import vm from 'node:vm';

import {
  ClientClosedError,
  CompactedError,
  EmptyKeyError,
  InvalidArgumentError,
  op,
  RequestTooLargeError,
  WatchOverflowError,
  type Client,
  type WatchResponse,
} from '../../src/index.js';
import { Watch as WatchMethods } from '../../src/proto/index.js';
import { EtcdCluster } from '../../src/testing/index.js';
import {
  atLeastEvents,
  collect,
  currentRevision,
  eventsOf,
  eventText,
  history,
  reachedRevision,
  waitFor,
  watchGauges,
} from './watch-helpers.js';

const TEST_TIMEOUT_MS = 30_000;
/** etcd's periodic progress interval in this file (its default is 10 minutes). */
const PROGRESS_INTERVAL = '500ms';

let cluster: EtcdCluster;
let client: Client;
let endpoint: string;

before(async () => {
  cluster = await EtcdCluster.start({ size: 1, args: [`--experimental-watch-progress-notify-interval=${PROGRESS_INTERVAL}`] });
  endpoint = cluster.endpoints[0]!;
  client = cluster.client();
});

after(async () => {
  await cluster?.close();
});

const texts = (responses: readonly WatchResponse[]): string[] => eventsOf(responses).map(eventText);

describe('watch', { timeout: 120_000 }, () => {
  test('the first response confirms the creation; then puts and deletes in order, with prevKv', { timeout: TEST_TIMEOUT_MS }, async () => {
    const watcher = client.watch('one/key', { prevKv: true });
    const it = watcher[Symbol.asyncIterator]();
    const first = await it.next();
    assert.equal(first.done, false);
    const created = first.value as WatchResponse;
    assert.equal(created.created, true);
    assert.deepEqual(created.events, []);
    const rev = (await client.put('one/key', 'a')).header.revision;
    await client.put('one/other', 'not watched');
    await client.put('one/key', 'b');
    await client.delete('one/key');
    const responses = await collect(watcher, atLeastEvents(3));
    const events = eventsOf(responses);
    assert.deepEqual(events.map(eventText), [`${rev} put one/key a`, `${rev + 2} put one/key b`, `${rev + 3} delete one/key `]);
    assert.equal(events[0]!.prevKv, undefined);
    assert.equal(events[1]!.prevKv?.value.toString(), 'a');
    assert.equal(events[2]!.prevKv?.value.toString(), 'b');
    assert.equal(events[2]!.kv.createRevision, 0);
    assert.ok(responses.every((r) => !r.created && !r.canceled && !r.isProgressNotify && r.compactRevision === 0));
    assert.equal(responses[0]!.header.revision, rev);
    assert.notEqual(responses[0]!.header.memberId, 0n);
  });

  test('event.isCreate / isModify (Go IsCreate / IsModify): created, changed, deleted, created again', { timeout: TEST_TIMEOUT_MS }, async () => {
    const watcher = client.watch('kinds/key');
    await collect(watcher, (r) => r.length === 1, 10_000, true);
    await client.put('kinds/key', 'a');
    await client.put('kinds/key', 'b');
    await client.delete('kinds/key');
    await client.put('kinds/key', 'c');
    const events = eventsOf(await collect(watcher, atLeastEvents(4)));
    assert.deepEqual(
      events.map((e) => [e.type, e.kv.value.toString(), e.isCreate, e.isModify]),
      [['put', 'a', true, false], ['put', 'b', false, true], ['delete', '', false, false], ['put', 'c', true, false]],
    );
  });

  test('ranges: prefix, rangeEnd, fromKey; filters noPut and noDelete', { timeout: TEST_TIMEOUT_MS }, async () => {
    const start = (await currentRevision(client)) + 1;
    for (const k of ['r/a', 'r/b', 'r/c', 'r/d', 's/a']) await client.put(k, 'v');
    await client.delete('r/', { prefix: true });
    await client.put('zz/end', 'v');
    const end = await currentRevision(client);
    const keysOf = async (key: string, options: Parameters<Client['watch']>[1]): Promise<string[]> => {
      const responses = await collect(client.watch(key, { startRevision: start, ...options }), reachedRevision(end));
      return eventsOf(responses).filter((e) => !e.kv.key.toString().startsWith('zz/')).map((e) => `${e.type} ${e.kv.key}`);
    };
    // zz/end (the last write) ends each collection; it is in the range of fromKey only.
    const withEnd = async (key: string, options: Parameters<Client['watch']>[1]): Promise<string[]> => {
      const responses = await collect(client.watch(key, { startRevision: start, ...options }), atLeastEvents(1));
      return eventsOf(responses).map((e) => `${e.type} ${e.kv.key}`);
    };
    assert.deepEqual(await keysOf('r/', { fromKey: true }), [
      'put r/a', 'put r/b', 'put r/c', 'put r/d', 'put s/a', 'delete r/a', 'delete r/b', 'delete r/c', 'delete r/d',
    ]);
    assert.deepEqual((await keysOf('', { prefix: true })).length, 9);
    const prefixed = await collect(client.watch('r/', { prefix: true, startRevision: start }), atLeastEvents(8));
    assert.deepEqual(eventsOf(prefixed).map((e) => `${e.type} ${e.kv.key}`), [
      'put r/a', 'put r/b', 'put r/c', 'put r/d', 'delete r/a', 'delete r/b', 'delete r/c', 'delete r/d',
    ]);
    const ranged = await collect(client.watch('r/b', { rangeEnd: 'r/d', startRevision: start }), atLeastEvents(4));
    assert.deepEqual(eventsOf(ranged).map((e) => `${e.type} ${e.kv.key}`), ['put r/b', 'put r/c', 'delete r/b', 'delete r/c']);
    assert.deepEqual(await withEnd('r/', { prefix: true, noPut: true }), ['delete r/a', 'delete r/b', 'delete r/c', 'delete r/d']);
    assert.deepEqual((await collect(client.watch('r/', { prefix: true, noDelete: true, startRevision: start }), atLeastEvents(4))).flatMap((r) => r.events).map((e) => `${e.type} ${e.kv.key}`), ['put r/a', 'put r/b', 'put r/c', 'put r/d']);
  });

  test('a key over maxCallSendMsgSize ends that watch alone with RequestTooLargeError', { timeout: TEST_TIMEOUT_MS }, async () => {
    const small = cluster.client({ maxCallSendMsgSize: 1024 });
    const ok = small.watch('fine');
    await assert.rejects(small.watch('k'.repeat(2048))[Symbol.asyncIterator]().next(), RequestTooLargeError);
    assert.equal((await ok[Symbol.asyncIterator]().next()).value?.created, true);
    await small.close();
  });

  test('bad arguments throw before anything is sent', () => {
    assert.throws(() => client.watch(''), EmptyKeyError);
    assert.throws(() => client.watch('a', { prefix: true, rangeEnd: 'b' }), InvalidArgumentError);
    assert.throws(() => client.watch('b', { rangeEnd: 'a' }), /rangeEnd must sort after key/);
    assert.throws(() => client.watch('a', { startRevision: -1 }), /startRevision must be a non-negative integer/);
    assert.throws(() => client.watch('a', { noPut: true, noDelete: true }), /noPut and noDelete/);
    assert.throws(() => client.watch('a', { maxBufferedBytes: 0 }), /maxBufferedBytes must be a positive integer/);
    assert.throws(() => client.watch('a', { prevKV: true } as never), /unknown option 'prevKV' for watch/);
  });

  test('ordering and atomicity: concurrent writers and transactions; every revision once, in order', { timeout: 60_000 }, async (t) => {
    const writers = 8;
    const perWriter = 60;
    const start = (await currentRevision(client)) + 1;
    const watcher = client.watch('order/', { prefix: true });
    const created = await collect(watcher, (r) => r.length === 1, 10_000, true);
    assert.equal(created[0]!.created, true);
    const began = Date.now();
    await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        for (let i = 0; i < perWriter; i++) {
          if (i % 10 === 9) {
            // a transaction of three writes: one revision, one response
            await client.txn().then(op.put(`order/${w}/t${i}/a`, 'x'), op.put(`order/${w}/t${i}/b`, 'y'), op.delete(`order/${w}/${i - 1}`)).commit();
          } else {
            await client.put(`order/${w}/${i}`, `${w}-${i}`);
          }
        }
      }),
    );
    const end = await currentRevision(client);
    t.diagnostic(`${writers * perWriter} writes in ${Date.now() - began} ms`);
    const responses = await collect(watcher, reachedRevision(end), 30_000);
    const events = eventsOf(responses);
    const revisions = [...new Set(events.map((e) => e.kv.modRevision))];
    assert.deepEqual(revisions, Array.from({ length: end - start + 1 }, (_, i) => start + i), 'every revision once, in order');
    for (let i = 1; i < events.length; i++) assert.ok(events[i]!.kv.modRevision >= events[i - 1]!.kv.modRevision);
    // all the events of a revision in one response
    const responseOf = new Map<number, WatchResponse>();
    for (const r of responses) {
      for (const e of r.events) {
        const seen = responseOf.get(e.kv.modRevision);
        assert.ok(seen === undefined || seen === r, `events of revision ${e.kv.modRevision} split over two responses`);
        responseOf.set(e.kv.modRevision, r);
      }
    }
    const txnRevisions = events.filter((e) => e.kv.key.toString().endsWith('/a') && e.kv.key.toString().includes('/t'));
    assert.equal(txnRevisions.length, writers * (perWriter / 10));
    for (const e of txnRevisions) assert.equal(events.filter((x) => x.kv.modRevision === e.kv.modRevision).length, 3);
    // the same as a second watch reading the history afterwards
    assert.deepEqual(events.map(eventText), await history(client, 'order/', start, end));
  });

  test('a compacted start revision ends the watch with CompactedError carrying the compact revision', { timeout: TEST_TIMEOUT_MS }, async () => {
    await client.put('compact/a', '1');
    const old = (await client.put('compact/a', '2')).header.revision;
    await client.put('compact/a', '3');
    const compactAt = await currentRevision(client);
    await client.compact(compactAt);
    const responses: WatchResponse[] = [];
    await assert.rejects(
      (async () => {
        for await (const r of client.watch('compact/a', { startRevision: old })) responses.push(r);
      })(),
      (error: unknown) => error instanceof CompactedError && error.compactRevision === compactAt,
    );
    assert.equal(responses.at(-1)?.canceled, true);
    assert.equal(responses.at(-1)?.compactRevision, compactAt);
  });

  test('a compaction while a watch is open does not disturb it', { timeout: TEST_TIMEOUT_MS }, async () => {
    const watcher = client.watch('during/', { prefix: true });
    await collect(watcher, (r) => r.length === 1, 10_000, true);
    const first = (await client.put('during/a', '1')).header.revision;
    await client.compact(first);
    await client.put('during/b', '2');
    const responses = await collect(watcher, atLeastEvents(2));
    assert.deepEqual(texts(responses), [`${first} put during/a 1`, `${first + 1} put during/b 2`]);
  });

  test('progressNotify: periodic notifications carry the store revision', { timeout: TEST_TIMEOUT_MS }, async () => {
    const watcher = client.watch('quiet/', { prefix: true, progressNotify: true });
    const rev = (await client.put('noise', 'x')).header.revision;
    const responses = await collect(watcher, (r) => r.some((x) => x.isProgressNotify && x.header.revision >= rev));
    const progress = responses.find((r) => r.isProgressNotify)!;
    assert.deepEqual(progress.events, []);
    assert.equal(progress.created, false);
    assert.ok(progress.header.revision >= rev);
  });

  test('requestProgress(): a progress notification with the current revision, on every watch of the stream', { timeout: TEST_TIMEOUT_MS }, async () => {
    const a = client.watch('asked/a');
    const b = client.watch('asked/b');
    await collect(a, (r) => r.length === 1, 10_000, true);
    await collect(b, (r) => r.length === 1, 10_000, true);
    const rev = (await client.put('elsewhere', 'x')).header.revision;
    a.requestProgress();
    const [ra, rb] = await Promise.all([collect(a, (r) => r.length === 1), collect(b, (r) => r.length === 1)]);
    for (const r of [ra[0]!, rb[0]!]) {
      assert.equal(r.isProgressNotify, true);
      assert.equal(r.header.revision, rev);
      assert.deepEqual(r.events, []);
    }
  });

  test('fragment: a transaction whose watch response exceeds the server limit arrives as one response', { timeout: 60_000 }, async () => {
    const keys = ['big/1', 'big/2', 'big/3', 'big/4'];
    const value = (c: string): Buffer => Buffer.alloc(300 * 1024, c);
    await client.txn().then(...keys.map((k) => op.put(k, value('a')))).commit();
    // 4 x 300 KiB written again: with the previous values the response is ~2.4 MiB, over etcd's 1.5 MiB.
    const start = (await currentRevision(client)) + 1;
    const rev = (await client.txn().then(...keys.map((k) => op.put(k, value('b')))).commit()).header.revision;
    assert.equal(rev, start);

    // Precondition, on the raw stream: etcd does split this response when asked to.
    const fragments = await new Promise<number>((resolve, reject) => {
      let count = 0;
      const call = client.rpc.bidi(WatchMethods.watch, {
        onMessage(m) {
          if (m.created) return;
          count++;
          if (!m.fragment) {
            resolve(count);
            call.cancel();
          }
        },
        onEnd(error) {
          if (count === 0) reject(error ?? new Error('stream ended'));
        },
      });
      call.write({ requestUnion: { $case: 'createRequest', value: { key: Buffer.from('big/'), rangeEnd: Buffer.from('big0'), startRevision: BigInt(rev), prevKv: true, fragment: true } } });
    });
    assert.ok(fragments > 1, `etcd sent ${fragments} fragment(s)`);

    for (const fragment of [true, false]) {
      const all = await collect(client.watch('big/', { prefix: true, startRevision: rev, prevKv: true, fragment }), atLeastEvents(4), 30_000);
      assert.equal(all[0]!.created, true);
      const responses = all.slice(1);
      assert.equal(responses.length, 1, `fragment: ${fragment}: one response`);
      const events = responses[0]!.events;
      assert.deepEqual(events.map((e) => e.kv.key.toString()), keys);
      assert.ok(events.every((e) => e.kv.modRevision === rev && e.kv.value.equals(value('b')) && e.prevKv?.value.equals(value('a'))));
    }
  });

  test('a slow consumer: past maxBufferedBytes the watch ends with WatchOverflowError; resuming from its revision misses nothing', { timeout: TEST_TIMEOUT_MS }, async () => {
    const maxBufferedBytes = 64 * 1024;
    const value = 'v'.repeat(1024);
    const watcher = client.watch('slow/', { prefix: true, maxBufferedBytes });
    const it = watcher[Symbol.asyncIterator]();
    assert.equal((await it.next()).value?.created, true);
    const before = (await watchGauges(endpoint)).watchers;
    const start = (await currentRevision(client)) + 1;
    for (let i = 0; i < 200; i++) await client.put(`slow/${i}`, value);
    const end = await currentRevision(client);
    // Nobody reads: the watch stops at its bound and is cancelled on the server.
    await waitFor(async () => (await watchGauges(endpoint)).watchers === before - 1, 'the server to drop the watch');
    const delivered: string[] = [];
    let overflow: unknown;
    try {
      for (let r = await it.next(); !r.done; r = await it.next()) delivered.push(...r.value.events.map(eventText));
    } catch (error) {
      overflow = error;
    }
    assert.ok(overflow instanceof WatchOverflowError, String(overflow));
    assert.equal(overflow.maxBufferedBytes, maxBufferedBytes);
    assert.ok(delivered.length > 0 && delivered.length < 200, `${delivered.length} events delivered before the overflow`);
    const lastDelivered = Number(delivered.at(-1)!.split(' ')[0]);
    assert.equal(overflow.resumeRevision, lastDelivered + 1);
    const rest = await collect(client.watch('slow/', { prefix: true, startRevision: overflow.resumeRevision }), reachedRevision(end));
    assert.deepEqual([...delivered, ...texts(rest)], await history(client, 'slow/', start, end));
  });

  test('cancel(), leaving the loop, and aborting the signal cancel the watch on the server', { timeout: TEST_TIMEOUT_MS }, async () => {
    const base = (await watchGauges(endpoint)).watchers;
    const a = client.watch('gone/a');
    const b = client.watch('gone/b');
    const abort = new AbortController();
    const c = client.watch('gone/c', { signal: abort.signal });
    await Promise.all([a, b, c].map((w) => collect(w, (r) => r.length === 1, 10_000, true)));
    assert.equal((await watchGauges(endpoint)).watchers, base + 3);

    await a.cancel();
    assert.equal((await watchGauges(endpoint)).watchers, base + 2);
    const afterCancel = await a[Symbol.asyncIterator]().next();
    assert.equal(afterCancel.done, true);

    await client.put('gone/b', 'x');
    for await (const r of b) {
      assert.equal(r.events.length, 1);
      break;
    }
    await waitFor(async () => (await watchGauges(endpoint)).watchers === base + 1, 'the server to drop the watch left by break');

    const reason = new Error('stop watching');
    const pending = c[Symbol.asyncIterator]().next();
    abort.abort(reason);
    await assert.rejects(pending, (e) => e === reason);
    await waitFor(async () => (await watchGauges(endpoint)).watchers === base, 'the server to drop the aborted watch');
    // an already aborted signal: nothing is sent, the loop throws its reason
    const late = client.watch('gone/d', { signal: abort.signal });
    await assert.rejects(late[Symbol.asyncIterator]().next(), (e) => e === reason);
  });

  test('client.cancelWatches() (Go Watcher.Close) cancels every watch of the client on the server; loops end normally', { timeout: TEST_TIMEOUT_MS }, async () => {
    const own = cluster.client();
    try {
      const base = await watchGauges(endpoint);
      const watchers = [own.watch('all/a'), own.watch('all/b', { prevKv: true }), own.namespace('all/').watch('c')];
      await Promise.all(watchers.map((w) => collect(w, (r) => r.length === 1, 10_000, true)));
      assert.equal((await watchGauges(endpoint)).watchers, base.watchers + 3);
      const loops = watchers.map(async (w) => {
        const seen: WatchResponse[] = [];
        for await (const r of w) seen.push(r);
        return seen;
      });
      await own.cancelWatches();
      assert.equal((await watchGauges(endpoint)).watchers, base.watchers, 'etcd dropped every watch before cancelWatches() resolved');
      assert.ok((await Promise.all(loops)).every((seen) => seen.length === 0), 'every loop ended normally, with nothing after the cancellation');
      await waitFor(async () => (await watchGauges(endpoint)).streams === base.streams, 'the idle stream to be closed');
      await own.cancelWatches(); // with no watch: resolves at once
      // The client can watch again.
      const again = own.watch('all/a');
      await collect(again, (r) => r.length === 1, 10_000, true);
      const rev = (await own.put('all/a', 'x')).header.revision;
      assert.deepEqual(eventsOf(await collect(again, atLeastEvents(1))).map(eventText), [`${rev} put all/a x`]);
    } finally {
      await own.close();
    }
  });

  test('10,000 watches on one client: one stream, created without waiting in turn; memory per watch', { timeout: 90_000 }, async (t) => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const count = 10_000;
    const many = cluster.client();
    // Watches created one after another, each waiting for its answer, for comparison.
    const serial = 200;
    const serialBegan = performance.now();
    for (let i = 0; i < serial; i++) {
      const w = many.watch(`serial/${i}`);
      await w[Symbol.asyncIterator]().next();
      await w.cancel();
    }
    const serialMsPerWatch = (performance.now() - serialBegan) / serial;
    // Count the requests written on the watch stream before etcd's first answer on it.
    const rpc = many.rpc;
    const bidi = rpc.bidi.bind(rpc);
    let streams = 0;
    let writtenBeforeFirstAnswer = 0;
    let answered = false;
    rpc.bidi = ((method, handlers, options) => {
      streams++;
      const stream = bidi(method, {
        onMessage(message) {
          answered = true;
          handlers.onMessage(message);
        },
        onEnd: (error) => handlers.onEnd(error),
      }, options);
      return {
        write(request) {
          if (!answered) writtenBeforeFirstAnswer++;
          stream.write(request);
        },
        end: () => stream.end(),
        cancel: () => stream.cancel(),
      };
    }) as typeof rpc.bidi;

    // Nothing else watches on this member now (the streams closed above may take a moment to go).
    await waitFor(async () => (await watchGauges(endpoint)).streams === 0, 'no watch stream on the server');
    const base = await watchGauges(endpoint);
    gc();
    const heapBefore = process.memoryUsage().heapUsed;
    const began = performance.now();
    const watchers = Array.from({ length: count }, (_, i) => many.watch(`many/${i}`));
    const iterators = watchers.map((w) => w[Symbol.asyncIterator]());
    const firsts = await Promise.all(iterators.map((it) => it.next()));
    const createdMs = performance.now() - began;
    assert.ok(firsts.every((r) => r.value?.created === true));
    gc();
    const perWatch = (process.memoryUsage().heapUsed - heapBefore) / count;
    t.diagnostic(
      `${count} watches created in ${createdMs.toFixed(0)} ms (one at a time: ${serialMsPerWatch.toFixed(2)} ms each); ` +
        `client heap ${perWatch.toFixed(0)} bytes per watch`,
    );
    assert.equal(streams, 1, 'one stream');
    assert.equal(writtenBeforeFirstAnswer, count, 'every create request went out before the first answer');
    const gauges = await watchGauges(endpoint);
    assert.equal(gauges.watchers, base.watchers + count);
    assert.equal(gauges.streams, 1, 'one watch stream on the server');
    assert.ok(perWatch < 2048, `${perWatch.toFixed(0)} bytes per watch`);

    // each watch gets its own key's events only
    await client.put('many/4321', 'x');
    const hit = await iterators[4321]!.next();
    assert.equal(hit.value?.events[0]?.kv.key.toString(), 'many/4321');

    const cancelBegan = performance.now();
    await Promise.all(watchers.map((w) => w.cancel()));
    t.diagnostic(`cancelled in ${(performance.now() - cancelBegan).toFixed(0)} ms`);
    assert.equal((await watchGauges(endpoint)).watchers, base.watchers, 'etcd dropped every watch');
    await waitFor(async () => (await watchGauges(endpoint)).streams === 0, 'the idle stream to be closed');
    await many.close();
  });

  test('closing the client ends its watches with ClientClosedError', { timeout: TEST_TIMEOUT_MS }, async () => {
    const other = cluster.client();
    const watcher = other.watch('closing');
    await collect(watcher, (r) => r.length === 1, 10_000, true);
    const ended = assert.rejects(watcher[Symbol.asyncIterator]().next(), ClientClosedError);
    await other.close();
    await ended;
    await assert.rejects(other.watch('later')[Symbol.asyncIterator]().next(), ClientClosedError);
  });
});
