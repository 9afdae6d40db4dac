/**
 * Options of one call and of the client's life (issue 15 items 3 and 4), against a real 3-member
 * cluster:
 * - the client-wide `signal` (clientv3's `Config.Context`): aborting it ends every call and stream
 *   of the client (a call blocked in etcd, a watch, a lease keep-alive) and closes it;
 * - per-call `requireLeader` (clientv3's `WithRequireLeader(ctx)`): with two of three members
 *   stopped, a read sent to the survivor ends with `NoLeaderError` after its retries, long before
 *   its deadline, while the same read without it waits for a leader until its deadline; `false`
 *   overrides the client-wide option;
 * - per-watch `requireLeader`: such a watch ends with `NoLeaderError` when its member loses the
 *   leader (etcd closes the stream), while a plain watch on the same client goes on;
 * - `maxUnaryRetries` and `backoffWaitBetween`: the attempts of that read, counted by the client's
 *   metrics (etcd refuses a require-leader call before its own gRPC metrics see it), are exactly the
 *   bound, paused as set.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Registry } from 'prom-client';

import type { Client } from '../../src/client.js';
import { ClientClosedError, DeadlineExceededError, LeaseKeepAliveHaltedError, NoLeaderError } from '../../src/errors/index.js';
import { METRIC_NAMES } from '../../src/rpc/metrics.js';
import { EtcdCluster, type EtcdMember } from '../../src/testing/index.js';

let cluster: EtcdCluster;

before(async () => {
  cluster = await EtcdCluster.start({ size: 3 });
  await cluster.client().put('opts/k', 'v');
}, { timeout: 30_000 });

after(async () => {
  await cluster?.close();
});

/** One value of a counter in `registry` (0 when absent). */
async function sample(registry: Registry, name: string, labels: Record<string, string>): Promise<number> {
  const metric = await registry.getSingleMetric(name)?.get();
  const value = metric?.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l));
  return value?.value ?? 0;
}

