// stm() of etcd-ts/concurrency against a real 3-member cluster, with one client per member (reads
// of the non-linearizable levels come from each member's own state): the bank-transfer test for
// every isolation level, and the behaviour that tells the levels apart, each shown by a write
// slipped in between a transaction's read and its commit.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { DEFAULT_STM_MAX_ATTEMPTS, StmConflictError, stm, type Stm, type StmIsolation } from '../../src/concurrency/index.js';
import { Client, InvalidArgumentError } from '../../src/index.js';
import { EtcdCluster } from '../../src/testing/index.js';

let cluster: EtcdCluster;
/** One client per member. */
let clients: Client[];
/**
 * The leader's client. The tests that show a level's behaviour read and write through it only: a
 * write it made is applied there when it returns, so its non-linearizable reads are not stale.
 */
let client: Client;

before(async () => {
  cluster = await EtcdCluster.start({ size: 3 });
  clients = cluster.members.map((m) => cluster.client({ endpoints: [m.clientUrl] }));
  client = clients[cluster.members.indexOf(await cluster.leader())]!;
});

after(async () => {
  await cluster?.close();
});

const ACCOUNTS = 5;
const INITIAL = 100;
const WORKERS = 10;
const TRANSFERS_PER_WORKER = 3;

const numberOf = (b: Buffer): number => Number(b.toString() || '0');

/** Moves up to half of one account to another, both chosen at random. */
async function transfer(s: Stm, prefix: string, from: number, to: number): Promise<void> {
  const fromKey = `${prefix}${from}`;
  const toKey = `${prefix}${to}`;
  const [fromValue, toValue] = [numberOf(await s.get(fromKey)), numberOf(await s.get(toKey))];
  const amount = Math.floor(fromValue / 2);
  s.put(fromKey, String(fromValue - amount));
  s.put(toKey, String(toValue + amount));
}

async function balances(prefix: string): Promise<number[]> {
  const { kvs } = await client.get(prefix, { prefix: true });
  return kvs.map((kv) => numberOf(kv.value));
}

async function openAccounts(prefix: string): Promise<void> {
  for (let i = 0; i < ACCOUNTS; i++) await client.put(`${prefix}${i}`, String(INITIAL));
}

