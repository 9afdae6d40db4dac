/**
 * The balancer (issue 15 item 1) against a real 3-member cluster, measured by etcd itself: each
 * member's `grpc_server_handled_total{grpc_method="Range"}` on its own `/metrics`, read before and
 * after, says which member served how many gets.
 *
 * - `balancer: 'round-robin'` (the default): 30,000 linearizable gets from one client are spread
 *   evenly, each member 33 % +- 5 %; watch and lease keep-alive streams stay on one member;
 * - `balancer: 'pinned'`: one member serves all of them;
 * - a stopped member leaves the rotation (every get still succeeds on the others) and joins it again
 *   once it is back.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Registry } from 'prom-client';

import type { Client } from '../../src/client.js';
import { METRIC_NAMES } from '../../src/rpc/metrics.js';
import { EtcdCluster, type EtcdMember } from '../../src/testing/index.js';
import { httpGetText } from '../../src/testing/probe.js';

/** Gets made in the round-robin measurement (the issue's figure). */
const GETS = 30_000;
/** Gets in flight at once. */
const IN_FLIGHT = 32;
/** Allowed deviation of each member's share from a third, in percentage points. */
const TOLERANCE = 5;

let cluster: EtcdCluster;

before(async () => {
  cluster = await EtcdCluster.start({ size: 3 });
  await cluster.client().put('balance/k', 'v');
}, { timeout: 30_000 });

after(async () => {
  await cluster?.close();
});

/** Calls of `method` member `m` has finished (every status code): etcd's `grpc_server_handled_total`. */
async function served(m: EtcdMember, method: string, metric = 'grpc_server_handled_total'): Promise<number> {
  const text = (await httpGetText(`${m.probeUrl}/metrics`)).body;
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${metric}{`) && line.includes(`grpc_method="${method}"`)) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

/** Range calls each member served while `work` ran, by member, in the cluster's order. */
async function rangesDuring(members: readonly EtcdMember[], work: () => Promise<void>): Promise<number[]> {
  const before = await Promise.all(members.map((m) => served(m, 'Range')));
  await work();
  const after = await Promise.all(members.map((m) => served(m, 'Range')));
  return after.map((n, i) => n - before[i]!);
}

/** `count` linearizable gets, `IN_FLIGHT` at a time; every one must succeed. */
async function gets(client: Client, count: number): Promise<void> {
  let issued = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (issued < count) {
        issued++;
        const r = await client.get('balance/k', { timeout: 10_000 });
        assert.equal(r.kvs[0]?.value.toString(), 'v');
      }
    }),
  );
}

const percent = (n: number, total: number) => Math.round((1000 * n) / total) / 10;

describe('balancer', { timeout: 120_000 }, () => {
  test(`round-robin (the default): ${GETS} linearizable gets from one client, each member serves 33 % +- ${TOLERANCE} %`, async (t) => {
    const registry = new Registry();
    const client = cluster.client({ metrics: { registry } });
    try {
      const counts = await rangesDuring(cluster.members, () => gets(client, GETS));
      const total = counts.reduce((a, b) => a + b, 0);
      t.diagnostic(`Range calls served: ${counts.map((n) => `${n} (${percent(n, total)} %)`).join(', ')}`);
      assert.equal(total, GETS, 'etcd counted every get once (none retried)');
      for (const [i, n] of counts.entries()) {
        const share = (100 * n) / total;
        assert.ok(Math.abs(share - 100 / 3) <= TOLERANCE, `member ${i} served ${percent(n, total)} % of the gets`);
      }
      // Rotation is not failover: the client's metrics count no retry and no failover.
      const counter = async (name: string) => (await registry.getSingleMetric(name)!.get()).values.reduce((sum, v) => sum + v.value, 0);
      assert.equal(await counter(METRIC_NAMES.retries), 0);
      assert.equal(await counter(METRIC_NAMES.failovers), 0);
    } finally {
      await client.close();
    }
  });

  test("balancer 'pinned': one member serves all the gets", async (t) => {
    const client = cluster.client({ balancer: 'pinned' });
    try {
      const counts = await rangesDuring(cluster.members, () => gets(client, 3_000));
      t.diagnostic(`Range calls served: ${counts.join(', ')}`);
      assert.deepEqual(counts, [3_000, 0, 0], 'the first endpoint (pinned) served every get');
    } finally {
      await client.close();
    }
  });

  test('round-robin: watch and keep-alive streams stay on one member while gets rotate', async () => {
    const client = cluster.client();
    const members = cluster.members;
    const streams = async (method: string) => Promise.all(members.map((m) => served(m, method, 'grpc_server_started_total')));
    const watchesBefore = await streams('Watch');
    const keepAlivesBefore = await streams('LeaseKeepAlive');
    try {
      const watcher = client.watch('balance/w/', { prefix: true });
      const iterator = watcher[Symbol.asyncIterator]();
      assert.equal((await iterator.next()).value?.created, true);
      const { id } = await client.lease.grant(30);
      const keepAlive = client.lease.keepAlive(id)[Symbol.asyncIterator]();
      assert.equal((await keepAlive.next()).done, false);
      const counts = await rangesDuring(members, () => gets(client, 600));
      assert.ok(counts.every((n) => n > 0), `every member served gets: ${counts.join(', ')}`);
      for (let i = 0; i < 20; i++) await client.put(`balance/w/${i}`, String(i));
      let events = 0;
      while (events < 20) events += (await iterator.next()).value!.events.length;
      const watchStreams = (await streams('Watch')).map((n, i) => n - watchesBefore[i]!);
      const keepAliveStreams = (await streams('LeaseKeepAlive')).map((n, i) => n - keepAlivesBefore[i]!);
      assert.deepEqual(watchStreams, [1, 0, 0], 'one watch stream, on the pinned (first) endpoint');
      assert.deepEqual(keepAliveStreams, [1, 0, 0], 'one keep-alive stream, on the pinned (first) endpoint');
      await keepAlive.return?.();
      await watcher.cancel();
    } finally {
      await client.close();
    }
  });

  test('round-robin: a stopped member leaves the rotation, every get succeeds elsewhere, and it rejoins when back', async (t) => {
    const client = cluster.client({ dialTimeout: 2_000 });
    const [first, second, third] = cluster.members as [EtcdMember, EtcdMember, EtcdMember];
    try {
      await gets(client, 300); // every endpoint connected
      await third.stop();
      const during = await rangesDuring([first, second], () => gets(client, 3_000));
      t.diagnostic(`with the third member stopped: ${during.join(', ')}`);
      assert.ok(during.every((n) => n > 1_000), `the two running members share the gets: ${during.join(', ')}`);

      await third.start();
      await cluster.waitHealthy();
      // Back in the rotation once the client reconnects (after its backoff, at most 2 s).
      const deadline = Date.now() + 10_000;
      const servedBefore = await served(third, 'Range');
      while ((await served(third, 'Range')) === servedBefore) {
        assert.ok(Date.now() < deadline, 'the restarted member serves gets again within 10 s');
        await gets(client, 50);
      }
      const after = await rangesDuring(cluster.members, () => gets(client, 3_000));
      t.diagnostic(`after its restart: ${after.join(', ')}`);
      for (const [i, n] of after.entries()) assert.ok(Math.abs((100 * n) / 3_000 - 100 / 3) <= TOLERANCE, `member ${i} served ${n} of 3000`);
    } finally {
      if (!third.running) await third.start();
      await client.close();
    }
  });
});
