/**
 * Faults through the loopback proxy of etcd-ts/testing (no root, no network namespaces):
 * - the member the client uses is black-holed (no byte forwarded, no socket closed) while 6 writers
 *   put unique keys: the client must leave it within keepAliveTime + keepAliveTimeout and lose
 *   nothing;
 * - a put whose reply is delayed past its deadline: the caller gets DeadlineExceededError, the put
 *   is applied once (never retried behind the caller's back);
 * - a cut connection (RST) in the middle of the workload: nothing lost, nothing doubled; a watch on
 *   the written prefix sees exactly the store's history;
 * - a watch catching up on a long history (etcd sends it 1000 revisions per response, one response
 *   per 100 ms sync) whose connection is cut, and cut again while it catches up from its resume
 *   point: it delivers that history exactly, no gap, no duplicate.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { DeadlineExceededError } from '../../src/errors/index.js';
import { DEFAULT_KEEPALIVE_TIMEOUT_MS, DEFAULT_KEEPALIVE_TIME_MS } from '../../src/rpc/defaults.js';
import { EtcdCluster } from '../../src/testing/index.js';
import { PutWorkload, WatchProbe, memberInUse, restoreCluster, runScenario, snapshot } from './harness.js';

/** Revisions of history the catching-up watch has to fetch. */
const CATCH_UP_REVISIONS = 2500;

const KEEPALIVE_BOUND_MS = DEFAULT_KEEPALIVE_TIME_MS + DEFAULT_KEEPALIVE_TIMEOUT_MS;

let cluster: EtcdCluster;

before(async () => {
  cluster = await EtcdCluster.start({ size: 3, proxy: true });
}, { timeout: 30_000 });

after(async () => {
  await cluster?.close();
});

