// Mutex of etcd-ts/concurrency on a 3-member cluster whose leader is killed (SIGKILL) mid-run:
// 20 tasks x 50 rounds of read-modify-write under one lock, and the count is still exact. The
// client talks to the leader first, so the kill also breaks its connection: in-flight calls fail,
// watches resume and keep-alives continue on another member. Calls
// that fail while the cluster elects a new leader are retried by the workload; a write whose fate
// is unknown is resolved by reading again (the lock is still held, so nobody else writes).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import type { Client } from '../../src/index.js';
import { EtcdCluster, type EtcdMember } from '../../src/testing/index.js';
import { contend } from './concurrency-support.js';

let cluster: EtcdCluster;
let client: Client;
/** The member the client talks to first: the leader at the start, killed mid-run. */
let victim: EtcdMember;

before(async () => {
  cluster = await EtcdCluster.start({ size: 3 });
  victim = await cluster.leader();
  const others = cluster.members.filter((m) => m !== victim).map((m) => m.clientUrl);
  client = cluster.client({ endpoints: [victim.clientUrl, ...others], dialTimeout: 2_000 });
});

after(async () => {
  await cluster?.close();
});

describe('Mutex with a member killed mid-run (3 members)', { timeout: 120_000 }, () => {
  test('20 tasks x 50 rounds: the count is exact, never two holders', async () => {
    const TASKS = 20;
    const ROUNDS = 50;
    let killed: Promise<void> | undefined;
    const { maxHolders } = await contend(client, {
      tasks: TASKS,
      rounds: ROUNDS,
      lockName: 'failover',
      counterKey: 'failover-count',
      ttl: 30,
      tolerateFailures: true,
      onRound: (completed) => {
        if (completed === (TASKS * ROUNDS) / 4 && killed === undefined) {
          killed = victim.kill();
        }
      },
    });
    assert.ok(killed !== undefined, 'a member was killed');
    await killed;
    assert.equal(victim.running, false, 'the killed member stayed down for the rest of the run');
    assert.equal(maxHolders, 1, 'never two holders at once');
    const { kvs } = await client.get('failover-count');
    assert.equal(kvs[0]?.value.toString(), String(TASKS * ROUNDS));
    assert.equal((await client.get('failover/', { prefix: true })).count, 0, 'every lock key is gone');
  });
});
