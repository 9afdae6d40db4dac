// Watches across broken streams against real etcd: a cut connection, a member killed with SIGKILL
// and restarted while writes go on, a 3-member cluster losing the member a watch is on. In every
// case the watcher's events must equal the store's history (read afterwards by a fresh watch): no
// gap, no duplicate. Also: a resume point compacted meanwhile ends the watch with CompactedError,
// and a periodic progress notification moves the resume point.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';

import { CompactedError, PermissionDeniedError, type Client, type WatchEvent, type Watcher, type WatchResponse } from '../../src/index.js';
import { EtcdCluster } from '../../src/testing/index.js';
import { currentRevision, eventText, history, waitFor } from './watch-helpers.js';

/** etcd's periodic progress interval in this file (its default is 10 minutes). */
const PROGRESS_INTERVAL = '300ms';

/** Consumes a watch in the background, keeping every response, until stopped or the watch ends. */
class Consumer {
  readonly responses: WatchResponse[] = [];
  error: unknown = undefined;
  readonly done: Promise<void>;

  constructor(readonly watcher: Watcher) {
    this.done = (async () => {
      try {
        for await (const r of watcher) this.responses.push(r);
      } catch (error) {
        this.error = error;
      }
    })();
  }

  get events(): WatchEvent[] {
    return this.responses.flatMap((r) => r.events);
  }

  lastRevision(): number {
    return this.events.at(-1)?.kv.modRevision ?? 0;
  }

  async stop(): Promise<void> {
    await this.watcher.cancel();
    await this.done;
  }
}

/**
 * Writes `<prefix><n>` = n in a loop until stopped, retrying failures (a write that failed may
 * still have been applied: the history shows it, and so must the watch).
 */
class Writer {
  count = 0;
  failures = 0;
  #stop = false;
  readonly done: Promise<void>;

  constructor(client: Client, prefix: string) {
    this.done = (async () => {
      while (!this.#stop) {
        try {
          await client.put(`${prefix}${this.count}`, String(this.count), { timeout: 2_000 });
          this.count++;
        } catch {
          this.failures++;
          await sleep(50);
        }
      }
    })();
  }

  async stop(): Promise<void> {
    this.#stop = true;
    await this.done;
  }
}

function assertNoDuplicates(events: readonly WatchEvent[]): void {
  const seen = new Set<string>();
  for (const e of events) {
    const id = `${e.kv.modRevision}/${e.kv.key.toString()}`;
    assert.ok(!seen.has(id), `event ${id} delivered twice`);
    seen.add(id);
  }
}

