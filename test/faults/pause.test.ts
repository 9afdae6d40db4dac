/**
 * Faults by SIGSTOP (a member that stops answering but keeps its sockets open):
 * - the member the client uses is frozen for 20 s, then SIGCONT, while 6 writers put unique keys:
 *   the client must leave it within keepAliveTime + keepAliveTimeout (6 + 4 s) and lose nothing;
 *   watches on the written prefix see exactly the store's history; a lease with a TTL (30 s) above
 *   that bound stays alive; one with a shorter TTL (3 s) is reported lost (`LeaseKeepAliveHaltedError`),
 *   not silently dropped: the keep-alive stream only leaves a silent member when the connection's
 *   keep-alive pings fail, as documented in src/lease/keepalive.ts;
 * - a member cut off from the others (the other two frozen) must not serve a stale linearizable
 *   read, and a member frozen while the others moved on must not serve old data when it wakes;
 * - with `requireLeader`, a watch on a member whose two peers are frozen is ended by etcd with
 *   NoLeaderError: the client blames that member (the pin moves on), keeps trying, and once the
 *   peers wake delivers every event without a gap.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { DEFAULT_KEEPALIVE_TIMEOUT_MS, DEFAULT_KEEPALIVE_TIME_MS } from '../../src/rpc/defaults.js';
import { EtcdError } from '../../src/errors/index.js';
import type { Logger } from '../../src/rpc/logger.js';
import { EtcdCluster } from '../../src/testing/index.js';
import { LeaseProbe, PutWorkload, WatchProbe, memberInUse, restoreCluster, runScenario, snapshot } from './harness.js';

/** How long the member stays frozen, in ms. */
const FREEZE_MS = 20_000;
/** Time to notice a silent member with the default keep-alive, plus room for a busy machine. */
const KEEPALIVE_BOUND_MS = DEFAULT_KEEPALIVE_TIME_MS + DEFAULT_KEEPALIVE_TIMEOUT_MS;

let cluster: EtcdCluster;

before(async () => {
  cluster = await EtcdCluster.start({ size: 3 });
}, { timeout: 30_000 });

after(async () => {
  await cluster?.close();
});

describe('SIGSTOP', { timeout: 120_000 }, () => {
  test('of the member the client uses, for 20 s: left within the keep-alive bound', async (t) => {
    const leader = await cluster.leader();
    const follower = cluster.members.find((m) => m !== leader)!;
    const client = cluster.client({ endpoints: [follower.endpoint, ...cluster.endpoints.filter((e) => e !== follower.endpoint)] });
    await client.get('fault/warm-up');
    assert.equal(memberInUse(cluster, client), follower);
    const { recoveryMs, settledMs } = await runScenario({
      t,
      cluster,
      client,
      prefix: 'fault/sigstop/',
      workload: new PutWorkload(),
      probes: [
        new WatchProbe(),
        new WatchProbe({ sub: 'w0/' }),
        new LeaseProbe({ ttl: 30, expect: 'alive' }),
        new LeaseProbe({ ttl: 3, expect: 'lost' }),
      ],
      inject: () => follower.pause(),
      repair: () => restoreCluster(cluster),
      faultDuration: FREEZE_MS, // the fault lasts 20 s
      recoveryTimeout: FREEZE_MS,
    });
    assert.ok(recoveryMs <= KEEPALIVE_BOUND_MS + 2000, `recovered after ${recoveryMs} ms (bound ${KEEPALIVE_BOUND_MS} ms)`);
    // Puts sent to the frozen member (every third one, round-robin) fail until the client leaves it.
    assert.ok(settledMs <= KEEPALIVE_BOUND_MS + 2000, `the last failed put started ${settledMs} ms after the freeze (bound ${KEEPALIVE_BOUND_MS} ms)`);
    assert.notEqual(memberInUse(cluster, client), follower, 'the pin (streams) moved on');
    await client.close();
  });
});

