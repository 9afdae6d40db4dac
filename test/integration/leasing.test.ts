// LeasingKV against one real etcd member: reads answered from the cache after the first (proven
// with the member stopped), writes through it, invalidation when another leasing client writes the
// key (the owner gives it up first, so no read is ever stale), range deletes and transactions
// that write, eventual invalidation by plain clients, and coherence across three leasing clients.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';

import { Client, ClientClosedError, compare, LeasingKV, op } from '../../src/index.js';
import { EtcdCluster } from '../../src/testing/index.js';

/** Bound of every wait, in ms. */
const DEADLINE_MS = 15_000;

let cluster: EtcdCluster;
let client: Client;
const opened: LeasingKV[] = [];

before(async () => {
  cluster = await EtcdCluster.start({ size: 1 });
  client = cluster.client();
});

afterEach(async () => {
  if (cluster.members[0]!.paused) await cluster.members[0]!.resume();
  await Promise.all(opened.splice(0).map((kv) => kv.close()));
});

after(async () => {
  await cluster?.close();
});

async function leasing(c: Client = cluster.client()): Promise<LeasingKV> {
  const kv = await LeasingKV.create(c, 'lkv/', { ttl: 10 });
  opened.push(kv);
  return kv;
}

/** Runs `body` with the only member stopped: anything answered meanwhile came from the cache. */
async function withEtcdStopped<T>(body: () => Promise<T>): Promise<T> {
  const member = cluster.members[0]!;
  await member.pause();
  try {
    return await body();
  } finally {
    await member.resume();
  }
}

