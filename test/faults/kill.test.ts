/**
 * Fault: kill -9 of a member of a 3-member cluster while 6 writers put unique keys. Once the
 * leader, once the member the client is using (a follower). Checked afterwards: every acknowledged
 * put is in the store, none applied twice, no put hung past its deadline; the time to the first
 * acknowledged put after the kill is reported; each watch on the written prefix saw exactly the
 * store's history (no gap, no duplicate, in order); the lease kept alive across the kill is alive.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { EtcdCluster } from '../../src/testing/index.js';
import { LeaseProbe, PutWorkload, WatchProbe, memberInUse, restoreCluster, runScenario } from './harness.js';

/** What runs beside the puts: two watches on the written prefix and a lease kept alive (TTL well above the recovery). */
const probes = () => [new WatchProbe(), new WatchProbe({ sub: 'w0/' }), new LeaseProbe({ ttl: 10 })];

let cluster: EtcdCluster;

before(async () => {
  cluster = await EtcdCluster.start({ size: 3 });
}, { timeout: 30_000 });

after(async () => {
  await cluster?.close();
});

describe('kill -9', { timeout: 90_000 }, () => {
  test('of the leader', async (t) => {
    const client = cluster.client({ dialTimeout: 2000 });
    const leader = await cluster.leader();
    const { recoveryMs, settledMs } = await runScenario({
      t,
      cluster,
      client,
      prefix: 'fault/kill-leader/',
      workload: new PutWorkload(),
      probes: probes(),
      inject: () => leader.kill(),
      repair: () => restoreCluster(cluster),
    });
    // An election takes about one election timeout (1 s) plus the time to notice the loss.
    assert.ok(recoveryMs < 8000, `recovered after ${recoveryMs} ms`);
    assert.ok(settledMs < 8000, `the last failed put started ${settledMs} ms after the kill`);
    await client.close();
  });

  test('of the member the client uses (a follower)', async (t) => {
    const leader = await cluster.leader();
    const followers = cluster.members.filter((m) => m !== leader);
    // The follower first: the client pins it.
    const client = cluster.client({ endpoints: [followers[0]!.endpoint, leader.endpoint, followers[1]!.endpoint], dialTimeout: 2000 });
    await client.get('fault/warm-up');
    const used = memberInUse(cluster, client);
    assert.equal(used, followers[0]);
    const { recoveryMs, settledMs } = await runScenario({
      t,
      cluster,
      client,
      prefix: 'fault/kill-used/',
      workload: new PutWorkload(),
      probes: probes(),
      inject: () => used.kill(),
      repair: () => restoreCluster(cluster),
    });
    // The broken connection is seen at once; the next put goes to another member.
    assert.ok(recoveryMs < 3000, `recovered after ${recoveryMs} ms`);
    assert.ok(settledMs < 3000, `the last failed put started ${settledMs} ms after the kill`);
    assert.notEqual(memberInUse(cluster, client), used, 'the client moved on');
    await client.close();
  });
});