describe('isolation', { timeout: 90_000 }, () => {
  test('a member whose two peers are frozen serves no linearizable read', async (t) => {
    await restoreCluster(cluster);
    const lone = cluster.members[0]!;
    const others = cluster.members.slice(1);
    const client = cluster.client({ endpoints: [lone.endpoint] });
    await client.put('fault/iso/k', 'v1');
    for (const m of others) await m.pause();
    try {
      const started = Date.now();
      // Linearizable: the member cannot confirm it is up to date, so the read fails instead of
      // answering from its own, possibly old, copy.
      const failure = await client.get('fault/iso/k', { timeout: 2000 }).then(
        (r) => assert.fail(`a linearizable read answered ${JSON.stringify(r.kvs.map((kv) => kv.value.toString()))} without a quorum`),
        (e: unknown) => e,
      );
      assert.ok(failure instanceof EtcdError, `a typed error: ${String(failure)}`);
      assert.ok(Date.now() - started < 2000 + 1500, 'within its deadline');
      t.diagnostic(`linearizable read without quorum: ${(failure as Error).name}: ${(failure as Error).message}`);
      // A serializable read is served locally, as documented (it may be stale).
      const local = await client.get('fault/iso/k', { serializable: true, timeout: 2000 });
      assert.equal(local.kvs[0]?.value.toString(), 'v1');
    } finally {
      await restoreCluster(cluster);
    }
  });

  test('a member frozen while the others moved on does not serve old data when it wakes', async () => {
    await restoreCluster(cluster);
    const sleeper = cluster.members.find((m) => m !== cluster.members[0]) ?? cluster.members[1]!;
    const awake = cluster.members.filter((m) => m !== sleeper);
    const viaSleeper = cluster.client({ endpoints: [sleeper.endpoint] });
    await viaSleeper.put('fault/iso/stale', 'old');
    await sleeper.pause();
    let resumed = false;
    try {
      const viaOthers = cluster.client({ endpoints: awake.map((m) => m.endpoint) });
      await cluster.leader(); // the two awake members have (or elect) a leader
      const written = await viaOthers.put('fault/iso/stale', 'new', { timeout: 10_000 });
      await sleeper.resume();
      resumed = true;
      // Read through the woken member at once: it must first catch up (or fail), never answer 'old'.
      const fresh = cluster.client({ endpoints: [sleeper.endpoint] });
      const got = await fresh.get('fault/iso/stale', { timeout: 10_000 });
      assert.equal(got.kvs[0]?.value.toString(), 'new');
      assert.ok(got.header.revision >= written.header.revision, 'the read is at or after the write');
    } finally {
      if (!resumed) await sleeper.resume();
      await restoreCluster(cluster);
    }
  });

  test('with requireLeader, a watch on a member that lost its leader moves on and misses nothing', async (t) => {
    await restoreCluster(cluster);
    const lone = cluster.members[0]!;
    const others = cluster.members.slice(1);
    const blamed: string[] = [];
    const note = (message: string, fields?: Record<string, unknown>) => {
      if (message.includes('endpoint') && fields?.endpoint === lone.endpoint && /no leader/i.test(String(fields.error))) blamed.push(message);
    };
    const logger: Logger = { debug: note, info: note, warn: note, error: note };
    const client = cluster.client({ endpoints: [lone.endpoint, ...others.map((m) => m.endpoint)], requireLeader: true, logger, dialTimeout: 2000 });
    const writer = cluster.client({ dialTimeout: 2000 });
    const prefix = 'fault/noleader/';
    const seen: string[] = [];
    let failure: unknown;
    try {
      const start = (await writer.get(prefix, { prefix: true, countOnly: true })).header.revision + 1;
      const watcher = client.watch(prefix, { prefix: true, startRevision: start });
      const consuming = (async () => {
        try {
          for await (const r of watcher) for (const e of r.events) seen.push(`${e.kv.modRevision} ${e.kv.key.toString()} ${e.kv.value.toString()}`);
        } catch (error) {
          failure = error;
        }
      })();
      for (let i = 0; i < 10; i++) await writer.put(`${prefix}a${i}`, `a${i}`);
      await until(() => seen.length === 10, 'the first 10 events', 10_000);
      assert.equal(memberInUse(cluster, client), lone, 'the watch is on the first endpoint');
      const frozenAt = Date.now();
      for (const m of others) await m.pause();
      try {
        // etcd ends require-leader streams after about 3 election timeouts without a leader.
        await until(() => blamed.length > 0, 'the member without a leader to be blamed (NoLeaderError)', 15_000);
        t.diagnostic(`NoLeaderError moved the pin ${Date.now() - frozenAt} ms after the freeze`);
        assert.equal(failure, undefined, 'the watch goes on');
      } finally {
        await restoreCluster(cluster);
      }
      for (let i = 0; i < 10; i++) await writer.put(`${prefix}b${i}`, `b${i}`, { timeout: 10_000 });
      const store = await snapshot(cluster, prefix);
      const expected = [...store.byKey.values()].sort((a, b) => a.modRevision - b.modRevision).map((kv) => `${kv.modRevision} ${kv.key.toString()} ${kv.value.toString()}`);
      await until(() => seen.length >= expected.length || failure !== undefined, `the watch to deliver ${expected.length} events`, 20_000);
      await watcher.cancel();
      await consuming;
      assert.equal(failure, undefined, `the watch ended with ${String(failure)}`);
      assert.deepEqual(seen, expected);
    } finally {
      await client.close();
      await writer.close();
    }
  });
});

/** Polls `condition` every 20 ms until it holds; throws naming `what` after `timeout` ms. */
async function until(condition: () => boolean, what: string, timeout: number): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
