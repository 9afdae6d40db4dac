// The Cluster API against real etcd: grow a running 1-member cluster by a learner, start it,
// promote it, move the leadership to it and remove the first member, while a writer keeps
// writing through one client; plus the membership errors and the checks made before sending.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import {
  Client,
  InvalidArgumentError,
  LearnerNotReadyError,
  MemberNotFoundError,
  MemberNotLearnerError,
  NoAvailableEndpointsError,
  TooManyLearnersError,
  UnhealthyError,
  type Member,
} from '../../src/index.js';
import { EtcdCluster, freePort, type EtcdMember } from '../../src/testing/index.js';

/** Longest wait for a learner to catch up with the leader before it can be promoted, in ms. */
const PROMOTE_DEADLINE_MS = 15_000;
/** Longest wait for etcd to find the cluster healthy enough to remove a member (its health interval is 5 s), in ms. */
const REMOVE_DEADLINE_MS = 15_000;
/** Longest wait for a removed member's process to exit, in ms. */
const EXIT_DEADLINE_MS = 10_000;
/** Pause between two writes of the background writer, in ms. */
const WRITE_INTERVAL_MS = 20;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns a value other than undefined, or throws after `timeoutMs`. */
async function eventually<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() >= deadline) throw new Error(`${what}: not within ${timeoutMs} ms (last error: ${String(last)})`);
    await sleep(50);
  }
}

/**
 * Writes `writer/<n>` in a loop through `client` until stopped; remembers every failure with the
 * phase it happened in. A failed write is tried again with the same value.
 */
class Writer {
  phase = 'start';
  written = 0;
  readonly writesPerPhase = new Map<string, number>();
  readonly failures: Array<{ phase: string; error: string }> = [];
  #stopped = false;
  readonly #done: Promise<void>;