async function within(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = performance.now() + DEADLINE_MS;
  while (!(await check())) {
    if (performance.now() > deadline) assert.fail(`${what}: not within ${DEADLINE_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const value = async (kv: LeasingKV, key: string): Promise<string | undefined> => (await kv.get(key, { timeout: DEADLINE_MS })).kvs[0]?.value.toString();

describe('LeasingKV', { timeout: 60_000 }, () => {
  test('the first read takes the key (leasing key under its lease), later reads come from the cache', async () => {
    await client.put('a', 'one');
    const kv = await leasing();
    const first = await kv.get('a');
    assert.equal(first.kvs[0]?.value.toString(), 'one');
    const [leasingKey] = (await client.get('lkv/a')).kvs;
    assert.ok(leasingKey !== undefined, 'the leasing key lkv/a exists');
    assert.equal(leasingKey.value.length, 0);
    const { keys } = await client.lease.timeToLive(leasingKey.lease, { keys: true });
    assert.deepEqual(keys.map((k) => k.toString()), ['lkv/a']);
    assert.ok(kv.isCached('a'));
    assert.deepEqual(kv.ownedKeys.map((k) => k.toString()), ['a']);

    const [cached, keysOnly, countOnly, filtered] = await withEtcdStopped(() =>
      Promise.all([
        kv.get('a', { timeout: 1_000 }),
        kv.get('a', { keysOnly: true, timeout: 1_000 }),
        kv.get('a', { countOnly: true, timeout: 1_000 }),
        kv.get('a', { minModRevision: first.kvs[0]!.modRevision + 1, timeout: 1_000 }),
      ]),
    );
    assert.deepEqual(
      { value: cached.kvs[0]?.value.toString(), rev: cached.kvs[0]?.modRevision, version: cached.kvs[0]?.version, count: cached.count },
      { value: 'one', rev: first.kvs[0]!.modRevision, version: 1, count: 1 },
    );
    assert.equal(keysOnly.kvs[0]?.value.length, 0);
    assert.deepEqual([countOnly.kvs.length, countOnly.count], [0, 1]);
    assert.equal(filtered.kvs.length, 0);

    // Ranges, revisions and keys with a lease of their own are not taken.
    await kv.get('a', { prefix: true });
    await kv.get('a', { revision: first.header.revision });
    const { id } = await client.lease.grant(30);
    await client.put('leased', 'x', { lease: id });
    assert.equal(await value(kv, 'leased'), 'x');
    assert.equal(kv.isCached('leased'), false);
    assert.equal((await client.get('lkv/leased')).kvs.length, 0);
  });

  test('writes through the owner update its cache; a missing key is cached as missing', async () => {
    const kv = await leasing();
    assert.equal(await value(kv, 'w'), undefined);
    assert.ok(kv.isCached('w'));
    const put = await kv.put('w', 'v1', { prevKv: true });
    assert.equal(put.prevKv, undefined);
    await kv.put('w', 'v2');
    const cached = await withEtcdStopped(() => kv.get('w', { timeout: 1_000 }));
    const stored = (await client.get('w')).kvs[0]!;
    assert.deepEqual(
      [cached.kvs[0]?.value.toString(), cached.kvs[0]?.modRevision, cached.kvs[0]?.version, cached.kvs[0]?.createRevision],
      ['v2', stored.modRevision, stored.version, stored.createRevision],
    );
    await kv.delete('w');
    const gone = await withEtcdStopped(() => kv.get('w', { timeout: 1_000 }));
    assert.equal(gone.kvs.length, 0);
    assert.equal((await client.get('w')).kvs.length, 0);
  });

  test('a write by another leasing client waits for the owner to give the key up; no stale read', async () => {
    await client.put('shared', 'first');
    const owner = await leasing();
    const writer = await leasing();
    assert.equal(await value(owner, 'shared'), 'first');
    assert.ok(owner.isCached('shared'));
    await writer.put('shared', 'second', { timeout: DEADLINE_MS });
    // By the time the write is done the owner has given the key up: its next read is fresh.
    assert.equal(owner.isCached('shared'), false);
    assert.equal(await value(owner, 'shared'), 'second');
    assert.equal((await client.get('shared')).kvs[0]?.value.toString(), 'second');
    // The writer may take the key back later on (after the revoke backoff for the owner).
    assert.equal(await value(writer, 'shared'), 'second');
    assert.ok(writer.isCached('shared'));
    await owner.delete('shared', { timeout: DEADLINE_MS });
    assert.equal(writer.isCached('shared'), false);
    assert.equal(await value(writer, 'shared'), undefined);
  });

  test('three leasing clients writing in turn: every read after each write sees it', async () => {
    const kvs = await Promise.all([leasing(), leasing(), leasing()]);
    for (let i = 0; i < 15; i++) {
      await kvs[i % 3]!.put('turns', String(i), { timeout: DEADLINE_MS });
      const seen = await Promise.all(kvs.map((kv) => value(kv, 'turns')));
      assert.deepEqual(seen, [String(i), String(i), String(i)], `after write ${i}`);
    }
  });

  test('range deletes and writing transactions make other owners give their keys up', async () => {
    const [one, two] = await Promise.all([leasing(), leasing()]);
    await Promise.all([client.put('r/1', 'a'), client.put('r/2', 'b'), client.put('r/3', 'c')]);
    assert.equal(await value(one, 'r/1'), 'a');
    assert.equal(await value(two, 'r/2'), 'b');
    assert.ok(one.isCached('r/1') && two.isCached('r/2'));
    const deleted = await one.delete('r/', { prefix: true, prevKv: true, timeout: DEADLINE_MS });
    assert.equal(deleted.deleted, 3);
    assert.deepEqual(deleted.prevKvs.map((kv) => kv.key.toString()), ['r/1', 'r/2', 'r/3']);
    assert.equal(two.isCached('r/2'), false);
    assert.equal(await value(two, 'r/2'), undefined);
    assert.equal(await value(one, 'r/1'), undefined);

    await client.put('t', 'x');
    assert.equal(await value(one, 't'), 'x');
    const r = await two
      .txn()
      .if(compare.value('t', '=', 'x'))
      .then(op.put('t', 'y'), op.get('t'))
      .else(op.put('t', 'no'))
      .commit({ timeout: DEADLINE_MS });
    assert.equal(r.succeeded, true);
    assert.equal(r.responses.length, 2);
    assert.equal(r.responses[1]?.type === 'get' ? r.responses[1].kvs[0]?.value.toString() : undefined, 'y');
    assert.equal(one.isCached('t'), false);
    assert.equal(await value(one, 't'), 'y');
    // A read-only txn goes to etcd as is.
    const ro = await one.txn().if(compare.version('t', '>', 0)).then(op.get('t')).commit();
    assert.equal(ro.succeeded, true);
  });

  test('a write by a plain client drops the cached read soon after', async () => {
    const kv = await leasing();
    await client.put('plain', 'old');
    assert.equal(await value(kv, 'plain'), 'old');
    await client.put('plain', 'new');
    await within('the cache drops the old value', async () => (await value(kv, 'plain')) === 'new');
    await client.delete('plain');
    await within('the cache drops the deleted key', async () => (await value(kv, 'plain')) === undefined);
  });

  test('close gives every key up at once; later calls are refused', async () => {
    const kv = await leasing();
    await client.put('c1', '1');
    await value(kv, 'c1');
    assert.equal((await client.get('lkv/c1')).kvs.length, 1);
    await kv.close();
    assert.equal((await client.get('lkv/c1')).kvs.length, 0);
    await assert.rejects(kv.get('c1'), ClientClosedError);
    await assert.rejects(kv.put('c1', '2'), ClientClosedError);
  });
});
