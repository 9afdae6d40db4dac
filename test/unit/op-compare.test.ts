// Ops and compares as values, and their mapping to etcd request messages (no server).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { compare, compareRequest, type Compare } from '../../src/kv/compare.js';
import { EmptyKeyError, InvalidArgumentError } from '../../src/errors/index.js';
import { deleteRequest, op, putRequest, txnRequest, wireOp, type Op } from '../../src/kv/op.js';
import {
  Compare_CompareResult,
  Compare_CompareTarget,
  etcdserverpb,
  KV,
} from '../../src/proto/index.js';
import type { DeleteOptions, PutOptions } from '../../src/kv/types.js';

const utf8 = (s: string): number[] => [...new TextEncoder().encode(s)];

function rejects(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof InvalidArgumentError, `expected InvalidArgumentError, got ${String(error)}`);
    assert.match(error.message, pattern);
    return true;
  });
}

/** Asserts that `fn` throws the client-side EmptyKeyError (etcd's own details) with a message matching `pattern`. */
function rejectsEmptyKey(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof EmptyKeyError, `expected EmptyKeyError, got ${String(error)}`);
    assert.match(error.message, pattern);
    assert.equal(error.details, 'etcdserver: key is not provided');
    assert.equal(error.code, 3);
    return true;
  });
}

describe('op.get / op.put / op.delete', () => {
  test('op.get is a frozen value mapped to a RangeRequest', () => {
    const o = op.get('k', { prefix: true, limit: 2 });
    assert.equal(o.type, 'get');
    assert.ok(Object.isFrozen(o));
    const w = wireOp(o);
    assert.equal(w.write, false);
    assert.equal(w.requestOp.request?.$case, 'requestRange');
    assert.equal(w.requestOp.request?.value, w.request);
    const r = w.request as { key: Uint8Array; rangeEnd: Uint8Array; limit: bigint };
    assert.deepEqual([...r.key], utf8('k'));
    assert.deepEqual([...r.rangeEnd], utf8('l'));
    assert.equal(r.limit, 2n);
  });
  test('op.put maps to a PutRequest with its options', () => {
    const o = op.put('k', 'v', { lease: 0x1234n, prevKv: true });
    const w = wireOp(o);
    assert.equal(w.write, true);
    assert.equal(w.requestOp.request?.$case, 'requestPut');
    assert.deepEqual(w.request, { key: Buffer.from('k'), value: Buffer.from('v'), lease: 0x1234n, prevKv: true });
  });
  test('op.delete maps to a DeleteRangeRequest', () => {
    const w = wireOp(op.delete('dir/', { prefix: true, prevKv: true }));
    assert.equal(w.write, true);
    assert.equal(w.requestOp.request?.$case, 'requestDeleteRange');
    const r = w.request as { key: Uint8Array; rangeEnd: Uint8Array; prevKv: boolean };
    assert.deepEqual([...r.rangeEnd], utf8('dir0'));
    assert.equal(r.prevKv, true);
    const all = wireOp(op.delete('', { fromKey: true })).request as { key: Uint8Array; rangeEnd: Uint8Array };
    assert.deepEqual([...all.key], [0]);
    assert.deepEqual([...all.rangeEnd], [0]);
  });
  test('an op captures its options when made', () => {
    const options: { prefix?: boolean } = { prefix: true };
    const o = op.get('a', options);
    options.prefix = false;
    assert.ok((wireOp(o).request as { rangeEnd?: Uint8Array }).rangeEnd);
  });
  test('bad arguments throw when the op is made', () => {
    rejectsEmptyKey(() => op.get(''), /^get: key is empty/);
    rejectsEmptyKey(() => op.put('', 'v'), /^put: key is empty$/);
    rejects(() => op.put('k', 5 as unknown as string), /value must be a string or a Uint8Array, got 5/);
    rejectsEmptyKey(() => op.delete(''), /^delete: key is empty/);
    rejects(() => op.get('k', { limit: -1 }), /limit must be a non-negative integer/);
    rejects(() => op.get('k', { timeout: 5 } as object), /unknown option 'timeout' for op.get/);
    rejects(() => op.put('k', 'v', { signal: AbortSignal.abort() } as PutOptions), /unknown option 'signal' for op.put/);
    rejects(() => op.delete('k', { limit: 1 } as DeleteOptions), /unknown option 'limit' for op.delete; known options: prefix, rangeEnd, fromKey, prevKv$/);
  });
});

