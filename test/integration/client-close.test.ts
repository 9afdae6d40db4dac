/**
 * `client.close()` ends everything built on the client (issue 13 item 8), against real etcd: every
 * Session, Mutex and Election waiter, LeasingKV, Syncer, OrderingKV, watch and per-endpoint child
 * client (a snapshot from one member) ends, with `ClientClosedError` where someone is waiting, and
 * `process.getActiveResourcesInfo()` is back to what it was before the client was made.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { Election, Mutex, Session } from '../../src/concurrency/index.js';
import { Client, ClientClosedError, LeasingKV, OrderingKV, Syncer } from '../../src/index.js';
import { EtcdCluster } from '../../src/testing/index.js';

/**
 * The active handles and requests of the process, by kind (`TCPSocketWrap`, `Timeout`, ...),
 * without `Immediate`s: callbacks queued for this turn of the event loop come and go.
 */
function resources(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const name of process.getActiveResourcesInfo()) if (name !== 'Immediate') counts.set(name, (counts.get(name) ?? 0) + 1);
  return counts;
}

/** Resolves with what `pending` settled with: its value, or the error it rejected with. */
function outcome(pending: Promise<unknown>): Promise<unknown> {
  return pending.then((value) => value, (error: unknown) => error);
}

describe('client.close()', { timeout: 60_000 }, () => {
  let cluster: EtcdCluster;
  let other: Client;

  before(async () => {
    cluster = await EtcdCluster.start({ size: 1 });
    other = cluster.client(); // holds the lock and the leadership the closed client waits for
  }, { timeout: 30_000 });

  after(async () => {
    await other?.close();
    await cluster?.close();
  });

  test('ends sessions, waiters, leasing, syncers, ordering, watches and child clients; no handle left', async () => {
    await using holderSession = await Session.create(other);
    const holder = new Mutex(holderSession, 'close/lock');
    await holder.lock();
    const leader = new Election(holderSession, 'close/election');
    await leader.campaign('other');
    await other.put('close/data/k', 'v');
    // Let everything the setup started settle (its timers and sockets stay: they are `other`'s).
    await other.get('close/data/k');
    const before = resources();

    const client = new Client({ endpoints: cluster.endpoints });
    const session = await Session.create(client);
    const lockWait = outcome(new Mutex(session, 'close/lock').lock());
    const campaign = outcome(new Election(session, 'close/election').campaign('me'));
    const leasing = await LeasingKV.create(client, 'close/leasing/');
    await leasing.get('close/data/k');
    const ordering = new OrderingKV(client);
    await ordering.get('close/data/k');
    const syncer = new Syncer(client, 'close/data/');
    for await (const page of syncer.syncBase()) assert.equal(page.kvs.length, 1);
    const updates = syncer.syncUpdates();
    const updatesEnd = outcome((async () => {
      for await (const _ of updates) { /* no change expected */ }
    })());
    const watch = client.watch('close/data/', { prefix: true });
    const watchEnd = outcome((async () => {
      for await (const _ of watch) { /* no change expected */ }
    })());
    // A child client of its own (forEndpoint), streaming from one member: one chunk read, the rest waits.
    const chunks = client.maintenance.snapshot({ endpoint: cluster.endpoints[0]! })[Symbol.asyncIterator]();
    assert.equal((await chunks.next()).done, false, 'the snapshot streams');
    // Everything is under way: the lock and the campaign wait in line (their keys exist).
    for (;;) {
      const [locks, candidates] = await Promise.all([
        other.get('close/lock/', { prefix: true, countOnly: true }),
        other.get('close/election/', { prefix: true, countOnly: true }),
      ]);
      if (locks.count === 2 && candidates.count === 2) break;
    }

    await client.close();

    for (const [what, result] of [
      ['Mutex.lock', await lockWait],
      ['Election.campaign', await campaign],
      ['watch', await watchEnd],
      ['syncUpdates', await updatesEnd],
    ] as const) {
      assert.ok(result instanceof ClientClosedError, `${what} ended with ${String(result)}`);
    }
    // Read on, the stream ends: what etcd sent before the close may still be delivered, then the
    // end or ClientClosedError; it does not wait for more.
    const snapshotEnd = await outcome((async () => {
      for (;;) if ((await chunks.next()).done) return 'done';
    })());
    assert.ok(snapshotEnd === 'done' || snapshotEnd instanceof ClientClosedError, `the snapshot stream ended with ${String(snapshotEnd)}`);
    assert.ok((await session.done) instanceof ClientClosedError, 'the session ended with the client');
    await assert.rejects(session.close(), ClientClosedError);
    await assert.rejects(leasing.get('close/data/k'), ClientClosedError);
    await assert.rejects(ordering.get('close/data/k'), ClientClosedError);
    // Sockets finish closing in callbacks of the next turn of the event loop.
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(Object.fromEntries(resources()), Object.fromEntries(before), 'the same active handles as before the client');
  });
});