describe('watch resume on one member (behind a TCP proxy)', { timeout: 90_000 }, () => {
  let cluster: EtcdCluster;
  let client: Client;
  /** Straight to the member, not through the proxy: writes while the watch's link is down. */
  let direct: Client;

  before(async () => {
    cluster = await EtcdCluster.start({ size: 1, proxy: true, args: [`--experimental-watch-progress-notify-interval=${PROGRESS_INTERVAL}`] });
    client = cluster.client();
    direct = cluster.client({ endpoints: [cluster.members[0]!.clientUrl] });
  });
  after(async () => {
    await cluster?.close();
  });

  test('a cut connection: the watch resumes from its last event, missing nothing and repeating nothing', { timeout: 30_000 }, async () => {
    const proxy = cluster.members[0]!.proxy!;
    const start = (await currentRevision(direct)) + 1;
    const consumer = new Consumer(client.watch('cut/', { prefix: true }));
    await waitFor(() => consumer.responses.length > 0, 'the watch to be created');
    for (let i = 0; i < 20; i++) await direct.put(`cut/${i}`, `a${i}`);
    await waitFor(() => consumer.events.length === 20, '20 events');
    proxy.blackhole(); // events written now stay in the proxy ...
    for (let i = 0; i < 20; i++) await direct.put(`cut/${i}`, `b${i}`);
    await sleep(100);
    proxy.cut(); // ... and are lost with the connection: the watch must fetch them again
    proxy.heal();
    for (let i = 0; i < 20; i++) await direct.put(`cut/${i}`, `c${i}`);
    const end = await currentRevision(direct);
    await waitFor(() => consumer.lastRevision() === end, `the watch to reach revision ${end}`, 20_000);
    await consumer.stop();
    assert.equal(consumer.error, undefined);
    assert.equal(consumer.responses.filter((r) => r.created).length, 1, 'created is delivered once');
    assertNoDuplicates(consumer.events);
    assert.deepEqual(consumer.events.map(eventText), await history(direct, 'cut/', start, end));
  });

  test('SIGKILL and restart of the member while writes go on: events equal the history', { timeout: 60_000 }, async (t) => {
    const member = cluster.members[0]!;
    const start = (await currentRevision(direct)) + 1;
    const consumer = new Consumer(client.watch('kill/', { prefix: true }));
    await waitFor(() => consumer.responses.length > 0, 'the watch to be created');
    const writer = new Writer(cluster.client({ dialTimeout: 1_000 }), 'kill/');
    await waitFor(() => consumer.events.length >= 50, '50 events before the kill');
    await member.kill();
    const killedAt = writer.count;
    await sleep(300);
    await member.start();
    await waitFor(() => writer.count >= killedAt + 50, '50 writes after the restart', 20_000);
    await writer.stop();
    const end = await currentRevision(direct);
    await waitFor(() => consumer.lastRevision() === end, `the watch to reach revision ${end}`, 20_000);
    await consumer.stop();
    t.diagnostic(`${writer.count} writes (${writer.failures} failed attempts), ${consumer.events.length} events`);
    assert.equal(consumer.error, undefined);
    assertNoDuplicates(consumer.events);
    assert.deepEqual(consumer.events.map(eventText), await history(direct, 'kill/', start, end));
  });

  test('a resume point compacted while the link was down ends the watch with CompactedError', { timeout: 30_000 }, async () => {
    const proxy = cluster.members[0]!.proxy!;
    const consumer = new Consumer(client.watch('gone/', { prefix: true }));
    await waitFor(() => consumer.responses.length > 0, 'the watch to be created');
    const first = (await direct.put('gone/a', '1')).header.revision;
    await waitFor(() => consumer.events.length === 1, 'the first event');
    proxy.blackhole();
    await direct.put('gone/a', '2');
    await direct.put('gone/a', '3');
    const compactAt = await currentRevision(direct);
    await direct.compact(compactAt);
    proxy.cut();
    proxy.heal();
    await consumer.done;
    assert.ok(consumer.error instanceof CompactedError, String(consumer.error));
    assert.equal(consumer.error.compactRevision, compactAt);
    assert.deepEqual(consumer.events.map(eventText), [`${first} put gone/a 1`]);
    assert.equal(consumer.responses.at(-1)?.canceled, true);
  });

  test('a periodic progress notification moves the resume point past a later compaction', { timeout: 30_000 }, async () => {
    const proxy = cluster.members[0]!.proxy!;
    const consumer = new Consumer(client.watch('still/', { prefix: true, progressNotify: true }));
    await waitFor(() => consumer.responses.length > 0, 'the watch to be created');
    for (let i = 0; i < 10; i++) await direct.put(`elsewhere/${i}`, 'x');
    const rev = await currentRevision(direct);
    await waitFor(() => consumer.responses.some((r) => r.isProgressNotify && r.header.revision >= rev), 'a progress notification');
    await direct.compact(rev);
    proxy.cut(); // the watch resumes from the notification's revision + 1, which is not compacted
    const next = (await direct.put('still/a', 'moved')).header.revision;
    await waitFor(() => consumer.events.length === 1 || consumer.error !== undefined, 'the event after the cut', 15_000);
    assert.equal(consumer.error, undefined);
    assert.deepEqual(consumer.events.map(eventText), [`${next} put still/a moved`]);
    await consumer.stop();
  });
});

describe('watch resume on a 3-member cluster', { timeout: 90_000 }, () => {
  let cluster: EtcdCluster;

  before(async () => {
    cluster = await EtcdCluster.start({ size: 3 });
  });
  after(async () => {
    await cluster?.close();
  });

  test('SIGKILL of the member the watch is on: the watch moves to another member; events equal the history', { timeout: 60_000 }, async (t) => {
    const client = cluster.client();
    const memberIds = await Promise.all(
      cluster.members.map(async (m) => {
        const one = cluster.client({ endpoints: [m.clientUrl] });
        try {
          return (await one.get('x')).header.memberId;
        } finally {
          await one.close();
        }
      }),
    );
    const start = (await currentRevision(client)) + 1;
    const consumer = new Consumer(client.watch('move/', { prefix: true }));
    await waitFor(() => consumer.responses.length > 0, 'the watch to be created');
    const on = memberIds.indexOf(consumer.responses[0]!.header.memberId);
    assert.ok(on >= 0, 'the watch is on one of the members');
    const writer = new Writer(cluster.client({ dialTimeout: 1_000 }), 'move/');
    await waitFor(() => consumer.events.length >= 50, '50 events before the kill');
    await cluster.members[on]!.kill();
    const killedAt = writer.count;
    await waitFor(() => writer.count >= killedAt + 50, '50 writes after the kill', 30_000);
    await writer.stop();
    const survivor = cluster.client({ endpoints: cluster.members.filter((_, i) => i !== on).map((m) => m.clientUrl) });
    const end = await currentRevision(survivor);
    await waitFor(() => consumer.lastRevision() === end, `the watch to reach revision ${end}`, 30_000);
    await consumer.stop();
    const last = consumer.responses.at(-1)!;
    t.diagnostic(`watch on member ${on}, then on member ${memberIds.indexOf(last.header.memberId)}; ${consumer.events.length} events`);
    assert.notEqual(last.header.memberId, memberIds[on], 'the watch moved to another member');
    assert.equal(consumer.error, undefined);
    assertNoDuplicates(consumer.events);
    assert.deepEqual(consumer.events.map(eventText), await history(survivor, 'move/', start, end));
  });
});

