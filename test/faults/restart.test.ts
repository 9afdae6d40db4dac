/**
 * Fault: every member of a 3-member cluster restarted one by one (graceful stop, start, healthy
 * again) while 6 writers put unique keys. Checked afterwards: every acknowledged put is in the
 * store, none applied twice, no put hung past its deadline; each watch on the written prefix saw
 * exactly the store's history; the lease kept alive is alive; the recovery time after each stop is
 * reported.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { EtcdCluster } from '../../src/testing/index.js';
import { LeaseProbe, PutWorkload, WatchProbe, restoreCluster, runScenario, type FaultContext } from './harness.js';

let cluster: EtcdCluster;

before(async () => {
  cluster = await EtcdCluster.start({ size: 3 });
}, { timeout: 30_000 });

after(async () => {
  await cluster?.close();
});

describe('rolling restart', { timeout: 120_000 }, () => {
  test('of every member, one by one', async (t) => {
    const client = cluster.client({ dialTimeout: 2000 });
    const workload = new PutWorkload();
    const recoveries: number[] = [];
    let step = 0;
    const { recoveryMs } = await runScenario({
      t,
      cluster,
      client,
      prefix: 'fault/rolling/',
      workload,
      probes: [new WatchProbe(), new WatchProbe({ sub: 'w0/' }), new LeaseProbe({ ttl: 10 })],
      // The "fault" is the whole rolling restart; each member is stopped, restarted and waited for.
      inject: async (context: FaultContext) => {
        for (const member of cluster.members) {
          step++;
          const stoppedAt = Date.now();
          await member.stop();
          await member.start();
          await cluster.leader();
          const recoveredAt = await workload.acksAfter(stoppedAt, 1, 15_000);
          recoveries.push(recoveredAt - stoppedAt);
          context.note(`restart ${step} (${member.name}): first acknowledged put ${recoveredAt - stoppedAt} ms after the stop`);
        }
      },
      repair: () => restoreCluster(cluster),
    });
    assert.equal(recoveries.length, 3);
    for (const ms of recoveries) assert.ok(ms < 10_000, `recovered after ${ms} ms`);
    assert.ok(Number.isFinite(recoveryMs), 'puts succeeded after the restarts');
    await client.close();
  });
});
