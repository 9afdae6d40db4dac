// The administration commands of etcdts (member, endpoint, defrag, alarm, move-leader, snapshot)
// against etcdctl 3.4.23, byte for byte.
//
// - Read-only commands run with etcdctl and etcdts on the same 3-member cluster C: stdout, exit
//   code and Error line must be equal (only `endpoint health`'s timings are normalised).
// - Commands that change the cluster run side by side: etcdctl on cluster A, etcdts on cluster B
//   (1 member each, same history); cluster and member IDs and ports are replaced by placeholders.
// - Where etcdctl 3.4 crashes (member promote -w json), etcdts's own output is checked.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { EtcdCluster } from '../../src/testing/index.js';
import { asText, etcdctl as runEtcdctl, etcdts as runEtcdts, etcdtsCommand } from '../helpers/etcdts.js';
import { errorLine, inParallel } from '../helpers/side-by-side.js';
import { httpGetText } from '../../src/testing/probe.js';

/** Backend quota of clusters A and B (small, for the NOSPACE alarm). */
const QUOTA_BYTES = 1024 * 1024;

interface Result {
  stdout: string;
  stderr: string;
  code: number | null;
}

const etcdctl = async (args: readonly string[], cwd?: string): Promise<Result> => asText(await runEtcdctl(args, { cwd }));
/** etcdts, bundled once per test process (test/helpers/etcdts.ts; ETCDTS_CLI_JS runs a build instead). */
const etcdts = async (args: readonly string[], cwd?: string): Promise<Result> => asText(await runEtcdts(args, { cwd }));

/** Lines of stderr that are neither etcdctl's JSON log lines nor its Error line. */
function messages(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l !== '' && !l.startsWith('{') && !l.startsWith('Error: '));
}

/** Compares a pair of results: stdout (after `normalize`), exit code, Error line, other stderr lines. */
function assertSame(what: string, theirs: Result, ours: Result, normalize: (side: 'A' | 'B', text: string) => string = (_s, t) => t): void {
  const detail = `${what}\n etcdctl: ${theirs.stdout}${theirs.stderr}\n etcdts: ${ours.stdout}${ours.stderr}`;
  assert.equal(normalize('B', ours.stdout), normalize('A', theirs.stdout), `stdout of ${detail}`);
  assert.equal(ours.code, theirs.code, `exit code of ${detail}`);
  assert.equal(errorLine(ours.stderr), errorLine(theirs.stderr), `Error line of ${detail}`);
  assert.deepEqual(messages(normalize('B', ours.stderr)), messages(normalize('A', theirs.stderr)), `stderr of ${detail}`);
}

/**
 * `endpoint health` timings (`took = 1.2ms`, `"took":"..."`, table cells) and the table widths they
 * change; lines sorted, as etcdctl prints the endpoints in the order their checks finish.
 */
function withoutTimings(text: string): string {
  return text
    .replace(/\d+(\.\d+)?(ns|µs|ms|s)\b/g, '<TOOK>')
    .replace(/-+/g, '-')
    .replace(/ +/g, ' ')
    .split('\n')
    .sort()
    .join('\n');
}

let clusterA: EtcdCluster; // etcdctl's side of the changes
let clusterB: EtcdCluster; // etcdts's side
let clusterC: EtcdCluster; // read-only comparisons, 3 members

/** Placeholders per side: IDs (decimal, %x, %16x) and ports. */
const placeholders = { A: new Map<string, string>(), B: new Map<string, string>() };
/** Cluster and member ID of each side. */
const ids = { A: { cluster: 0n, member: 0n }, B: { cluster: 0n, member: 0n } };

function name(side: 'A' | 'B', value: string | bigint | number, placeholder: string): void {
  placeholders[side].set(String(value), placeholder);
}

function nameId(side: 'A' | 'B', id: bigint, placeholder: string): void {
  name(side, id.toString(), placeholder);
  // `%16x` (after a space, as in `Member %16x added`): with its padding, so that the padding of an
  // ID of fewer than 16 hex digits is not taken for the space before a plain `%x` (`from %x`).
  placeholders[side].set(` ${id.toString(16).padStart(16, ' ')}`, ` ${placeholder}`);
  name(side, id.toString(16), placeholder);
}

