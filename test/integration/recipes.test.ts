// etcd-ts/recipes against one real etcd member: Barrier, DoubleBarrier, Queue, PriorityQueue and
// RWMutex, with Go's key layouts, and their safety under concurrent use (every item taken exactly
// once, no writer alongside anyone, nobody through a barrier early).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { Session } from '../../src/concurrency/index.js';
import { Client, DeadlineExceededError } from '../../src/index.js';
import { cancelWatchesDuring, typedError } from './concurrency-support.js';
import {
  Barrier,
  DoubleBarrier,
  KeyExistsError,
  NotHeldError,
  PriorityQueue,
  Queue,
  RWMutex,
  TooManyClientsError,
} from '../../src/recipes/index.js';
import { EtcdCluster } from '../../src/testing/index.js';
import { stillPending } from './concurrency-support.js';

/** Bound of every wait for something that should happen, in ms. */
const DEADLINE_MS = 15_000;

let cluster: EtcdCluster;
let client: Client;

before(async () => {
  cluster = await EtcdCluster.start({ size: 1 });
  client = cluster.client();
});

after(async () => {
  await cluster?.close();
});

/** `promise`, or a failure after `ms` naming `what`. */
async function bounded<T>(promise: Promise<T>, what: string, ms = DEADLINE_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

const keysUnder = async (prefix: string): Promise<string[]> =>
  (await client.get(prefix, { prefix: true })).kvs.map((kv) => kv.key.toString());

describe('Barrier', { timeout: 30_000 }, () => {
  test('wait blocks while held and every waiter goes on release; hold twice fails', async () => {
    const barrier = new Barrier(client, 'barrier/one');
    await bounded(barrier.wait(), 'wait on a barrier never held');
    await barrier.hold();
    await assert.rejects(barrier.hold(), KeyExistsError);
    const [held] = (await client.get('barrier/one')).kvs;
    assert.equal(held?.lease, 0n, 'the barrier key has no lease, as in Go');

    const waiters = Array.from({ length: 5 }, () => new Barrier(cluster.client(), 'barrier/one').wait());
    assert.ok(await stillPending(Promise.race(waiters)), 'no waiter goes on while the barrier is held');
    await barrier.release();
    await bounded(Promise.all(waiters), 'waiters after release');
    assert.deepEqual(await keysUnder('barrier/one'), []);
    await assert.rejects(new Barrier(client, 'barrier/two').wait({ timeout: -1 }), /timeout/);
    await new Barrier(client, 'barrier/two').hold();
    await assert.rejects(new Barrier(client, 'barrier/two').wait({ timeout: 200 }), DeadlineExceededError);
  });
});

describe('waits and keys the recipes do not expect', { timeout: 30_000 }, () => {
  test('a wait whose watch the client cancels (client.cancelWatches()) rejects with WatchEndedError', async () => {
    const waiterClient = cluster.client();
    await new Barrier(client, 'barrier/cancelled').hold();
    const { waiting } = await cancelWatchesDuring(waiterClient, cluster.endpoints[0]!, () => new Barrier(waiterClient, 'barrier/cancelled').wait());
    await assert.rejects(bounded(waiting, 'wait() after cancelWatches()'), typedError('WatchEndedError', 1, /barrier\/cancelled.*delete/));
    await new Barrier(client, 'barrier/cancelled').release();
  });

  test('a key under a queue that is not one of its sequential keys: UnexpectedKeyError, nothing written', async () => {
    await client.put('pq-foreign/00001/not-a-number', 'planted');
    const before = await keysUnder('pq-foreign/');
    await assert.rejects(new PriorityQueue(client, 'pq-foreign').enqueue('item', 1), typedError('UnexpectedKeyError', 9, /pq-foreign\/00001\/not-a-number.*number/));
    assert.deepEqual(await keysUnder('pq-foreign/'), before);
  });
});

describe('DoubleBarrier', { timeout: 40_000 }, () => {
  test('nobody enters before count have entered, nobody leaves before all have left', async () => {
    const count = 5;
    const sessions = await Promise.all(Array.from({ length: count + 1 }, () => Session.create(client, { ttl: 10 })));
    try {
      const barriers = sessions.map((s) => new DoubleBarrier(s, 'dbarrier', count));
      const entering = barriers.slice(0, count - 1).map((b) => b.enter());
      assert.ok(await stillPending(Promise.race(entering)), 'no one enters before the count is reached');
      const waiterKeys = await keysUnder('dbarrier/waiters/');
      assert.equal(waiterKeys.length, count - 1);
      assert.ok(waiterKeys.every((k) => /^dbarrier\/waiters\/\d+$/.test(k)), `Go's waiter keys: ${waiterKeys.join(' ')}`);
      await bounded(Promise.all([...entering, barriers[count - 1]!.enter()]), 'enter of all');
      assert.deepEqual(await keysUnder('dbarrier/ready'), ['dbarrier/ready']);

      // A process more than the count is refused, and removes its key.
      await assert.rejects(barriers[count]!.enter(), TooManyClientsError);
      assert.equal((await keysUnder('dbarrier/waiters/')).length, count);

      const leaveCalled: number[] = [];
      const leaving = barriers.slice(0, count - 1).map((b) => {
        leaveCalled.push(performance.now());
        return b.leave().then(() => performance.now());
      });
      assert.ok(await stillPending(Promise.race(leaving)), 'no one leaves before all have left');
      const lastCall = performance.now();
      const lastDone = barriers[count - 1]!.leave().then(() => performance.now());
      const done = await bounded(Promise.all([...leaving, lastDone]), 'leave of all');
      assert.ok(done.every((t) => t >= lastCall), 'every leave resolved after the last one was called');
      assert.deepEqual(await keysUnder('dbarrier/'), [], 'every key is gone after all left');
      await assert.rejects(barriers[0]!.leave(), NotHeldError);
    } finally {
      await Promise.all(sessions.map((s) => s.close()));
    }
  });

  test('a process whose session dies inside does not block the others from leaving', async () => {
    const sessions = await Promise.all([0, 1, 2].map(() => Session.create(client, { ttl: 10 })));
    const barriers = sessions.map((s) => new DoubleBarrier(s, 'dbarrier2', 3));
    await bounded(Promise.all(barriers.map((b) => b.enter())), 'enter');
    await sessions[1]!.close(); // revokes the lease: its waiter key goes
    await bounded(Promise.all([barriers[0]!.leave(), barriers[2]!.leave()]), 'leave with one process gone');
    await Promise.all(sessions.map((s) => s.close()));
    assert.deepEqual(await keysUnder('dbarrier2/'), []);
  });
});

describe('Queue', { timeout: 40_000 }, () => {
  test('FIFO: items come out in the order they were put; Go key layout', async () => {
    const queue = new Queue(client, 'fifo');
    for (let i = 0; i < 10; i++) await queue.enqueue(`item-${i}`);
    const keys = await keysUnder('fifo/');
    assert.equal(keys.length, 10);
    assert.ok(keys.every((k) => /^fifo\/\d{16,}$/.test(k)), `keys <name>/<unix nanos>: ${keys[0]}`);
    const out: string[] = [];
    for (let i = 0; i < 10; i++) out.push((await queue.dequeue()).toString());
    assert.deepEqual(out, Array.from({ length: 10 }, (_, i) => `item-${i}`));
    assert.deepEqual(await keysUnder('fifo/'), []);
  });

  test('dequeue waits while empty and takes the next item put; a timeout takes nothing', async () => {
    const queue = new Queue(client, 'blocking');
    await assert.rejects(queue.dequeue({ timeout: 200 }), DeadlineExceededError);
    const taking = queue.dequeue();
    assert.ok(await stillPending(taking));
    await new Queue(cluster.client(), 'blocking').enqueue('late');
    assert.equal((await bounded(taking, 'blocked dequeue')).toString(), 'late');
    // A queue named as a prefix of another takes nothing of it.
    await new Queue(client, 'blocking2').enqueue('other');
    await assert.rejects(queue.dequeue({ timeout: 300 }), DeadlineExceededError);
    assert.equal((await new Queue(client, 'blocking2').dequeue()).toString(), 'other');
  });

  test('4 producers x 25 items, 5 consumers: every item is taken exactly once', async () => {
    const producers = 4;
    const perProducer = 25;
    const total = producers * perProducer;
    const clients = Array.from({ length: 5 }, () => cluster.client());
    try {
      const taken: string[] = [];
      let remaining = total;
      const consumers = clients.map(async (c) => {
        const queue = new Queue(c, 'mpmc');
        while (remaining > 0) {
          remaining--; // claim a slot before blocking, so exactly `total` dequeues run
          taken.push((await queue.dequeue({ timeout: DEADLINE_MS })).toString());
        }
      });
      const producing = Array.from({ length: producers }, async (_, p) => {
        const queue = new Queue(clients[p]!, 'mpmc');
        for (let i = 0; i < perProducer; i++) await queue.enqueue(`${p}:${i}`);
      });
      await bounded(Promise.all([...producing, ...consumers]), 'producers and consumers', 30_000);
      assert.equal(taken.length, total);
      assert.equal(new Set(taken).size, total, 'no item taken twice');
      // Per producer, items come out in the order that producer put them.
      for (let p = 0; p < producers; p++) {
        const mine = taken.filter((v) => v.startsWith(`${p}:`)).map((v) => Number(v.split(':')[1]));
        assert.equal(mine.length, perProducer);
      }
      assert.deepEqual(await keysUnder('mpmc/'), []);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
  });
});

describe('PriorityQueue', { timeout: 30_000 }, () => {
  test('lowest priority number first, FIFO within a priority; Go key layout', async () => {
    const queue = new PriorityQueue(client, 'pq');
    const items: [string, number][] = [['c1', 3], ['a1', 1], ['z', 65535], ['c2', 3], ['zero', 0], ['a2', 1], ['c3', 3]];
    for (const [value, priority] of items) await queue.enqueue(value, priority);
    const keys = await keysUnder('pq/');
    assert.ok(keys.includes('pq/00003/0000000000000002'), `keys <name>/<%05d>/<%016d>: ${keys.join(' ')}`);
    assert.ok(keys.includes('pq/65535/0000000000000000'));
    assert.deepEqual(await keysUnder('__pq/'), ['__pq/00000', '__pq/00001', '__pq/00003', '__pq/65535'], 'bookkeeping keys');
    const out: string[] = [];
    for (let i = 0; i < items.length; i++) out.push((await queue.dequeue()).toString());
    assert.deepEqual(out, ['zero', 'a1', 'a2', 'c1', 'c2', 'c3', 'z']);
    await assert.rejects(queue.enqueue('x', 65536), /priority must be an integer/);
    await assert.rejects(queue.enqueue('x', -1), /priority must be an integer/);
  });

  test('concurrent enqueuers at one priority lose nothing; a blocked dequeue takes the next item', async () => {
    const clients = Array.from({ length: 4 }, () => cluster.client());
    try {
      await Promise.all(
        clients.map(async (c, w) => {
          const queue = new PriorityQueue(c, 'pq2');
          for (let i = 0; i < 10; i++) await queue.enqueue(`${w}:${i}`, 7);
        }),
      );
      const keys = await keysUnder('pq2/00007/');
      assert.equal(keys.length, 40, 'one sequence number per item');
      const queue = new PriorityQueue(client, 'pq2');
      const out = new Set<string>();
      for (let i = 0; i < 40; i++) out.add((await queue.dequeue()).toString());
      assert.equal(out.size, 40);
      const taking = queue.dequeue();
      assert.ok(await stillPending(taking));
      await new PriorityQueue(clients[0]!, 'pq2').enqueue('late', 2);
      assert.equal((await bounded(taking, 'blocked dequeue')).toString(), 'late');
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
  });
});

describe('RWMutex', { timeout: 60_000 }, () => {
  test('readers share, a writer waits for earlier readers and blocks later ones; Go key layout', async () => {
    const sessions = await Promise.all([0, 1, 2, 3].map(() => Session.create(client, { ttl: 10 })));
    try {
      const [r1, r2, w, r3] = sessions.map((s) => new RWMutex(s, 'rw'));
      await r1!.rLock();
      await bounded(r2!.rLock(), 'a second reader alongside the first');
      assert.match(r1!.key!.toString(), /^rw\/read\/\d+$/);
      const writing = w!.lock();
      assert.ok(await stillPending(writing), 'the writer waits for the readers');
      assert.match(w!.key!.toString(), /^rw\/write\/\d+$/);
      const [writerKey] = (await client.get(w!.key!)).kvs;
      assert.equal(writerKey?.lease, sessions[2]!.lease);
      const reading = r3!.rLock();
      assert.ok(await stillPending(reading), 'a reader after a waiting writer waits too');
      await r1!.rUnlock();
      assert.ok(await stillPending(writing));
      await r2!.rUnlock();
      await bounded(writing, 'the writer once the readers left');
      assert.ok(await stillPending(reading), 'the later reader waits for the writer');
      await w!.unlock();
      await bounded(reading, 'the later reader once the writer left');
      await r3!.rUnlock();
      await assert.rejects(r3!.rUnlock(), NotHeldError);
      await assert.rejects(w!.unlock(), NotHeldError);
      assert.deepEqual(await keysUnder('rw/'), []);

      // A timed-out request leaves no key behind.
      await r1!.lock();
      await assert.rejects(w!.rLock({ timeout: 200 }), DeadlineExceededError);
      assert.deepEqual(await keysUnder('rw/read/'), []);
      await r1!.unlock();
    } finally {
      await Promise.all(sessions.map((s) => s.close()));
    }
  });

  test('4 writers x 15 read-modify-write rounds and 4 readers: count exact, no writer alongside anyone', async () => {
    const writers = 4;
    const rounds = 15;
    let activeReaders = 0;
    let activeWriters = 0;
    let violations = 0;
    let readsDone = 0;
    let writesDone = false;
    const clients = Array.from({ length: writers + 4 }, () => cluster.client());
    const sessions = await Promise.all(clients.map((c) => Session.create(c, { ttl: 10 })));
    try {
      await client.put('rw-count', '0');
      const writing = sessions.slice(0, writers).map(async (s) => {
        const rw = new RWMutex(s, 'rw-stress');
        for (let i = 0; i < rounds; i++) {
          await rw.lock({ timeout: DEADLINE_MS });
          activeWriters++;
          if (activeWriters > 1 || activeReaders > 0) violations++;
          const n = Number((await s.client.get('rw-count')).kvs[0]!.value.toString());
          await s.client.put('rw-count', String(n + 1));
          activeWriters--;
          await rw.unlock();
        }
      });
      const reading = sessions.slice(writers).map(async (s) => {
        const rw = new RWMutex(s, 'rw-stress');
        while (!writesDone) {
          await rw.rLock({ timeout: DEADLINE_MS });
          activeReaders++;
          if (activeWriters > 0) violations++;
          await s.client.get('rw-count');
          activeReaders--;
          readsDone++;
          await rw.rUnlock();
        }
      });
      await bounded(Promise.all(writing), 'writers', 45_000);
      writesDone = true;
      await bounded(Promise.all(reading), 'readers');
      assert.equal(violations, 0, 'no writer alongside another holder');
      assert.ok(readsDone > 0);
      assert.equal((await client.get('rw-count')).kvs[0]?.value.toString(), String(writers * rounds));
      assert.deepEqual(await keysUnder('rw-stress/'), []);
    } finally {
      await Promise.all(sessions.map((s) => s.close()));
      await Promise.all(clients.map((c) => c.close()));
    }
  });
});
