// Mutex of etcd-ts/concurrency against one real etcd member: mutual exclusion under contention,
// tryLock / unlock / isOwner, FIFO order, cancellation, the Go key layout, and interop with
// `etcdctl lock` and etcd's server-side Lock service (client.lock) on the same names.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { LockedError, LockReleasedError, Mutex, Session, SessionExpiredError } from '../../src/concurrency/index.js';
import { Client, DeadlineExceededError, InvalidArgumentError, LeaseNotFoundError, op } from '../../src/index.js';
import { EtcdCluster } from '../../src/testing/index.js';
import { ETCDCTL, bounded, cancelWatchesDuring, contend, killStarted, start, typedError, within } from './concurrency-support.js';

let cluster: EtcdCluster;
let client: Client;

before(async () => {
  cluster = await EtcdCluster.start({ size: 1 });
  client = cluster.client();
});

after(async () => {
  await killStarted(); // etcdctl children a failed test left running
  await cluster?.close();
});

const keysUnder = async (prefix: string): Promise<string[]> =>
  (await client.get(prefix, { prefix: true, sort: { target: 'createRevision' } })).kvs.map((kv) => kv.key.toString());

describe('Mutex', { timeout: 90_000 }, () => {
  test('20 tasks x 50 rounds of read-modify-write under one lock: the count is exact', async () => {
    const { maxHolders } = await contend(client, { tasks: 20, rounds: 50, lockName: 'contention', counterKey: 'contention-count' });
    assert.equal(maxHolders, 1, 'never two holders at once');
    const { kvs } = await client.get('contention-count');
    assert.equal(kvs[0]?.value.toString(), '1000');
    assert.deepEqual(await keysUnder('contention/'), [], 'every lock key is gone');
  });

  test('the key is <name>/<lease hex>, under the lease; lock, tryLock, unlock, isOwner, header', async () => {
    await using s1 = await Session.create(client);
    await using s2 = await Session.create(client);
    const m1 = new Mutex(s1, 'basic');
    const m2 = new Mutex(s2, 'basic');
    assert.equal(m1.key.toString(), `basic/${s1.lease.toString(16)}`);
    assert.equal(m1.rev, 0);
    assert.deepEqual([m1.header], [undefined], 'no header before the first lock');

    await m1.lock();
    const [held] = (await client.get(m1.key)).kvs;
    assert.equal(held?.lease, s1.lease);
    assert.equal(held?.value.length, 0);
    assert.equal(m1.rev, held?.createRevision);
    assert.equal(m1.header?.revision, held?.createRevision, 'uncontended: one txn, its revision');
    await m1.lock(); // already held by this session: at once
    assert.equal(m1.rev, held?.createRevision);

    await assert.rejects(m2.tryLock(), LockedError);
    assert.equal((await client.get(m2.key)).count, 0, 'tryLock left the line');
    await assert.rejects(m2.unlock(), LockReleasedError);

    // isOwner guards writes: true for the holder, never for the other.
    const mine = await client.txn().if(m1.isOwner()).then(op.put('basic-data', 'm1')).commit();
    assert.equal(mine.succeeded, true);
    const theirs = await client.txn().if(m2.isOwner()).then(op.put('basic-data', 'm2')).commit();
    assert.equal(theirs.succeeded, false);

    await m1.unlock();
    assert.equal((await client.get(m1.key)).count, 0);
    const after = await client.txn().if(m1.isOwner()).then(op.put('basic-data', 'late')).commit();
    assert.equal(after.succeeded, false, 'isOwner fails once unlocked');
    await assert.rejects(m1.unlock(), LockReleasedError);

    await m2.tryLock();
    assert.ok(m2.rev > m1.header!.revision);
    await m2.unlock();
    assert.throws(() => new Mutex(s1, 42 as unknown as string), InvalidArgumentError);
  });

  test('waiters are served in arrival (create revision) order', async () => {
    const sessions = await Promise.all(Array.from({ length: 6 }, () => Session.create(client)));
    try {
      const [holder, ...waiters] = sessions.map((s) => new Mutex(s, 'fifo'));
      await holder!.lock();
      const order: number[] = [];
      const done: Promise<void>[] = [];
      for (const [i, m] of waiters.entries()) {
        done.push(
          m.lock().then(async () => {
            order.push(i);
            await m.unlock();
          }),
        );
        // The next waiter joins only once this one's key exists: arrival order is known.
        await within(5_000, `waiter ${i} queued`, async () => (await client.get(m.key)).count === 1);
      }
      assert.deepEqual(order, [], 'nobody before the holder lets go');
      await holder!.unlock();
      await bounded(Promise.all(done), 20_000, 'all waiters served');
      assert.deepEqual(order, [0, 1, 2, 3, 4]);
    } finally {
      await Promise.all(sessions.map((s) => s.close()));
    }
  });

  test('a wait cut short by signal or timeout rejects and leaves the line', async () => {
    await using s1 = await Session.create(client);
    await using s2 = await Session.create(client);
    const m1 = new Mutex(s1, 'cancel');
    const m2 = new Mutex(s2, 'cancel');
    await m1.lock();

    const controller = new AbortController();
    const waiting = m2.lock({ signal: controller.signal });
    await within(5_000, 'm2 queued', async () => (await client.get(m2.key)).count === 1);
    const reason = new Error('stop waiting');
    controller.abort(reason);
    await assert.rejects(waiting, (e) => e === reason);
    assert.equal((await client.get(m2.key)).count, 0, 'its key is deleted');

    await assert.rejects(m2.lock({ timeout: 300 }), DeadlineExceededError);
    assert.equal((await client.get(m2.key)).count, 0);
    assert.deepEqual(await keysUnder('cancel/'), [m1.key.toString()]);
    await m1.unlock();
  });

  test('a session closed while waiting: lock() rejects with SessionExpiredError; closing the holder releases', async () => {
    const s1 = await Session.create(client);
    const s2 = await Session.create(client);
    const s3 = await Session.create(client);
    try {
      const m1 = new Mutex(s1, 'closed');
      const m2 = new Mutex(s2, 'closed');
      const m3 = new Mutex(s3, 'closed');
      await m1.lock();
      const waiting2 = m2.lock();
      await within(5_000, 'm2 queued', async () => (await client.get(m2.key)).count === 1);
      const waiting3 = m3.lock();
      await within(5_000, 'm3 queued', async () => (await client.get(m3.key)).count === 1);
      const rejected2 = assert.rejects(waiting2, SessionExpiredError);
      await s2.close();
      await rejected2;
      await s1.close(); // revokes the holder's lease: its key goes, m3 is next
      await bounded(waiting3, 10_000, 'm3 acquires after the holder session closed');
      assert.deepEqual(await keysUnder('closed/'), [m3.key.toString()]);
      await m3.unlock();
      await assert.rejects(m1.lock(), SessionExpiredError, 'a closed session cannot lock');
    } finally {
      await Promise.all([s1.close(), s2.close(), s3.close()]);
    }
  });

  test('a wait whose watch the client cancels (client.cancelWatches()) rejects with WatchEndedError', async () => {
    const waiterClient = cluster.client();
    await using holderSession = await Session.create(client);
    await using waiterSession = await Session.create(waiterClient);
    const holder = new Mutex(holderSession, 'watch-ended');
    await holder.lock();
    const { waiting } = await cancelWatchesDuring(waiterClient, cluster.endpoints[0]!, () => new Mutex(waiterSession, 'watch-ended').lock());
    await assert.rejects(bounded(waiting, 10_000, 'lock() after cancelWatches()'), typedError('WatchEndedError', 1, /watch-ended\/.*deletion/));
    assert.deepEqual(await keysUnder('watch-ended/'), [holder.key.toString()], 'the waiter left the line');
    await holder.unlock();
  });

  test('excludes etcdctl lock both ways (same key layout)', async () => {
    const endpoint = cluster.endpoints[0]!;
    await using session = await Session.create(client);
    const mutex = new Mutex(session, 'interop');
    await mutex.lock();

    // etcdctl queues behind us, then runs its command once we unlock.
    const theirs = start(ETCDCTL, ['--endpoints', endpoint, 'lock', 'interop', '--', 'sh', '-c', 'echo "$ETCD_LOCK_KEY $ETCD_LOCK_REV"']);
    await within(30_000, 'etcdctl queued', async () => (await keysUnder('interop/')).length === 2);
    const [, queued] = await keysUnder('interop/');
    assert.match(queued!, /^interop\/[0-9a-f]+$/);
    assert.equal(theirs.process.exitCode, null, 'etcdctl still waits');
    await mutex.unlock();
    assert.equal(await bounded(theirs.exited, 30_000, 'etcdctl lock'), 0, theirs.stderr());
    const [key, rev] = theirs.stdout().trim().split(' ');
    assert.equal(key, queued);
    assert.ok(Number(rev) > mutex.header!.revision);

    // etcdctl holds (no command: prints the key, holds until SIGINT); we wait for it.
    const holder = start(ETCDCTL, ['--endpoints', endpoint, 'lock', 'interop']);
    await within(30_000, 'etcdctl holds', () => holder.stdout().includes('\n'));
    const etcdctlKey = holder.stdout().split('\n')[0]!;
    assert.deepEqual(await keysUnder('interop/'), [etcdctlKey]);
    await assert.rejects(mutex.tryLock(), LockedError);
    const ours = mutex.lock();
    await within(30_000, 'we queue', async () => (await keysUnder('interop/')).length === 2);
    holder.process.kill('SIGINT');
    await bounded(ours, 30_000, 'we acquire after etcdctl lets go');
    assert.equal(await bounded(holder.exited, 30_000, 'etcdctl lock exits on SIGINT'), 0);
    assert.deepEqual(await keysUnder('interop/'), [mutex.key.toString()]);
    await mutex.unlock();
  });

  test('client.lock (server-side Lock service) and Mutex exclude each other', async () => {
    await using session = await Session.create(client);
    const mutex = new Mutex(session, 'served');
    const lease = await client.lease.grant(30);
    try {
      const { key, header } = await client.lock.lock('served', lease.id);
      assert.equal(key.toString(), `served/${lease.id.toString(16)}`);
      assert.equal((await client.get(key)).kvs[0]?.createRevision, header.revision);
      await assert.rejects(mutex.tryLock(), LockedError);
      const ours = mutex.lock();
      await within(5_000, 'Mutex queued', async () => (await keysUnder('served/')).length === 2);
      await client.lock.unlock(key);
      await bounded(ours, 10_000, 'Mutex acquires after Unlock');

      // And the other way: the server-side Lock waits for our Mutex.
      const served = client.lock.lock('served', lease.id);
      await within(5_000, 'Lock queued', async () => (await keysUnder('served/')).length === 2);
      await mutex.unlock();
      const second = await bounded(served, 10_000, 'Lock acquires after unlock');
      assert.deepEqual(await keysUnder('served/'), [second.key.toString()]);
      await client.lock.unlock(second.key);
      await assert.rejects(client.lock.lock('served', 0n), InvalidArgumentError);
      await assert.rejects(client.lock.lock('served', 0x7777n), LeaseNotFoundError);
    } finally {
      await client.lease.revoke(lease.id).catch(() => undefined);
    }
  });
});