function sides(side: 'A' | 'B', text: string): string {
  let out = text;
  // longest first, so that a decimal ID is replaced before any number inside it
  for (const [value, placeholder] of [...placeholders[side]].sort((x, y) => y[0].length - x[0].length)) {
    out = out.replaceAll(value, placeholder);
  }
  return out;
}

async function describeSide(side: 'A' | 'B', cluster: EtcdCluster): Promise<void> {
  await using client = cluster.client();
  const status = await client.maintenance.status();
  ids[side] = { cluster: status.header.clusterId, member: status.header.memberId };
  nameId(side, status.header.clusterId, '<CLUSTER>');
  nameId(side, status.header.memberId, '<MEMBER>');
  const m = cluster.members[0]!;
  name(side, m.clientPort, '<CLIENT_PORT>');
  name(side, m.peerPort, '<PEER_PORT>');
}

/** Runs `args` with etcdctl on A and etcdts on B (endpoint flags added) and compares them. */
async function sameChange(args: string[], what = args.join(' ')): Promise<{ theirs: Result; ours: Result }> {
  const [theirs, ours] = await Promise.all([
    etcdctl(['--endpoints', clusterA.endpoints[0]!, ...args]),
    etcdts(['--endpoints', clusterB.endpoints[0]!, ...args]),
  ]);
  assertSame(what, theirs, ours, sides);
  return { theirs, ours };
}

/** Runs read-only `steps` with both tools on cluster C, two steps at a time, and compares them. */
async function sameReads(steps: Array<{ args: string[]; normalize?: (text: string) => string }>): Promise<void> {
  await inParallel(steps, 2, async (step) => {
    const [theirs, ours] = await Promise.all([etcdctl(step.args), etcdts(step.args)]);
    const n = step.normalize;
    assertSame(step.args.join(' '), theirs, ours, n === undefined ? undefined : (_side, text) => n(text));
  });
}

before(async () => {
  const args = [`--quota-backend-bytes=${QUOTA_BYTES}`];
  await etcdtsCommand(); // the bundle, made before the clusters start
  [clusterA, clusterB, clusterC] = await Promise.all([
    EtcdCluster.start({ size: 1, args }),
    EtcdCluster.start({ size: 1, args }),
    EtcdCluster.start({ size: 3 }),
  ]);
  await Promise.all([describeSide('A', clusterA), describeSide('B', clusterB), settle(clusterC)]);
});

/**
 * Waits until `cluster` has stopped applying its start-up entries: every member knows the cluster
 * version (`GET /version`: `etcdcluster` is no longer `not_decided`; the leader proposes it a few
 * seconds after start, one raft entry) and all report the same raft index twice, 300 ms apart. The
 * read-only comparisons need raft indexes that hold still.
 */
async function settle(cluster: EtcdCluster): Promise<void> {
  await using client = cluster.client();
  const deadline = Date.now() + 20_000;
  const decided = async () => (await Promise.all(cluster.members.map(async (m) => {
    const body = JSON.parse((await httpGetText(`${m.clientUrl}/version`)).body) as { etcdcluster?: string };
    return body.etcdcluster !== undefined && body.etcdcluster !== 'not_decided';
  }))).every(Boolean);
  while (!(await decided())) {
    assert.ok(Date.now() < deadline, 'cluster C did not decide its cluster version');
    await new Promise<void>((resolve) => setTimeout(resolve, 100));
  }
  const indexes = async () => (await Promise.all(cluster.endpoints.map((ep) => client.maintenance.status(ep)))).map((s) => s.raftIndex).join();
  let last = await indexes();
  for (;;) {
    await new Promise<void>((resolve) => setTimeout(resolve, 300));
    const now = await indexes();
    if (now === last && new Set(now.split(',')).size === 1) return;
    assert.ok(Date.now() < deadline, `cluster C did not settle: raft indexes ${now}`);
    last = now;
  }
}