describe('putRequest checks', () => {
  test('lease must be a bigint in [0, 2^63-1]', () => {
    rejects(() => putRequest('k', 'v', { lease: 5 as unknown as bigint }, true), /lease must be a lease ID: a bigint .* got 5$/);
    rejects(() => putRequest('k', 'v', { lease: -1n }, true), /lease must be a lease ID/);
    rejects(() => putRequest('k', 'v', { lease: 2n ** 63n }, true), /lease must be a lease ID/);
    assert.equal(putRequest('k', 'v', { lease: 2n ** 63n - 1n }, true).lease, 2n ** 63n - 1n);
  });
  test('ignoreValue needs an empty value; ignoreLease excludes lease', () => {
    rejects(() => putRequest('k', 'v', { ignoreValue: true }, true), /ignoreValue .* value given must be empty/);
    assert.equal(putRequest('k', '', { ignoreValue: true }, true).ignoreValue, true);
    rejects(() => putRequest('k', 'v', { ignoreLease: true, lease: 5n }, true), /ignoreLease .* lease must not be given/);
    assert.equal(putRequest('k', 'v', { ignoreLease: true, lease: 0n }, true).ignoreLease, true);
  });
  test('unknown option for put names the known ones including call options', () => {
    rejects(() => putRequest('k', 'v', { ttl: 5 } as PutOptions, true),
      /^unknown option 'ttl' for put; known options: lease, prevKv, ignoreValue, ignoreLease, signal, timeout, requireLeader$/);
  });
  test('deleteRequest rejects conflicting ranges', () => {
    rejects(() => deleteRequest('a', { prefix: true, rangeEnd: 'b' }, true), /delete: prefix and rangeEnd cannot be combined/);
  });
});

describe('op.txn (nested transactions)', () => {
  test('maps compares and both branches; write if any op writes', () => {
    const nestedRead = op.txn([compare.version('a', '>', 0)], [op.get('a')], [op.get('b')]);
    assert.equal(wireOp(nestedRead).write, false);
    const nestedWrite = op.txn([], [op.get('a')], [op.delete('b')]);
    assert.equal(wireOp(nestedWrite).write, true);
    const outer = op.txn([], [nestedRead], []);
    assert.equal(wireOp(outer).write, false);
    const outer2 = op.txn([], [], [nestedWrite]);
    assert.equal(wireOp(outer2).write, true);
    const w = wireOp(outer);
    assert.equal(w.requestOp.request?.$case, 'requestTxn');
    const req = w.request as { compare: unknown[]; success: Array<{ request: { $case: string } }>; failure: unknown[] };
    assert.equal(req.compare.length, 0);
    assert.equal(req.success[0]!.request.$case, 'requestTxn');
    assert.equal(req.failure.length, 0);
  });
  test('the op holds frozen copies of its lists', () => {
    const thenOps: Op[] = [op.get('a')];
    const t = op.txn([], thenOps);
    thenOps.push(op.put('x', 'y'));
    assert.equal(t.thenOps.length, 1);
    assert.ok(Object.isFrozen(t.thenOps));
    assert.deepEqual(t.elseOps, []);
  });
  test('rejects what is not a compare or an op', () => {
    rejects(() => op.txn([{} as Compare]), /compare operator must be one of/);
    rejects(() => op.txn([], [null as unknown as Op]), /expected an op .* got null/);
    rejects(() => op.txn([], [{ type: 'scan' } as unknown as Op]), /not an op: unknown type "scan"/);
    rejects(() => op.txn('x' as unknown as Compare[]), /op.txn compares must be an array/);
    rejects(() => op.txn([], op.get('a') as unknown as Op[]), /op.txn thenOps must be an array of ops/);
  });
  test('an op written by hand (plain object) is checked and accepted', () => {
    const plain: Op = { type: 'put', key: 'k', value: 'v', options: { prevKv: true } };
    const w = wireOp(plain);
    assert.equal(w.write, true);
    assert.equal((w.request as { prevKv: boolean }).prevKv, true);
    rejectsEmptyKey(() => wireOp({ type: 'get', key: '', options: undefined }), /key is empty/);
  });
  test('the wire form encodes with the generated codec', () => {
    const { request } = txnRequest(
      [compare.value('k', '=', 'v', { prefix: true })],
      [op.put('k', 'w'), op.txn([], [op.get('k', { keysOnly: true })])],
      [op.delete('k')],
    );
    const bytes = KV.txn.encode(request);
    assert.ok(bytes.length > 0);
    // Decoding gives back every part of the wire form, and re-encodes to the same bytes.
    const back = etcdserverpb.TxnRequest.decode(bytes);
    assert.equal(back.compare.length, 1);
    assert.equal(back.compare[0]!.target, Compare_CompareTarget.VALUE);
    assert.deepEqual(back.compare[0]!.rangeEnd, Uint8Array.from(utf8('l')));
    assert.deepEqual(back.compare[0]!.targetUnion, { $case: 'value', value: Uint8Array.from(utf8('v')) });
    assert.deepEqual(back.success.map((o) => o.request?.$case), ['requestPut', 'requestTxn']);
    const nested = back.success[1]!.request;
    const nestedGet = nested?.$case === 'requestTxn' ? nested.value.success[0]?.request : undefined;
    assert.equal(nestedGet?.$case === 'requestRange' && nestedGet.value.keysOnly, true);
    assert.deepEqual(back.failure.map((o) => o.request?.$case), ['requestDeleteRange']);
    assert.deepEqual(etcdserverpb.TxnRequest.encode(back).finish(), bytes);
  });
});

