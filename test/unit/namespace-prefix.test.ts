// The key arithmetic of namespaces: ranges moved into a prefix (Go's prefixInterval cases), requests
// copied and never changed in place, and responses stripped of the prefix.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { compare, op } from '../../src/index.js';
import { wireOp } from '../../src/kv/op.js';
import { compareRequest } from '../../src/kv/compare.js';
import {
  namespaceEnd,
  prefixCompare,
  prefixInterval,
  prefixTxn,
  stripTxn,
} from '../../src/namespace/prefix.js';
import type { RangeResponse, TxnRequestInit, TxnResponse } from '../../src/proto/index.js';

const b = (s: string): Uint8Array => Buffer.from(s, 'latin1');
const s = (u: Uint8Array | undefined): string | undefined => (u === undefined ? undefined : Buffer.from(u).toString('latin1'));

describe('namespaceEnd', () => {
  test('increments the last byte below 0xff and drops what follows', () => {
    assert.equal(s(namespaceEnd(b('a/'))), 'a0');
    assert.equal(s(namespaceEnd(b('a\xff'))), 'b');
    assert.equal(s(namespaceEnd(b('\xff\xff'))), '\0');
    assert.equal(s(namespaceEnd(b(''))), '\0');
  });
});

describe('prefixInterval (Go namespace util_test cases)', () => {
  const cases: [string, string, string | undefined, string, string | undefined][] = [
    // prefix, key, end -> key, end
    ['pfx/', 'a', undefined, 'pfx/a', undefined],
    ['pfx/', 'a', 'b', 'pfx/a', 'pfx/b'],
    ['pfx/', 'a', '\0', 'pfx/a', 'pfx0'],
    ['pfx/', '\0', '\0', 'pfx/\0', 'pfx0'],
    ['\xff\xff', 'a', '\0', '\xff\xffa', '\0'],
    ['a\xff', 'k', '\0', 'a\xffk', 'b'],
    ['pfx/', 'a', '', 'pfx/a', undefined],
  ];
  for (const [pfx, key, end, wantKey, wantEnd] of cases) {
    test(`${JSON.stringify([pfx, key, end])}`, () => {
      const r = prefixInterval(b(pfx), b(key), end === undefined ? undefined : b(end));
      assert.equal(s(r.key), wantKey);
      assert.equal(s(r.rangeEnd), wantEnd);
    });
  }
});

describe('prefixCompare', () => {
  test('adds the prefix to the key, and to the range end only when there is one', () => {
    const single = prefixCompare(b('p/'), compareRequest(compare.value('k', '=', 'v')));
    assert.equal(s(single.key), 'p/k');
    assert.equal(single.rangeEnd, undefined);
    const ranged = prefixCompare(b('p/'), compareRequest(compare.version('k', '>', 0, { prefix: true })));
    assert.equal(s(ranged.key), 'p/k');
    assert.equal(s(ranged.rangeEnd), 'p/l');
  });
});

describe('prefixTxn', () => {
  test('moves compares and ops of both branches, nested txns included, without changing the ops', () => {
    const inner = op.txn([compare.version('n', '=', 0)], [op.put('n', '1')], [op.delete('', { prefix: true })]);
    const txn = op.txn([compare.value('c', '=', 'x')], [op.get('g', { fromKey: true }), inner], [op.delete('d')]);
    const before = JSON.stringify(wireOp(txn).request, (_k, v: unknown) => (v instanceof Uint8Array ? s(v) : typeof v === 'bigint' ? String(v) : v));
    const moved = prefixTxn(b('ns/'), wireOp(txn).request as TxnRequestInit);
    assert.equal(s(moved.compare![0]!.key), 'ns/c');
    const get = moved.success![0]!.request;
    assert.equal(get?.$case, 'requestRange');
    if (get?.$case === 'requestRange') {
      assert.equal(s(get.value.key), 'ns/g');
      assert.equal(s(get.value.rangeEnd), 'ns0', 'fromKey stops at the end of the namespace');
    }
    const nested = moved.success![1]!.request;
    assert.equal(nested?.$case, 'requestTxn');
    if (nested?.$case === 'requestTxn') {
      assert.equal(s(nested.value.compare![0]!.key), 'ns/n');
      const put = nested.value.success![0]!.request;
      assert.equal(put?.$case === 'requestPut' ? s(put.value.key) : undefined, 'ns/n');
      const del = nested.value.failure![0]!.request;
      assert.equal(del?.$case === 'requestDeleteRange' ? s(del.value.key) : undefined, 'ns/\0');
      assert.equal(del?.$case === 'requestDeleteRange' ? s(del.value.rangeEnd) : undefined, 'ns0');
    }
    const fail = moved.failure![0]!.request;
    assert.equal(fail?.$case === 'requestDeleteRange' ? s(fail.value.key) : undefined, 'ns/d');
    const after = JSON.stringify(wireOp(txn).request, (_k, v: unknown) => (v instanceof Uint8Array ? s(v) : typeof v === 'bigint' ? String(v) : v));
    assert.equal(after, before, 'the op keeps its own wire form');
  });
});

describe('stripTxn', () => {
  test('takes the prefix off keys of every response kind, nested ones included', () => {
    const kv = (key: string) => ({ key: b(key), value: b('v'), createRevision: 1n, modRevision: 1n, version: 1n, lease: 0n });
    const range: RangeResponse = { header: undefined, kvs: [kv('ns/a'), kv('ns/b')], more: false, count: 2n };
    const response: TxnResponse = {
      header: undefined,
      succeeded: true,
      responses: [
        { response: { $case: 'responseRange', value: range } },
        { response: { $case: 'responsePut', value: { header: undefined, prevKv: kv('ns/p') } } },
        { response: { $case: 'responseDeleteRange', value: { header: undefined, deleted: 1n, prevKvs: [kv('ns/d')] } } },
        {
          response: {
            $case: 'responseTxn',
            value: { header: undefined, succeeded: false, responses: [{ response: { $case: 'responseRange', value: { header: undefined, kvs: [kv('ns/n')], more: false, count: 1n } } }] },
          },
        },
      ],
    };
    stripTxn(3, response);
    const keys: (string | undefined)[] = [];
    const visit = (r: TxnResponse): void => {
      for (const e of r.responses) {
        const x = e.response;
        if (x?.$case === 'responseRange') for (const k of x.value.kvs) keys.push(s(k.key));
        if (x?.$case === 'responsePut') keys.push(s(x.value.prevKv?.key));
        if (x?.$case === 'responseDeleteRange') for (const k of x.value.prevKvs) keys.push(s(k.key));
        if (x?.$case === 'responseTxn') visit(x.value);
      }
    };
    visit(response);
    assert.deepEqual(keys, ['a', 'b', 'p', 'd', 'n']);
  });
});