describe('through the proxy', { timeout: 90_000 }, () => {
  test('a black-holed member is left within the keep-alive bound', async (t) => {
    const client = cluster.client();
    await client.get('fault/warm-up');
    const used = memberInUse(cluster, client);
    const { recoveryMs, settledMs } = await runScenario({
      t,
      cluster,
      client,
      prefix: 'fault/blackhole/',
      workload: new PutWorkload(),
      probes: [new WatchProbe()],
      inject: async () => used.proxy!.blackhole(),
      repair: () => restoreCluster(cluster),
      faultDuration: KEEPALIVE_BOUND_MS + 5000, // past the bound, so leaving the member is seen
    });
    assert.ok(recoveryMs <= KEEPALIVE_BOUND_MS + 2000, `recovered after ${recoveryMs} ms (bound ${KEEPALIVE_BOUND_MS} ms)`);
    // Puts sent to the black-holed member (every third one, round-robin) fail until the client leaves it.
    assert.ok(settledMs <= KEEPALIVE_BOUND_MS + 2000, `the last failed put started ${settledMs} ms after the fault (bound ${KEEPALIVE_BOUND_MS} ms)`);
    assert.notEqual(memberInUse(cluster, client), used, 'the client moved on');
    await client.close();
  });

  test('a put whose reply comes after its deadline is not applied twice', async (t) => {
    // Pinned: the put surely goes to the delayed member (a wrong retry would go to another one).
    const client = cluster.client({ balancer: 'pinned' });
    await client.get('fault/warm-up');
    const used = memberInUse(cluster, client);
    const before = await client.get('fault/delayed');
    assert.equal(before.kvs.length, 0);
    used.proxy!.delay(1500);
    const started = Date.now();
    try {
      await assert.rejects(client.put('fault/delayed', 'once', { timeout: 500 }), DeadlineExceededError);
      const took = Date.now() - started;
      assert.ok(took < 500 + 1000, `the caller got its error after ${took} ms`);
      t.diagnostic(`DeadlineExceededError after ${took} ms`);
    } finally {
      used.proxy!.heal();
    }
    // The put reached etcd and was applied, once: wait until the store shows it, then check.
    const deadline = Date.now() + 5000;
    for (;;) {
      const store = await snapshot(cluster, 'fault/delayed');
      const kv = store.byKey.get('fault/delayed');
      if (kv !== undefined) {
        assert.equal(kv.value.toString(), 'once');
        assert.equal(kv.version, 1, `applied ${kv.version} times`);
        assert.equal(kv.createRevision, kv.modRevision);
        break;
      }
      assert.ok(Date.now() < deadline, 'the delayed put never showed up in the store');
      await new Promise((r) => setTimeout(r, 50));
    }
    // Nothing else arrives later either (a retry would be a second revision).
    await new Promise((r) => setTimeout(r, 1000));
    const later = await snapshot(cluster, 'fault/delayed');
    assert.equal(later.byKey.get('fault/delayed')?.version, 1);
    await client.close();
  });

  test('a cut connection in the middle of the workload loses and doubles nothing', async (t) => {
    const client = cluster.client();
    await client.get('fault/warm-up');
    const used = memberInUse(cluster, client);
    const { recoveryMs, settledMs } = await runScenario({
      t,
      cluster,
      client,
      prefix: 'fault/cut/',
      workload: new PutWorkload(),
      probes: [new WatchProbe()],
      inject: async () => used.proxy!.cut(),
      repair: () => restoreCluster(cluster),
    });
    assert.ok(recoveryMs < 3000, `recovered after ${recoveryMs} ms`);
    assert.ok(settledMs < 3000, `the last failed put started ${settledMs} ms after the cut`);
    await client.close();
  });

  test('a watch cut again while it is still catching up loses nothing', async (t) => {
    await restoreCluster(cluster);
    const prefix = 'fault/catchup/';
    // The history, written straight to the members (not through the proxies).
    const writer = cluster.client({ endpoints: cluster.members.map((m) => m.clientUrl) });
    const start = (await writer.get(prefix, { prefix: true, countOnly: true })).header.revision + 1;
    let next = 0;
    await Promise.all(
      Array.from({ length: 25 }, async () => {
        for (let n = next++; n < CATCH_UP_REVISIONS; n = next++) await writer.put(`${prefix}${String(n).padStart(5, '0')}`, `v${n}`, { timeout: 5000 });
      }),
    );
    await writer.close();
    const store = await snapshot(cluster, prefix);
    const expected = [...store.byKey.values()].sort((a, b) => a.modRevision - b.modRevision).map((kv) => `${kv.modRevision} ${kv.key.toString()} ${kv.value.toString()}`);
    assert.equal(expected.length, CATCH_UP_REVISIONS);
    const last = store.byKey.size === 0 ? 0 : Math.max(...[...store.byKey.values()].map((kv) => kv.modRevision));

    const client = cluster.client();
    const cutsAt: number[] = [];
    const seen: string[] = [];
    const watcher = client.watch(prefix, { prefix: true, startRevision: start });
    const consuming = (async () => {
      for await (const r of watcher) {
        for (const e of r.events) seen.push(`${e.kv.modRevision} ${e.kv.key.toString()} ${e.kv.value.toString()}`);
        // Cut on the first response, and again on the first response after the resume: both
        // while the watch is still catching up. Every member's proxy: the watch may have moved.
        const sinceLastCut = seen.length > (cutsAt.at(-1) ?? 0);
        if (r.events.length > 0 && cutsAt.length < 2 && sinceLastCut && seen.length < CATCH_UP_REVISIONS) {
          cutsAt.push(seen.length);
          for (const m of cluster.members) m.proxy!.cut();
        }
        if ((r.events.at(-1)?.kv.modRevision ?? 0) >= last) break;
      }
    })();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the watch did not catch up within 30 s: ${seen.length} events, cuts after ${cutsAt.join(', ')}`)), 30_000);
    });
    try {
      await Promise.race([consuming, timeout]);
    } finally {
      clearTimeout(timer);
      await watcher.cancel();
      await client.close();
    }
    t.diagnostic(`catch-up of ${CATCH_UP_REVISIONS} revisions; connections cut after ${cutsAt.join(' and ')} events`);
    assert.equal(cutsAt.length, 2, 'the connection was cut twice while catching up');
    assert.equal(seen.length, expected.length, 'as many events as revisions (no gap, no duplicate)');
    assert.deepEqual(seen, expected);
  });
});