after(async () => {
  await Promise.all([clusterA?.close(), clusterB?.close(), clusterC?.close()]);
});

describe('read-only commands on one 3-member cluster', { timeout: 90_000 }, () => {
  test('member list, endpoint status|hashkv|health (--cluster), defrag, move-leader errors', async () => {
    const all = clusterC.endpoints.join(',');
    const one = clusterC.endpoints[0]!.replace('http://', '');
    const leader = await clusterC.leader();
    const follower = clusterC.members.find((m) => m !== leader)!;
    const steps: Array<{ args: string[]; normalize?: (text: string) => string }> = [
      { args: ['--endpoints', one, 'member', 'list'] },
      { args: ['--endpoints', one, 'member', 'list', '-w', 'json'] },
      { args: ['--endpoints', one, 'member', 'list', '-w', 'fields'] },
      { args: ['--endpoints', one, 'member', 'list', '-w', 'table'] },
      { args: ['--endpoints', all, 'endpoint', 'status'] },
      { args: ['--endpoints', all, 'endpoint', 'status', '-w', 'json'] },
      { args: ['--endpoints', one, 'endpoint', 'status', '-w', 'fields'] },
      { args: ['--endpoints', one, 'endpoint', 'status', '--cluster', '-w', 'table'] },
      { args: ['--endpoints', one, 'endpoint', 'hashkv', '--cluster'] },
      { args: ['--endpoints', all, 'endpoint', 'hashkv', '-w', 'json'] },
      { args: ['--endpoints', one, 'endpoint', 'hashkv', '-w', 'fields', '--rev', '1'] },
      { args: ['--endpoints', one, 'endpoint', 'hashkv', '-w', 'table'] },
      { args: ['--endpoints', one, 'endpoint', 'health', '--cluster'], normalize: withoutTimings },
      { args: ['--endpoints', one, 'endpoint', 'health', '-w', 'json'], normalize: withoutTimings },
      { args: ['--endpoints', one, 'endpoint', 'health', '-w', 'fields'], normalize: withoutTimings },
      { args: ['--endpoints', all, 'endpoint', 'health', '-w', 'table'], normalize: withoutTimings },
      // one endpoint answers, one does not: partial output, the failure on stderr, exit 1
      { args: ['--endpoints', `${one},127.0.0.1:1`, '--command-timeout', '1s', 'endpoint', 'status', '-w', 'table'] },
      { args: ['--endpoints', one, 'member', 'list', '-w', 'yaml'] },
      { args: ['--endpoints', follower.clientUrl, 'move-leader', '1'] },
      { args: ['--endpoints', one, 'move-leader', 'zz'] },
      { args: ['--endpoints', one, 'move-leader'] },
    ];
    await sameReads(steps);
    // after the others: etcd 3.4 puts even an alarm GET through raft (a new raft index), and defrag
    // changes the database size
    await sameReads([{ args: ['--endpoints', one, 'alarm', 'list', '-w', 'table'] }, { args: ['--endpoints', one, 'defrag', '--cluster'] }]);
  });
});

