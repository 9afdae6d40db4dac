// Integration tests of the etcd-ts/testing launcher against real etcd processes.
// etcdctl (v3 API) checks what the cluster does, independently of our client.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { EtcdCluster, EtcdError, EtcdLaunchError, EtcdMember, EtcdStartError, InvalidArgumentError } from '../../src/testing/index.js';
import { findEtcdBinary } from '../../src/testing/etcd-binary.js';
import { freePorts } from '../../src/testing/ports.js';
import { Status } from '../../src/transport/index.js';

const ETCDCTL = existsSync('/usr/bin/etcdctl') ? '/usr/bin/etcdctl' : 'etcdctl';

function etcdctl(endpoints: string | readonly string[], ...args: string[]): Promise<string> {
  const list = typeof endpoints === 'string' ? endpoints : endpoints.join(',');
  return new Promise((resolveRun, reject) => {
    execFile(
      ETCDCTL,
      [`--endpoints=${list}`, '--dial-timeout=2s', '--command-timeout=3s', ...args],
      { timeout: 10_000, env: { ...process.env, ETCDCTL_API: '3' } },
      (error, stdout, stderr) => (error ? reject(new Error(`etcdctl ${args.join(' ')}: ${error.message} ${stderr}`)) : resolveRun(stdout)),
    );
  });
}

/** `etcdctl endpoint status -w json` of one endpoint: its member id and the leader it sees (decimal strings; ids are 64-bit). */
async function endpointStatus(endpoint: string): Promise<{ memberId: string; leader: string }> {
  const out = await etcdctl(endpoint, 'endpoint', 'status', '-w', 'json');
  const memberId = /"member_id":(\d+)/.exec(out)?.[1];
  const leader = /"leader":(\d+)/.exec(out)?.[1];
  assert.ok(memberId && leader, `unexpected endpoint status output: ${out}`);
  return { memberId, leader };
}

