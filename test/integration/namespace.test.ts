// client.namespace(prefix) against a real etcd, as Go's namespace tests: every KV, txn and watch
// operation run through a view on one subtree ('A/') gives the same result as the same operation
// with the prefix written out on an identical subtree ('B/'), and neither sees keys outside.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { KV } from '../../src/kv/kv.js';
import { PrefixRpc } from '../../src/namespace/rpc.js';
import {
  Client,
  ClientClosedError,
  compare,
  EmptyKeyError,
  op,
  type Compare,
  type KeyValue,
  type Namespace,
  type Op,
  type OpResponse,
  type WatchEvent,
} from '../../src/index.js';
import { EtcdCluster } from '../../src/testing/index.js';
import { atLeastEvents, collect, eventsOf } from './watch-helpers.js';

const TEST_TIMEOUT_MS = 30_000;

let cluster: EtcdCluster;
let client: Client;
let view: Namespace;

/** Keys of each subtree; both hold the same keys and values. */
const TREE = ['a', 'a/1', 'a/2', 'b', 'c', 'd\xff', 'z'];
/** Keys around the subtrees that no namespaced operation may touch. */
const OUTSIDE = ['A', 'A0', 'A.', 'B', 'B0', 'B.', 'C', '@'];

const latin1 = (s: string): Buffer => Buffer.from(s, 'latin1');

async function reset(): Promise<void> {
  await client.delete('', { prefix: true });
  for (const k of TREE) {
    await client.put(latin1(`A/${k}`), `v-${k}`);
    await client.put(latin1(`B/${k}`), `v-${k}`);
  }
  for (const k of OUTSIDE) await client.put(k, `out-${k}`);
}

before(async () => {
  cluster = await EtcdCluster.start({ size: 1 });
  client = cluster.client();
  view = client.namespace('A/');
});

after(async () => {
  await cluster?.close();
});

/** A key-value's comparable part (revisions differ between the subtrees: their writes interleave). */
function kvText(kv: KeyValue | undefined, strip: string): string {
  if (kv === undefined) return '-';
  const key = kv.key.toString('latin1');
  return `${key.startsWith(strip) ? key.slice(strip.length) : `!${key}`}=${kv.value.toString('latin1')}@v${kv.version}`;
}

/** A response's comparable form: every key, value, version, count and flag, keys with `strip` removed. */
function normal(r: OpResponse, strip: string): unknown {
  switch (r.type) {
    case 'get':
      return { type: r.type, kvs: r.kvs.map((kv) => kvText(kv, strip)), count: r.count, more: r.more };
    case 'put':
      return { type: r.type, prevKv: kvText(r.prevKv, strip) };
    case 'delete':
      return { type: r.type, deleted: r.deleted, prevKvs: r.prevKvs.map((kv) => kvText(kv, strip)) };
    case 'txn':
      return { type: r.type, succeeded: r.succeeded, responses: r.responses.map((x) => normal(x, strip)) };
  }
}

/** The state of subtree `prefix` and of the keys outside both subtrees. */
async function state(prefix: string): Promise<{ tree: string[]; outside: string[] }> {
  const tree = (await client.get(prefix, { prefix: true })).kvs.map((kv) => kvText(kv, prefix));
  const outside: string[] = [];
  for (const k of OUTSIDE) outside.push(kvText((await client.get(k)).kvs[0], ''));
  return { tree, outside };
}

/** One case: an op through the view, and the same op with the prefix 'B/' written out. */
interface Case {
  name: string;
  viewOp: Op;
  rawOp: Op;
}

