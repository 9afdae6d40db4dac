/**
 * One client shared by 200 concurrent async tasks while members fail (the member in use killed,
 * then the leader killed, each restarted): every task's every call gives a correct answer or a
 * typed error. Task i owns key `fault/tasks/<i>` and loops: put a new value, read it back. A read
 * must return the task's last acknowledged value or one it attempted after it (an unacknowledged
 * put may have been applied), at a revision no older than that acknowledgement; a read never
 * returns another task's value, an older value, or hangs past its deadline.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { EtcdError } from '../../src/errors/index.js';
import { EtcdCluster } from '../../src/testing/index.js';
import { HANG_SLACK_MS, memberInUse, restoreCluster, snapshot } from './harness.js';

const TASKS = 200;
const CALL_TIMEOUT_MS = 3000;

let cluster: EtcdCluster;

before(async () => {
  cluster = await EtcdCluster.start({ size: 3 });
}, { timeout: 30_000 });

after(async () => {
  await cluster?.close();
});

interface TaskReport {
  correct: number;
  typedErrors: number;
  wrong: string[];
  lastAcked: { value: string; revision: number } | undefined;
  attemptedSince: Set<string>;
}

describe('200 concurrent tasks', { timeout: 120_000 }, () => {
  test('each gets a correct answer or a typed error while members fail', async (t) => {
    const client = cluster.client({ dialTimeout: 2000 });
    await client.get('fault/warm-up');
    let stop = false;
    const errorsByName = new Map<string, number>();
    const reports: TaskReport[] = [];

    const call = async <T>(report: TaskReport, what: string, run: () => Promise<T>): Promise<T | undefined> => {
      const started = Date.now();
      try {
        return await run();
      } catch (error) {
        if (error instanceof EtcdError) {
          report.typedErrors++;
          errorsByName.set(error.name, (errorsByName.get(error.name) ?? 0) + 1);
        } else {
          report.wrong.push(`${what}: untyped error ${String(error)}`);
        }
        return undefined;
      } finally {
        const took = Date.now() - started;
        if (took > CALL_TIMEOUT_MS + HANG_SLACK_MS) report.wrong.push(`${what} took ${took} ms`);
      }
    };

    const task = async (i: number): Promise<void> => {
      const report: TaskReport = { correct: 0, typedErrors: 0, wrong: [], lastAcked: undefined, attemptedSince: new Set() };
      reports.push(report);
      const key = `fault/tasks/${i}`;
      for (let n = 0; !stop; n++) {
        const value = `${i}:${n}`;
        report.attemptedSince.add(value);
        const put = await call(report, `put ${key}`, () => client.put(key, value, { timeout: CALL_TIMEOUT_MS }));
        if (put !== undefined) {
          report.correct++;
          report.lastAcked = { value, revision: put.header.revision };
          report.attemptedSince = new Set([value]);
        }
        const got = await call(report, `get ${key}`, () => client.get(key, { timeout: CALL_TIMEOUT_MS }));
        if (got !== undefined) {
          const kv = got.kvs[0];
          const seen = kv?.value.toString();
          const acked = report.lastAcked;
          if (acked === undefined) {
            // Nothing acknowledged yet: absent, or one of the task's own attempts.
            if (seen === undefined || report.attemptedSince.has(seen)) report.correct++;
            else report.wrong.push(`get ${key} returned ${seen}, never written by this task`);
          } else if (seen === undefined || !report.attemptedSince.has(seen)) {
            report.wrong.push(`get ${key} returned ${String(seen)} after ${acked.value} was acknowledged`);
          } else if (kv!.modRevision < acked.revision) {
            report.wrong.push(`get ${key} returned revision ${kv!.modRevision}, older than the acknowledged ${acked.revision}`);
          } else {
            report.correct++;
          }
        }
        await new Promise((r) => setTimeout(r, 5));
      }
    };

    const running = Array.from({ length: TASKS }, (_, i) => task(i));
    const progress = () => reports.reduce((sum, r) => sum + r.correct, 0);
    const waitProgress = async (count: number, timeout: number) => {
      const target = progress() + count;
      const deadline = Date.now() + timeout;
      while (progress() < target) {
        assert.ok(Date.now() < deadline, `fewer than ${count} correct answers within ${timeout} ms`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    try {
      await waitProgress(TASKS * 2, 20_000);
      const used = memberInUse(cluster, client);
      await used.kill();
      t.diagnostic(`killed ${used.name} (in use)`);
      await waitProgress(TASKS, 20_000);
      await restoreCluster(cluster);
      const leader = await cluster.leader();
      await leader.kill();
      t.diagnostic(`killed ${leader.name} (leader)`);
      await waitProgress(TASKS, 20_000);
      await restoreCluster(cluster);
      await waitProgress(TASKS * 2, 20_000);
    } finally {
      stop = true;
      await Promise.all(running);
    }

    const wrong = reports.flatMap((r) => r.wrong);
    assert.deepEqual(wrong.slice(0, 10), [], `${wrong.length} wrong answers`);
    for (const [i, r] of reports.entries()) assert.ok(r.correct > 0, `task ${i} never got a correct answer`);
    // The store agrees with each task's last acknowledged value or a later attempt.
    const store = await snapshot(cluster, 'fault/tasks/');
    for (const [i, r] of reports.entries()) {
      const kv = store.byKey.get(`fault/tasks/${i}`);
      if (r.lastAcked !== undefined) {
        assert.ok(kv !== undefined && r.attemptedSince.has(kv.value.toString()), `task ${i}: store has ${kv?.value.toString()}, acknowledged ${r.lastAcked.value}`);
      }
    }
    const answers = reports.reduce((s, r) => s + r.correct, 0);
    const errors = reports.reduce((s, r) => s + r.typedErrors, 0);
    t.diagnostic(`${TASKS} tasks: ${answers} correct answers, ${errors} typed errors (${[...errorsByName].map(([n, c]) => `${n} x${c}`).join(', ') || 'none'}), 0 wrong`);
    await client.close();
  });
});