describe('commands that change the cluster, side by side', { timeout: 120_000 }, () => {
  /** Runs `args` with etcdctl on A and etcdts on B, without comparing yet. */
  const both = (args: (side: 'A' | 'B') => string[], cwd: { A?: string; B?: string } = {}) => Promise.all([
    etcdctl(['--endpoints', clusterA.endpoints[0]!, ...args('A')], cwd.A),
    etcdts(['--endpoints', clusterB.endpoints[0]!, ...args('B')], cwd.B),
  ]);

  /** Names the member ID a `member add` printed (simple or json) `<LEARNER>`; returns it in hex. */
  function learnerFrom(side: 'A' | 'B', out: string): string {
    const fromJson = /"member":\{"ID":(\d+)/.exec(out)?.[1];
    const fromText = /Member +([0-9a-f]+) added/.exec(out)?.[1];
    assert.ok(fromJson ?? fromText, `no member ID in ${out}`);
    const id = fromJson !== undefined ? BigInt(fromJson) : BigInt(`0x${fromText}`);
    nameId(side, id, '<LEARNER>');
    return id.toString(16);
  }

  /** `ETCD_INITIAL_CLUSTER` lists the members in ID order, which differs between the sides: sort it. */
  const sortedInitialCluster = (side: 'A' | 'B', text: string) =>
    sides(side, text).replace(/ETCD_INITIAL_CLUSTER="([^"]*)"/, (_m, list: string) => `ETCD_INITIAL_CLUSTER="${list.split(',').sort().join(',')}"`);

  /** Both tools on cluster B (read-only): the same bytes. */
  async function sameOnB(args: string[]): Promise<void> {
    const full = ['--endpoints', clusterB.endpoints[0]!, ...args];
    const [theirs, ours] = await Promise.all([etcdctl(full), etcdts(full)]);
    assertSame(`${args.join(' ')} (both on B)`, theirs, ours);
  }

  test('member add --learner, list, promote (not ready), remove, update; argument errors', async () => {
    const added = await both(() => ['member', 'add', 'newbie', '--learner', '--peer-urls', 'http://127.0.0.1:2']);
    const learner = { A: learnerFrom('A', added[0].stdout), B: learnerFrom('B', added[1].stdout) };
    assertSame('member add --learner', added[0], added[1], sortedInitialCluster);
    await Promise.all([sameOnB(['member', 'list', '-w', 'json']), sameOnB(['member', 'list', '-w', 'table'])]);
    const promote = await both((side) => ['member', 'promote', learner[side]]);
    assertSame('member promote (unstarted learner)', promote[0], promote[1], sides);
    const removed = await both((side) => ['member', 'remove', learner[side], '-w', 'json']);
    assertSame('member remove -w json', removed[0], removed[1], sides);

    // -w json of add; -w fields fails after the change, as etcdctl's
    const json = await both(() => ['member', 'add', 'second', '--learner', '--peer-urls', 'http://127.0.0.1:3', '-w', 'json']);
    const second = { A: learnerFrom('A', json[0].stdout), B: learnerFrom('B', json[1].stdout) };
    const sortMembers = (side: 'A' | 'B', text: string) =>
      sides(side, text).replace(/"members":\[\{(.*)\}\]/, (_m, inner: string) => `"members":[{${inner.split('},{').sort().join('},{')}}]`);
    assertSame('member add -w json', json[0], json[1], sortMembers);
    const fields = await both((side) => ['member', 'remove', second[side], '-w', 'fields']);
    assertSame('member remove -w fields', fields[0], fields[1], sides);
    await sameChange(['member', 'list']);

    const updated = await both((side) => ['member', 'update', ids[side].member.toString(16), '--peer-urls', (side === 'A' ? clusterA : clusterB).members[0]!.peerUrl]);
    assertSame('member update', updated[0], updated[1], sides);

    await Promise.all([
      ['member', 'add'],
      ['member', 'add', 'x'],
      ['member', 'add', 'x', 'http://127.0.0.1:4', 'y'],
      ['member', 'remove'],
      ['member', 'remove', 'xyz'],
      ['member', 'update', '1'],
      ['member', 'promote', 'fffffffffffffffff'],
      ['member', 'remove', '1234'],
    ].map((args) => sameChange(args)));
  });

  test('move-leader to itself, alarm list|disarm after NOSPACE, the errors column, defrag', async () => {
    const moved = await both((side) => ['move-leader', ids[side].member.toString(16)]);
    assertSame('move-leader (to the leader itself)', moved[0], moved[1], sides);
    await sameChange(['alarm', 'list']);

    // fill both quotas through the library
    await Promise.all([clusterA, clusterB].map(async (cluster) => {
      await using client = cluster.client();
      const value = 'v'.repeat(100 * 1024);
      const deadline = Date.now() + 20_000;
      for (let i = 0; Date.now() < deadline; i++) {
        if (await client.put(`fill/${i % 4}`, value).then(() => false, () => true)) break;
      }
    }));
    await sameChange(['alarm', 'list']);
    await sameChange(['alarm', 'list', '-w', 'json']);
    // the errors column of the alarmed member, wrapped in the table: both tools on cluster B
    await Promise.all([['endpoint', 'status', '-w', 'table'], ['endpoint', 'status'], ['endpoint', 'status', '-w', 'json']].map(sameOnB));
    await sameChange(['alarm', 'disarm', '-w', 'json']);
    await sameChange(['alarm', 'disarm']); // nothing left to disarm
    await sameChange(['defrag']);
    await sameChange(['alarm', 'list', 'extra']);
  });

  test('snapshot save: the same lines, a file etcdctl reads; its errors', async () => {
    const dirA = join(clusterA.dir, 'snapshots');
    const dirB = join(clusterB.dir, 'snapshots');
    mkdirSync(dirA);
    mkdirSync(dirB);
    const [theirs, ours] = await both(() => ['snapshot', 'save', 'snap.db'], { A: dirA, B: dirB });
    assert.equal(ours.stdout, theirs.stdout);
    assert.equal(ours.code, 0, ours.stderr);
    assert.match(ours.stderr, /"msg":"fetched snapshot".*"sha256":"[0-9a-f]{64}"/);
    const status = await etcdctl(['snapshot', 'status', join(dirB, 'snap.db'), '-w', 'json']);
    assert.equal(status.code, 0, status.stderr);
    assert.ok((JSON.parse(status.stdout) as { totalKey: number }).totalKey > 0);

    for (const args of [['snapshot', 'save'], ['snapshot', 'save', 'no/such/folder/x.db']]) {
      const pair = await both(() => args, { A: dirA, B: dirB });
      assertSame(args.join(' '), pair[0], pair[1], sides);
    }
    const two = ['--endpoints', `${clusterB.endpoints[0]!},127.0.0.1:1`, 'snapshot', 'save', 'x.db'];
    const pair = await Promise.all([etcdctl(two, dirB), etcdts(two, dirB)]);
    assertSame('snapshot save with two endpoints', pair[0], pair[1]);
  });
});