const getCases: Case[] = [
  { name: 'one key', viewOp: op.get('a'), rawOp: op.get('B/a') },
  { name: 'missing key', viewOp: op.get('nope'), rawOp: op.get('B/nope') },
  { name: 'prefix', viewOp: op.get('a', { prefix: true }), rawOp: op.get('B/a', { prefix: true }) },
  { name: 'prefix of the whole namespace', viewOp: op.get('', { prefix: true }), rawOp: op.get('B/\0', { rangeEnd: 'B0' }) },
  { name: 'rangeEnd', viewOp: op.get('a/', { rangeEnd: 'c' }), rawOp: op.get('B/a/', { rangeEnd: 'B/c' }) },
  { name: 'rangeEnd "\\0"', viewOp: op.get('b', { rangeEnd: '\0' }), rawOp: op.get('B/b', { rangeEnd: 'B0' }) },
  { name: 'fromKey', viewOp: op.get('b', { fromKey: true }), rawOp: op.get('B/b', { rangeEnd: 'B0' }) },
  { name: 'fromKey of the whole namespace', viewOp: op.get('', { fromKey: true }), rawOp: op.get('B/\0', { rangeEnd: 'B0' }) },
  {
    name: 'limit, sort, keysOnly',
    viewOp: op.get('', { prefix: true, limit: 3, sort: { target: 'key', order: 'descend' }, keysOnly: true }),
    rawOp: op.get('B/\0', { rangeEnd: 'B0', limit: 3, sort: { target: 'key', order: 'descend' }, keysOnly: true }),
  },
  { name: 'countOnly', viewOp: op.get('a', { prefix: true, countOnly: true }), rawOp: op.get('B/a', { prefix: true, countOnly: true }) },
  {
    name: 'binary key',
    viewOp: op.get(latin1('d\xff'), { prefix: true }),
    rawOp: op.get(latin1('B/d\xff'), { prefix: true }),
  },
];

const writeCases: Case[] = [
  { name: 'put with prevKv', viewOp: op.put('a', 'new', { prevKv: true }), rawOp: op.put('B/a', 'new', { prevKv: true }) },
  { name: 'put of a new key', viewOp: op.put('n', 'v', { prevKv: true }), rawOp: op.put('B/n', 'v', { prevKv: true }) },
  { name: 'delete one key', viewOp: op.delete('b', { prevKv: true }), rawOp: op.delete('B/b', { prevKv: true }) },
  { name: 'delete prefix', viewOp: op.delete('a', { prefix: true, prevKv: true }), rawOp: op.delete('B/a', { prefix: true, prevKv: true }) },
  { name: 'delete fromKey', viewOp: op.delete('c', { fromKey: true, prevKv: true }), rawOp: op.delete('B/c', { rangeEnd: 'B0', prevKv: true }) },
  { name: 'delete everything', viewOp: op.delete('', { prefix: true }), rawOp: op.delete('B/\0', { rangeEnd: 'B0' }) },
  { name: 'delete rangeEnd', viewOp: op.delete('a/', { rangeEnd: 'b\0' }), rawOp: op.delete('B/a/', { rangeEnd: 'B/b\0' }) },
];

/** Transactions: compares (single and ranged), both branches, nested txns. */
function txnCases(): Case[] {
  const both = (name: string, make: (p: string, range: (end: string) => string) => Op): Case => ({
    name,
    viewOp: make('', (end) => end),
    rawOp: make('B/', (end) => (end === '\0' ? 'B0' : `B/${end}`)),
  });
  const cmp = (p: string, c: (key: string) => Compare, key: string): Compare => c(p + key);
  return [
    both('value compare holds', (p) => op.txn([cmp(p, (k) => compare.value(k, '=', 'v-a'), 'a')], [op.get(p + 'a'), op.put(p + 'x', '1')], [op.get(p + 'z')])),
    both('value compare fails', (p) => op.txn([cmp(p, (k) => compare.value(k, '=', 'nope'), 'a')], [op.put(p + 'x', '1')], [op.get(p + 'a', { prefix: true }), op.delete(p + 'z', { prevKv: true })])),
    both('version compare over a prefix', (p) => op.txn([compare.version(p + 'a', '>', 0, { prefix: true })], [op.get(p + 'a/', { prefix: true })])),
    both('compare with rangeEnd "\\0"', (p, range) => op.txn([compare.createRevision(p + 'b', '>', 0, { rangeEnd: range('\0') })], [op.get(p + 'c')], [op.get(latin1(p + 'd\xff'))])),
    both('compare on a missing key', (p) => op.txn([compare.version(p + 'missing', '=', 0)], [op.put(p + 'missing', 'now', { prevKv: true })])),
    both('nested txn', (p) =>
      op.txn(
        [compare.version(p + 'a', '>', 0)],
        [op.txn([compare.value(p + 'b', '=', 'v-b')], [op.delete(p + 'b', { prevKv: true }), op.get(p + 'a', { prefix: true })], [op.get(p + 'z')])],
      ),
    ),
  ];
}

