// OrderingKV against a real 3-member cluster: one member is stopped (SIGSTOP) while the data moves
// on; then the other two are stopped and the stale one resumed, and the client switches to it.
// Its serializable reads answer from an older revision: the handler is called (with the op, the
// stale response and the revision seen before); throwing fails the call, resolving retries it, and
// once the cluster is back and the member caught up the read succeeds.
//
// The data moves on by more writes than the leader lets travel unacknowledged to a follower (etcd's
// raft sends at most 256 append messages ahead of a follower's acknowledgements): the stopped
// member's socket buffers hold only the first of them, so on resuming it stays behind until the
// others are back (with a few writes it would catch up from its buffers at once).
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';

import {
  Client,
  compare,
  op,
  OrderingKV,
  OrderViolationError,
  retryOnOrderViolation,
  type Op,
  type OpResponse,
  type OrderViolationHandler,
} from '../../src/index.js';
import { EtcdCluster, type EtcdMember } from '../../src/testing/index.js';

let cluster: EtcdCluster;

/** Writes made while the stale member is stopped: more than the leader sends to it unacknowledged. */
const WRITES_WHILE_STOPPED = 600;
/** Concurrent writers of those writes. */
const WRITERS = 20;

/** The members: `c` a follower (left behind), `a` and `b` the others. */
async function roles(): Promise<{ a: EtcdMember; b: EtcdMember; c: EtcdMember }> {
  await cluster.waitHealthy();
  const leader = await cluster.leader();
  const followers = cluster.members.filter((m) => m !== leader);
  return { a: leader, b: followers[0]!, c: followers[1]! };
}

/** `count` puts of `key` (values `v1`..), `WRITERS` at a time, through `put`. */
async function writeMany(put: (key: string, value: string) => Promise<unknown>, key: string, count: number): Promise<void> {
  let next = 1;
  await Promise.all(
    Array.from({ length: WRITERS }, async () => {
      while (next <= count) await put(`${key}-${next % WRITERS}`, `v${next++}`);
    }),
  );
}

before(async () => {
  cluster = await EtcdCluster.start({ size: 3 });
});

afterEach(async () => {
  for (const m of cluster?.members ?? []) if (m.paused) await m.resume();
});

after(async () => {
  await cluster?.close();
});

interface Violation {
  op: Op;
  response: OpResponse;
  previousRevision: number;
  attempt: number;
}

class Refused extends Error {}

describe('OrderingKV', { timeout: 80_000 }, () => {
  test('a stale serializable read after switching to a lagging member calls the handler', async () => {
    const { a, b, c } = await roles();
    const client: Client = cluster.client({ endpoints: [a.endpoint] });
    const violations: Violation[] = [];
    let onViolation: OrderViolationHandler = () => {
      throw new Refused('stale');
    };
    const kv = new OrderingKV(client, (o, response, previousRevision, attempt) => {
      violations.push({ op: o, response, previousRevision, attempt });
      return onViolation(o, response, previousRevision, attempt);
    });

    await kv.put('k', 'v0');
    await c.pause();
    await writeMany((key, value) => kv.put(key, value), 'many', WRITES_WHILE_STOPPED);
    await kv.put('k', 'v5');
    const fresh = await kv.get('k', { serializable: true });
    assert.equal(fresh.kvs[0]?.value.toString(), 'v5');
    const seen = kv.revision;
    assert.equal(seen, fresh.header.revision);

    // The data moved on without c; now c is the only member answering.
    await a.pause();
    await b.pause();
    await c.resume();
    client.setEndpoints([c.endpoint]);

    await assert.rejects(kv.get('k', { serializable: true, timeout: 5_000 }), Refused);
    assert.equal(violations.length, 1);
    const [first] = violations;
    assert.equal(first!.previousRevision, seen);
    assert.ok(first!.response.header.revision < seen, `stale revision ${first!.response.header.revision} < ${seen}`);
    assert.equal(first!.response.type, 'get');
    if (first!.response.type === 'get') assert.equal(first!.response.kvs[0]?.value.toString(), 'v0', 'the stale value');
    assert.equal(first!.op.type, 'get');
    assert.equal(first!.attempt, 1);
    assert.equal(kv.revision, seen, 'a stale response does not lower the revision seen');

    // A read-only transaction is checked the same way.
    await assert.rejects(kv.txn().if(compare.version('k', '>', 0)).then(op.get('k', { serializable: true })).commit(), Refused);
    assert.equal(violations.length, 2);
    assert.equal(violations[1]!.op.type, 'txn');
    assert.equal(violations[1]!.response.type, 'txn');

    // The plain client sees the stale value without complaint: that is what OrderingKV is for.
    const plain = await client.get('k', { serializable: true, timeout: 5_000 });
    assert.equal(plain.kvs[0]?.value.toString(), 'v0');

    // Retrying: once the others are back, c catches up and the read succeeds with a fresh answer.
    let resumed = false;
    onViolation = async (o, response, previousRevision, attempt) => {
      if (!resumed) {
        resumed = true;
        await Promise.all([a.resume(), b.resume()]);
      }
      await retryOnOrderViolation({ attempts: 100, backoff: 50 })(o, response, previousRevision, Math.min(attempt, 3));
    };
    const before = violations.length;
    const caughtUp = await kv.get('k', { serializable: true, timeout: 5_000 });
    assert.ok(violations.length > before, 'the handler ran before the member caught up');
    assert.ok(caughtUp.header.revision >= seen);
    assert.equal(caughtUp.kvs[0]?.value.toString(), 'v5');
  });

  test('retryOnOrderViolation gives up with OrderViolationError after its attempts', async () => {
    const { a, b, c } = await roles();
    const client = cluster.client({ endpoints: [a.endpoint] });
    const kv = new OrderingKV(client, retryOnOrderViolation({ attempts: 2, backoff: 10 }));
    await c.pause();
    try {
      await writeMany((key, value) => kv.put(key, value), 'more', WRITES_WHILE_STOPPED);
      await a.pause();
      await b.pause();
      await c.resume();
      client.setEndpoints([c.endpoint]);
      const error = await kv.get('k2', { serializable: true, timeout: 5_000 }).then(
        () => assert.fail('expected OrderViolationError'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof OrderViolationError, String(error));
      assert.equal(error.previousRevision, kv.revision);
      assert.ok(error.revision < error.previousRevision);
      assert.equal(error.details, 'etcdclient: no cluster members have a revision higher than the previously received revision');
    } finally {
      await Promise.all([a.resume(), b.resume(), c.resume()]);
    }
  });
});
