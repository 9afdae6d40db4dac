/**
 * Delays above node's longest timer (2^31-1 ms, about 24.8 days) against real etcd (issue 13
 * item 7). `setTimeout` fires such a delay after 1 ms with a TimeoutOverflowWarning; every timer of
 * the library goes through src/internal/timers.ts instead, which re-arms. So a 3e9 ms timeout is a
 * long wait, not an instant failure, and a lease with a TTL of 9,000,000 s kept alive is idle: no
 * warning, no timer firing over and over.
 */
import assert from 'node:assert/strict';
import { createHook } from 'node:async_hooks';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { Mutex, Session } from '../../src/concurrency/index.js';
import type { Client } from '../../src/index.js';
import { EtcdCluster } from '../../src/testing/index.js';

/** A timeout beyond node's longest timer, in ms (about 35 days). */
const LONG_MS = 3e9;
/** How long a client is watched for being idle, in ms. */
const IDLE_WINDOW_MS = 300;

/** Counts TimeoutOverflowWarnings from now until `stop()`. */
function overflowWarnings(): { count: () => number; stop: () => void } {
  let count = 0;
  const onWarning = (warning: Error): void => {
    if (warning.name === 'TimeoutOverflowWarning') count++;
  };
  process.on('warning', onWarning);
  return { count: () => count, stop: () => process.off('warning', onWarning) };
}

/** Node timers created while `body` runs (each setTimeout is one new `Timeout` resource). */
async function timersCreatedDuring(body: () => Promise<void>): Promise<number> {
  let created = 0;
  const hook = createHook({
    init(_id, type) {
      if (type === 'Timeout') created++;
    },
  });
  hook.enable();
  try {
    await body();
  } finally {
    hook.disable();
  }
  return created;
}

describe('timeouts above 2^31-1 ms', { timeout: 60_000 }, () => {
  let cluster: EtcdCluster;
  let client: Client;
  let warnings: ReturnType<typeof overflowWarnings>;

  before(async () => {
    cluster = await EtcdCluster.start({ size: 1, args: ['--bcrypt-cost=4'] });
    client = cluster.client();
    warnings = overflowWarnings();
  }, { timeout: 30_000 });

  after(async () => {
    warnings?.stop();
    await cluster?.close();
  });

  test('keepAliveOnce({ timeout: 3e9 }) renews the lease', async () => {
    const { id } = await client.lease.grant(60);
    const response = await client.lease.keepAliveOnce(id, { timeout: LONG_MS });
    assert.equal(response.id, id);
    assert.ok(response.ttl > 0);
    await client.lease.revoke(id);
    assert.equal(warnings.count(), 0, 'no TimeoutOverflowWarning');
  });

  test('a lease with a TTL of 9,000,000 s kept alive is idle between renewals', async () => {
    const { id } = await client.lease.grant(9_000_000);
    const keepAlive = client.lease.keepAlive(id);
    const iterator = keepAlive[Symbol.asyncIterator]();
    const first = await iterator.next();
    assert.equal(first.done, false);
    assert.equal(first.value?.ttl, 9_000_000);
    // The next renewal is 3,000,000 s away: nothing should run meanwhile.
    const created = await timersCreatedDuring(() => sleep(IDLE_WINDOW_MS));
    assert.ok(created <= 3, `${created} timers created in ${IDLE_WINDOW_MS} ms while idle`);
    await iterator.return?.();
    await client.lease.revoke(id);
    assert.equal(warnings.count(), 0, 'no TimeoutOverflowWarning');
  });

  test('Mutex.lock({ timeout: 3e9 }) waits for the holder', async () => {
    await using holderSession = await Session.create(client);
    await using waiterSession = await Session.create(client);
    const holder = new Mutex(holderSession, 'long-lock');
    const waiter = new Mutex(waiterSession, 'long-lock');
    await holder.lock();
    let outcome: unknown = 'waiting';
    const locking = waiter.lock({ timeout: LONG_MS }).then(() => {
      outcome = 'locked';
    }, (error: unknown) => {
      outcome = error;
    });
    // The waiter's key is in line, and one more round trip has passed: still waiting.
    for (;;) {
      if ((await client.get('long-lock/', { prefix: true, countOnly: true })).count === 2) break;
    }
    await client.get('long-lock/');
    assert.equal(outcome, 'waiting');
    await holder.unlock();
    await locking;
    assert.equal(outcome, 'locked');
    await waiter.unlock();
    assert.equal(warnings.count(), 0, 'no TimeoutOverflowWarning');
  });

  test('autoSyncInterval 3e9: no member list call meanwhile', async () => {
    const synced: string[] = [];
    const logger = { debug: (message: string) => synced.push(message), info: (message: string) => synced.push(message), warn() {}, error() {} };
    const syncing = cluster.client({ autoSyncInterval: LONG_MS, logger });
    try {
      await syncing.get('long/k');
      await sleep(IDLE_WINDOW_MS);
      assert.deepEqual(synced.filter((m) => /auto-sync|synced/.test(m)), []);
    } finally {
      await syncing.close();
    }
    assert.equal(warnings.count(), 0, 'no TimeoutOverflowWarning');
  });
  test('a first call that authenticates, with timeout 3e9, succeeds', async () => {
    await client.auth.userAdd('root', 'root-pw');
    await client.auth.roleAdd('root');
    await client.auth.userGrantRole('root', 'root');
    await client.auth.authEnable();
    const user = cluster.client({ username: 'root', password: 'root-pw' });
    try {
      await user.put('long/k', 'v', { timeout: LONG_MS });
      assert.equal((await user.get('long/k', { timeout: LONG_MS })).kvs[0]?.value.toString(), 'v');
    } finally {
      await user.close();
      const root = cluster.client({ username: 'root', password: 'root-pw' });
      await root.auth.authDisable();
      await root.close();
    }
    assert.equal(warnings.count(), 0, 'no TimeoutOverflowWarning');
  });
});
