// The KV API against a real etcd: every range option, put/delete options, compaction, transactions,
// server errors, and client-side errors that must be thrown before anything is sent.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import {
  Client,
  CompactedError,
  compare,
  DuplicateKeyError,
  EmptyKeyError,
  firstCreate,
  firstKey,
  firstRev,
  FutureRevisionError,
  InvalidArgumentError,
  KeyNotFoundError,
  lastCreate,
  lastKey,
  lastRev,
  LeaseNotFoundError,
  op,
  TooManyOpsError,
  type Compare,
  type CompareOperator,
  type KeyValue,
  type Op,
  type OpResponse,
  type RangeOptions,
  type SortTarget,
} from '../../src/index.js';
import { Lease } from '../../src/proto/index.js';
import { EtcdCluster } from '../../src/testing/index.js';

const TEST_TIMEOUT_MS = 20_000;

let cluster: EtcdCluster;
let client: Client;

before(async () => {
  cluster = await EtcdCluster.start({ size: 1 });
  client = cluster.client();
});

after(async () => {
  await cluster?.close();
});

const keys = (r: { kvs: KeyValue[] }): string[] => r.kvs.map((kv) => kv.key.toString());
const values = (r: { kvs: KeyValue[] }): string[] => r.kvs.map((kv) => kv.value.toString());

async function currentRevision(): Promise<number> {
  return (await client.get('any-key-at-all')).header.revision;
}

async function grantLease(ttlSeconds: number): Promise<bigint> {
  const response = await client.rpc.unary(Lease.leaseGrant, { TTL: BigInt(ttlSeconds) });
  assert.ok(response.ID > 0n);
  return response.ID;
}

async function revokeLease(id: bigint): Promise<void> {
  await client.rpc.unary(Lease.leaseRevoke, { ID: id });
}

function narrow<T extends OpResponse['type']>(r: OpResponse | undefined, type: T): Extract<OpResponse, { type: T }> {
  assert.ok(r, 'missing op response');
  assert.equal(r.type, type);
  return r as Extract<OpResponse, { type: T }>;
}

describe('responses', { timeout: TEST_TIMEOUT_MS }, () => {
  test('header fields: cluster and member IDs (bigint, non-zero), revision, raft term', async () => {
    const put = await client.put('hdr/k', 'v');
    const { header } = put;
    assert.equal(typeof header.clusterId, 'bigint');
    assert.equal(typeof header.memberId, 'bigint');
    assert.notEqual(header.clusterId, 0n);
    assert.notEqual(header.memberId, 0n);
    assert.equal(typeof header.revision, 'number');
    assert.ok(header.revision > 1);
    assert.equal(typeof header.raftTerm, 'number');
    assert.ok(header.raftTerm >= 1);
    const get = await client.get('hdr/k');
    assert.equal(get.header.clusterId, header.clusterId);
    assert.equal(get.header.memberId, header.memberId);
    assert.equal(get.header.revision, header.revision);
  });

  test('a key value: Buffers, revisions, version, lease', async () => {
    const first = await client.put('kv/one', 'value-1');
    const second = await client.put('kv/one', 'value-2');
    const response = await client.get('kv/one');
    assert.equal(response.count, 1);
    assert.equal(response.more, false);
    const kv = response.kvs[0]!;
    assert.ok(Buffer.isBuffer(kv.key));
    assert.ok(Buffer.isBuffer(kv.value));
    assert.equal(kv.key.toString(), 'kv/one');
    assert.equal(kv.value.toString(), 'value-2');
    assert.equal(kv.createRevision, first.header.revision);
    assert.equal(kv.modRevision, second.header.revision);
    assert.equal(kv.version, 2);
    assert.equal(kv.lease, 0n);
  });

  test('a missing key: no kvs, count 0', async () => {
    const response = await client.get('kv/missing');
    assert.deepEqual(response.kvs, []);
    assert.equal(response.count, 0);
    assert.equal(response.more, false);
  });

  test('binary keys and values round-trip', async () => {
    const key = Uint8Array.of(0x62, 0x69, 0x6e, 0x2f, 0x00, 0xff, 0x80, 0x0a);
    const value = Uint8Array.of(0x00, 0x01, 0xfe, 0xff, 0xc3, 0x28);
    await client.put(key, value);
    const response = await client.get(key);
    assert.deepEqual([...response.kvs[0]!.key], [...key]);
    assert.deepEqual([...response.kvs[0]!.value], [...value]);
  });
});

