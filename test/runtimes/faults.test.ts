// The runtime suite, faults on a 3-member cluster: the member the client uses is killed (kill -9)
// or frozen (SIGSTOP); the client goes on with another member, loses no acknowledged write, and a
// watch sees every event once. Runs unchanged under node, bun and deno.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import type { Client, WatchEvent } from '../../src/index.js';
import { etcd, testing, waitFor } from './runtime.js';

type Member = InstanceType<typeof testing.EtcdCluster>['members'][number];

let cluster: InstanceType<typeof testing.EtcdCluster>;

before(async () => {
  cluster = await testing.EtcdCluster.start({ size: 3 });
});

after(async () => {
  await cluster?.close();
});

/** The member ID of each member, by its client URL. */
async function memberIds(client: Client): Promise<Map<string, bigint>> {
  const { members } = await client.cluster.memberList();
  return new Map(members.flatMap((m) => m.clientURLs.map((url) => [url, m.id] as const)));
}

/** A follower first in the client's endpoints: the client starts with it. */
async function clientOnFollower(): Promise<{ client: Client; follower: Member; followerId: bigint }> {
  const leader = await cluster.leader();
  const follower = cluster.members.find((m) => m !== leader)!;
  const client = cluster.client({ endpoints: [follower.endpoint, ...cluster.members.filter((m) => m !== follower).map((m) => m.endpoint)], dialTimeout: 2000 });
  const ids = await memberIds(client);
  const followerId = ids.get(follower.clientUrl)!;
  assert.equal((await client.put('rt/fault/warm-up', 'v')).header.memberId, followerId, 'the client starts on the follower');
  return { client, follower, followerId };
}

/** Puts until one is acknowledged (each bounded by `timeout` ms); the acknowledged responses' revisions. */
async function putUntilAcked(client: Client, key: string, timeout: number, within: number): Promise<{ memberId: bigint; revision: number }> {
  const deadline = Date.now() + within;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const { header } = await client.put(key, 'v', { timeout });
      return { memberId: header.memberId, revision: header.revision };
    } catch (error) {
      assert.ok(error instanceof etcd.EtcdError, `a typed error: ${String(error)}`);
      last = error;
    }
  }
  assert.fail(`no put acknowledged within ${within} ms; last error: ${String(last)}`);
}

async function restore(): Promise<void> {
  for (const m of cluster.members) {
    if (m.paused) await m.resume();
    if (!m.running) await m.start();
  }
  await cluster.waitHealthy({ timeout: 30_000 });
  await cluster.leader({ timeout: 15_000 });
}

test('kill -9 of the member in use: the next writes go to another member, the watch misses nothing', { timeout: 90_000 }, async () => {
  const { client, follower, followerId } = await clientOnFollower();
  const watcher = client.watch('rt/fault/kill/', { prefix: true });
  const events: WatchEvent[] = [];
  let created = false;
  const consumed = (async () => {
    for await (const r of watcher) {
      created ||= r.created;
      events.push(...r.events);
    }
  })();
  // A watch without a start revision sees what is written after etcd created it: wait for that
  // (with round-robin the first put may go to another member and commit before the create).
  await waitFor('the watch created', () => created);
  const acked: number[] = [];
  for (let n = 0; n < 5; n++) acked.push((await client.put(`rt/fault/kill/${n}`, 'v')).header.revision);
  await follower.kill();
  for (let n = 5; n < 10; n++) {
    const { memberId, revision } = await putUntilAcked(client, `rt/fault/kill/${n}`, 2000, 20_000);
    assert.notEqual(memberId, followerId, 'served by another member');
    acked.push(revision);
  }
  const store = await client.get('rt/fault/kill/', { prefix: true });
  for (const revision of acked) assert.ok(store.kvs.some((kv) => kv.modRevision === revision), `acknowledged revision ${revision} in the store`);
  const expected = store.kvs.map((kv) => kv.modRevision).sort((a, b) => a - b);
  await waitFor('the watch caught up', () => events.length >= expected.length, 20_000);
  assert.deepEqual(events.map((e) => e.kv.modRevision), expected, 'every event once, in order');
  await watcher.cancel();
  await consumed;
  await client.close();
  await restore();
});

test('SIGSTOP of the member in use is noticed: writes go on with another member', { timeout: 90_000 }, async () => {
  const { client, follower, followerId } = await clientOnFollower();
  await follower.pause();
  try {
    // The frozen member keeps its sockets open: only the HTTP/2 keep-alive (6 s + 4 s by default)
    // or a call's deadline can tell. Puts of 2 s each until one is acknowledged elsewhere.
    const { memberId } = await putUntilAcked(client, 'rt/fault/sigstop', 2000, 30_000);
    assert.notEqual(memberId, followerId, 'served by another member');
    assert.equal((await client.get('rt/fault/sigstop')).kvs.length, 1);
  } finally {
    await follower.resume();
  }
  await client.close();
  await restore();
});