async function runCases(cases: Case[], resetEach: boolean): Promise<void> {
  for (const c of cases) {
    if (resetEach) await reset();
    const viewed = normal(await view.do(c.viewOp), '');
    const raw = normal(await client.do(c.rawOp), 'B/');
    assert.deepEqual(viewed, raw, c.name);
    if (resetEach) {
      const [a, b] = [await state('A/'), await state('B/')];
      assert.deepEqual(a.tree, b.tree, `${c.name}: the subtrees differ after the op`);
      assert.deepEqual(a.outside, OUTSIDE.map((k) => `${k}=out-${k}@v1`), `${c.name}: a key outside was changed`);
    }
  }
}

describe('namespace KV', { timeout: TEST_TIMEOUT_MS }, () => {
  test('every read through the view equals the read with the prefix written out', async () => {
    await reset();
    await runCases(getCases, false);
    // The methods (not only do) too.
    const viaGet = await view.get('a', { prefix: true });
    assert.deepEqual(viaGet.kvs.map((kv) => kv.key.toString()), ['a', 'a/1', 'a/2']);
    assert.equal(viaGet.count, 3);
  });

  test('every write through the view equals the write with the prefix written out, and keeps outside keys', async () => {
    await runCases(writeCases, true);
    await reset();
    const put = await view.put('a', 'p', { prevKv: true });
    assert.equal(put.prevKv?.key.toString(), 'a');
    assert.equal((await client.get('A/a')).kvs[0]?.value.toString(), 'p');
    const del = await view.delete('a/', { prefix: true, prevKv: true });
    assert.equal(del.deleted, 2);
    assert.deepEqual(del.prevKvs.map((kv) => kv.key.toString()), ['a/1', 'a/2']);
  });

  test('transactions (compares, both branches, nested) equal the same with the prefix written out', async () => {
    await runCases(txnCases(), true);
    await reset();
    const r = await view.txn().if(compare.value('a', '=', 'v-a')).then(op.get('a', { prefix: true })).else(op.put('x', 'y')).commit();
    assert.equal(r.succeeded, true);
    const first = r.responses[0];
    assert.equal(first?.type, 'get');
    if (first?.type === 'get') assert.deepEqual(first.kvs.map((kv) => kv.key.toString()), ['a', 'a/1', 'a/2']);
  });

  test('empty keys are refused as by the client; nested namespaces stack their prefixes', async () => {
    await assert.rejects(view.get(''), EmptyKeyError);
    await assert.rejects(view.put('', 'v'), EmptyKeyError);
    await assert.rejects(view.delete(''), EmptyKeyError);
    await reset();
    const inner = view.namespace('a/');
    assert.equal(inner.prefix.toString(), 'A/a/');
    const r = await inner.get('', { prefix: true });
    assert.deepEqual(r.kvs.map((kv) => kv.key.toString()), ['1', '2']);
    await inner.put('3', 'three');
    assert.equal((await client.get('A/a/3')).kvs[0]?.value.toString(), 'three');
  });

  test('lease.timeToLive lists only the namespace keys, without the prefix', async () => {
    const { id } = await view.lease.grant(30);
    try {
      await view.put('leased', 'x', { lease: id });
      await client.put('elsewhere', 'y', { lease: id });
      const ttl = await view.lease.timeToLive(id, { keys: true });
      assert.deepEqual(ttl.keys.map((k) => k.toString()), ['leased']);
      assert.equal((await client.lease.timeToLive(id, { keys: true })).keys.length, 2);
    } finally {
      await view.lease.revoke(id);
    }
  });
});