describe('where etcdctl 3.4 crashes or cannot run here', { timeout: 60_000 }, () => {
  test('member promote of a started learner, -w simple and json; move-leader to it', async () => {
    const endpoint = clusterB.endpoints[0]!;
    const extra = await clusterB.addMember();
    const added = await etcdts(['--endpoints', endpoint, 'member', 'add', extra.name, '--learner', '--peer-urls', extra.peerUrl, '-w', 'json']);
    assert.equal(added.code, 0, added.stderr);
    const id = BigInt((/"member":\{"ID":(\d+)/.exec(added.stdout) ?? assert.fail(added.stdout))[1]!);
    await extra.start();
    const deadline = Date.now() + 15_000;
    let promoted: Result;
    for (;;) {
      promoted = await etcdts(['--endpoints', endpoint, 'member', 'promote', id.toString(16)]);
      if (promoted.code === 0 || Date.now() > deadline || !/in sync with leader/.test(promoted.stderr)) break;
    }
    assert.equal(promoted.code, 0, promoted.stderr);
    assert.equal(promoted.stdout, `Member ${id.toString(16).padStart(16, ' ')} promoted in cluster ${ids.B.cluster.toString(16).padStart(16, ' ')}\n`);
    const moved = await etcdts(['--endpoints', clusterB.endpoints.join(','), 'move-leader', id.toString(16), '-w', 'json']);
    assert.deepEqual([moved.code, moved.stdout, moved.stderr], [0, '{}\n', '']);
    assert.equal(await clusterB.leader(), extra);
    // etcdctl and etcdts agree on the two-member view
    const list = ['--endpoints', clusterB.endpoints.join(','), 'member', 'list', '-w', 'table'];
    const [theirs, ours] = await Promise.all([etcdctl(list), etcdts(list)]);
    assertSame('member list (two members)', theirs, ours);
  });
});
