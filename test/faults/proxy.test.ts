/**
 * Faults through the loopback proxy of etcd-ts/testing (no root, no network namespaces):
 * - the member the client uses is black-holed (no byte forwarded, no socket closed) while 6 writers
 *   put unique keys: the client must leave it within keepAliveTime + keepAliveTimeout and lose
 *   nothing;
 * - a put whose reply is delayed past its deadline: the caller gets DeadlineExceededError, the put
 *   is applied once (never retried behind the caller's back);
 * - a cut connection (RST) in the middle of the workload: nothing lost, nothing doubled.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { DeadlineExceededError } from '../../src/errors.js';
import { DEFAULT_KEEPALIVE_TIMEOUT_MS, DEFAULT_KEEPALIVE_TIME_MS } from '../../src/rpc/defaults.js';
import { EtcdCluster } from '../../src/testing/index.js';
import { PutWorkload, memberInUse, restoreCluster, runScenario, snapshot } from './harness.js';

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
    const { recoveryMs } = await runScenario({
      t,
      cluster,
      client,
      prefix: 'fault/blackhole/',
      workload: new PutWorkload(),
      inject: async () => used.proxy!.blackhole(),
      repair: () => restoreCluster(cluster),
    });
    assert.ok(recoveryMs <= KEEPALIVE_BOUND_MS + 2000, `recovered after ${recoveryMs} ms (bound ${KEEPALIVE_BOUND_MS} ms)`);
    assert.notEqual(memberInUse(cluster, client), used, 'the client moved on');
    await client.close();
  });

  test('a put whose reply comes after its deadline is not applied twice', async (t) => {
    const client = cluster.client();
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
    const { recoveryMs } = await runScenario({
      t,
      cluster,
      client,
      prefix: 'fault/cut/',
      workload: new PutWorkload(),
      inject: async () => used.proxy!.cut(),
      repair: () => restoreCluster(cluster),
    });
    assert.ok(recoveryMs < 3000, `recovered after ${recoveryMs} ms`);
    await client.close();
  });
});