describe('range options', { timeout: TEST_TIMEOUT_MS }, () => {
  before(async () => {
    for (const k of ['p', 'p/a', 'p/b', 'p/c', 'p0', 'p/b/x']) await client.put(k, `v-${k}`);
  });

  test('prefix', async () => {
    const response = await client.get('p/', { prefix: true });
    assert.deepEqual(keys(response), ['p/a', 'p/b', 'p/b/x', 'p/c']);
    assert.equal(response.count, 4);
  });

  test('rangeEnd: [key, rangeEnd)', async () => {
    assert.deepEqual(keys(await client.get('p/a', { rangeEnd: 'p/c' })), ['p/a', 'p/b', 'p/b/x']);
    assert.deepEqual(keys(await client.get('p/a', { rangeEnd: 'p/b' })), ['p/a']);
  });

  test('fromKey, and the empty key with fromKey or prefix (every key)', async () => {
    const all = await client.get('', { fromKey: true });
    assert.ok(all.count >= 6);
    assert.deepEqual(keys(await client.get('', { prefix: true })), keys(all));
    assert.deepEqual(keys(await client.get('\0', { fromKey: true })), keys(all));
    const from = Buffer.from('p/b');
    const expected = all.kvs.filter((kv) => Buffer.compare(kv.key, from) >= 0).map((kv) => kv.key.toString());
    const response = await client.get('p/b', { fromKey: true });
    assert.deepEqual(keys(response), expected);
    assert.ok(expected.includes('p0') && expected.includes('p/c') && !expected.includes('p/a'));
  });

  test('revision: an older revision sees the old value', async () => {
    const old = await client.put('rev/k', 'old');
    await client.put('rev/k', 'new');
    assert.deepEqual(values(await client.get('rev/k', { revision: old.header.revision })), ['old']);
    assert.deepEqual(values(await client.get('rev/k', { revision: old.header.revision - 1 })), []);
    assert.deepEqual(values(await client.get('rev/k', { revision: 0 })), ['new']);
    assert.deepEqual(values(await client.get('rev/k')), ['new']);
  });

  test('limit, more and count', async () => {
    const limited = await client.get('p/', { prefix: true, limit: 2 });
    assert.deepEqual(keys(limited), ['p/a', 'p/b']);
    assert.equal(limited.more, true);
    assert.equal(limited.count, 4);
    const exact = await client.get('p/', { prefix: true, limit: 4 });
    assert.equal(exact.kvs.length, 4);
    assert.equal(exact.more, false);
    const unlimited = await client.get('p/', { prefix: true, limit: 0 });
    assert.equal(unlimited.kvs.length, 4);
  });

  test('serializable', async () => {
    await client.put('ser/k', 'fresh');
    const response = await client.get('ser/k', { serializable: true });
    assert.deepEqual(values(response), ['fresh']);
  });

  test('keysOnly: keys with empty values', async () => {
    const response = await client.get('p/', { prefix: true, keysOnly: true });
    assert.deepEqual(keys(response), ['p/a', 'p/b', 'p/b/x', 'p/c']);
    assert.deepEqual(values(response), ['', '', '', '']);
    assert.ok(response.kvs[0]!.modRevision > 0);
  });

  test('countOnly: the count and no kvs', async () => {
    const response = await client.get('p/', { prefix: true, countOnly: true });
    assert.deepEqual(response.kvs, []);
    assert.equal(response.count, 4);
  });
});

