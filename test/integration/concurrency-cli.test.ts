// `etcdts lock` and `etcdts elect` against etcdctl 3.4's, byte for byte. Two fresh single-member
// clusters run side by side: each step runs etcdctl on cluster A and etcdts on cluster B with the
// same arguments, so revisions agree; cluster, member and lease IDs (and the keys that carry a
// lease ID) are replaced by placeholders before the outputs are compared.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { EtcdCluster } from '../../src/testing/index.js';
import { etcdtsCommand } from '../helpers/etcdts.js';
import { ETCDCTL, bounded, killStarted, runToEnd, start, within, type Child } from './concurrency-support.js';

/** `[node, entry]` of etcdts (the bundled CLI, see test/helpers/etcdts.ts), set in `before`. */
let etcdtsArgv: readonly string[] = [];

interface Side {
  cluster: EtcdCluster;
  endpoint: string;
  /** Cluster and member IDs (decimal) of this side. */
  ids: string[];
  /** etcdctl on side A, etcdts on side B. */
  tool: 'etcdctl' | 'etcdts';
}

let sideA: Side;
let sideB: Side;

async function startSide(tool: Side['tool']): Promise<Side> {
  const cluster = await EtcdCluster.start({ size: 1 });
  const endpoint = cluster.endpoints[0]!;
  const r = await runToEnd(ETCDCTL, ['--endpoints', endpoint, 'get', 'x', '-w', 'json']);
  const ids = [/"cluster_id":(\d+)/.exec(r.stdout)?.[1], /"member_id":(\d+)/.exec(r.stdout)?.[1]];
  assert.ok(ids[0] && ids[1], r.stdout + r.stderr);
  return { cluster, endpoint, ids: ids as string[], tool };
}

function command(side: Side, args: readonly string[]): [string, string[]] {
  const all = ['--endpoints', side.endpoint, ...args];
  return side.tool === 'etcdctl' ? [ETCDCTL, all] : [etcdtsArgv[0]!, [...etcdtsArgv.slice(1), ...all]];
}

/** Starts a long-running command on one side (killed by `after` if a failed test left it running). */
function launch(side: Side, args: readonly string[]): Child {
  return start(...command(side, args));
}

/**
 * `text` with this side's IDs as placeholders: cluster and member IDs, and every lease ID found in
 * a key `<name>/<lease hex>` (as hex, as decimal, and the key in base64 as JSON shows it).
 */
function normalize(side: Side, text: string): string {
  let out = text;
  const keys = new Set<string>();
  for (const m of out.matchAll(/"key":"([A-Za-z0-9+/=]+)"/g)) keys.add(Buffer.from(m[1]!, 'base64').toString('latin1'));
  for (const m of out.matchAll(/\b[A-Za-z0-9-]+\/[0-9a-f]{6,16}\b/g)) keys.add(m[0]);
  for (const key of keys) {
    const hex = /\/([0-9a-f]+)$/.exec(key)?.[1];
    if (hex === undefined) continue;
    const name = key.slice(0, key.length - hex.length);
    out = out.replaceAll(Buffer.from(key, 'latin1').toString('base64'), Buffer.from(`${name}<LEASE>`).toString('base64'));
    out = out.replaceAll(BigInt(`0x${hex}`).toString(), '<LEASE>');
    out = out.replaceAll(hex, '<LEASE>');
  }
  out = out.replaceAll(side.ids[0]!, '<CLUSTER_ID>').replaceAll(side.ids[1]!, '<MEMBER_ID>');
  return out;
}

const errorLine = (stderr: string): string => stderr.split('\n').filter((l) => l.startsWith('Error: ')).pop() ?? '';

/** Runs a command to its end on both sides at once; asserts equal stdout, Error line and exit code. */
async function same(args: readonly string[]): Promise<string> {
  const [a, b] = await Promise.all([sideA, sideB].map((side) => runToEnd(...command(side, args))));
  const what = args.join(' ');
  assert.equal(normalize(sideB, b!.stdout), normalize(sideA, a!.stdout), `stdout of ${what}`);
  assert.equal(errorLine(b!.stderr), errorLine(a!.stderr), `Error line of ${what}`);
  assert.equal(b!.code, a!.code, `exit code of ${what}: ${b!.stderr}`);
  return normalize(sideA, a!.stdout);
}

/** Starts a long-running command on both sides; waits until both printed `lines` lines. */
async function bothUntil(args: readonly string[], lines: number): Promise<[Child, Child]> {
  const children = [launch(sideA, args), launch(sideB, args)] as [Child, Child];
  const printed = (c: Child) => c.stdout().split('\n').length - 1 >= lines;
  await within(15_000, `${args.join(' ')} printed ${lines} lines`, () => {
    for (const c of children) if (c.process.exitCode !== null) assert.fail(`${args.join(' ')} exited early: ${c.stderr()}`);
    return children.every(printed);
  });
  return children;
}

