// The runtime suite: etcd-ts/testing itself on this runtime: a member paused, resumed, stopped
// while paused, killed and restarted; a process that ends (or gets SIGINT, or SIGKILL) with a
// cluster still open leaves no etcd process and no folder behind. Runs unchanged under node, bun and deno.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import type { Client } from '../../src/index.js';
import { FIXTURES, describeChild, runChild, startChild, testing, waitFor } from './runtime.js';

let cluster: InstanceType<typeof testing.EtcdCluster>;
let client: Client;

before(async () => {
  cluster = await testing.EtcdCluster.start({ size: 1 });
  client = cluster.client({ dialTimeout: 1000 });
});

after(async () => {
  await cluster?.close();
});

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test('pause and resume a member (SIGSTOP, SIGCONT)', { timeout: 30_000 }, async () => {
  const member = cluster.members[0]!;
  await member.pause();
  assert.equal(member.paused, true);
  assert.equal(await member.health({ timeout: 500 }), false, 'a paused member does not answer');
  await member.resume();
  assert.equal(member.paused, false);
  await waitFor('the resumed member healthy', () => member.health({ timeout: 500 }));
  assert.equal((await client.put('rt/testing/k', 'after-resume')).header.revision > 0, true);
});

test('stop a paused member, start it again, kill it, restart it', { timeout: 60_000 }, async () => {
  const member = cluster.members[0]!;
  await member.pause();
  await member.stop({ grace: 10_000 });
  assert.equal(member.running, false);
  await member.start();
  assert.equal((await client.get('rt/testing/k')).kvs[0]?.value.toString(), 'after-resume');
  const pid = member.pid!;
  await member.kill();
  assert.equal(member.running, false);
  assert.equal(alive(pid), false, 'the killed etcd is gone');
  assert.equal(member.lastExit?.signal, 'SIGKILL');
  await member.restart();
  assert.equal((await client.get('rt/testing/k')).kvs[0]?.value.toString(), 'after-resume');
});

test('kill and start a member 5 times: its data and the cluster folder survive every time', { timeout: 90_000 }, async () => {
  // Each exit releases the member's watchdog (SIGKILL it, then close its pipe); a watchdog that
  // saw its pipe close first would remove the cluster folder under the running members.
  const member = cluster.members[0]!;
  for (let round = 0; round < 5; round++) {
    await member.kill();
    assert.ok(existsSync(member.dataDir), `round ${round}: the data folder survived the kill`);
    await member.start();
    assert.equal((await client.get('rt/testing/k')).kvs[0]?.value.toString(), 'after-resume', `round ${round}: the data survived`);
  }
});

test('a process that ends with a cluster open leaves no etcd and no folder', { timeout: 60_000 }, async () => {
  const result = await runChild(join(FIXTURES, 'cluster-left-open.mjs'), { args: ['exit'] });
  assert.equal(result.code, 0, describeChild(result));
  const { pid, dir } = JSON.parse(result.stdout) as { pid: number; dir: string };
  await waitFor('etcd gone', () => !alive(pid), 5000);
  assert.equal(existsSync(dir), false, `${dir} removed`);
});

// SIGINT: the launcher's handler cleans up and raises the signal again; SIGKILL: the watchdogs do.
for (const signal of ['SIGINT', 'SIGKILL'] as const) {
  test(`a process ended by ${signal} with a cluster open leaves no etcd and no folder`, { timeout: 60_000 }, async () => {
    let printed: { pid: number; dir: string } | undefined;
    const child = startChild(join(FIXTURES, 'cluster-left-open.mjs'), {
      args: ['wait'],
      onStdout: (text, c) => {
        if (printed === undefined && text.includes('\n')) {
          printed = JSON.parse(text) as { pid: number; dir: string };
          c.kill(signal);
        }
      },
    });
    const result = await child.done;
    assert.ok(printed !== undefined, describeChild(result));
    assert.equal(result.signal, signal, `ended by ${signal}: ${describeChild(result)}`);
    await waitFor('etcd gone', () => !alive(printed!.pid), 10_000);
    await waitFor(`${printed.dir} removed`, () => !existsSync(printed!.dir), 10_000);
  });
}
