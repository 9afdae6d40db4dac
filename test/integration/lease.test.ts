// client.lease against real etcd: grant, revoke, timeToLive, leases, keepAliveOnce, and keepAlive
// on the shared stream: renewal schedule, loss reported (revoke, SIGSTOP of the server), bounded
// buffering, failover when a member is killed. etcd's minimum TTL with the launcher's default
// election timeout (1 s) is 2 s: the tests use 2 s leases unless a failover needs more time.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  Client,
  LeaseExistError,
  LeaseKeepAliveHaltedError,
  LeaseNotFoundError,
  type LeaseKeepAliveResponse,
} from '../../src/index.js';
import type { RpcClient } from '../../src/rpc/invoke.js';
import { EtcdCluster } from '../../src/testing/index.js';
import { httpGetText } from '../../src/testing/probe.js';

/** etcd's minimum lease TTL with a 1 s election timeout, in seconds. */
const MIN_TTL = 2;

let cluster: EtcdCluster;
let client: Client;

before(async () => {
  cluster = await EtcdCluster.start({ size: 1 });
  client = cluster.client();
});

after(async () => {
  await cluster?.close();
});

/** A counter of etcd's gRPC metrics for the LeaseKeepAlive stream (`started` and `handled` (ended) streams, `received` requests). */
async function keepAliveMetric(url: string, metric: 'grpc_server_started_total' | 'grpc_server_handled_total' | 'grpc_server_msg_received_total'): Promise<number> {
  const text = (await httpGetText(`${url}/metrics`)).body;
  // `handled` has one series per gRPC status code: their sum.
  const lines = text.split('\n').filter((l) => l.startsWith(`${metric}{`) && l.includes('grpc_method="LeaseKeepAlive"'));
  return lines.reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
}