/** Interrupts both (SIGINT) and compares their whole output and exit codes. */
async function interruptBoth([a, b]: [Child, Child], what: string): Promise<string> {
  a.process.kill('SIGINT');
  b.process.kill('SIGINT');
  const [codeA, codeB] = await bounded(Promise.all([a.exited, b.exited]), 15_000, `${what} exits on SIGINT`);
  assert.equal(normalize(sideB, b.stdout()), normalize(sideA, a.stdout()), `stdout of ${what}`);
  assert.equal(errorLine(b.stderr()), errorLine(a.stderr()), `Error line of ${what}`);
  assert.equal(codeB, codeA, `exit code of ${what}: ${b.stderr()}`);
  return normalize(sideA, a.stdout());
}

before(async () => {
  [sideA, sideB, etcdtsArgv] = await Promise.all([startSide('etcdctl'), startSide('etcdts'), etcdtsCommand()]);
});

after(async () => {
  await killStarted();
  await Promise.all([sideA?.cluster.close(), sideB?.cluster.close()]);
});

describe('etcdts lock / elect match etcdctl', { timeout: 90_000 }, () => {
  test('argument errors', async () => {
    for (const args of [['lock'], ['elect'], ['elect', 'e'], ['elect', '-l', 'e', 'p'], ['elect', 'a', 'b', 'c']]) await same(args);
  });

  test('lock NAME -- command: runs it with ETCD_LOCK_KEY / ETCD_LOCK_REV, reports its failure', async () => {
    const failed = await same(['lock', 'cli-lock', '--', 'sh', '-c', 'echo "$ETCD_LOCK_KEY" "$ETCD_LOCK_REV"; exit 3']);
    assert.equal(failed, 'cli-lock/<LEASE> 2\n');
    assert.equal(await same(['lock', '--ttl', '5', 'cli-lock', 'echo', 'done']), 'done\n');
    await same(['lock', 'cli-lock', 'no-such-command-here']);
    assert.equal(await same(['get', 'cli-lock', '--prefix', '--keys-only']), '', 'every lock released');
  });

  test('lock NAME: prints the key, holds until SIGINT (simple and json)', async () => {
    const simple = await interruptBoth(await bothUntil(['lock', 'cli-held'], 2), 'lock cli-held');
    assert.equal(simple, 'cli-held/<LEASE>\n\n');
    const json = await interruptBoth(await bothUntil(['-w', 'json', 'lock', 'cli-held'], 1), 'lock -w json');
    assert.match(json, /^\{"header":\{"cluster_id":<CLUSTER_ID>,"member_id":<MEMBER_ID>,"revision":\d+,"raft_term":\d+\},"kvs":\[\{"key":"[^"]+","create_revision":\d+/);
  });

  test('elect NAME PROPOSAL and elect -l NAME: leader, observer, next leader (simple and fields)', async () => {
    const observers = await bothUntil(['elect', '-l', 'cli-elect'], 0);
    const first = await bothUntil(['elect', 'cli-elect', 'first'], 2);
    await within(15_000, 'observers saw the first leader', () => observers.every((o) => o.stdout().split('\n').length - 1 >= 2));
    const second = await bothUntil(['-w', 'fields', 'elect', 'cli-elect', 'second'], 0);
    // The second candidate waits; once the first resigns it leads.
    await within(15_000, 'second candidate queued', async () => {
      const counts = await Promise.all([sideA, sideB].map((s) => s.cluster.client().get('cli-elect/', { prefix: true, countOnly: true })));
      return counts.every((r) => r.count === 2);
    });
    assert.equal(await interruptBoth(first, 'elect first'), 'cli-elect/<LEASE>\nfirst\n');
    await within(15_000, 'second elected', () => second.every((c) => c.stdout().includes('"Value" : "second"')));
    await within(15_000, 'observers saw the second leader', () => observers.every((o) => o.stdout().split('\n').length - 1 >= 4));
    const fields = await interruptBoth(second, 'elect second -w fields');
    assert.match(fields, /"Key" : "cli-elect\/<LEASE>"\n"CreateRevision" : \d+\n"ModRevision" : \d+\n"Version" : 1\n"Value" : "second"\n"Lease" : <LEASE>\n"More" : false\n"Count" : 1\n$/);
    assert.equal(await interruptBoth(observers, 'elect -l'), 'cli-elect/<LEASE>\nfirst\ncli-elect/<LEASE>\nsecond\n');
  });
});