describe('watch resume with auth (simple tokens expiring after 2 s)', { timeout: 60_000 }, () => {
  /** etcd's --auth-token-ttl here, in seconds; a token unused that long is dropped (on a 1 s tick). */
  const TOKEN_TTL_S = 2;
  /** Wait for an unused token to be gone on the server, in ms (TTL + etcd's 1 s tick + margin). */
  const TOKEN_GONE_MS = TOKEN_TTL_S * 1000 + 1_500;
  const PASSWORD = 'r00t-watch-resume';
  let cluster: EtcdCluster;

  before(async () => {
    cluster = await EtcdCluster.start({ size: 1, proxy: true, args: [`--auth-token-ttl=${TOKEN_TTL_S}`, '--bcrypt-cost=4'] });
    const admin = cluster.client();
    await admin.auth.userAdd('root', PASSWORD);
    await admin.auth.roleAdd('root');
    await admin.auth.userGrantRole('root', 'root');
    await admin.auth.authEnable();
    await admin.close();
  });
  after(async () => {
    await cluster?.close();
  });

  test('an expired token: a new watch on the open stream, then a stream re-opened, lose nothing', { timeout: 40_000 }, async () => {
    const client = cluster.client({ username: 'root', password: PASSWORD });
    // Writes go straight to the member with a client of their own (and a token of their own).
    const writer = cluster.client({ endpoints: [cluster.members[0]!.clientUrl], username: 'root', password: PASSWORD });
    try {
      const start = (await currentRevision(writer)) + 1;
      const first = new Consumer(client.watch('auth/', { prefix: true }));
      await waitFor(() => first.responses.length > 0, 'the first watch to be created');
      for (let i = 0; i < 10; i++) await writer.put(`auth/${i}`, `a${i}`);
      await waitFor(() => first.events.length === 10, '10 events');

      // The client's token expires on the server (the open stream keeps delivering meanwhile).
      await sleep(TOKEN_GONE_MS);
      await writer.put('auth/during', 'x');
      // A create on the open stream is refused for the stale token: the token is renewed and the
      // stream re-opened; the new watch is created, the first one resumes.
      const second = new Consumer(client.watch('auth/', { prefix: true, startRevision: start }));
      await waitFor(() => second.events.length === 11, 'the second watch to catch up (11 events)', 10_000);
      for (let i = 0; i < 10; i++) await writer.put(`auth/${i}`, `b${i}`);

      // Expired again, and now the connection is cut: the stream re-opens with a stale token.
      await sleep(TOKEN_GONE_MS);
      cluster.members[0]!.proxy!.cut();
      for (let i = 0; i < 10; i++) await writer.put(`auth/${i}`, `c${i}`);
      const end = await currentRevision(writer);
      for (const c of [first, second]) await waitFor(() => c.lastRevision() === end || c.error !== undefined, `the watch to reach revision ${end}`, 15_000);
      await first.stop();
      await second.stop();
      const expected = await history(writer, 'auth/', start, end);
      for (const c of [first, second]) {
        assert.equal(c.error, undefined, `the watch ended with ${String(c.error)}`);
        assert.equal(c.responses.filter((r) => r.created).length, 1, 'created is delivered once');
        assertNoDuplicates(c.events);
        assert.deepEqual(c.events.map(eventText), expected);
      }
    } finally {
      await client.close();
      await writer.close();
    }
  });

  test('a watch the user may not read ends with PermissionDeniedError (after one token renewal)', { timeout: 20_000 }, async () => {
    const root = cluster.client({ username: 'root', password: PASSWORD });
    await root.auth.roleAdd('watch-reader');
    await root.auth.roleGrantPermission('watch-reader', { type: 'read', key: 'mine/', prefix: true });
    await root.auth.userAdd('watcher', PASSWORD);
    await root.auth.userGrantRole('watcher', 'watch-reader');
    const watcher = cluster.client({ username: 'watcher', password: PASSWORD });
    try {
      const allowed = new Consumer(watcher.watch('mine/', { prefix: true }));
      await waitFor(() => allowed.responses.length > 0, 'the permitted watch to be created');
      const denied = new Consumer(watcher.watch('theirs/', { prefix: true }));
      await denied.done;
      assert.ok(denied.error instanceof PermissionDeniedError, `got ${String(denied.error)}`);
      // The permitted watch on the same stream goes on.
      await root.put('mine/k', 'v');
      await waitFor(() => allowed.events.length === 1, 'the permitted watch to get its event');
      await allowed.stop();
      assert.equal(allowed.error, undefined);
    } finally {
      await watcher.close();
      await root.close();
    }
  });
});