/** Polls `check` every 25 ms until it returns true; the time it took in ms, or a failure after `timeoutMs`. */
async function within(timeoutMs: number, what: string, check: () => Promise<boolean>): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (await check()) return performance.now() - started;
    if (performance.now() - started > timeoutMs) assert.fail(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const keyExists = (key: string) => async () => (await client.get(key)).count === 1;
const keyGone = (key: string) => async () => (await client.get(key)).count === 0;

describe('client.lease', { timeout: 120_000 }, () => {
  test('grant, timeToLive with keys, leases, revoke deletes the keys', async () => {
    const short = await client.lease.grant(1);
    assert.equal(short.ttl, MIN_TTL, 'etcd raises a TTL below its minimum');
    assert.ok(short.id > 0n);

    const chosen = 0x1234abcdn;
    const granted = await client.lease.grant(60, { id: chosen });
    assert.deepEqual([granted.id, granted.ttl], [chosen, 60]);
    await assert.rejects(client.lease.grant(60, { id: chosen }), LeaseExistError);

    await client.put('lease/a', '1', { lease: chosen });
    await client.put('lease/b', '2', { lease: chosen });
    const ttl = await client.lease.timeToLive(chosen, { keys: true });
    assert.equal(ttl.id, chosen);
    assert.equal(ttl.grantedTtl, 60);
    assert.ok(ttl.ttl > 55 && ttl.ttl <= 60, `remaining ${ttl.ttl}`);
    assert.deepEqual(ttl.keys.map(String).sort(), ['lease/a', 'lease/b']);
    assert.deepEqual((await client.lease.timeToLive(chosen)).keys, []);

    const ids = (await client.lease.leases()).leases.map((l) => l.id);
    assert.ok(ids.includes(chosen) && ids.includes(short.id), `leases() lists both: ${ids}`);

    const revoked = await client.lease.revoke(chosen);
    assert.ok(revoked.header.revision > ttl.header.revision, 'the revoke deleted keys (a new revision)');
    assert.equal((await client.get('lease/', { prefix: true })).count, 0);
    const gone = await client.lease.timeToLive(chosen, { keys: true });
    assert.deepEqual([gone.ttl, gone.grantedTtl, gone.keys], [-1, 0, []]);
    await assert.rejects(client.lease.revoke(chosen), LeaseNotFoundError);
    assert.ok(!(await client.lease.leases()).leases.some((l) => l.id === chosen));
  });

  test('keepAliveOnce renews; an unknown lease rejects with LeaseNotFoundError', async () => {
    const { id } = await client.lease.grant(30);
    const once = await client.lease.keepAliveOnce(id);
    assert.deepEqual([once.id, once.ttl], [id, 30]);
    await assert.rejects(client.lease.keepAliveOnce(0x7777n), LeaseNotFoundError);
    await client.lease.revoke(id);
    await assert.rejects(client.lease.keepAliveOnce(id), LeaseNotFoundError);
  });

  test('keep-alive for 3 x TTL keeps the key, renewing every TTL/3; after close() the key vanishes within TTL', async () => {
    const { id, ttl } = await client.lease.grant(MIN_TTL);
    await client.put('lease/kept', 'v', { lease: id });
    const keepAlive = client.lease.keepAlive(id);
    const started = performance.now();
    let responses = 0;
    let lastResponse = started;
    for await (const resp of keepAlive) {
      assert.deepEqual([resp.id, resp.ttl], [id, ttl]);
      responses++;
      lastResponse = performance.now();
      if (lastResponse - started > 3 * ttl * 1000) break; // leaving the loop closes it
    }
    assert.ok(keepAlive.ended);
    assert.ok(await keyExists('lease/kept')(), 'the key outlived 3 x TTL');
    // One renewal at once, then one every TTL/3: about 10 in 3 x TTL.
    assert.ok(responses >= 8 && responses <= 11, `${responses} renewals in 3 x TTL`);

    await within(ttl * 1000 + 1_500, 'key gone after the keep-alive stopped', keyGone('lease/kept'));
    const vanishedAfter = performance.now() - lastResponse;
    // etcd checks for expired leases every 500 ms: allow that on top of the TTL.
    assert.ok(vanishedAfter <= ttl * 1000 + 600, `key vanished ${Math.round(vanishedAfter)} ms after the last renewal`);
    assert.equal((await client.lease.timeToLive(id)).ttl, -1);
  });

  test('every keep-alive of a client shares one stream; two keepAlive() of one lease both get every response', async () => {
    const url = cluster.members[0]!.clientUrl;
    const [a, b, c] = await Promise.all([1, 2, 3].map(() => client.lease.grant(MIN_TTL)));
    const startedBefore = await keepAliveMetric(url, 'grpc_server_started_total');
    const first = client.lease.keepAlive(a!.id);
    const second = client.lease.keepAlive(a!.id);
    const others = [client.lease.keepAlive(b!.id), client.lease.keepAlive(c!.id)];
    const read = async (keepAlive: AsyncIterable<LeaseKeepAliveResponse>, count: number) => {
      const seen: LeaseKeepAliveResponse[] = [];
      for await (const resp of keepAlive) if (seen.push(resp) === count) break;
      return seen;
    };
    const [fromFirst, fromSecond, fromB, fromC] = await Promise.all([read(first, 3), read(second, 3), ...others.map((k) => read(k, 3))]);
    assert.ok([fromFirst, fromSecond, fromB, fromC].every((seen) => seen.length === 3));
    assert.ok(fromFirst.every((r) => r.id === a!.id) && fromSecond.every((r) => r.id === a!.id));
    assert.equal(await keepAliveMetric(url, 'grpc_server_started_total'), startedBefore + 1, 'one LeaseKeepAlive stream for all');
    await Promise.all([a, b, c].map((l) => client.lease.revoke(l!.id)));
  });

  test('an unread keep-alive keeps only the latest response; renewals go on', async () => {
    const url = cluster.members[0]!.clientUrl;
    const { id, ttl } = await client.lease.grant(MIN_TTL);
    const requestsBefore = await keepAliveMetric(url, 'grpc_server_msg_received_total');
    const keepAlive = client.lease.keepAlive(id);
    await new Promise((resolve) => setTimeout(resolve, 2_500)); // about 4 renewals, none read
    const requests = (await keepAliveMetric(url, 'grpc_server_msg_received_total')) - requestsBefore;
    assert.ok(requests >= 4, `${requests} renewals sent while nobody read`);

    const iterator = keepAlive[Symbol.asyncIterator]();
    // What was kept resolves at once (before the event loop turns); anything more would too.
    const turn = () => new Promise<'pending'>((resolve) => setImmediate(() => resolve('pending')));
    const buffered = await Promise.race([iterator.next(), turn()]);
    assert.ok(buffered !== 'pending' && !buffered.done && buffered.value.ttl === ttl, 'the latest response was kept');
    const more = iterator.next();
    assert.equal(await Promise.race([more, turn()]), 'pending', 'only one response was kept');
    assert.equal((await more).done, false, 'renewals go on: a fresh response comes');
    keepAlive.close();
    assert.deepEqual(await iterator.next(), { value: undefined, done: true });
    await client.lease.revoke(id);
  });

  test('revoke ends the keep-alive with LeaseNotFoundError within TTL/3; signal and close() end it too', async () => {
    const { id, ttl } = await client.lease.grant(MIN_TTL);
    const keepAlive = client.lease.keepAlive(id);
    let revokedAt = 0;
    const ended = (async () => {
      for await (const resp of keepAlive) {
        if (revokedAt === 0) {
          revokedAt = performance.now();
          await client.lease.revoke(resp.id);
        }
      }
    })();
    await assert.rejects(ended, (err: unknown) => err instanceof LeaseNotFoundError && err.message.includes(id.toString(16)));
    assert.ok(performance.now() - revokedAt < (ttl * 1000) / 3 + 300, 'reported at the next renewal');
    assert.ok(keepAlive.ended);

    const other = await client.lease.grant(MIN_TTL);
    const controller = new AbortController();
    const aborted = client.lease.keepAlive(other.id, { signal: controller.signal });
    const closed = client.lease.keepAlive(other.id);
    setTimeout(() => controller.abort(new Error('stop')), 100);
    await assert.rejects(
      (async () => {
        for await (const _ of aborted);
      })(),
      /stop/,
    );
    closed.close();
    for await (const _ of closed) assert.fail('a closed keep-alive yields nothing');
    await client.lease.revoke(other.id);
  });

  test('lease.close() (Go Lease.Close) ends every keep-alive normally, cancels the stream, and the leases then expire', async () => {
    const url = cluster.members[0]!.clientUrl;
    await using own = cluster.client();
    const [a, b] = await Promise.all([own.lease.grant(MIN_TTL), own.lease.grant(MIN_TTL)]);
    await own.put('lease/close/a', 'v', { lease: a.id });
    await own.put('lease/close/b', 'v', { lease: b.id });
    const handledBefore = await keepAliveMetric(url, 'grpc_server_handled_total');
    const keepAlives = [own.lease.keepAlive(a.id), own.lease.keepAlive(a.id), own.lease.keepAlive(b.id)];
    const iterators = keepAlives.map((k) => k[Symbol.asyncIterator]());
    for (const it of iterators) assert.equal((await it.next()).done, false, 'renewed before close()');
    const loops = iterators.map(async (it) => {
      let more = 0;
      while (!(await it.next()).done) more++;
      return more;
    });
    own.lease.close();
    own.lease.close(); // twice is harmless
    await Promise.all(loops); // every loop ends normally
    assert.ok(keepAlives.every((k) => k.ended));
    await within(5_000, 'the server to see the keep-alive stream end', async () => (await keepAliveMetric(url, 'grpc_server_handled_total')) === handledBefore + 1);
    // Nothing renews the leases any more: their keys go within the TTL.
    await within(MIN_TTL * 1000 + 1_500, 'keys of the leases gone', async () => (await client.get('lease/close/', { prefix: true })).count === 0);
    // The service stays usable: a new keep-alive renews (on a new stream).
    const c = await own.lease.grant(MIN_TTL);
    for await (const resp of own.lease.keepAlive(c.id)) {
      assert.equal(resp.id, c.id);
      break;
    }
    await own.lease.revoke(c.id);
  });

  test('SIGSTOP of the server for longer than the TTL: the keep-alive ends with LeaseKeepAliveHaltedError within TTL', async () => {
    const own = cluster.client();
    const { id, ttl } = await own.lease.grant(MIN_TTL);
    await own.put('lease/paused', 'v', { lease: id });
    const keepAlive = own.lease.keepAlive(id);
    const iterator = keepAlive[Symbol.asyncIterator]();
    assert.equal((await iterator.next()).done, false);
    const member = cluster.members[0]!;
    await member.pause();
    const pausedAt = performance.now();
    let error: unknown;
    try {
      for (;;) if ((await iterator.next()).done) break;
    } catch (err) {
      error = err;
    } finally {
      await member.resume();
    }
    const reportedAfter = performance.now() - pausedAt;
    assert.ok(error instanceof LeaseKeepAliveHaltedError, `ended with ${String(error)}`);
    assert.equal(error.leaseId, id);
    assert.ok(reportedAfter <= ttl * 1000 + 100, `loss reported ${Math.round(reportedAfter)} ms after the pause`);
    // What the user then finds: the lease is gone (etcd expires it once running again).
    await within(ttl * 1000 + 3_000, 'lease expired after SIGCONT', async () => (await own.lease.timeToLive(id)).ttl === -1);
    assert.equal((await own.get('lease/paused')).count, 0);
    await own.close();
  });

  test('keep-alive goes on across kill -9 of its member in a 3-member cluster, and its restart', { timeout: 60_000 }, async () => {
    await using three = await EtcdCluster.start({ size: 3 });
    await using own = three.client({ dialTimeout: 1_000 });
    const ttl = 5; // a leader's death costs an election (about 1 s) before renewals succeed again
    const { id } = await own.lease.grant(ttl);
    await own.put('lease/failover', 'v', { lease: id });
    const keepAlive = own.lease.keepAlive(id);
    const iterator = keepAlive[Symbol.asyncIterator]();
    assert.equal((await iterator.next()).done, false);

    const pinned = (own.rpc as RpcClient).pinnedEndpoint.url;
    const victim = three.members.find((m) => m.clientUrl === pinned)!;
    assert.ok(victim, `the stream's member (${pinned}) is one of the cluster's`);
    await victim.kill();
    const killedAt = performance.now();
    const renewedAfterKill: number[] = [];
    while (performance.now() - killedAt < (ttl + 1) * 1000) {
      const next = await iterator.next(); // throws if the lease were reported lost
      assert.equal(next.done, false);
      renewedAfterKill.push(performance.now() - killedAt);
    }
    assert.ok(renewedAfterKill.length >= 3, `renewals after the kill at ${renewedAfterKill.map(Math.round)} ms`);
    assert.notEqual((own.rpc as RpcClient).pinnedEndpoint.url, pinned, 'the stream moved to another member');

    await victim.start();
    const after = await iterator.next();
    assert.equal(after.done, false);
    assert.ok((await own.lease.timeToLive(id)).ttl > 0);
    assert.equal((await own.get('lease/failover')).count, 1);
    keepAlive.close();
  });
});
