/**
 * How the rpc layer counts endpoint failures and bounds the wait for a connection, against a real
 * etcd behind the launcher's loopback proxy (issue 13 items 6 and 12):
 * - one connection loss counts once against its endpoint, however many calls were in flight on it
 *   (before, 64 calls in flight pushed the endpoint straight to the longest backoff);
 * - a call waiting for a ready connection ends at its own deadline.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { DeadlineExceededError } from '../../src/errors/index.js';
import { KV } from '../../src/proto/index.js';
import { RpcClient } from '../../src/rpc/invoke.js';
import type { RpcObserver } from '../../src/rpc/observer.js';
import { EtcdCluster } from '../../src/testing/index.js';
import { createConnection } from '../../src/transport/index.js';
import type { Connection } from '../../src/transport/types.js';

const enc = (s: string) => new TextEncoder().encode(s);

/** A logger keeping the `failures` field of every "etcd endpoint backing off" line. */
function backoffLog(): { logger: { debug: (m: string, f?: Record<string, unknown>) => void; info(): void; warn(): void; error(): void }; failures: number[] } {
  const failures: number[] = [];
  return {
    failures,
    logger: {
      debug: (message, fields) => {
        if (message === 'etcd endpoint backing off') failures.push(Number(fields?.failures));
      },
      info() {},
      warn() {},
      error() {},
    },
  };
}

describe('endpoint failures', { timeout: 60_000 }, () => {
  let cluster: EtcdCluster;

  before(async () => {
    cluster = await EtcdCluster.start({ size: 1, proxy: true });
  }, { timeout: 30_000 });

  after(async () => {
    await cluster?.close();
  });

  test('one connection loss with 64 calls in flight counts once against the endpoint', async () => {
    const proxy = cluster.member(0).proxy!;
    const { logger, failures } = backoffLog();
    let connected = 0;
    let onConnected: (() => void) | undefined;
    const observer: RpcObserver = {
      attempt: () => ({
        connected: () => {
          connected++;
          onConnected?.();
        },
        sent() {},
        received() {},
        end() {},
      }),
    };
    const rpc = new RpcClient({ endpoints: [proxy.url], logger, observer, dialTimeout: 10_000 });
    try {
      await rpc.unary(KV.put, { key: enc('health/k'), value: enc('v') });
      proxy.delay(60_000); // replies held: the calls stay in flight
      const started = connected;
      const allSent = new Promise<void>((resolve) => {
        onConnected = () => {
          if (connected - started >= 64) resolve();
        };
      });
      const calls = Array.from({ length: 64 }, () => rpc.unary(KV.range, { key: enc('health/k') }, { timeout: 30_000 }));
      await allSent;
      onConnected = undefined;
      proxy.cut(); // one connection loss: every call in flight fails with it
      proxy.heal();
      const results = await Promise.all(calls); // reads: retried on a new connection
      assert.equal(results.length, 64);
      for (const r of results) assert.equal(r.kvs[0]?.value.toString(), 'v');
      assert.ok(failures.length >= 1, 'the loss was recorded');
      assert.deepEqual(failures.filter((n) => n > 1), [], `consecutive failures recorded: ${failures.join(', ')}`);
    } finally {
      await rpc.close();
    }
  });

  test('a call waiting for the admission check (rejectOldCluster) ends at its own deadline', async () => {
    const proxy = cluster.member(0).proxy!;
    // Once the connection is ready, replies are held: the admission check's Maintenance.Status
    // (run once per endpoint, shared by every call waiting for it) gets no answer.
    const connect = (endpoint: Parameters<typeof createConnection>[0], options: Parameters<typeof createConnection>[1]): Connection => {
      const connection = createConnection(endpoint, options);
      const ready = connection.ready.bind(connection);
      connection.ready = async (deadline, signal) => {
        await ready(deadline, signal);
        proxy.delay(60_000);
      };
      return connection;
    };
    const rpc = new RpcClient({ endpoints: [proxy.url], rejectOldCluster: true, createConnection: connect, dialTimeout: 30_000 });
    try {
      let longSettled = false;
      const long = rpc.unary(KV.range, { key: enc('health/k') }, { timeout: 30_000 }).finally(() => {
        longSettled = true;
      });
      const short = rpc.unary(KV.range, { key: enc('health/k') }, { timeout: 300 });
      await assert.rejects(short, DeadlineExceededError);
      assert.equal(longSettled, false, 'the short call ended at its deadline, while the admission check still waits');
      proxy.heal(); // the Status answer arrives: the endpoint is admitted, the long call succeeds
      assert.equal((await long).kvs[0]?.value.toString(), 'v');
    } finally {
      proxy.heal();
      await rpc.close();
    }
  });
});