describe('sort, revision filters and the first/last helpers', { timeout: TEST_TIMEOUT_MS }, () => {
  // Three keys arranged so that each sort target gives a different order:
  //   key: a b c   create: c b a   version: b c a   mod: b a c   value: c a b
  const mod: Record<string, number> = {};
  const created: Record<string, number> = {};
  before(async () => {
    const put = async (k: string, v: string): Promise<void> => {
      const r = await client.put(`s/${k}`, v);
      mod[k] = r.header.revision;
      created[k] ??= r.header.revision;
    };
    await put('c', 'x');
    await put('b', '3');
    await put('a', 'x');
    await put('a', 'x');
    await put('a', '2');
    await put('c', '1');
  });

  const orders: Record<SortTarget, string[]> = {
    key: ['a', 'b', 'c'],
    createRevision: ['c', 'b', 'a'],
    version: ['b', 'c', 'a'],
    modRevision: ['b', 'a', 'c'],
    value: ['c', 'a', 'b'],
  };
  for (const [target, ascending] of Object.entries(orders) as Array<[SortTarget, string[]]>) {
    test(`sort by ${target}, ascend and descend`, async () => {
      const up = await client.get('s/', { prefix: true, sort: { target, order: 'ascend' } });
      assert.deepEqual(keys(up), ascending.map((k) => `s/${k}`));
      const down = await client.get('s/', { prefix: true, sort: { target, order: 'descend' } });
      assert.deepEqual(keys(down), ascending.map((k) => `s/${k}`).reverse());
    });
  }

  test('sort with limit sorts before limiting', async () => {
    const response = await client.get('s/', { prefix: true, limit: 1, sort: { target: 'value', order: 'descend' } });
    assert.deepEqual(keys(response), ['s/b']);
    assert.equal(response.more, true);
  });

  test('minModRevision / maxModRevision', async () => {
    // mod order b < a < c
    assert.deepEqual(keys(await client.get('s/', { prefix: true, minModRevision: mod['a']! })), ['s/a', 's/c']);
    assert.deepEqual(keys(await client.get('s/', { prefix: true, maxModRevision: mod['a']! })), ['s/a', 's/b']);
    assert.deepEqual(
      keys(await client.get('s/', { prefix: true, minModRevision: mod['a']!, maxModRevision: mod['a']! })),
      ['s/a'],
    );
  });

  test('minCreateRevision / maxCreateRevision', async () => {
    // create order c < b < a
    assert.deepEqual(keys(await client.get('s/', { prefix: true, minCreateRevision: created['b']! })), ['s/a', 's/b']);
    assert.deepEqual(keys(await client.get('s/', { prefix: true, maxCreateRevision: created['b']! })), ['s/b', 's/c']);
  });

  const helpers: Array<[string, () => RangeOptions, string]> = [
    ['firstKey', firstKey, 's/a'],
    ['lastKey', lastKey, 's/c'],
    ['firstCreate', firstCreate, 's/c'],
    ['lastCreate', lastCreate, 's/a'],
    ['firstRev', firstRev, 's/b'],
    ['lastRev', lastRev, 's/c'],
  ];
  for (const [name, helper, expected] of helpers) {
    test(`${name}()`, async () => {
      const response = await client.get('s/', helper());
      assert.deepEqual(keys(response), [expected]);
      assert.equal(response.count, 3);
    });
  }
});

