/**
 * Each connection reads into one buffer of its own, again and again (src/transport/dial.ts), so
 * nothing the client hands out may be a view of it. Against real etcd: values of gets resolved
 * together and of watch events left unread while later responses arrive are still the bytes that
 * were written, small ones (several messages per read) and ones spanning reads alike.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import type { Client } from '../../src/index.js';
import { EtcdCluster } from '../../src/testing/index.js';

/** A value of `size` bytes that differs from every other (i, size) pair. */
function valueOf(i: number, size: number): Buffer {
  const value = Buffer.allocUnsafe(size);
  for (let at = 0; at < size; at++) value[at] = (i * 7 + at * 13) & 0xff;
  value.writeUInt16BE(i, 0);
  return value;
}

const SIZES = [40, 3000, 70_000, 200_000];

describe('values outlive the connection read buffer', { timeout: 60_000 }, () => {
  let cluster: EtcdCluster;
  let client: Client;

  before(async () => {
    cluster = await EtcdCluster.start({ size: 1 });
    client = cluster.client();
  });

  after(async () => {
    await client?.close();
    await cluster?.close();
  });

  test('64 gets in flight: every value is the one written, after all of them resolved', async () => {
    const keys = Array.from({ length: 64 }, (_, i) => `rb/get/${i}`);
    await Promise.all(keys.map((key, i) => client.put(key, valueOf(i, SIZES[i % SIZES.length]!))));
    const responses = await Promise.all(keys.map((key) => client.get(key)));
    // A few more reads through the same buffer before looking.
    for (let round = 0; round < 3; round++) await Promise.all(keys.map((key) => client.get(key)));
    responses.forEach((response, i) => {
      assert.ok(response.kvs[0]!.value.equals(valueOf(i, SIZES[i % SIZES.length]!)), `value of ${keys[i]}`);
    });
  });

  test('watch events queued unread while 100 more arrive keep their values', async () => {
    const watcher = client.watch('rb/watch/', { prefix: true });
    const iterator = watcher[Symbol.asyncIterator]();
    const first = await iterator.next();
    assert.equal(first.value?.created, true);
    const count = 100;
    for (let i = 0; i < count; i++) await client.put(`rb/watch/${i}`, valueOf(i, SIZES[i % SIZES.length]!));
    let seen = 0;
    while (seen < count) {
      const { value: response, done } = await iterator.next();
      assert.equal(done, false, `the watch ended after ${seen} events`);
      for (const event of response!.events) {
        assert.ok(event.kv.value.equals(valueOf(seen, SIZES[seen % SIZES.length]!)), `value of event ${seen}`);
        seen++;
      }
    }
    await watcher.cancel();
  });
});
