// The transaction builder: phase order rules (Go's panics), what commit sends (no server: the
// committer records the built request instead of sending it).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { compare } from '../../src/kv/compare.js';
import { InvalidArgumentError } from '../../src/errors/index.js';
import { op, type Op, type TxnRequestInit } from '../../src/kv/op.js';
import { Txn, type TxnCommitter } from '../../src/kv/txn.js';
import type { CallOptions } from '../../src/types.js';
import type { TxnResponse } from '../../src/kv/types.js';

interface Sent {
  request: TxnRequestInit;
  write: boolean;
  options: CallOptions | undefined;
}

function recorder(): { sent: Sent[]; txn: () => Txn } {
  const sent: Sent[] = [];
  const committer: TxnCommitter = {
    commitTxn(request, write, options): Promise<TxnResponse> {
      sent.push({ request, write, options });
      return Promise.resolve({
        header: { clusterId: 1n, memberId: 2n, revision: 3, raftTerm: 4 },
        succeeded: true,
        responses: [],
      });
    },
  };
  return { sent, txn: () => new Txn(committer) };
}

function misuse(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof InvalidArgumentError, `expected InvalidArgumentError, got ${String(error)}`);
    assert.match(error.message, pattern);
    return true;
  });
}

describe('phase order (Go If/Then/Else rules)', () => {
  const { txn } = recorder();
  test('if twice', () => misuse(() => txn().if().if(), /if\(\) was already called/));
  test('if after then', () => misuse(() => txn().then().if(), /if\(\) cannot be called after then\(\)/));
  test('if after else', () => misuse(() => txn().else().if(), /if\(\) cannot be called after else\(\)/));
  test('then twice', () => misuse(() => txn().then().then(), /then\(\) was already called/));
  test('then after else', () => misuse(() => txn().else().then(), /then\(\) cannot be called after else\(\)/));
  test('else twice', () => misuse(() => txn().else().else(), /else\(\) was already called/));
  test('allowed orders: any subset of if, then, else in that order', () => {
    assert.doesNotThrow(() => txn().if().then().else());
    assert.doesNotThrow(() => txn().if().else());
    assert.doesNotThrow(() => txn().then().else());
    assert.doesNotThrow(() => txn().then());
    assert.doesNotThrow(() => txn().else());
    assert.doesNotThrow(() => txn());
  });
  test('a rejected argument leaves the phase uncalled', () => {
    const t = txn();
    misuse(() => t.then(null as unknown as Op), /expected an op/);
    assert.doesNotThrow(() => t.then(op.get('a')));
  });
  test('a Txn is not a promise: awaiting it rejects with an explanation', async () => {
    await assert.rejects(
      async () => {
        await (txn() as unknown as PromiseLike<unknown>);
      },
      (error: unknown) => error instanceof InvalidArgumentError && /a Txn is not a promise, call commit\(\)/.test(error.message),
    );
  });
});

describe('commit', () => {
  test('sends compares, then ops and else ops in order', async () => {
    const { sent, txn } = recorder();
    const response = await txn()
      .if(compare.value('k', '>', 'abc'), compare.version('k', '>', 0))
      .then(op.put('k', 'XYZ'), op.get('k'))
      .else(op.put('k', 'ABC'))
      .commit({ timeout: 1000 });
    assert.equal(response.succeeded, true);
    assert.equal(sent.length, 1);
    const { request, write, options } = sent[0]!;
    assert.equal(write, true);
    assert.deepEqual(options, { timeout: 1000 });
    assert.equal(request.compare?.length, 2);
    assert.deepEqual(request.success?.map((o) => o.request?.$case), ['requestPut', 'requestRange']);
    assert.deepEqual(request.failure?.map((o) => o.request?.$case), ['requestPut']);
    const elsePut = request.failure?.[0]?.request?.value as { value: Uint8Array };
    assert.equal(Buffer.from(elsePut.value).toString(), 'ABC');
  });
  test('a read-only transaction is flagged as such (retryable like a read)', async () => {
    const { sent, txn } = recorder();
    await txn().if(compare.version('a', '=', 0)).then(op.get('a')).else(op.get('b', { prefix: true })).commit();
    assert.equal(sent[0]!.write, false);
    await txn().then(op.txn([], [op.delete('x')])).commit();
    assert.equal(sent[1]!.write, true);
  });
  test('an empty transaction sends empty lists', async () => {
    const { sent, txn } = recorder();
    await txn().commit();
    assert.deepEqual(sent[0]!.request, { compare: [], success: [], failure: [] });
  });
  test('commit may be repeated and sends the same transaction', async () => {
    const { sent, txn } = recorder();
    const t = txn().then(op.put('a', '1'));
    await t.commit();
    await t.commit();
    assert.equal(sent.length, 2);
    assert.deepEqual(sent[0]!.request, sent[1]!.request);
  });
});