describe('put options', { timeout: TEST_TIMEOUT_MS }, () => {
  test('prevKv: the previous pair, absent for a new key', async () => {
    const created = await client.put('put/prev', 'one', { prevKv: true });
    assert.equal(created.prevKv, undefined);
    const updated = await client.put('put/prev', 'two', { prevKv: true });
    assert.equal(updated.prevKv?.value.toString(), 'one');
    assert.equal(updated.prevKv?.version, 1);
    const plain = await client.put('put/prev', 'three');
    assert.equal(plain.prevKv, undefined);
  });

  test('lease, ignoreValue, ignoreLease', async () => {
    const lease1 = await grantLease(120);
    const lease2 = await grantLease(120);
    try {
      await client.put('put/lease', 'v1', { lease: lease1 });
      let kv = (await client.get('put/lease')).kvs[0]!;
      assert.equal(kv.lease, lease1);

      // ignoreValue: keep the value, change the lease.
      await client.put('put/lease', '', { ignoreValue: true, lease: lease2 });
      kv = (await client.get('put/lease')).kvs[0]!;
      assert.equal(kv.value.toString(), 'v1');
      assert.equal(kv.lease, lease2);

      // ignoreLease: keep the lease, change the value.
      await client.put('put/lease', 'v2', { ignoreLease: true });
      kv = (await client.get('put/lease')).kvs[0]!;
      assert.equal(kv.value.toString(), 'v2');
      assert.equal(kv.lease, lease2);

      // A put without lease detaches the key.
      await client.put('put/lease', 'v3');
      assert.equal((await client.get('put/lease')).kvs[0]!.lease, 0n);
    } finally {
      await revokeLease(lease1);
      await revokeLease(lease2);
    }
  });

  test('ignoreValue / ignoreLease on a missing key: KeyNotFoundError', async () => {
    await assert.rejects(client.put('put/none', '', { ignoreValue: true }), KeyNotFoundError);
    await assert.rejects(client.put('put/none', 'x', { ignoreLease: true }), KeyNotFoundError);
  });

  test('an unknown lease: LeaseNotFoundError', async () => {
    await assert.rejects(client.put('put/bad-lease', 'x', { lease: 0x7fffabcdn }), LeaseNotFoundError);
  });
});

describe('delete', { timeout: TEST_TIMEOUT_MS }, () => {
  test('one key, and a missing key', async () => {
    await client.put('del/one', '1');
    assert.equal((await client.delete('del/one')).deleted, 1);
    assert.equal((await client.delete('del/one')).deleted, 0);
    assert.deepEqual((await client.get('del/one')).kvs, []);
  });

  test('prefix with prevKv', async () => {
    for (const k of ['del/p/a', 'del/p/b', 'del/p/c', 'del/q']) await client.put(k, `v-${k}`);
    const response = await client.delete('del/p/', { prefix: true, prevKv: true });
    assert.equal(response.deleted, 3);
    assert.deepEqual(keys({ kvs: response.prevKvs }), ['del/p/a', 'del/p/b', 'del/p/c']);
    assert.deepEqual(values({ kvs: response.prevKvs }), ['v-del/p/a', 'v-del/p/b', 'v-del/p/c']);
    assert.equal((await client.get('del/q')).count, 1);
  });

  test('without prevKv, prevKvs is empty', async () => {
    await client.put('del/np', '1');
    const response = await client.delete('del/np');
    assert.equal(response.deleted, 1);
    assert.deepEqual(response.prevKvs, []);
  });

  test('rangeEnd', async () => {
    for (const k of ['del/r/1', 'del/r/2', 'del/r/3']) await client.put(k, 'x');
    assert.equal((await client.delete('del/r/1', { rangeEnd: 'del/r/3' })).deleted, 2);
    assert.deepEqual(keys(await client.get('del/r/', { prefix: true })), ['del/r/3']);
  });

  test('fromKey (on keys that sort after every other key of this file)', async () => {
    const high = (n: number): Uint8Array => Uint8Array.of(0xff, 0xfe, n);
    for (let n = 1; n <= 3; n++) await client.put(high(n), 'x');
    const before = (await client.get('', { fromKey: true })).count;
    const response = await client.delete(high(2), { fromKey: true, prevKv: true });
    assert.equal(response.deleted, 2);
    assert.deepEqual(response.prevKvs.map((kv) => [...kv.key]), [[...high(2)], [...high(3)]]);
    assert.equal((await client.get('', { fromKey: true })).count, before - 2);
  });
});

