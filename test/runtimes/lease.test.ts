// The runtime suite: a lease kept alive past its TTL keeps its key; a lease whose keep-alive can no
// longer reach etcd (the member frozen past the TTL) is reported lost, and its key is gone. Runs
// unchanged under node, bun and deno.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { etcd, fileCluster, waitFor } from './runtime.js';

/** etcd's smallest TTL (it raises smaller ones to this), in seconds. */
const TTL_S = 2;

const file = fileCluster();

test('keep-alive past 2 x TTL keeps the key; after the keep-alive stops, the key is gone', { timeout: 30_000 }, async () => {
  const lease = await file.client.lease.grant(TTL_S);
  await file.client.put('rt/lease/kept', 'v', { lease: lease.id });
  const keepAlive = file.client.lease.keepAlive(lease.id);
  const started = Date.now();
  let renewals = 0;
  for await (const renewal of keepAlive) {
    assert.equal(renewal.id, lease.id);
    renewals++;
    if (Date.now() - started > 2 * TTL_S * 1000) break; // leaving the loop stops the keep-alive
  }
  assert.ok(renewals >= 3, `${renewals} renewals in 2 x TTL`);
  assert.equal((await file.client.get('rt/lease/kept')).count, 1, 'the key outlived 2 x TTL');
  await waitFor('the key gone once no longer kept alive', async () => (await file.client.get('rt/lease/kept')).count === 0, TTL_S * 1000 + 5000);
});

test('loss: the member frozen past the TTL ends the keep-alive with LeaseKeepAliveHaltedError', { timeout: 60_000 }, async () => {
  const own = file.cluster.client();
  const lease = await own.lease.grant(TTL_S);
  await own.put('rt/lease/lost', 'v', { lease: lease.id });
  const iterator = own.lease.keepAlive(lease.id)[Symbol.asyncIterator]();
  assert.equal((await iterator.next()).done, false);
  const member = file.cluster.members[0]!;
  await member.pause();
  let error: unknown;
  try {
    for (;;) if ((await iterator.next()).done) break;
  } catch (e) {
    error = e;
  } finally {
    await member.resume();
  }
  assert.ok(error instanceof etcd.LeaseKeepAliveHaltedError || error instanceof etcd.LeaseNotFoundError, `reported lost: ${String(error)}`);
  // Once etcd runs again the lease expires (its TTL passed without a renewal).
  await waitFor('the key of the lost lease gone', async () => (await file.client.get('rt/lease/lost')).count === 0, 15_000);
  await own.close();
});
