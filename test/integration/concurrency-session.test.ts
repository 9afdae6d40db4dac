// Session of etcd-ts/concurrency against one real etcd member: the lease it keeps alive, close()
// and orphan(), taking over an existing lease, and a session lost (revoked elsewhere; the server
// stopped with SIGSTOP past the TTL): `done` settles and its lock and leadership pass on.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { DEFAULT_SESSION_TTL, Election, Mutex, Session } from '../../src/concurrency/index.js';
import { Client, InvalidArgumentError, LeaseNotFoundError } from '../../src/index.js';
import { EtcdCluster } from '../../src/testing/index.js';
import { bounded, within } from './concurrency-support.js';

/** etcd's minimum lease TTL with the launcher's 1 s election timeout, in seconds. */
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

describe('Session', { timeout: 90_000 }, () => {
  test('grants a 60 s lease by default and keeps it; close() revokes it, deleting its keys; done resolves undefined', async () => {
    const session = await Session.create(client);
    assert.equal(session.ttl, DEFAULT_SESSION_TTL);
    const ttl = await client.lease.timeToLive(session.lease);
    assert.equal(ttl.grantedTtl, 60);
    await client.put('session/key', 'v', { lease: session.lease });
    assert.equal(session.ended, false);
    assert.equal(session.signal.aborted, false);

    await session.close();
    assert.equal(await session.done, undefined);
    assert.equal(session.ended, true);
    assert.equal(session.signal.aborted, true);
    assert.equal((await client.lease.timeToLive(session.lease)).ttl, -1, 'revoked');
    assert.equal((await client.get('session/key')).count, 0);
    await session.close(); // again: fine
  });

  test('a short TTL is renewed for longer than the TTL', async () => {
    await using session = await Session.create(client, { ttl: MIN_TTL });
    await client.put('session/short', 'v', { lease: session.lease });
    const started = performance.now();
    await within(3 * MIN_TTL * 1000 + 2_000, '3 x TTL passed with the key alive', async () => {
      assert.equal((await client.get('session/short')).count, 1, 'the key outlives its TTL');
      return performance.now() - started > 3 * MIN_TTL * 1000;
    });
    assert.equal(session.ended, false);
  });

  test('leaseId takes over a lease; orphan() stops renewing without revoking', async () => {
    const { id } = await client.lease.grant(30);
    const session = await Session.create(client, { leaseId: id, ttl: 30 });
    assert.equal(session.lease, id);
    await session.orphan();
    assert.equal(await session.done, undefined);
    const ttl = await client.lease.timeToLive(id);
    assert.ok(ttl.ttl > 0, 'still granted after orphan()');
    await client.lease.revoke(id);
    await assert.rejects(Session.create(client, { ttl: 0 }), InvalidArgumentError);
    await assert.rejects(Session.create(client, { ttl: 1.5 }), InvalidArgumentError);
    await assert.rejects(Session.create(client, { lease: 1n } as never), InvalidArgumentError);
  });

  test('a lease revoked elsewhere ends the session: done resolves with LeaseNotFoundError, signal aborts', async () => {
    const session = await Session.create(client, { ttl: 30 });
    await client.lease.revoke(session.lease);
    // The session learns of it at its next renewal, at most TTL/3 = 10 s later.
    const error = await bounded(session.done, 20_000, 'session.done');
    assert.ok(error instanceof LeaseNotFoundError, `done resolved with ${String(error)}`);
    assert.equal(session.signal.aborted, true);
    assert.equal(session.signal.reason, error);
    await session.close(); // the lease is gone already: nothing to do
  });

  test('a session lost while the server is stopped (SIGSTOP) past its TTL: done settles, its lock and leadership pass on', async () => {
    const lost = await Session.create(client, { ttl: MIN_TTL });
    await using survivor = await Session.create(client, { ttl: 60 });
    const lostMutex = new Mutex(lost, 'sigstop-lock');
    const lostElection = new Election(lost, 'sigstop-election');
    await lostMutex.lock();
    await lostElection.campaign('lost');

    const nextMutex = new Mutex(survivor, 'sigstop-lock');
    const nextElection = new Election(survivor, 'sigstop-election');
    const locked = nextMutex.lock();
    const elected = nextElection.campaign('survivor');
    const observed: string[] = [];
    const observer = (async () => {
      for await (const response of nextElection.observe()) {
        observed.push(response.kvs[0]!.value.toString());
        if (observed.at(-1) === 'survivor') return;
      }
    })();
    await within(5_000, 'both queued', async () => (await client.get('sigstop-', { prefix: true })).count === 4);
    await within(5_000, 'the observer saw the first leader', () => observed.length === 1);

    const member = cluster.members[0]!;
    await member.pause();
    const pausedAt = performance.now();
    try {
      await new Promise((resolve) => setTimeout(resolve, MIN_TTL * 1000 + 1_500)); // the fault itself: time passing
    } finally {
      await member.resume();
    }
    const stoppedFor = performance.now() - pausedAt;
    assert.ok(stoppedFor > MIN_TTL * 1000, `stopped for ${Math.round(stoppedFor)} ms`);

    const error = await bounded(lost.done, 15_000, 'the lost session ends');
    assert.ok(error instanceof Error, 'done resolved with the error that ended it');
    assert.equal(lost.ended, true);
    await bounded(locked, 15_000, 'the waiter gets the lock');
    await bounded(elected, 15_000, 'the other candidate is elected');
    await bounded(observer, 15_000, 'the observer sees the new leader');
    assert.deepEqual(observed, ['lost', 'survivor']);
    assert.equal((await client.get(lostMutex.key)).count, 0, 'the lost session key is gone');
    assert.equal((await nextElection.leader()).kvs[0]?.value.toString(), 'survivor');
    assert.equal(survivor.ended, false, 'the 60 s session survived');
    await nextMutex.unlock();
    await nextElection.resign();
    await lost.close();
  });
});