describe('transactions', { timeout: TEST_TIMEOUT_MS }, () => {
  let lease: bigint;
  let kv: KeyValue;
  before(async () => {
    lease = await grantLease(120);
    await client.put('txn/k', 'm', { lease });
    await client.put('txn/k', 'm', { lease });
    kv = (await client.get('txn/k')).kvs[0]!;
    assert.equal(kv.version, 2);
  });
  after(async () => {
    await revokeLease(lease);
  });

  async function holds(c: Compare): Promise<boolean> {
    return (await client.txn().if(c).commit()).succeeded;
  }

  test('value: = != < > (byte-wise)', async () => {
    const cases: Array<[CompareOperator, string, boolean]> = [
      ['=', 'm', true], ['=', 'n', false],
      ['!=', 'm', false], ['!=', 'n', true],
      ['<', 'n', true], ['<', 'm', false],
      ['>', 'l', true], ['>', 'm', false],
    ];
    for (const [operator, operand, expected] of cases) {
      assert.equal(await holds(compare.value('txn/k', operator, operand)), expected, `value ${operator} ${operand}`);
    }
  });

  for (const [target, make] of [
    ['version', (o: CompareOperator, n: number) => compare.version('txn/k', o, n)],
    ['createRevision', (o: CompareOperator, n: number) => compare.createRevision('txn/k', o, n)],
    ['modRevision', (o: CompareOperator, n: number) => compare.modRevision('txn/k', o, n)],
  ] as const) {
    test(`${target}: = != < >`, async () => {
      const actual = kv[target];
      const cases: Array<[CompareOperator, number, boolean]> = [
        ['=', actual, true], ['=', actual + 1, false],
        ['!=', actual, false], ['!=', actual + 1, true],
        ['<', actual + 1, true], ['<', actual, false],
        ['>', actual - 1, true], ['>', actual, false],
      ];
      for (const [operator, operand, expected] of cases) {
        assert.equal(await holds(make(operator, operand)), expected, `${target} ${operator} ${operand}`);
      }
    });
  }

  test('lease: = != < >', async () => {
    const cases: Array<[CompareOperator, bigint, boolean]> = [
      ['=', lease, true], ['=', lease + 1n, false],
      ['!=', lease, false], ['!=', 0n, true],
      ['<', lease + 1n, true], ['<', lease, false],
      ['>', lease - 1n, true], ['>', lease, false],
    ];
    for (const [operator, operand, expected] of cases) {
      assert.equal(await holds(compare.lease('txn/k', operator, operand)), expected, `lease ${operator} ${operand}`);
    }
  });

  test('a missing key: version = 0, createRevision = 0', async () => {
    assert.equal(await holds(compare.version('txn/missing', '=', 0)), true);
    assert.equal(await holds(compare.createRevision('txn/missing', '=', 0)), true);
  });

  test('keyExists / keyMissing: put only if absent, delete only if present', async () => {
    assert.equal(await holds(compare.keyExists('txn/k')), true);
    assert.equal(await holds(compare.keyMissing('txn/k')), false);
    assert.equal(await holds(compare.keyExists('txn/missing')), false);
    assert.equal(await holds(compare.keyMissing('txn/missing')), true);
    const create = () => client.txn().if(compare.keyMissing('txn/once')).then(op.put('txn/once', 'first')).commit();
    assert.equal((await create()).succeeded, true);
    assert.equal((await create()).succeeded, false);
    assert.equal((await client.get('txn/once')).kvs[0]?.version, 1);
    const remove = () => client.txn().if(compare.keyExists('txn/once')).then(op.delete('txn/once')).commit();
    assert.equal((await remove()).succeeded, true);
    assert.equal((await remove()).succeeded, false);
    assert.equal((await client.get('txn/once')).count, 0);
  });

  test('range compares: prefix and rangeEnd (etcd 3.3+)', async () => {
    await client.put('txn/r/a', '1');
    await client.put('txn/r/b', '1');
    await client.put('txn/r/b', '2');
    assert.equal(await holds(compare.version('txn/r/', '>', 0, { prefix: true })), true);
    assert.equal(await holds(compare.version('txn/r/', '>', 1, { prefix: true })), false); // a has version 1
    assert.equal(await holds(compare.version('txn/r/b', '>', 1, { prefix: true })), true);
    assert.equal(await holds(compare.value('txn/r/a', '=', '1', { rangeEnd: 'txn/r/b' })), true);
    assert.equal(await holds(compare.value('txn/r/a', '=', '1', { rangeEnd: 'txn/r/c' })), false);
  });

  test('succeeded: the then branch runs, with one response per op', async () => {
    await client.put('txn/b', 'xyz');
    const response = await client
      .txn()
      .if(compare.value('txn/b', '>', 'abc'))
      .then(op.put('txn/b', 'XYZ', { prevKv: true }), op.get('txn/b'), op.delete('txn/b-none'))
      .else(op.put('txn/b', 'ABC'))
      .commit();
    assert.equal(response.succeeded, true);
    assert.ok(response.header.revision > 0);
    assert.notEqual(response.header.memberId, 0n);
    assert.equal(response.responses.length, 3);
    const put = narrow(response.responses[0], 'put');
    assert.equal(put.prevKv?.value.toString(), 'xyz');
    const get = narrow(response.responses[1], 'get');
    assert.deepEqual(values(get), ['XYZ']);
    assert.equal(get.count, 1);
    const del = narrow(response.responses[2], 'delete');
    assert.equal(del.deleted, 0);
    assert.deepEqual(values(await client.get('txn/b')), ['XYZ']);
  });

  test('not succeeded: the else branch runs', async () => {
    await client.put('txn/c', 'aaa');
    const response = await client
      .txn()
      .if(compare.value('txn/c', '>', 'abc'))
      .then(op.put('txn/c', 'THEN'))
      .else(op.put('txn/c', 'ELSE'), op.get('txn/c'))
      .commit();
    assert.equal(response.succeeded, false);
    assert.equal(response.responses.length, 2);
    narrow(response.responses[0], 'put');
    assert.deepEqual(values(narrow(response.responses[1], 'get')), ['ELSE']);
  });

  test('a nested transaction', async () => {
    await client.put('txn/n', '1');
    const response = await client
      .txn()
      .if(compare.version('txn/n', '>', 0))
      .then(
        op.txn([compare.value('txn/n', '=', '1')], [op.put('txn/n', '2'), op.get('txn/n')], [op.get('txn/n')]),
        op.get('txn/n'),
      )
      .commit();
    assert.equal(response.succeeded, true);
    const nested = narrow(response.responses[0], 'txn');
    assert.equal(nested.succeeded, true);
    assert.equal(nested.responses.length, 2);
    narrow(nested.responses[0], 'put');
    assert.deepEqual(values(narrow(nested.responses[1], 'get')), ['2']);
    assert.deepEqual(values(narrow(response.responses[1], 'get')), ['2']);
  });

  test('a read-only transaction', async () => {
    const response = await client.txn().then(op.get('txn/k'), op.get('p/', { prefix: true, countOnly: true })).commit();
    assert.equal(response.succeeded, true);
    assert.deepEqual(values(narrow(response.responses[0], 'get')), ['m']);
    assert.equal(narrow(response.responses[1], 'get').count, 4);
  });

  test('two writes of one key in a branch: DuplicateKeyError', async () => {
    await assert.rejects(client.txn().then(op.put('txn/d', '1'), op.put('txn/d', '2')).commit(), DuplicateKeyError);
    assert.deepEqual((await client.get('txn/d')).kvs, []);
  });

  test('more ops than the server allows (default 128): TooManyOpsError', async () => {
    const ops = Array.from({ length: 129 }, (_, i) => op.put(`txn/many/${i}`, 'x'));
    await assert.rejects(client.txn().then(...ops).commit(), TooManyOpsError);
    const ok = await client.txn().then(...ops.slice(0, 128)).commit();
    assert.equal(ok.responses.length, 128);
  });
});

