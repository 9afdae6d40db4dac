// Election of etcd-ts/concurrency against one real etcd member: one leader at a time across 10
// campaigners whose leaders resign or die (lease revoked), observers that see every leader and
// value in order; proclaim, resume, leader(); etcd's server-side Election service (client.election)
// and `etcdctl elect` taking part in the same elections.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  Election,
  ElectionNoLeaderError,
  ElectionNotLeaderError,
  Session,
  SessionExpiredError,
} from '../../src/concurrency/index.js';
import { Client, DeadlineExceededError } from '../../src/index.js';
import { EtcdCluster } from '../../src/testing/index.js';
import { ETCDCTL, bounded, cancelWatchesDuring, killStarted, start, typedError, within, type Child } from './concurrency-support.js';

let cluster: EtcdCluster;
let client: Client;

before(async () => {
  cluster = await EtcdCluster.start({ size: 1 });
  client = cluster.client();
});

after(async () => {
  await killStarted();
  await cluster?.close();
});

/** One observed leadership: its key, create revision, and the values seen, in order. */
interface Reign {
  key: string;
  rev: number;
  values: string[];
}

/** Folds observed responses into reigns (a new reign when the key or its create revision changes). */
function addObservation(reigns: Reign[], key: string, rev: number, value: string): void {
  const last = reigns.at(-1);
  if (last !== undefined && last.key === key && last.rev === rev) {
    if (last.values.at(-1) !== value) last.values.push(value);
  } else {
    reigns.push({ key, rev, values: [value] });
  }
}