describe('stm', { timeout: 90_000 }, () => {
  for (const isolation of ['snapshot', 'serializable', 'repeatable-read'] as const) {
    test(`bank transfers, ${isolation}: ${WORKERS} concurrent workers over ${ACCOUNTS} accounts conserve the total`, async () => {
      const prefix = `bank-${isolation}/`;
      await openAccounts(prefix);
      let runs = 0;
      await Promise.all(
        Array.from({ length: WORKERS }, async (_, w) => {
          for (let t = 0; t < TRANSFERS_PER_WORKER; t++) {
            const from = Math.floor(Math.random() * ACCOUNTS);
            const to = (from + 1 + Math.floor(Math.random() * (ACCOUNTS - 1))) % ACCOUNTS;
            await stm(
              clients[w % clients.length]!,
              (s) => {
                runs++;
                return transfer(s, prefix, from, to);
              },
              { isolation },
            );
          }
        }),
      );
      const after = await balances(prefix);
      assert.equal(after.length, ACCOUNTS);
      assert.equal(after.reduce((a, b) => a + b, 0), ACCOUNTS * INITIAL, `balances ${after.join(' ')}`);
      assert.ok(after.every((b) => b >= 0));
      assert.ok(runs >= WORKERS * TRANSFERS_PER_WORKER);
    });
  }

  test('bank transfers, read-committed: concurrent workers on disjoint accounts conserve the total', async () => {
    // read-committed never detects conflicts (last writer wins), so it is only correct when no two
    // transactions touch the same account at once: each worker owns a pair of accounts.
    const prefix = 'bank-read-committed/';
    const pairs = 4;
    for (let i = 0; i < pairs * 2; i++) await client.put(`${prefix}${i}`, String(INITIAL));
    // read-committed reads are serializable (each member's own state, as Go's): a linearizable read
    // through every member first, so that none of them still lacks the accounts just opened.
    await Promise.all(clients.map((c) => c.get(prefix, { prefix: true })));
    let runs = 0;
    await Promise.all(
      Array.from({ length: pairs }, async (_, p) => {
        for (let t = 0; t < TRANSFERS_PER_WORKER * 2; t++) {
          const [from, to] = t % 2 === 0 ? [2 * p, 2 * p + 1] : [2 * p + 1, 2 * p];
          await stm(
            clients[p % clients.length]!,
            (s) => {
              runs++;
              return transfer(s, prefix, from, to);
            },
            { isolation: 'read-committed' },
          );
        }
      }),
    );
    const after = await balances(prefix);
    assert.equal(after.reduce((a, b) => a + b, 0), pairs * 2 * INITIAL, `balances ${after.join(' ')}`);
    assert.equal(runs, pairs * TRANSFERS_PER_WORKER * 2, 'no run repeated: read-committed never conflicts');
  });

  /**
   * Runs an stm whose first run reads `k` and then lets another client write `interfere` before
   * it commits; the number of runs and the final values of `k` and `w`.
   */
  async function interfered(
    isolation: StmIsolation,
    body: (s: Stm, firstRun: boolean) => Promise<void>,
    interfere: () => Promise<unknown>,
  ): Promise<number> {
    let runs = 0;
    await stm(
      client,
      async (s) => {
        runs++;
        await body(s, runs === 1);
        if (runs === 1) await interfere();
      },
      { isolation },
    );
    return runs;
  }

  test('a key read and changed before the commit: every level but read-committed runs again', async () => {
    for (const isolation of ['snapshot', 'serializable', 'repeatable-read', 'read-committed'] as const) {
      const key = `rw-${isolation}`;
      await client.put(key, '1');
      const runs = await interfered(
        isolation,
        async (s) => s.put(key, String(numberOf(await s.get(key)) + 1)),
        () => client.put(key, '10'),
      );
      const final = (await client.get(key)).kvs[0]!.value.toString();
      if (isolation === 'read-committed') {
        assert.deepEqual([runs, final], [1, '2'], 'read-committed: the concurrent write is lost');
      } else {
        assert.deepEqual([runs, final], [2, '11'], `${isolation}: ran again on the new value`);
      }
    }
  });

  test('a key written (not read) and changed after the first read: only snapshot runs again', async () => {
    for (const isolation of ['snapshot', 'serializable'] as const) {
      const [readKey, writeKey] = [`ww-${isolation}-r`, `ww-${isolation}-w`];
      await client.put(readKey, 'r');
      const runs = await interfered(
        isolation,
        async (s) => {
          await s.get(readKey);
          s.put(writeKey, 'from stm');
        },
        () => client.put(writeKey, 'concurrent'),
      );
      assert.equal(runs, isolation === 'snapshot' ? 2 : 1, isolation);
      assert.equal((await client.get(writeKey)).kvs[0]?.value.toString(), 'from stm');
    }
  });

  test('serializable levels read every key as of the first read; repeatable-read sees later writes', async () => {
    for (const isolation of ['snapshot', 'serializable', 'repeatable-read'] as const) {
      const [a, b] = [`view-${isolation}-a`, `view-${isolation}-b`];
      await client.put(a, 'a0');
      await client.put(b, 'b0');
      const seen: string[] = [];
      await stm(
        client,
        async (s) => {
          await s.get(a);
          if (seen.length === 0) await client.put(b, 'b1');
          seen.push((await s.get(b)).toString());
        },
        { isolation },
      );
      // The pinned levels read b0 (as of the first read); b changed since, so the commit
      // conflicts and they run again, on fresh values. repeatable-read reads b when first asked.
      if (isolation === 'repeatable-read') assert.deepEqual(seen, ['b1'], isolation);
      else assert.deepEqual(seen, ['b0', 'b1'], `${isolation}: first run saw the snapshot, the rerun the new value`);
    }
  });

  test('get/rev/put/del, several keys in one get, prefetch; the committed response', async () => {
    await client.put('ops/a', 'A');
    await client.put('ops/b', 'B');
    const { header } = await client.put('ops/c', 'C');
    const response = await stm(
      client,
      async (s) => {
        assert.equal((await s.get('ops/a', 'ops/b')).toString(), 'A', 'the first key of several');
        assert.equal((await s.get('ops/missing')).length, 0);
        assert.equal(await s.rev('ops/c'), header.revision);
        assert.equal(await s.rev('ops/missing'), 0);
        s.put('ops/a', 'A2');
        assert.equal((await s.get('ops/a')).toString(), 'A2', 'reads its own write');
        s.del('ops/b');
        assert.equal((await s.get('ops/b')).length, 0);
        assert.throws(() => s.put('', 'x'), InvalidArgumentError);
      },
      { prefetch: ['ops/a', 'ops/b', 'ops/c'] },
    );
    assert.equal(response.succeeded, true);
    assert.equal(response.responses.length, 2);
    const { kvs } = await client.get('ops/', { prefix: true });
    assert.deepEqual(
      kvs.map((kv) => `${kv.key}=${kv.value}`),
      ['ops/a=A2', 'ops/c=C'],
    );
  });

  test('bounded retries, errors and cancellation', async () => {
    assert.equal(DEFAULT_STM_MAX_ATTEMPTS, 100);
    await client.put('hot', '0');
    let runs = 0;
    const conflicting = stm(
      client,
      async (s) => {
        runs++;
        s.put('hot', String(numberOf(await s.get('hot')) + 1));
        await clients[1]!.put('hot', `other-${runs}`); // always someone faster
      },
      { maxAttempts: 5 },
    );
    await assert.rejects(conflicting, (e) => e instanceof StmConflictError && e.attempts === 5);
    assert.equal(runs, 5);
    assert.equal((await client.get('hot')).kvs[0]?.value.toString(), 'other-5', 'nothing of ours committed');

    const failure = new Error('apply failed');
    await assert.rejects(
      stm(client, (s) => {
        s.put('never', 'x');
        throw failure;
      }),
      (e) => e === failure,
    );
    assert.equal((await client.get('never')).count, 0);

    const controller = new AbortController();
    const reason = new Error('cancelled');
    await assert.rejects(
      stm(
        client,
        async (s) => {
          await s.get('hot');
          controller.abort(reason);
          s.put('never', 'x');
        },
        { signal: controller.signal },
      ),
      (e) => e === reason,
    );
    assert.equal((await client.get('never')).count, 0);
    await assert.rejects(stm(client, () => undefined, { isolation: 'linearizable' as StmIsolation }), InvalidArgumentError);
    await assert.rejects(stm(client, () => undefined, { maxAttempts: 0 }), InvalidArgumentError);
  });
});