/** Polls `attempt` every 100 ms until it returns a value; fails naming `what` after `timeout` ms. */
async function within<T>(what: string, timeout: number, attempt: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await attempt();
    if (value !== undefined) return value;
    assert.ok(Date.now() < deadline, `${what}: not within ${timeout} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** What `pending` rejects with (fails if it resolves). */
async function failure(pending: Promise<unknown>): Promise<unknown> {
  return pending.then(
    (value) => assert.fail(`expected a rejection, got ${String(value)}`),
    (error: unknown) => error,
  );
}

describe("the client's signal", { timeout: 60_000 }, () => {
  test('aborting it ends a call blocked in etcd, a watch and a keep-alive, and closes the client', async () => {
    const controller = new AbortController();
    const client = cluster.client({ signal: controller.signal });
    const holder = cluster.client();
    try {
      // A lock held elsewhere: the client's Lock call waits in etcd.
      const { id: held } = await holder.lease.grant(30);
      await holder.lock.lock('opts/lock', held);
      const { id } = await client.lease.grant(30);
      const blocked = failure(client.lock.lock('opts/lock', id));
      const watcher = client.watch('opts/w/', { prefix: true });
      const watching = watcher[Symbol.asyncIterator]();
      assert.equal((await watching.next()).value?.created, true);
      const keepAlive = client.lease.keepAlive(id)[Symbol.asyncIterator]();
      assert.equal((await keepAlive.next()).done, false);
      const watchEnd = failure((async () => {
        for (;;) await watching.next();
      })());
      const keepAliveEnd = failure((async () => {
        for (;;) await keepAlive.next();
      })());

      controller.abort(new Error('the service is shutting down'));

      const lockError = await blocked;
      assert.ok(lockError instanceof ClientClosedError, `the blocked lock call ended with ${String(lockError)}`);
      const watchError = await watchEnd;
      assert.ok(watchError instanceof ClientClosedError, `the watch ended with ${String(watchError)}`);
      const keepAliveError = await keepAliveEnd;
      assert.ok(keepAliveError instanceof LeaseKeepAliveHaltedError, `the keep-alive ended with ${String(keepAliveError)}`);
      assert.ok(keepAliveError.cause instanceof ClientClosedError, `its cause: ${String(keepAliveError.cause)}`);
      await assert.rejects(client.get('opts/k'), ClientClosedError);
      // The cluster and other clients are untouched: the lease was not revoked, only no longer renewed.
      assert.ok((await holder.lease.timeToLive(id)).ttl > 0);
      assert.equal((await holder.get('opts/k')).kvs[0]?.value.toString(), 'v');
    } finally {
      controller.abort();
      await holder.close();
    }
  });
});

describe('requireLeader per call and per watch; retry options (two of three members stopped)', { timeout: 120_000 }, () => {
  let survivor: EtcdMember;
  let client: Client;
  let leaderWatchEnd: Promise<unknown>;
  let plainWatchEnd: { error: unknown; ended: boolean };
  let plainEvents: string[];

  before(async () => {
    survivor = cluster.members[0]!;
    client = cluster.client({ endpoints: [survivor.endpoint] });
    // Two watches on the survivor, one with requireLeader, made while the cluster is healthy.
    const leaderWatch = client.watch('opts/w/', { prefix: true, requireLeader: true });
    const plainWatch = client.watch('opts/w/', { prefix: true, requireLeader: false });
    const leaderIterator = leaderWatch[Symbol.asyncIterator]();
    assert.equal((await leaderIterator.next()).value?.created, true);
    plainEvents = [];
    plainWatchEnd = { error: undefined, ended: false };
    const plainIterator = plainWatch[Symbol.asyncIterator]();
    assert.equal((await plainIterator.next()).value?.created, true);
    void (async () => {
      try {
        for (;;) {
          const next = await plainIterator.next();
          if (next.done === true) break;
          for (const e of next.value.events) plainEvents.push(e.kv.key.toString());
        }
      } catch (error) {
        plainWatchEnd.error = error;
      }
      plainWatchEnd.ended = true;
    })();
    await client.put('opts/w/before', '1');
    const first = await leaderIterator.next();
    assert.equal(first.value?.events[0]?.kv.key.toString(), 'opts/w/before');
    leaderWatchEnd = failure((async () => {
      for (;;) await leaderIterator.next();
    })());
    for (const m of cluster.members.slice(1)) await m.stop();
    // etcd 3.4's view of its leader flickers while it campaigns alone: wait until a
    // require-leader read is refused at once.
    await within('the survivor to refuse require-leader reads', 20_000, async () => {
      const error = await failure(client.get('opts/k', { requireLeader: true, timeout: 500 }));
      return error instanceof DeadlineExceededError && error.cause instanceof NoLeaderError ? true : undefined;
    });
  });

  after(async () => {
    for (const m of cluster.members) if (!m.running) await m.start({ wait: false });
    await cluster.waitHealthy({ timeout: 30_000 });
    await cluster.leader({ timeout: 15_000 });
  });

  test('a read with requireLeader ends with NoLeaderError after its retries, well before its deadline', async (t) => {
    const started = Date.now();
    const error = await failure(client.get('opts/k', { requireLeader: true, timeout: 30_000 }));
    const took = Date.now() - started;
    t.diagnostic(`NoLeaderError after ${took} ms (100 attempts)`);
    assert.ok(error instanceof NoLeaderError, `ended with ${String(error)}`);
    assert.equal(error.details, 'etcdserver: no leader');
    assert.ok(took < 15_000, `took ${took} ms of its 30000 ms`);
    // The same read without it waits for a leader until its deadline.
    const plain = await failure(client.get('opts/k', { timeout: 1_000 }));
    assert.ok(plain instanceof DeadlineExceededError, `without requireLeader: ${String(plain)}`);
    assert.ok(!(plain.cause instanceof NoLeaderError), 'nothing said "no leader" to the plain read');
  });

  test('requireLeader: false on a call overrides the client-wide option', async () => {
    const strict = cluster.client({ endpoints: [survivor.endpoint], requireLeader: true });
    try {
      const refused = await failure(strict.get('opts/k', { timeout: 20_000 }));
      assert.ok(refused instanceof NoLeaderError, `client-wide requireLeader: ${String(refused)}`);
      const waited = await failure(strict.get('opts/k', { requireLeader: false, timeout: 1_000 }));
      assert.ok(waited instanceof DeadlineExceededError, `requireLeader: false: ${String(waited)}`);
      assert.ok(!(waited.cause instanceof NoLeaderError), 'no "no leader" answer without the metadata');
    } finally {
      await strict.close();
    }
  });

  test('a watch with requireLeader ends with NoLeaderError; a plain watch on the same client goes on', async (t) => {
    const error = await leaderWatchEnd;
    assert.ok(error instanceof NoLeaderError, `the require-leader watch ended with ${String(error)}`);
    t.diagnostic(`require-leader watch ended with ${error.message}`);
    // Made now, on the member without a leader: ends at once (etcd refuses the stream).
    const late = client.watch('opts/w/', { prefix: true, requireLeader: true });
    const lateError = await failure((async () => {
      for await (const _ of late) { /* nothing arrives */ }
    })());
    assert.ok(lateError instanceof NoLeaderError, `a watch made without a leader ended with ${String(lateError)}`);
    assert.equal(plainWatchEnd.ended, false, `the plain watch ended: ${String(plainWatchEnd.error)}`);
    assert.deepEqual(plainEvents, ['opts/w/before']);
  });

  test('maxUnaryRetries bounds the attempts (counted by the client metrics); backoffWaitBetween paces them', async () => {
    for (const maxUnaryRetries of [1, 3]) {
      const registry = new Registry();
      const counted = cluster.client({ endpoints: [survivor.endpoint], maxUnaryRetries, backoffWaitBetween: 500, backoffJitterFraction: 0, metrics: { registry } });
      try {
        const started = Date.now();
        const error = await failure(counted.get('opts/k', { requireLeader: true, timeout: 20_000 }));
        const took = Date.now() - started;
        assert.ok(error instanceof NoLeaderError, `maxUnaryRetries ${maxUnaryRetries}: ${String(error)}`);
        const range = { grpc_service: 'etcdserverpb.KV', grpc_method: 'Range', grpc_type: 'unary' };
        assert.equal(await sample(registry, METRIC_NAMES.started, range), maxUnaryRetries, 'attempts the client made');
        assert.equal(await sample(registry, METRIC_NAMES.retries, { grpc_service: 'etcdserverpb.KV', grpc_method: 'Range' }), maxUnaryRetries - 1, 'retries');
        // One endpoint: a 500 ms pause (no jitter) before each retry.
        assert.ok(took >= (maxUnaryRetries - 1) * 500 - 2, `${maxUnaryRetries} attempts took ${took} ms`);
      } finally {
        await counted.close();
      }
    }
  });
});