describe('client.do', { timeout: TEST_TIMEOUT_MS }, () => {
  test('each op type, tagged responses', async () => {
    const put = narrow(await client.do(op.put('do/k', '123', { prevKv: true })), 'put');
    assert.ok(put.header.revision > 0);
    const get = narrow(await client.do(op.get('do/k')), 'get');
    assert.deepEqual(values(get), ['123']);
    const txn = narrow(await client.do(op.txn([compare.value('do/k', '=', '123')], [op.put('do/k', '456')])), 'txn');
    assert.equal(txn.succeeded, true);
    const del = narrow(await client.do(op.delete('do/k', { prevKv: true })), 'delete');
    assert.equal(del.deleted, 1);
    assert.deepEqual(values({ kvs: del.prevKvs }), ['456']);
  });
});

describe('client-side errors are thrown before anything is sent', { timeout: TEST_TIMEOUT_MS }, () => {
  test('bad input writes nothing', async () => {
    const revision = await currentRevision();
    const emptyKey: Array<[string, () => Promise<unknown>]> = [
      ['empty key get', () => client.get('')],
      ['empty key put', () => client.put('', 'v')],
      ['empty key delete', () => client.delete('')],
      // then() checks its ops at once and throws (a builder misuse), so wrap it to get a rejection
      ['empty key in a txn op', async () => client.txn().then({ type: 'put', key: '', value: 'v', options: undefined }).commit()],
    ];
    for (const [what, call] of emptyKey) {
      // the same class the server uses for an empty key, with etcd's own text as details
      await assert.rejects(call(), (error: unknown) => {
        assert.ok(error instanceof EmptyKeyError, `${what}: ${String(error)}`);
        assert.equal(error.details, 'etcdserver: key is not provided');
        return true;
      });
    }
    const bad: Array<[string, () => Promise<unknown>]> = [
      ['negative limit', () => client.get('k', { limit: -1 })],
      ['bad sort target', () => client.get('k', { sort: { target: 'size' as SortTarget } })],
      ['bad sort order', () => client.get('k', { sort: { target: 'key', order: 'up' as 'ascend' } })],
      ['unknown get option', () => client.get('k', { prefx: true } as RangeOptions)],
      ['unknown put option', () => client.put('cs/k', 'v', { ttl: 5 } as object)],
      ['unknown delete option', () => client.delete('cs/k', { recursive: true } as object)],
      ['prefix + rangeEnd', () => client.delete('cs/', { prefix: true, rangeEnd: 'z' })],
      ['negative revision', () => client.get('k', { revision: -1 })],
      ['non-integer revision', () => client.get('k', { revision: 1.5 })],
      ['ignoreValue with a value', () => client.put('cs/k', 'v', { ignoreValue: true })],
      ['lease of the wrong type', () => client.put('cs/k', 'v', { lease: 5 as unknown as bigint })],
      ['compact at 0', () => client.compact(0)],
      // then() checks its ops at once and throws (a builder misuse), so wrap it to get a rejection
      ['bad txn op', async () => client.txn().then({ type: 'put', key: 'cs/k', value: 5, options: undefined } as unknown as Op).commit()],
    ];
    for (const [what, call] of bad) {
      await assert.rejects(call(), InvalidArgumentError, what);
    }
    assert.equal(await currentRevision(), revision, 'nothing may have been written');
  });
});