  constructor(readonly client: Client) {
    this.#done = this.#run();
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      try {
        await this.client.put(`writer/${this.written}`, String(this.written), { timeout: 5_000 });
        this.written++;
        this.writesPerPhase.set(this.phase, (this.writesPerPhase.get(this.phase) ?? 0) + 1);
      } catch (error) {
        this.failures.push({ phase: this.phase, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
      }
      await sleep(WRITE_INTERVAL_MS);
    }
  }

  /** Waits for at least one more successful write in the current phase. */
  async progressed(): Promise<void> {
    const before = this.written;
    await eventually(`a write during ${this.phase}`, 10_000, async () => (this.written > before ? true : undefined));
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#done;
  }
}

function byId(members: Member[], id: bigint): Member {
  const found = members.find((m) => m.id === id);
  assert.ok(found, `member ${id.toString(16)} not in ${members.map((m) => m.id.toString(16)).join(', ')}`);
  return found;
}

describe('a 1-member cluster grows by a learner, hands over, and shrinks back', { timeout: 90_000 }, () => {
  let cluster: EtcdCluster;
  let client: Client;
  let writer: Writer;
  let first: EtcdMember;
  let firstId: bigint;
  let second: EtcdMember;
  let secondId: bigint;

  before(async () => {
    cluster = await EtcdCluster.start({ size: 1 });
    first = cluster.members[0]!;
    second = await cluster.addMember();
    // One client over both endpoints for the whole story (the second answers once it has started).
    client = cluster.client({ dialTimeout: 2_000 });
    writer = new Writer(client);
    firstId = (await client.maintenance.status(first.clientUrl)).header.memberId;
  });
  after(async () => {
    await writer?.stop();
    await cluster?.close();
  });

  test('memberList: one started voting member', async () => {
    const { header, members } = await client.cluster.memberList();
    assert.equal(members.length, 1);
    assert.deepEqual(members[0], { id: firstId, name: first.name, peerURLs: [first.peerUrl], clientURLs: [first.clientUrl], isLearner: false });
    assert.equal(header.memberId, firstId);
    assert.ok(header.clusterId > 0n);
    // etcd 3.4 ignores `linearizable` (3.5+); the answer is the same
    assert.deepEqual((await client.cluster.memberList({ linearizable: true })).members, members);
  });

  test('memberAddAsLearner: an unstarted learner', async () => {
    const added = await client.cluster.memberAddAsLearner([second.peerUrl]);
    secondId = added.member.id;
    assert.ok(secondId > 0n);
    assert.deepEqual(added.member, { id: secondId, name: '', peerURLs: [second.peerUrl], clientURLs: [], isLearner: true });
    assert.equal(added.members.length, 2);
    byId(added.members, firstId);
    assert.deepEqual(byId((await client.cluster.memberList()).members, secondId), added.member);
    writer.phase = 'learner added';
    await writer.progressed();
  });

  test('memberUpdate: a second peer URL for the first member, and back', async () => {
    // (Not on the learner: etcd 3.4's MemberUpdate drops the learner flag, making it a voter.)
    const extra = `http://127.0.0.1:${await freePort()}`;
    const updated = await client.cluster.memberUpdate(firstId, [first.peerUrl, extra]);
    assert.deepEqual(byId(updated.members, firstId).peerURLs, [first.peerUrl, extra]);
    assert.deepEqual(byId((await client.cluster.memberList()).members, firstId).peerURLs, [first.peerUrl, extra]);
    await client.cluster.memberUpdate(firstId, [first.peerUrl]);
    assert.deepEqual(byId((await client.cluster.memberList()).members, firstId).peerURLs, [first.peerUrl]);
  });

  test('one learner at a time; a voting member cannot be promoted', async () => {
    await assert.rejects(client.cluster.memberAddAsLearner([`http://127.0.0.1:${await freePort()}`]), TooManyLearnersError);
    await assert.rejects(client.cluster.memberPromote(firstId), MemberNotLearnerError);
  });

  test('the learner starts, catches up and is promoted', async () => {
    await second.start();
    writer.phase = 'learner started';
    await writer.progressed(); // the cluster serves writes with the learner running, before the promotion
    const status = await client.maintenance.status(second.clientUrl);
    assert.equal(status.header.memberId, secondId);
    assert.equal(status.isLearner, true);
    assert.equal(status.leader, firstId);
    // etcd refuses the promotion until the learner's log is close to the leader's
    const promoted = await eventually('promotion', PROMOTE_DEADLINE_MS, async () => {
      try {
        return await client.cluster.memberPromote(secondId);
      } catch (error) {
        if (error instanceof LearnerNotReadyError) return undefined;
        throw error;
      }
    });
    assert.deepEqual(byId(promoted.members, secondId), {
      id: secondId,
      name: second.name,
      peerURLs: [second.peerUrl],
      clientURLs: [second.clientUrl],
      isLearner: false,
    });
    assert.equal((await client.maintenance.status(second.clientUrl)).isLearner, false);
    writer.phase = 'promoted';
    await writer.progressed();
  });

  test('moveLeader to the new member, from whichever endpoint the client uses', async () => {
    assert.equal(await cluster.leader(), first);
    const response = await client.maintenance.moveLeader(secondId);
    assert.equal(response.header, undefined); // etcd 3.4 sends no header here
    assert.equal(await cluster.leader(), second);
    for (const member of [first, second]) assert.equal((await client.maintenance.status(member.clientUrl)).leader, secondId);
    // moving it to the leader itself is a no-op
    await client.maintenance.moveLeader(secondId);
    writer.phase = 'leader moved';
    await writer.progressed();
  });

  test('memberRemove the first member: it stops, the cluster keeps serving on the second', async () => {
    // etcd removes a voting member only once the others have been connected for 5 s (its health
    // interval); until then it answers UnhealthyError.
    const removed = await eventually('removal', REMOVE_DEADLINE_MS, async () => {
      try {
        return await client.cluster.memberRemove(firstId);
      } catch (error) {
        if (error instanceof UnhealthyError) return undefined;
        throw error;
      }
    });
    assert.deepEqual(removed.members.map((m) => m.id), [secondId]);
    await eventually('the removed member exits', EXIT_DEADLINE_MS, async () => (first.running ? undefined : true));
    writer.phase = 'first removed';
    await writer.progressed();
    const { members } = await client.cluster.memberList();
    assert.deepEqual(members.map((m) => m.id), [secondId]);
    await assert.rejects(client.cluster.memberRemove(firstId), MemberNotFoundError);

    await writer.stop();
    // every write the writer saw succeed is there, in order
    const { kvs } = await client.get('writer/', { prefix: true, keysOnly: true });
    assert.equal(kvs.length, writer.written);
    for (const phase of ['learner added', 'learner started', 'promoted', 'leader moved', 'first removed']) {
      assert.ok((writer.writesPerPhase.get(phase) ?? 0) > 0, `no write during "${phase}"`);
    }
    // Writes may fail only in the instant the leadership moves (raft drops proposals then) or the
    // client's endpoint goes away; never in the quiet phases.
    const quiet = writer.failures.filter((f) => !['leader moved', 'first removed', 'promoted'].includes(f.phase));
    assert.deepEqual(quiet, []);
  });
});

describe('Cluster checks its arguments before sending', () => {
  // An endpoint nobody listens on: anything that reached the network would fail differently.
  const client = new Client({ endpoints: ['http://127.0.0.1:1'], dialTimeout: 200 });
  after(() => client.close());

  const cases: Array<[string, () => Promise<unknown>]> = [
    ['memberAdd: no URL', () => client.cluster.memberAdd([])],
    ['memberAdd: not an array', () => client.cluster.memberAdd('http://a:1' as unknown as string[])],
    ['memberAdd: no port', () => client.cluster.memberAdd(['http://10.0.0.1'])],
    ['memberAdd: a path', () => client.cluster.memberAdd(['http://10.0.0.1:2380/x'])],
    ['memberAdd: another scheme', () => client.cluster.memberAdd(['ftp://10.0.0.1:2380'])],
    ['memberAddAsLearner: unknown option', () => client.cluster.memberAddAsLearner(['http://10.0.0.1:2380'], { learner: true } as never)],
    ['memberRemove: id 0', () => client.cluster.memberRemove(0n)],
    ['memberRemove: a number', () => client.cluster.memberRemove(5 as unknown as bigint)],
    ['memberRemove: beyond uint64', () => client.cluster.memberRemove(1n << 64n)],
    ['memberUpdate: bad URL', () => client.cluster.memberUpdate(1n, ['10.0.0.1:2380'])],
    ['memberPromote: negative', () => client.cluster.memberPromote(-1n)],
    ['memberList: linearizable not a boolean', () => client.cluster.memberList({ linearizable: 'yes' as unknown as boolean })],
  ];
  for (const [name, call] of cases) {
    test(name, async () => {
      await assert.rejects(call(), InvalidArgumentError);
    });
  }

  test('a valid call does go out (and finds nobody)', async () => {
    await assert.rejects(client.cluster.memberList(), NoAvailableEndpointsError);
  });
});