/** Alive and not a zombie (a killed orphan may linger as a zombie until init reaps it). */
function isAlive(pid: number): boolean {
  if (existsSync('/proc/self/stat')) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
    } catch {
      return false;
    }
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Polls `check` every 20 ms until true; fails after `ms`. (A foreign process's death has no event to await.) */
async function eventually(what: string, ms: number, check: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

let scratch: string;
before(() => {
  scratch = mkdtempSync('/dev/shm/etcd-ts-launcher-test-');
});
after(() => {
  rmSync(scratch, { recursive: true, force: true });
});

describe('etcd binary and ports', () => {
  test('finds etcd and explains what to install when it cannot', () => {
    assert.match(findEtcdBinary(), /\/etcd$/);
    assert.throws(() => findEtcdBinary(undefined, { PATH: '' }), (e: unknown) => e instanceof EtcdLaunchError && /apt-get install etcd-server.*ETCD_BIN/s.test(e.message));
    assert.throws(() => findEtcdBinary(undefined, { ETCD_BIN: '/nonexistent/etcd', PATH: '/usr/bin' }), /ETCD_BIN=\/nonexistent\/etcd is not an executable/);
    assert.equal(findEtcdBinary(undefined, { ETCD_BIN: '/usr/bin/etcd', PATH: '' }), '/usr/bin/etcd');
  });

  test('hands out distinct ports', async () => {
    const ports = await freePorts(40);
    assert.equal(new Set(ports).size, 40);
    assert.ok(ports.every((p) => p > 0 && p < 65536));
  });

  test('rejects bad options before starting anything', async () => {
    await assert.rejects(EtcdCluster.start({ size: 2 as 1 }), InvalidArgumentError);
    await assert.rejects(EtcdCluster.start({ startTimeout: -1 }), InvalidArgumentError);
    await assert.rejects(EtcdCluster.start({ args: '--x' as unknown as string[] }), InvalidArgumentError);
    await assert.rejects(EtcdCluster.start({ unixSocket: 'yes' as unknown as boolean }), /unixSocket must be true or false/);
    await assert.rejects(EtcdCluster.start({ etcdBin: '/nonexistent/etcd' }), /etcdBin option.*apt-get install etcd-server/s);
  });
});

describe('single member', () => {
  test('starts, serves put/get, and close() removes the process and the folder', { timeout: 30_000 }, async () => {
    const cluster = await EtcdCluster.start();
    const member = cluster.member(0);
    const pid = member.pid!;
    assert.equal(cluster.members.length, 1);
    assert.deepEqual(cluster.endpoints, [member.clientUrl]);
    assert.match(member.clientUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(cluster.dir.startsWith('/dev/shm/'), cluster.dir);
    assert.match(cluster.etcdVersion, /^\d+\.\d+\.\d+/);
    assert.ok(existsSync(member.dataDir) && existsSync(member.logFile));
    assert.ok(isAlive(pid));
    assert.equal(await member.health(), true);

    await etcdctl(cluster.endpoints, 'put', 'launcher-key', 'launcher-value');
    assert.equal(await etcdctl(cluster.endpoints, 'get', 'launcher-key', '--print-value-only'), 'launcher-value\n');
    assert.equal(await cluster.leader(), member);

    await cluster.close();
    assert.equal(member.running, false);
    assert.equal(isAlive(pid), false);
    assert.equal(existsSync(cluster.dir), false);
    await cluster.close(); // idempotent
    assert.throws(() => cluster.member(1), (e: unknown) =>
      e instanceof EtcdLaunchError && e.code === Status.OUT_OF_RANGE && /EtcdCluster\.member: index must be an integer from 0 to 0, got 1/.test(e.message));
  });

  test('calls a member or cluster is not ready for are EtcdLaunchErrors saying why', { timeout: 30_000 }, async () => {
    const cluster = await EtcdCluster.start({ dataDir: scratch });
    const member = cluster.member(0);
    const notReady = (code: number, message: RegExp) => (e: unknown): boolean => {
      assert.ok(e instanceof EtcdLaunchError && e instanceof EtcdError, String(e));
      assert.equal(e.code, code, String(e));
      assert.match(e.message, message);
      return true;
    };
    try {
      await assert.rejects(member.start(), notReady(Status.FAILED_PRECONDITION, /etcd member member-0 is already running \(pid \d+\)/));
      await member.pause();
      await assert.rejects(member.isLeader(), notReady(Status.FAILED_PRECONDITION, /etcd member member-0 is paused/));
      await member.resume();
      await assert.rejects(cluster.leader({ timeout: -1 }), InvalidArgumentError);
    } finally {
      await cluster.close();
    }
    await assert.rejects(member.isLeader(), notReady(Status.FAILED_PRECONDITION, /etcd member member-0 is not running/));
    await assert.rejects(cluster.leader({ timeout: 100 }), notReady(Status.DEADLINE_EXCEEDED, /no single leader within 100 ms \(member-0: not running\)/));
    await assert.rejects(cluster.addMember(), notReady(Status.FAILED_PRECONDITION, /addMember: the cluster is closed/));
  });

  test('await using closes the cluster', { timeout: 30_000 }, async () => {
    let dir = '';
    let pid = 0;
    {
      await using cluster = await EtcdCluster.start({ dataDir: scratch, args: ['--auto-compaction-retention=0'] });
      dir = cluster.dir;
      pid = cluster.member(0).pid!;
      assert.ok(dir.startsWith(`${scratch}/`));
    }
    assert.equal(isAlive(pid), false);
    assert.equal(existsSync(dir), false);
  });

  test('a start failure reports the log tail and leaves nothing behind', { timeout: 30_000 }, async () => {
    const parent = mkdtempSync(`${scratch}/fail-`);
    await assert.rejects(EtcdCluster.start({ dataDir: parent, args: ['--no-such-flag'] }), (error: unknown) => {
      assert.ok(error instanceof EtcdStartError);
      assert.ok(error instanceof EtcdLaunchError && error instanceof EtcdError);
      assert.equal(error.code, Status.UNAVAILABLE);
      assert.match(error.logTail, /flag provided but not defined: -no-such-flag/);
      assert.match(error.message, /member-0 .*exited before it was healthy \(exit code \d+, signal null\)[\s\S]*no-such-flag/);
      assert.equal(error.exit?.signal, null);
      assert.notEqual(error.exit?.code, 0);
      return true;
    });
    assert.deepEqual(readdirSync(parent), []);
  });

  test('a member that cannot become healthy is an EtcdStartError (DEADLINE_EXCEEDED) at the start timeout, and is killed', { timeout: 30_000 }, async () => {
    // One of two members of its cluster: without the other (never started) it has no quorum, so
    // /health never answers true; it runs until the timeout.
    const [clientPort, peerPort, ghostPort] = await freePorts(3);
    const member = new EtcdMember({
      name: 'lonely',
      bin: findEtcdBinary(),
      dir: mkdtempSync(`${scratch}/lonely-`),
      clientPort: clientPort!,
      peerPort: peerPort!,
      initialCluster: `lonely=http://127.0.0.1:${peerPort},ghost=http://127.0.0.1:${ghostPort}`,
      initialClusterState: 'new',
      initialClusterToken: 'etcd-ts-lonely',
    });
    await assert.rejects(member.start({ timeout: 1_500 }), (error: unknown) => {
      assert.ok(error instanceof EtcdStartError && error instanceof EtcdError, String(error));
      assert.equal(error.code, Status.DEADLINE_EXCEEDED);
      assert.match(error.message, /etcd member lonely \(http:\/\/127\.0\.0\.1:\d+\) was not healthy after 1500 ms\n--- last lines of /);
      assert.equal(error.exit, undefined, 'it was running at the deadline');
      assert.equal(error.memberName, 'lonely');
      return true;
    });
    assert.equal(member.running, false);
    rmSync(member.dir, { recursive: true, force: true });
  });
});

describe('three members', () => {
  let cluster: EtcdCluster;
  before(async () => {
    cluster = await EtcdCluster.start({ size: 3, dataDir: scratch });
  });
  after(async () => {
    await cluster?.close();
  });

  test('all members are healthy and agree on one leader', { timeout: 30_000 }, async () => {
    assert.equal(cluster.endpoints.length, 3);
    assert.equal(new Set(cluster.endpoints).size, 3);
    assert.deepEqual(await Promise.all(cluster.members.map((m) => m.health())), [true, true, true]);
    const leader = await cluster.leader();
    const leaderId = (await endpointStatus(leader.clientUrl)).memberId;
    for (const member of cluster.members) {
      assert.equal((await endpointStatus(member.clientUrl)).leader, leaderId, `${member.name} sees another leader`);
    }
    const list = await etcdctl(cluster.endpoints, 'member', 'list');
    assert.equal(list.trim().split('\n').length, 3);
  });

  test('killing the leader elects a new one; restart() rejoins', { timeout: 60_000 }, async () => {
    const old = await cluster.leader();
    const oldId = (await endpointStatus(old.clientUrl)).memberId;
    const oldPid = old.pid!;
    await old.kill();
    assert.equal(old.running, false);
    assert.equal(old.pid, undefined);
    assert.equal(isAlive(oldPid), false);

    const next = await cluster.leader({ timeout: 15_000 });
    assert.notEqual(next, old);
    const nextId = (await endpointStatus(next.clientUrl)).memberId;
    const others = cluster.endpoints.filter((e) => e !== old.clientUrl);
    for (const endpoint of others) {
      const { leader } = await endpointStatus(endpoint);
      assert.equal(leader, nextId);
      assert.notEqual(leader, oldId);
    }
    await etcdctl(others, 'put', 'after-failover', 'yes');

    await old.restart();
    assert.equal(old.running, true);
    assert.notEqual(old.pid, oldPid);
    assert.equal(await old.health(), true);
    assert.equal((await endpointStatus(old.clientUrl)).leader, nextId);
    assert.equal(await etcdctl(old.clientUrl, 'get', 'after-failover', '--print-value-only'), 'yes\n');
  });

  test('pause() silences a member and resume() brings it back', { timeout: 30_000 }, async () => {
    const leader = await cluster.leader();
    const follower = cluster.members.find((m) => m !== leader)!;
    const pid = follower.pid!;
    await follower.pause();
    try {
      assert.equal(follower.paused, true);
      assert.equal(await follower.health({ timeout: 300 }), false);
      await assert.rejects(etcdctl(follower.clientUrl, '--command-timeout=500ms', 'get', 'x'));
      assert.equal(await leader.health(), true, 'the other two keep quorum');
    } finally {
      await follower.resume();
    }
    assert.equal(follower.paused, false);
    assert.equal(follower.pid, pid);
    await follower.waitHealthy({ timeout: 10_000 });
    assert.equal(await follower.health(), true);
  });

  test('stop() is graceful and restart() brings the member back', { timeout: 30_000 }, async () => {
    const member = cluster.member(2);
    await member.stop();
    assert.equal(member.running, false);
    // etcd exits on SIGTERM after its shutdown by re-raising the signal: not a SIGKILL.
    assert.ok(member.lastExit !== undefined && member.lastExit.signal !== 'SIGKILL', JSON.stringify(member.lastExit));
    await cluster.waitHealthy({ timeout: 10_000 });
    await member.restart();
    assert.equal(await member.health(), true);
  });
});

describe('a cluster left open', () => {
  const clusterModule = new URL('../../src/testing/index.ts', import.meta.url).href;
  const script = `
    import { EtcdCluster } from ${JSON.stringify(clusterModule)};
    const cluster = await EtcdCluster.start({ dataDir: process.argv[1] });
    console.log(JSON.stringify({ pids: cluster.members.map((m) => m.pid), dir: cluster.dir }));
    // Any line on stdin: exit normally without closing the cluster.
    process.stdin.once('data', () => process.exit(0));
  `;

  for (const mode of ['SIGKILL', 'SIGTERM', 'exit'] as const) {
    test(`dies with its process (${mode})`, { timeout: 40_000 }, async () => {
      const parent = mkdtempSync(`${scratch}/orphan-`);
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, parent], {
        cwd: fileURLToPath(new URL('../..', import.meta.url)),
        stdio: ['pipe', 'pipe', 'inherit'],
      });
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
        child.once('exit', (code, signal) => r({ code, signal })),
      );
      try {
        const lines = createInterface({ input: child.stdout! });
        const first = await new Promise<string>((resolveLine, reject) => {
          lines.once('line', resolveLine);
          child.once('exit', () => reject(new Error('child exited before printing its cluster')));
        });
        lines.close();
        const { pids, dir } = JSON.parse(first) as { pids: number[]; dir: string };
        assert.equal(pids.length, 1);
        assert.ok(pids.every(isAlive));
        assert.ok(existsSync(dir));

        if (mode === 'exit') child.stdin!.write('exit\n');
        else child.kill(mode);
        const end = await exited;
        if (mode === 'exit') assert.deepEqual(end, { code: 0, signal: null });
        else assert.equal(end.signal, mode, 'the signal is re-raised after cleanup');

        await eventually('etcd is gone', 5_000, () => !pids.some(isAlive));
        await eventually('the cluster folder is gone', 5_000, () => !existsSync(dir));
      } finally {
        child.kill('SIGKILL');
      }
    });
  }
});
