// Everything built on a client, built on a namespace view instead (issue 15 item 2), against real
// etcd: Session, Mutex, Election, STM, every recipe, Syncer, LeasingKV and OrderingKV on
// `client.namespace('app/')`. Their keys land under `app/` (the plain client reads them there), the
// view reads them without it, and Mutex and Election inside `app/` are the lock and election
// `app/<name>` of the real etcdctl (`etcdctl lock app/<name>`, `etcdctl elect app/<name>`).
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';

import { Election, LockedError, Mutex, Session, stm } from '../../src/concurrency/index.js';
import { Client, ClientClosedError, compare, LeasingKV, op, OrderingKV, Syncer, type Namespace, type WatchEvent } from '../../src/index.js';
import { Barrier, DoubleBarrier, PriorityQueue, Queue, RWMutex } from '../../src/recipes/index.js';
import { EtcdCluster } from '../../src/testing/index.js';
import { ETCDCTL, bounded, killStarted, start, stillPending, within, type Child } from './concurrency-support.js';

/** Bound of every wait for something that should happen, in ms. */
const WAIT_MS = 30_000;

let cluster: EtcdCluster;
let client: Client;
let app: Namespace;

before(async () => {
  cluster = await EtcdCluster.start({ size: 1 });
  client = cluster.client();
  app = client.namespace('app/');
});

after(async () => {
  await killStarted(); // etcdctl children a failed test left running
  await cluster?.close();
});

beforeEach(async () => {
  await client.delete('', { prefix: true });
});

/** Every key of the store, through the plain client, oldest first. */
async function allKeys(): Promise<string[]> {
  const { kvs } = await client.get('\0', { fromKey: true, sort: { target: 'createRevision', order: 'ascend' } });
  return kvs.map((kv) => kv.key.toString('latin1'));
}

/** The keys under `prefix` of `kv` (a client or a view), oldest first. */
async function keysUnder(kv: Client | Namespace, prefix: string): Promise<string[]> {
  const { kvs } = await kv.get(prefix, { prefix: true, sort: { target: 'createRevision', order: 'ascend' } });
  return kvs.map((k) => k.key.toString('latin1'));
}

/** Asserts every key of the store is inside `app/`, and returns them without the prefix. */
async function onlyInsideApp(): Promise<string[]> {
  const keys = await allKeys();
  const outside = keys.filter((k) => !k.startsWith('app/'));
  assert.deepEqual(outside, [], 'no key outside app/');
  return keys.map((k) => k.slice('app/'.length));
}

/** Lines of an etcdctl child's stdout seen so far. */
const lines = (child: Child): string[] => child.stdout().split('\n').filter((l) => l !== '');