describe('Election', { timeout: 90_000 }, () => {
  test('10 campaigners, leaders resigning or dying: one leader at a time; observers see every leader and value in order', async () => {
    const CAMPAIGNERS = 10;
    const TERMS = 3;
    const name = 'race';
    const observerSession = await Session.create(client);
    const stopObserving = new AbortController();
    const observed: Reign[] = [];
    const served: Reign[] = [];
    const observing = (async () => {
      for await (const r of new Election(observerSession, name).observe({ signal: stopObserving.signal })) {
        addObservation(observed, r.kvs[0]!.key.toString(), r.kvs[0]!.createRevision, r.kvs[0]!.value.toString());
      }
    })().catch((e: unknown) => (stopObserving.signal.aborted ? undefined : Promise.reject(e)));
    // etcd's own Election.Observe (Go's algorithm, which may skip a short reign).
    const serving = (async () => {
      for await (const r of client.election.observe(name, { signal: stopObserving.signal })) {
        addObservation(served, r.kv.key.toString(), r.kv.createRevision, r.kv.value.toString());
      }
    })().catch((e: unknown) => (stopObserving.signal.aborted ? undefined : Promise.reject(e)));

    let current: string | undefined;
    let overlaps = 0;
    const won: Reign[] = [];
    let dead = 0;
    await Promise.all(
      Array.from({ length: CAMPAIGNERS }, async (_, c) => {
        for (let term = 0; term < TERMS; term++) {
          // A dead session notices at its next renewal, every TTL/3: keep that short.
          const session = await Session.create(client, { ttl: 6 });
          const election = new Election(session, name);
          const value = `c${c}-t${term}`;
          await election.campaign(value);
          if (current !== undefined) overlaps++;
          current = value;
          const reign: Reign = { key: election.key!.toString(), rev: election.rev, values: [value, `${value}-proclaimed`] };
          won.push(reign);
          await election.proclaim(`${value}-proclaimed`);
          assert.equal((await election.leader()).kvs[0]?.value.toString(), `${value}-proclaimed`);
          current = undefined;
          if ((c + term) % 2 === 0) {
            await election.resign();
            await session.close();
          } else {
            // Dies: its lease revoked from outside, as when etcd expires it.
            await client.lease.revoke(session.lease);
            assert.ok((await bounded(session.done, 10_000, 'dead session ends')) instanceof Error);
            await assert.rejects(election.proclaim('too late'), ElectionNotLeaderError);
            dead++;
          }
        }
      }),
    );
    assert.equal(overlaps, 0, 'never two leaders at once');
    assert.equal(won.length, CAMPAIGNERS * TERMS);
    assert.ok(dead > 0);
    const byRevision = [...won].sort((a, b) => a.rev - b.rev);
    assert.deepEqual(
      won.map((r) => r.rev),
      byRevision.map((r) => r.rev),
      'leaders were elected in candidacy order',
    );

    await within(10_000, 'the observer saw every reign', () => observed.length === won.length && observed.at(-1)!.values.length === 2);
    stopObserving.abort();
    await Promise.all([observing, serving]);
    await observerSession.close();
    assert.deepEqual(observed, byRevision, 'every leader and each of its values, in order');
    // The server-side observer saw leaders in the same order (possibly skipping short reigns).
    let next = 0;
    for (const reign of served) {
      while (next < byRevision.length && byRevision[next]!.rev !== reign.rev) next++;
      assert.ok(next < byRevision.length, `served reign ${reign.key}@${reign.rev} is one of the reigns, in order`);
      assert.equal(byRevision[next]!.key, reign.key);
    }
    assert.ok(served.length > 0);
  });

  test('campaign, proclaim, resign, leader, resume; errors', async () => {
    await using s1 = await Session.create(client);
    await using s2 = await Session.create(client);
    const e1 = new Election(s1, 'basic');
    const e2 = new Election(s2, 'basic');
    await assert.rejects(e1.leader(), ElectionNoLeaderError);
    await assert.rejects(e1.proclaim('x'), ElectionNotLeaderError);
    await e1.resign(); // not campaigning: nothing to do

    await e1.campaign('one');
    assert.equal(e1.key?.toString(), `basic/${s1.lease.toString(16)}`);
    const { kvs } = await e1.leader();
    assert.deepEqual([kvs[0]?.key.toString(), kvs[0]?.value.toString(), kvs[0]?.lease], [e1.key?.toString(), 'one', s1.lease]);
    assert.equal(e1.rev, kvs[0]?.createRevision);

    // Campaigning again keeps the place and updates the value.
    await e1.campaign('one again');
    assert.equal((await e1.leader()).kvs[0]?.value.toString(), 'one again');
    assert.equal(e1.rev, kvs[0]?.createRevision);

    await assert.rejects(e2.campaign('two', { timeout: 300 }), DeadlineExceededError);
    assert.equal((await client.get(`basic/${s2.lease.toString(16)}`)).count, 0, 'a failed campaign withdraws');

    // Resume the leadership with another Election object of the same session.
    const resumed = Election.resume(s1, 'basic', e1.key!, e1.rev);
    await resumed.proclaim('resumed');
    assert.equal((await e2.leader()).kvs[0]?.value.toString(), 'resumed');
    assert.throws(() => Election.resume(s1, 'basic', 'other/1', 5));

    const waiting = e2.campaign('two');
    await within(5_000, 'e2 queued', async () => (await client.get('basic/', { prefix: true })).count === 2);
    await resumed.resign();
    await bounded(waiting, 10_000, 'e2 elected');
    await assert.rejects(e1.proclaim('stale'), ElectionNotLeaderError, 'e1 resigned through the resumed object');
    assert.equal((await e1.leader()).kvs[0]?.value.toString(), 'two');

    // A session closed while campaigning: SessionExpiredError.
    await using s3 = await Session.create(client);
    const e3 = new Election(s3, 'basic');
    const e3waiting = e3.campaign('three');
    await within(5_000, 'e3 queued', async () => (await client.get('basic/', { prefix: true })).count === 2);
    const rejected = assert.rejects(e3waiting, SessionExpiredError);
    await s3.close();
    await rejected;
    await e2.resign();
    await assert.rejects(e2.leader(), ElectionNoLeaderError);
  });

  test('observe() whose watch the client cancels (client.cancelWatches()) throws WatchEndedError', async () => {
    const observerClient = cluster.client();
    await using session = await Session.create(observerClient);
    const iterator = new Election(session, 'observe-ended').observe()[Symbol.asyncIterator]();
    const { waiting: first } = await cancelWatchesDuring(observerClient, cluster.endpoints[0]!, () => iterator.next());
    await assert.rejects(bounded(first, 10_000, 'observe() after cancelWatches()'), typedError('WatchEndedError', 1, /observe/));
  });

  test('client.election (server-side service) and Election are one election', async () => {
    const lease = await client.lease.grant(30);
    await using session = await Session.create(client);
    const ours = new Election(session, 'served');
    try {
      await assert.rejects(client.election.leader('served'), ElectionNoLeaderError);
      const { leader, header } = await client.election.campaign('served', 'server-side', lease.id);
      assert.deepEqual(
        [leader.name.toString(), leader.key.toString(), leader.rev, leader.lease],
        ['served', `served/${lease.id.toString(16)}`, header.revision, lease.id],
      );
      assert.equal((await ours.leader()).kvs[0]?.value.toString(), 'server-side');
      const waiting = ours.campaign('client-side');
      await within(5_000, 'queued', async () => (await client.get('served/', { prefix: true })).count === 2);
      await client.election.proclaim(leader, 'proclaimed');
      assert.equal((await client.election.leader('served')).kv.value.toString(), 'proclaimed');
      await client.election.resign(leader);
      await bounded(waiting, 10_000, 'our campaign wins after Resign');
      assert.equal((await client.election.leader('served')).kv.value.toString(), 'client-side');
      await assert.rejects(client.election.proclaim(leader, 'stale'), ElectionNotLeaderError);
      // The server resumes our leadership from its LeaderKey.
      await client.election.proclaim({ name: 'served', key: ours.key!, rev: ours.rev, lease: session.lease }, 'via service');
      assert.equal((await ours.leader()).kvs[0]?.value.toString(), 'via service');
      await ours.resign();
    } finally {
      await client.lease.revoke(lease.id).catch(() => undefined);
    }
  });

  test('takes part in elections with etcdctl elect (campaign and observe)', async () => {
    // Generous bounds: each step waits for an event (a line printed, a key queued), so a slow,
    // loaded machine only makes it slower; every child is killed and the session closed in
    // `finally`, so a failure ends the test at once instead of leaving the file running.
    const WAIT_MS = 30_000;
    const endpoint = cluster.endpoints[0]!;
    const session = await Session.create(client);
    const theirs = start(ETCDCTL, ['--endpoints', endpoint, 'elect', 'shared', 'from-etcdctl']);
    let observer: Child | undefined;
    let next: Child | undefined;
    try {
      await within(WAIT_MS, 'etcdctl elected', () => theirs.stdout().split('\n').length >= 3);
      const [theirKey, theirValue] = theirs.stdout().split('\n');
      assert.match(theirKey!, /^shared\/[0-9a-f]+$/);
      assert.equal(theirValue, 'from-etcdctl');

      const ours = new Election(session, 'shared');
      const leader = (await ours.leader()).kvs[0];
      assert.deepEqual([leader?.key.toString(), leader?.value.toString()], [theirKey, 'from-etcdctl']);
      const watching = start(ETCDCTL, ['--endpoints', endpoint, 'elect', '-l', 'shared']);
      observer = watching;
      await within(WAIT_MS, 'etcdctl observer printed the leader', () => watching.stdout() === `${theirKey}\nfrom-etcdctl\n`);

      const waiting = ours.campaign('from-etcd-ts');
      await within(WAIT_MS, 'we queue', async () => (await client.get('shared/', { prefix: true })).count === 2);
      theirs.process.kill('SIGINT'); // etcdctl resigns
      await bounded(waiting, WAIT_MS, 'we are elected after etcdctl resigned');
      assert.equal(await bounded(theirs.exited, WAIT_MS, 'etcdctl elect exits on SIGINT'), 0);
      const ourKey = ours.key!.toString();
      // The observer reads the new leader once it saw the old one's key deleted: proclaiming
      // before it printed our first value would let it (rightly) report only the proclaimed one.
      await within(WAIT_MS, 'etcdctl observer saw our leadership', () =>
        watching.stdout() === `${theirKey}\nfrom-etcdctl\n${ourKey}\nfrom-etcd-ts\n`,
      );
      await ours.proclaim('proclaimed');
      await within(WAIT_MS, 'etcdctl observer saw our proclaimed value', () =>
        watching.stdout() === `${theirKey}\nfrom-etcdctl\n${ourKey}\nfrom-etcd-ts\n${ourKey}\nproclaimed\n`,
      );

      // etcdctl waits for us, and is elected once we resign.
      const queued = start(ETCDCTL, ['--endpoints', endpoint, 'elect', 'shared', 'next']);
      next = queued;
      await within(WAIT_MS, 'etcdctl queued', async () => (await client.get('shared/', { prefix: true })).count === 2);
      assert.equal(queued.stdout(), '');
      await ours.resign();
      await within(WAIT_MS, 'etcdctl elected after we resigned', () => queued.stdout().endsWith('\nnext\n'));
      queued.process.kill('SIGINT');
      watching.process.kill('SIGINT');
      assert.equal(await bounded(queued.exited, WAIT_MS, 'etcdctl elect exits on SIGINT'), 0);
      assert.equal(await bounded(watching.exited, WAIT_MS, 'etcdctl elect -l exits on SIGINT'), 0);
    } finally {
      for (const child of [theirs, observer, next]) child?.process.kill('SIGKILL');
      await session.close().catch(() => undefined);
    }
  });
});
