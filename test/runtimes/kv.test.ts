// The runtime suite: KV and transactions, a 12 MB response, a 2 MiB request refused before it is
// sent. Runs unchanged under `node --test`, `bun test` and `deno test` (see runtime.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { etcd, fileCluster } from './runtime.js';

const file = fileCluster();

test('put, get with range options, delete, and a transaction', { timeout: 20_000 }, async () => {
  const first = await file.client.put('rt/kv/a', '1');
  await file.client.put('rt/kv/b', '2');
  const put = await file.client.put('rt/kv/a', '3', { prevKv: true });
  assert.equal(put.prevKv?.value.toString(), '1');
  const range = await file.client.get('rt/kv/', { prefix: true, sort: { target: 'key', order: 'descend' } });
  assert.deepEqual(range.kvs.map((kv) => `${kv.key}=${kv.value}`), ['rt/kv/b=2', 'rt/kv/a=3']);
  assert.equal(range.kvs[1]!.version, 2);
  assert.equal(range.kvs[1]!.createRevision, first.header.revision);
  assert.equal(typeof range.header.clusterId, 'bigint');

  const txn = await file.client
    .txn()
    .if(etcd.compare.value('rt/kv/a', '=', '3'))
    .then(etcd.op.put('rt/kv/c', '4'), etcd.op.get('rt/kv/b'))
    .else(etcd.op.delete('rt/kv/', { prefix: true }))
    .commit();
  assert.equal(txn.succeeded, true);
  const got = txn.responses[1];
  assert.ok(got?.type === 'get');
  assert.equal(got.kvs[0]?.value.toString(), '2');

  const failed = await file.client.txn().if(etcd.compare.version('rt/kv/a', '=', 1)).else(etcd.op.get('rt/kv/c')).commit();
  assert.equal(failed.succeeded, false);
  const fallback = failed.responses[0];
  assert.ok(fallback?.type === 'get');
  assert.equal(fallback.kvs[0]?.value.toString(), '4');

  const deleted = await file.client.delete('rt/kv/', { prefix: true });
  assert.equal(deleted.deleted, 3);
  assert.equal((await file.client.get('rt/kv/', { prefix: true, countOnly: true })).count, 0);
});

test('a server error and a compacted revision reject with typed errors', { timeout: 20_000 }, async () => {
  const old = await file.client.put('rt/err/k', 'v1');
  const latest = await file.client.put('rt/err/k', 'v2');
  await file.client.compact(latest.header.revision);
  await assert.rejects(file.client.get('rt/err/k', { revision: old.header.revision }), etcd.CompactedError);
  await assert.rejects(file.client.get('rt/err/k', { revision: latest.header.revision + 1000 }), etcd.FutureRevisionError);
});

test('a 12 MB response (twelve 1 MiB values under one prefix) arrives whole', { timeout: 60_000 }, async () => {
  const MiB = 1024 * 1024;
  const values = Array.from({ length: 12 }, (_, i) => Buffer.alloc(MiB, 0x61 + i));
  for (const [i, value] of values.entries()) await file.client.put(`rt/big/${String(i).padStart(2, '0')}`, value);
  const response = await file.client.get('rt/big/', { prefix: true, timeout: 30_000 });
  assert.equal(response.kvs.length, 12);
  for (const [i, kv] of response.kvs.entries()) assert.ok(kv.value.equals(values[i]!), `value ${i} intact`);
  await file.client.delete('rt/big/', { prefix: true });
});

test('a 2 MiB request is refused before it is sent (maxCallSendMsgSize, default 2 MiB)', { timeout: 20_000 }, async () => {
  const error = await file.client.put('rt/huge', Buffer.alloc(2 * 1024 * 1024, 0x78)).then(
    () => assert.fail('a put over maxCallSendMsgSize was accepted'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof etcd.RequestTooLargeError, String(error));
  assert.equal(error.limit, 2 * 1024 * 1024);
  assert.ok(error.size !== undefined && error.size > 2 * 1024 * 1024);
  assert.equal((await file.client.get('rt/huge')).kvs.length, 0, 'nothing was written');
  // The connection is still fine.
  assert.equal((await file.client.put('rt/after-huge', 'ok')).header.revision > 0, true);
});