describe('built on client.namespace("app/")', { timeout: 120_000 }, () => {
  test('Session: its client is the view; keys put under its lease land in app/; close() revokes them', async () => {
    const session = await Session.create(app, { ttl: 10 });
    assert.equal(session.client, app);
    await session.client.put('owned', 'v', { lease: session.lease });
    const plain = (await client.get('app/owned')).kvs[0];
    assert.equal(plain?.lease, session.lease, 'the plain client sees app/owned under the session lease');
    assert.equal((await app.get('owned')).kvs[0]?.value.toString(), 'v');
    const ttl = await app.lease.timeToLive(session.lease, { keys: true });
    assert.deepEqual(ttl.keys.map((k) => k.toString()), ['owned'], "the view's lease lists the key without the prefix");
    await session.close();
    assert.equal(await session.done, undefined);
    assert.deepEqual(await allKeys(), [], 'the revoke deleted app/owned');
  });

  test('Mutex: the lock key is app/<name>/<lease hex>; a plain-client Mutex on app/<name> is the same lock', async () => {
    await using viewSession = await Session.create(app);
    await using plainSession = await Session.create(client);
    const ours = new Mutex(viewSession, 'lock');
    await ours.lock();
    const hex = viewSession.lease.toString(16);
    assert.equal(ours.key.toString(), `lock/${hex}`, 'the view names the key without the prefix');
    assert.deepEqual(await onlyInsideApp(), [`lock/${hex}`]);
    assert.deepEqual(await keysUnder(client, 'app/lock/'), [`app/lock/${hex}`]);
    assert.deepEqual(await keysUnder(app, 'lock/'), [`lock/${hex}`]);
    assert.equal((await app.txn().if(ours.isOwner()).then(op.put('guarded', '1')).commit()).succeeded, true, 'isOwner holds in the view');

    const plain = new Mutex(plainSession, 'app/lock');
    await assert.rejects(plain.tryLock(), LockedError, 'the plain Mutex on app/lock sees it held');
    const waiting = plain.lock();
    await within(WAIT_MS, 'the plain Mutex queued', async () => (await keysUnder(client, 'app/lock/')).length === 2);
    await ours.unlock();
    await bounded(waiting, WAIT_MS, 'the plain Mutex acquires once the view one unlocks');
    await assert.rejects(ours.tryLock(), LockedError, 'and the view Mutex now sees it held');
    await plain.unlock();
  });

  test('Mutex on the view excludes `etcdctl lock app/<name>` both ways', async () => {
    const endpoint = cluster.endpoints[0]!;
    await using session = await Session.create(app);
    const mutex = new Mutex(session, 'shared-lock');

    // etcdctl holds app/shared-lock (no command: prints its key, holds until SIGINT); we wait.
    const holder = start(ETCDCTL, ['--endpoints', endpoint, 'lock', 'app/shared-lock']);
    await within(WAIT_MS, 'etcdctl holds the lock', () => lines(holder).length >= 1);
    const theirKey = lines(holder)[0]!;
    assert.match(theirKey, /^app\/shared-lock\/[0-9a-f]+$/);
    await assert.rejects(mutex.tryLock(), LockedError, 'the view Mutex sees the etcdctl lock held');
    let acquired = false;
    const ours = mutex.lock().then(() => {
      acquired = true;
    });
    await within(WAIT_MS, 'we queue behind etcdctl', async () => (await keysUnder(client, 'app/shared-lock/')).length === 2);
    assert.equal(acquired, false, 'blocked while etcdctl holds the lock');
    assert.deepEqual(await keysUnder(client, 'app/shared-lock/'), [theirKey, `app/${mutex.key.toString()}`]);
    holder.process.kill('SIGINT');
    await bounded(ours, WAIT_MS, 'we acquire once etcdctl lets go');
    assert.equal(await bounded(holder.exited, WAIT_MS, 'etcdctl lock exits on SIGINT'), 0);

    // We hold it; etcdctl queues behind us and runs its command once we unlock.
    const waiter = start(ETCDCTL, ['--endpoints', endpoint, 'lock', 'app/shared-lock', '--', 'sh', '-c', 'echo "$ETCD_LOCK_KEY"']);
    await within(WAIT_MS, 'etcdctl queues behind us', async () => (await keysUnder(client, 'app/shared-lock/')).length === 2);
    const [, queued] = await keysUnder(client, 'app/shared-lock/');
    assert.equal(waiter.process.exitCode, null, 'etcdctl waits while we hold the lock');
    assert.equal(waiter.stdout(), '');
    await mutex.unlock();
    assert.equal(await bounded(waiter.exited, WAIT_MS, 'etcdctl lock gets the lock and runs its command'), 0, waiter.stderr());
    assert.equal(waiter.stdout().trim(), queued);
    assert.deepEqual(await allKeys(), [], 'every lock key is gone');
  });

  test('Election: keys under app/<name>/; leader() and observe() on the view name them without the prefix', async () => {
    await using s1 = await Session.create(app);
    await using s2 = await Session.create(app);
    const first = new Election(s1, 'election');
    const second = new Election(s2, 'election');
    await first.campaign('one');
    const waiting = second.campaign('two');
    await within(WAIT_MS, 'the second candidate queued', async () => (await keysUnder(client, 'app/election/')).length === 2);
    const hex1 = s1.lease.toString(16);
    assert.deepEqual(await onlyInsideApp(), [`election/${hex1}`, `election/${s2.lease.toString(16)}`]);
    const leader = (await second.leader()).kvs[0];
    assert.deepEqual([leader?.key.toString(), leader?.value.toString()], [`election/${hex1}`, 'one']);

    const seen: string[] = [];
    const controller = new AbortController();
    const observing = (async () => {
      for await (const response of first.observe({ signal: controller.signal })) {
        seen.push(`${response.kvs[0]!.key.toString()}=${response.kvs[0]!.value.toString()}`);
        if (seen.length === 2) return;
      }
    })();
    await within(WAIT_MS, 'observe yields the leader', () => seen.length === 1);
    await first.resign();
    await bounded(waiting, WAIT_MS, 'the second candidate is elected after the first resigned');
    await bounded(observing, WAIT_MS, 'observe yields the new leader');
    assert.deepEqual(seen, [`election/${hex1}=one`, `election/${s2.lease.toString(16)}=two`]);
    // A plain-client Election on app/election sees the same leader, under its full key.
    await using plainSession = await Session.create(client);
    const plain = (await new Election(plainSession, 'app/election').leader()).kvs[0];
    assert.equal(plain?.key.toString(), `app/election/${s2.lease.toString(16)}`);
    await second.resign();
  });

  test('Election on the view and `etcdctl elect app/<name>`: each sees the other as leader', async () => {
    const endpoint = cluster.endpoints[0]!;
    await using session = await Session.create(app);
    const ours = new Election(session, 'shared-election');

    // etcdctl campaigns first and leads: our leader() on the view sees it.
    const theirs = start(ETCDCTL, ['--endpoints', endpoint, 'elect', 'app/shared-election', 'from-etcdctl']);
    await within(WAIT_MS, 'etcdctl is elected', () => lines(theirs).length >= 2);
    const [theirKey, theirValue] = lines(theirs);
    assert.match(theirKey!, /^app\/shared-election\/[0-9a-f]+$/);
    assert.equal(theirValue, 'from-etcdctl');
    const leader = (await ours.leader()).kvs[0];
    assert.deepEqual([leader?.key.toString(), leader?.value.toString()], [theirKey!.slice('app/'.length), 'from-etcdctl']);

    // We queue behind it; once it resigns we lead, and `etcdctl elect -l` sees us.
    let elected = false;
    const campaign = ours.campaign('from-etcd-ts').then(() => {
      elected = true;
    });
    await within(WAIT_MS, 'we queue behind etcdctl', async () => (await keysUnder(client, 'app/shared-election/')).length === 2);
    assert.equal(elected, false, 'not elected while etcdctl leads');
    theirs.process.kill('SIGINT'); // etcdctl resigns
    await bounded(campaign, WAIT_MS, 'we are elected after etcdctl resigned');
    assert.equal(await bounded(theirs.exited, WAIT_MS, 'etcdctl elect exits on SIGINT'), 0);
    const listener = start(ETCDCTL, ['--endpoints', endpoint, 'elect', '-l', 'app/shared-election']);
    await within(WAIT_MS, 'etcdctl elect -l prints the leader', () => lines(listener).length >= 2);
    assert.deepEqual(lines(listener).slice(0, 2), [`app/${ours.key!.toString()}`, 'from-etcd-ts']);
    await ours.proclaim('proclaimed');
    await within(WAIT_MS, 'etcdctl elect -l prints the proclaimed value', () => lines(listener).length >= 4);
    assert.deepEqual(lines(listener).slice(2, 4), [`app/${ours.key!.toString()}`, 'proclaimed']);
    listener.process.kill('SIGINT');
    assert.equal(await bounded(listener.exited, WAIT_MS, 'etcdctl elect -l exits on SIGINT'), 0);
    await ours.resign();
  });

  test('STM: reads and writes keys of the view; the plain client sees them under app/', async () => {
    await app.put('accounts/a', '100');
    await app.put('accounts/b', '0');
    await Promise.all(
      Array.from({ length: 5 }, () =>
        stm(app, async (s) => {
          const a = Number((await s.get('accounts/a')).toString());
          const b = Number((await s.get('accounts/b')).toString());
          s.put('accounts/a', String(a - 10));
          s.put('accounts/b', String(b + 10));
        }),
      ),
    );
    assert.deepEqual(
      (await client.get('app/accounts/', { prefix: true })).kvs.map((kv) => `${kv.key.toString()}=${kv.value.toString()}`),
      ['app/accounts/a=50', 'app/accounts/b=50'],
    );
    assert.deepEqual(await onlyInsideApp(), ['accounts/a', 'accounts/b']);
  });

  test('Barrier and DoubleBarrier: their keys are in app/', async () => {
    const barrier = new Barrier(app, 'barrier');
    await barrier.hold();
    assert.deepEqual(await onlyInsideApp(), ['barrier']);
    assert.equal((await client.get('app/barrier')).count, 1);
    const waiting = barrier.wait();
    assert.equal(await stillPending(waiting), true, 'wait() on the view blocks while app/barrier exists');
    // A plain-client Barrier on app/barrier is the same barrier: its release lets the view's waiter go.
    await new Barrier(client, 'app/barrier').release();
    await bounded(waiting, WAIT_MS, 'the view waiter passes once the barrier is released');

    await using s1 = await Session.create(app);
    await using s2 = await Session.create(app);
    const d1 = new DoubleBarrier(s1, 'double', 2);
    const d2 = new DoubleBarrier(s2, 'double', 2);
    const entering = d1.enter();
    await within(WAIT_MS, 'the first process entered', async () => (await keysUnder(client, 'app/double/waiters/')).length === 1);
    await d2.enter();
    await bounded(entering, WAIT_MS, 'both enter once two are in');
    const inside = await onlyInsideApp();
    assert.equal(inside.filter((k) => k.startsWith('double/waiters/')).length, 2);
    assert.ok(inside.includes('double/ready'), inside.join(', '));
    await Promise.all([d1.leave(), d2.leave()]);
    assert.deepEqual(await allKeys(), []);
  });

  test('Queue and PriorityQueue: items are keys in app/; a plain-client queue on app/<name> is the same queue', async () => {
    const queue = new Queue(app, 'queue');
    await queue.enqueue('one');
    await new Queue(client, 'app/queue').enqueue('two');
    const items = await onlyInsideApp();
    assert.equal(items.length, 2);
    for (const k of items) assert.match(k, /^queue\/\d+$/);
    assert.equal((await queue.dequeue()).toString(), 'one');
    assert.equal((await new Queue(client, 'app/queue').dequeue()).toString(), 'two');
    const next = queue.dequeue(); // waits while empty
    await queue.enqueue('three');
    assert.equal((await bounded(next, WAIT_MS, 'dequeue of the next item')).toString(), 'three');

    const tasks = new PriorityQueue(app, 'tasks');
    await tasks.enqueue('later', 10);
    await tasks.enqueue('urgent', 0);
    const keys = await onlyInsideApp();
    assert.deepEqual(keys.filter((k) => k.startsWith('tasks/')).sort(), ['tasks/00000/0000000000000000', 'tasks/00010/0000000000000000']);
    assert.ok(keys.includes('__tasks/00000') && keys.includes('__tasks/00010'), `bookkeeping keys in app/: ${keys.join(', ')}`);
    assert.equal((await tasks.dequeue()).toString(), 'urgent');
    assert.equal((await new PriorityQueue(client, 'app/tasks').dequeue()).toString(), 'later');
  });

  test('RWMutex: lock keys in app/<prefix>/read|write/; a writer waits for a reader on the view', async () => {
    await using s1 = await Session.create(app);
    await using s2 = await Session.create(app);
    const reader = new RWMutex(s1, 'rw');
    const writer = new RWMutex(s2, 'rw');
    await reader.rLock();
    assert.match(reader.key!.toString(), /^rw\/read\/\d+$/);
    assert.deepEqual(await onlyInsideApp(), [reader.key!.toString()]);
    let locked = false;
    const writing = writer.lock().then(() => {
      locked = true;
    });
    await within(WAIT_MS, 'the writer queued', async () => (await keysUnder(client, 'app/rw/write/')).length === 1);
    assert.equal(locked, false, 'the writer waits for the reader');
    await reader.rUnlock();
    await bounded(writing, WAIT_MS, 'the writer locks after the reader let go');
    assert.deepEqual(await keysUnder(client, 'app/rw/'), [`app/${writer.key!.toString()}`]);
    await writer.unlock();
  });

  test('Syncer: base pages and updates of the view have keys without app/; keys outside are not synced', async () => {
    await client.put('outside', 'x');
    await client.put('app/data/a', '1');
    await client.put('app/data/b', '2');
    await client.put('app/other', '3');
    const syncer = new Syncer(app, 'data/');
    const base: string[] = [];
    for await (const page of syncer.syncBase({ limit: 1 })) base.push(...page.kvs.map((kv) => `${kv.key.toString()}=${kv.value.toString()}`));
    assert.deepEqual(base, ['data/a=1', 'data/b=2']);
    const everything = new Syncer(app);
    const all: string[] = [];
    for await (const page of everything.syncBase()) all.push(...page.kvs.map((kv) => kv.key.toString()));
    assert.deepEqual(all, ['data/a', 'data/b', 'other'], 'the whole view: nothing outside app/');

    const controller = new AbortController();
    const events: WatchEvent[] = [];
    const following = (async () => {
      for await (const response of syncer.syncUpdates({ signal: controller.signal })) {
        events.push(...response.events);
        if (events.length === 2) return;
      }
    })();
    await client.put('app/data/c', '3');
    await client.put('outside', 'y');
    await app.delete('data/a');
    await bounded(following, WAIT_MS, 'the two updates arrive');
    assert.deepEqual(events.map((e) => `${e.type} ${e.kv.key.toString()}`), ['put data/c', 'delete data/a']);
  });

  test('LeasingKV: leasing keys and keys in app/; two leasing KVs on views of two clients stay coherent', async () => {
    const other = cluster.client();
    try {
      await using mine = await LeasingKV.create(app, 'leasing/', { ttl: 10 });
      await using theirs = await LeasingKV.create(other.namespace('app/'), 'leasing/', { ttl: 10 });
      await mine.put('config', 'v1');
      assert.equal((await mine.get('config')).kvs[0]?.value.toString(), 'v1');
      assert.equal(mine.isCached('config'), true);
      assert.deepEqual((await onlyInsideApp()).sort(), ['config', 'leasing/config']);
      assert.equal((await client.get('app/leasing/config')).kvs[0]?.lease !== 0n, true, 'the leasing key is under the session lease');
      assert.deepEqual(mine.ownedKeys.map((k) => k.toString()), ['config'], 'owned keys are named without app/');
      // A write through the other client's leasing KV makes this one give the key up first.
      await theirs.put('config', 'v2');
      assert.equal(mine.isCached('config'), false);
      assert.equal((await mine.get('config')).kvs[0]?.value.toString(), 'v2');
      assert.equal((await client.get('app/config')).kvs[0]?.value.toString(), 'v2');
    } finally {
      await other.close();
    }
  });

  test('OrderingKV: reads, writes and transactions of the view; revision tracked; keys in app/', async () => {
    const ordered = new OrderingKV(app);
    const put = await ordered.put('k', 'v1');
    assert.equal(ordered.revision, put.header.revision);
    assert.equal((await ordered.get('k', { serializable: true })).kvs[0]?.key.toString(), 'k');
    const txn = await ordered
      .txn()
      .if(compare.value('k', '=', 'v1'))
      .then(op.put('k', 'v2'), op.get('k'))
      .commit();
    assert.equal(txn.succeeded, true);
    const read = txn.responses[1];
    assert.equal(read?.type === 'get' ? read.kvs[0]?.key.toString() : undefined, 'k');
    const readOnly = await ordered.txn().then(op.get('', { prefix: true })).commit();
    assert.equal(readOnly.responses[0]?.type === 'get' ? readOnly.responses[0].count : -1, 1);
    assert.equal(ordered.revision, txn.header.revision);
    assert.equal((await client.get('app/k')).kvs[0]?.value.toString(), 'v2');
    assert.deepEqual(await onlyInsideApp(), ['k']);
    // And STM runs on it too, inside the view.
    await stm(ordered, (s) => s.put('stm', 'x'));
    assert.equal((await client.get('app/stm')).kvs[0]?.value.toString(), 'x');
  });

  test('client.close() ends what is built on its views: sessions, waiting locks and elections, leasing', async () => {
    const closing = cluster.client();
    const view = closing.namespace('app/');
    await using holderSession = await Session.create(app);
    await new Mutex(holderSession, 'close-lock').lock();
    await new Election(holderSession, 'close-election').campaign('holder');

    const session = await Session.create(view);
    const lockWait = new Mutex(session, 'close-lock').lock().then(() => 'acquired', (e: unknown) => e);
    const campaign = new Election(session, 'close-election').campaign('me').then(() => 'elected', (e: unknown) => e);
    const leasing = await LeasingKV.create(view, 'leasing/');
    await within(WAIT_MS, 'the lock and the campaign wait in line', async () => {
      const [locks, candidates] = await Promise.all([keysUnder(client, 'app/close-lock/'), keysUnder(client, 'app/close-election/')]);
      return locks.length === 2 && candidates.length === 2;
    });
    await closing.close();
    assert.ok((await lockWait) instanceof ClientClosedError, `Mutex.lock ended with ${String(await lockWait)}`);
    assert.ok((await campaign) instanceof ClientClosedError, `Election.campaign ended with ${String(await campaign)}`);
    assert.ok((await session.done) instanceof ClientClosedError, 'the session ended with the client');
    await assert.rejects(leasing.get('x'), ClientClosedError);
  });
});