describe('compaction and revision errors', { timeout: TEST_TIMEOUT_MS }, () => {
  // Last in this file: compaction makes older revisions unreadable for every test.
  test('a future revision: FutureRevisionError', async () => {
    const revision = await currentRevision();
    await assert.rejects(client.get('cmp/k', { revision: revision + 1000 }), FutureRevisionError);
    await assert.rejects(client.compact(revision + 1000), FutureRevisionError);
  });

  test('compact (physical), then a read at a compacted revision: CompactedError', async () => {
    const first = await client.put('cmp/k', 'one');
    const second = await client.put('cmp/k', 'two');
    const compacted = await client.compact(second.header.revision, { physical: true });
    assert.ok(compacted.header.revision >= second.header.revision);
    await assert.rejects(client.get('cmp/k', { revision: first.header.revision }), (error: unknown) => {
      assert.ok(error instanceof CompactedError, `expected CompactedError, got ${String(error)}`);
      assert.equal(error.code, 11); // OUT_OF_RANGE
      return true;
    });
    // The compaction revision itself is still readable.
    assert.deepEqual(values(await client.get('cmp/k', { revision: second.header.revision })), ['two']);
    // Compacting again at (or below) it fails too.
    await assert.rejects(client.compact(second.header.revision), CompactedError);
    // A txn reading a compacted revision fails the whole txn.
    await assert.rejects(client.txn().then(op.get('cmp/k', { revision: first.header.revision })).commit(), CompactedError);
  });

  test('compact without physical', async () => {
    const r = await client.put('cmp/np', 'x');
    const response = await client.compact(r.header.revision);
    assert.ok(response.header.revision >= r.header.revision);
  });
});