describe('namespace watch', { timeout: TEST_TIMEOUT_MS }, () => {
  const text = (events: WatchEvent[], strip: string): string[] =>
    events.map((e) => `${e.type} ${kvText(e.kv, strip)} prev=${kvText(e.prevKv, strip)}`);

  /** Writes the same changes to both subtrees, plus changes outside them. */
  async function changes(): Promise<void> {
    for (const p of ['A/', 'B/']) {
      await client.put(`${p}a`, 'w1');
      await client.put(`${p}k`, 'w2');
      await client.delete(`${p}a/1`);
      await client.put(`${p}z`, 'w3');
    }
    for (const k of OUTSIDE) await client.put(k, 'changed');
  }

  const watchCases: { name: string; view: [string, object]; raw: [string, object]; events: number }[] = [
    { name: 'one key', view: ['a', {}], raw: ['B/a', {}], events: 1 },
    { name: 'prefix', view: ['a', { prefix: true }], raw: ['B/a', { prefix: true }], events: 2 },
    { name: 'whole namespace', view: ['', { prefix: true }], raw: ['B/\0', { rangeEnd: 'B0' }], events: 4 },
    { name: 'fromKey', view: ['b', { fromKey: true }], raw: ['B/b', { rangeEnd: 'B0' }], events: 2 },
    { name: 'rangeEnd', view: ['a/', { rangeEnd: 'l' }], raw: ['B/a/', { rangeEnd: 'B/l' }], events: 2 },
  ];

  for (const c of watchCases) {
    test(`watch ${c.name}: the same events as with the prefix written out, keys without the prefix`, async () => {
      await reset();
      const start = (await client.get('x')).header.revision + 1;
      const w1 = view.watch(c.view[0], { ...c.view[1], startRevision: start, prevKv: true });
      const w2 = client.watch(c.raw[0], { ...c.raw[1], startRevision: start, prevKv: true });
      await changes();
      // The outside writes come last: once the raw watch has its events, the view's are all sent too.
      const [r1, r2] = await Promise.all([collect(w1, atLeastEvents(c.events)), collect(w2, atLeastEvents(c.events))]);
      const e1 = eventsOf(r1);
      const e2 = eventsOf(r2);
      assert.equal(e1.length, c.events);
      assert.deepEqual(text(e1, ''), text(e2, 'B/'));
      assert.deepEqual(e1.map((e) => [e.isCreate, e.isModify]), e2.map((e) => [e.isCreate, e.isModify]));
      assert.ok(e1.every((e) => !e.kv.key.toString().startsWith('A/')));
    });
  }

  test('a watch of the whole namespace sees no write outside it', async () => {
    await reset();
    const start = (await client.get('x')).header.revision + 1;
    const w = view.watch('', { prefix: true, startRevision: start });
    for (const k of OUTSIDE) await client.put(k, 'again');
    await client.put('A/last', 'x');
    const events = eventsOf(await collect(w, atLeastEvents(1)));
    assert.deepEqual(events.map((e) => e.kv.key.toString()), ['last']);
  });
});

describe("the namespace's call layer", { timeout: TEST_TIMEOUT_MS }, () => {
  test('forEndpoint: a call layer for one member that keeps the prefix; closing it leaves the client working', async () => {
    await reset();
    const rpc = new PrefixRpc(client.rpc, latin1('A/'));
    const single = rpc.forEndpoint(cluster.endpoints[0]!);
    const kv = new KV(single);
    await kv.put('via-endpoint', 'one');
    assert.equal((await client.get('A/via-endpoint')).kvs[0]?.value.toString(), 'one', 'the key got the prefix');
    assert.deepEqual((await kv.get('via-endpoint')).kvs.map((x) => x.key.toString()), ['via-endpoint'], 'and loses it in the answer');
    await single.close();
    await assert.rejects(kv.get('via-endpoint'), ClientClosedError, 'the dedicated call layer is closed');
    assert.equal((await client.get('A/via-endpoint')).count, 1, "the client's own call layer is not");
  });

  test("refreshToken is the client's (false: this client has no credentials)", async () => {
    assert.equal(await new PrefixRpc(client.rpc, latin1('A/')).refreshToken(), false);
  });
});