describe('compare.*', () => {
  const operators: Array<['=' | '!=' | '<' | '>', Compare_CompareResult]> = [
    ['=', Compare_CompareResult.EQUAL],
    ['!=', Compare_CompareResult.NOT_EQUAL],
    ['<', Compare_CompareResult.LESS],
    ['>', Compare_CompareResult.GREATER],
  ];
  for (const [operator, result] of operators) {
    test(`operator ${operator} → ${Compare_CompareResult[result]}`, () => {
      assert.equal(compareRequest(compare.version('k', operator, 1)).result, result);
    });
  }
  test('value: byte operand, target VALUE', () => {
    const c = compare.value('k', '>', 'abc');
    assert.ok(Object.isFrozen(c));
    assert.equal(c.target, 'value');
    const r = compareRequest(c);
    assert.equal(r.target, Compare_CompareTarget.VALUE);
    assert.equal(r.targetUnion?.$case, 'value');
    assert.deepEqual([...(r.targetUnion?.value as Uint8Array)], utf8('abc'));
    assert.deepEqual([...r.key!], utf8('k'));
    assert.equal(r.rangeEnd, undefined);
  });
  test('version / createRevision / modRevision: int64 operands', () => {
    const v = compareRequest(compare.version('k', '=', 0));
    assert.equal(v.target, Compare_CompareTarget.VERSION);
    assert.deepEqual(v.targetUnion, { $case: 'version', value: 0n });
    const c = compareRequest(compare.createRevision('k', '<', 10));
    assert.equal(c.target, Compare_CompareTarget.CREATE);
    assert.deepEqual(c.targetUnion, { $case: 'createRevision', value: 10n });
    const m = compareRequest(compare.modRevision('k', '!=', 11));
    assert.equal(m.target, Compare_CompareTarget.MOD);
    assert.deepEqual(m.targetUnion, { $case: 'modRevision', value: 11n });
  });
  test('lease: bigint operand', () => {
    const l = compareRequest(compare.lease('k', '=', 0x694d77aa9e38260fn));
    assert.equal(l.target, Compare_CompareTarget.LEASE);
    assert.deepEqual(l.targetUnion, { $case: 'lease', value: 0x694d77aa9e38260fn });
    rejects(() => compare.lease('k', '=', 5 as unknown as bigint), /compare.lease operand must be a lease ID/);
  });
  test('keyExists / keyMissing: createRevision > 0 / = 0 (Go 3.5 KeyExists / KeyMissing)', () => {
    const exists = compare.keyExists('k');
    assert.ok(Object.isFrozen(exists));
    assert.deepEqual(compareRequest(exists), compareRequest(compare.createRevision('k', '>', 0)));
    assert.deepEqual(compareRequest(compare.keyMissing('k')), compareRequest(compare.createRevision('k', '=', 0)));
    assert.equal(compareRequest(compare.keyMissing('k')).result, Compare_CompareResult.EQUAL);
    rejectsEmptyKey(() => compare.keyExists(''), /compare.keyExists: key is empty/);
    rejects(() => compare.keyMissing(7 as unknown as string), /compare.keyMissing key must be a string or a Uint8Array/);
  });
  test('range compares: prefix and rangeEnd (etcd 3.3+)', () => {
    const p = compareRequest(compare.value('dir/', '=', 'x', { prefix: true }));
    assert.deepEqual([...p.rangeEnd!], utf8('dir0'));
    const r = compareRequest(compare.modRevision('a', '<', 5, { rangeEnd: 'c' }));
    assert.deepEqual([...r.rangeEnd!], utf8('c'));
    const all = compareRequest(compare.version('', '>', 0, { prefix: true }));
    assert.deepEqual([...all.key!], [0]);
    assert.deepEqual([...all.rangeEnd!], [0]);
  });
  test('bad compares throw when made', () => {
    rejectsEmptyKey(() => compare.value('', '=', 'x'), /compare.value: key is empty/);
    rejects(() => compare.value('k', '==' as '=', 'x'), /compare operator must be one of '=', '!=', '<', '>', got "=="/);
    rejects(() => compare.version('k', '=', -1), /compare.version operand must be a non-negative integer/);
    rejects(() => compare.modRevision('k', '=', 1.5), /compare.modRevision operand must be a non-negative integer/);
    rejects(() => compare.createRevision('k', '=', 5n as unknown as number), /compare.createRevision operand/);
    rejects(() => compare.value('k', '=', 3 as unknown as string), /compare.value operand must be a string or a Uint8Array/);
    rejects(() => compare.value('k', '=', 'x', { prefix: true, rangeEnd: 'z' }), /prefix and rangeEnd cannot be combined/);
    rejects(() => compare.value('k', '=', 'x', { fromKey: true } as object), /unknown option 'fromKey' for compare.value; known options: prefix, rangeEnd/);
  });
});
