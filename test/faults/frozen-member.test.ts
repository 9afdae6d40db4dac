/**
 * A member frozen (SIGSTOP) while the application makes only short calls (issue 13, item 5): a get
 * with `timeout: 2000` every ~3 s, default client options. The keep-alive must still notice the
 * silent member (the clock runs from the last frame received while calls are open, and a call
 * that reaches its deadline with nothing received starts a PING at once), so the client leaves it
 * within keepAliveTime + keepAliveTimeout: every get started 15 s after the freeze succeeds, on
 * another member.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { DEFAULT_KEEPALIVE_TIMEOUT_MS, DEFAULT_KEEPALIVE_TIME_MS } from '../../src/rpc/defaults.js';
import { EtcdCluster } from '../../src/testing/index.js';
import { memberInUse, restoreCluster } from './harness.js';

/** Gap between the starts of two gets, ms. */
const PERIOD_MS = 3000;
/** Timeout of each get, ms. */
const GET_TIMEOUT_MS = 2000;
/** Gets started this long after the freeze must all succeed, ms (the bound of the issue). */
const MUST_SUCCEED_AFTER_MS = 15_000;
/** How long the member stays frozen, ms. */
const FREEZE_MS = 30_000;

let cluster: EtcdCluster;

before(async () => {
  cluster = await EtcdCluster.start({ size: 3 });
}, { timeout: 30_000 });

after(async () => {
  await cluster?.close();
});

describe('SIGSTOP with only short calls', { timeout: 90_000 }, () => {
  test('the frozen member is left within the keep-alive bound: later gets succeed elsewhere', async (t) => {
    assert.ok(DEFAULT_KEEPALIVE_TIME_MS + DEFAULT_KEEPALIVE_TIMEOUT_MS <= MUST_SUCCEED_AFTER_MS - PERIOD_MS);
    const leader = await cluster.leader();
    const follower = cluster.members.find((m) => m !== leader)!;
    const client = cluster.client({ endpoints: [follower.endpoint, ...cluster.endpoints.filter((e) => e !== follower.endpoint)] });
    try {
      await client.put('fault/frozen/k', 'v');
      await client.get('fault/frozen/k');
      assert.equal(memberInUse(cluster, client), follower);
      await follower.pause();
      const frozenAt = Date.now();
      const outcomes: Array<{ at: number; ok: boolean; member: string; error?: string }> = [];
      while (Date.now() - frozenAt < FREEZE_MS) {
        const at = Date.now() - frozenAt;
        try {
          const r = await client.get('fault/frozen/k', { timeout: GET_TIMEOUT_MS });
          assert.equal(r.kvs[0]?.value.toString(), 'v');
          outcomes.push({ at, ok: true, member: memberInUse(cluster, client).name });
        } catch (error) {
          outcomes.push({ at, ok: false, member: memberInUse(cluster, client).name, error: (error as Error).name });
        }
        const wait = PERIOD_MS - (Date.now() - frozenAt - at);
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
      t.diagnostic(outcomes.map((o) => `${o.at} ms: ${o.ok ? 'ok' : o.error} (${o.member})`).join('; '));
      const late = outcomes.filter((o) => o.at >= MUST_SUCCEED_AFTER_MS);
      assert.ok(late.length >= 3, `${late.length} gets after ${MUST_SUCCEED_AFTER_MS} ms`);
      for (const o of late) {
        assert.ok(o.ok, `the get started ${o.at} ms after the freeze failed with ${o.error}`);
        assert.notEqual(o.member, follower.name, `the get started ${o.at} ms after the freeze went to the frozen member`);
      }
    } finally {
      await restoreCluster(cluster);
      await client.close();
    }
  });
});
