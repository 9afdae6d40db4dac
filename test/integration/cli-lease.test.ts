// `etcdts lease ...` against etcdctl 3.4.23, byte for byte once IDs are replaced by placeholders.
//
// Two single-member clusters run side by side: each step runs etcdctl on cluster A and etcdts on
// cluster B with the same arguments, so revisions agree; cluster, member and lease IDs differ and
// are replaced by placeholders (lease IDs: any 16-hex-digit word and any other decimal of 12+
// digits). Exit codes and the `Error:` line must match too.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { EtcdCluster } from '../../src/testing/index.js';
import { asText, startEtcdctl, startEtcdts, type RunningCommand } from '../helpers/etcdts.js';
import { errorLine, headerIds, inParallel } from '../helpers/side-by-side.js';

interface Result {
  stdout: string;
  stderr: string;
  code: number | null;
}

/** A running command whose result has stdout as text. */
function textOf(running: RunningCommand): { done: Promise<Result>; stdout: () => string } {
  return { done: running.done.then(asText), stdout: running.stdout };
}

const etcdctl = (args: readonly string[]) => textOf(startEtcdctl(args));
/** etcdts, bundled once per test process (test/helpers/etcdts.ts; ETCDTS_CLI_JS runs a build instead). */
const etcdts = (args: readonly string[]) => textOf(startEtcdts(args));

interface Side {
  cluster: EtcdCluster;
  endpoint: string;
  clusterId: string;
  memberId: string;
}

let sideA: Side; // etcdctl's
let sideB: Side; // etcdts's

async function startSide(): Promise<Side> {
  const cluster = await EtcdCluster.start({ size: 1 });
  const endpoint = cluster.endpoints[0]!;
  return { cluster, endpoint, ...(await headerIds(endpoint)) };
}

/** A lease granted with etcdctl on a side; its ID in hex. */
async function grant(side: Side, ttl: number): Promise<string> {
  const r = await etcdctl(['--endpoints', side.endpoint, 'lease', 'grant', String(ttl)]).done;
  const hex = /lease ([0-9a-f]{16}) granted/.exec(r.stdout)?.[1];
  assert.ok(hex, r.stdout + r.stderr);
  return hex;
}

function normalize(side: Side, text: string, ttlVaries: boolean): string {
  let out = text.replaceAll(side.clusterId, '<CLUSTER_ID>').replaceAll(side.memberId, '<MEMBER_ID>');
  out = out.replace(/\b[0-9a-f]{16}\b/g, '<LEASE_HEX>').replace(/\b\d{12,}\b/g, '<LEASE_ID>');
  // The remaining TTL of `timetolive` may be a second apart between the sides.
  if (ttlVaries) out = out.replace(/remaining\(\d+s\)/g, 'remaining(<N>s)').replace(/"ttl":\d+/g, '"ttl":<N>').replace(/"TTL" : \d+/g, '"TTL" : <N>');
  return out;
}


interface Step {
  args: string[];
  /** Per-side arguments appended (a lease ID). */
  perSide?: (side: Side) => string[];
  ttlVaries?: boolean;
  /** A command-line parse error: etcdctl prints its usage on stdout, etcdts does not. */
  usage?: boolean;
}

async function same(step: Step): Promise<Result> {
  const argsFor = (side: Side) => ['--endpoints', side.endpoint, ...step.args, ...(step.perSide?.(side) ?? [])];
  const [theirs, ours] = await Promise.all([etcdctl(argsFor(sideA)).done, etcdts(argsFor(sideB)).done]);
  const what = `${step.args.join(' ')}\n etcdctl: ${theirs.stdout}${theirs.stderr}\n etcdts: ${ours.stdout}${ours.stderr}`;
  if (!step.usage) {
    assert.equal(normalize(sideB, ours.stdout, step.ttlVaries ?? false), normalize(sideA, theirs.stdout, step.ttlVaries ?? false), `stdout of ${what}`);
  }
  assert.equal(ours.code, theirs.code, `exit code of ${what}`);
  assert.equal(errorLine(ours.stderr), errorLine(theirs.stderr), `Error line of ${what}`);
  return ours;
}

/** Runs steps two at a time (the machine has 2 cores). */
async function sameAll(steps: readonly Step[]): Promise<void> {
  await inParallel(steps, 2, same);
}

before(async () => {
  [sideA, sideB] = await Promise.all([startSide(), startSide()]);
});

after(async () => {
  await Promise.all([sideA?.cluster.close(), sideB?.cluster.close()]);
});

describe('etcdts lease against etcdctl 3.4.23', { timeout: 240_000 }, () => {
  test('grant: outputs and argument errors', async () => {
    await sameAll([
      { args: ['lease', 'grant', '1'] },
      { args: ['lease', 'grant', '600', '-w', 'json'] },
      { args: ['lease', 'grant', '600', '-w', 'fields'] },
      { args: ['lease', 'grant'] },
      { args: ['lease', 'grant', '0x10'] },
      { args: ['lease', 'grant', '99999999999'] },
    ]);
  });

  test('put --lease <hex>, timetolive [--keys], list, keep-alive --once, revoke', async () => {
    // The previous test's leases (one of 1 s) expire on each side at slightly different moments:
    // revoke them so that `lease list` counts the same leases on both sides.
    await Promise.all([sideA, sideB].map(async (side) => {
      await using client = side.cluster.client();
      for (const { id } of (await client.lease.leases()).leases) await client.lease.revoke(id).catch(() => undefined);
    }));
    const lease = new Map<Side, string>([[sideA, await grant(sideA, 600)], [sideB, await grant(sideB, 600)]]);
    const id = (side: Side) => [lease.get(side)!];
    await same({ args: ['put', 'leased/k', 'v', '--lease'], perSide: id });
    await sameAll([
      { args: ['lease', 'timetolive'], perSide: id, ttlVaries: true },
      { args: ['lease', 'timetolive', '--keys'], perSide: id, ttlVaries: true },
      { args: ['lease', 'timetolive', '--keys', '-w', 'json'], perSide: id, ttlVaries: true },
      { args: ['lease', 'timetolive', '--keys', '-w', 'fields'], perSide: id, ttlVaries: true },
      { args: ['lease', 'timetolive', '1234', '-w', 'json'] },
      { args: ['lease', 'list'] },
      { args: ['lease', 'list', '-w', 'json'] },
      { args: ['lease', 'keep-alive', '--once'], perSide: id },
      { args: ['lease', 'keep-alive', '--once', '-w', 'fields'], perSide: id },
      { args: ['lease', 'keep-alive', '--once', 'ffff'] },
      { args: ['lease', 'keep-alive', 'ffff'] },
      { args: ['lease', 'revoke', 'zz'] },
      { args: ['lease', 'revoke', 'ffff'] },
    ]);
    await same({ args: ['lease', 'revoke'], perSide: id });
    await same({ args: ['lease', 'timetolive'], perSide: id });
    const other = new Map<Side, string>([[sideA, await grant(sideA, 600)], [sideB, await grant(sideB, 600)]]);
    await same({ args: ['lease', 'revoke', '-w', 'json'], perSide: (s) => [other.get(s)!] });
  });

  test('keep-alive prints each renewal until the lease is revoked, then "expired or revoked."', async () => {
    const ttl = 6; // renewals every 2 s; long enough for etcdts to start on a busy machine
    const lease = new Map<Side, string>([[sideA, await grant(sideA, ttl)], [sideB, await grant(sideB, ttl)]]);
    const keepAlive = async (side: Side, tool: typeof etcdctl) => {
      const proc = tool(['--endpoints', side.endpoint, 'lease', 'keep-alive', lease.get(side)!]);
      // Revoke once two renewals were printed (etcdts needs a second or more to start).
      const deadline = Date.now() + 20_000;
      while ((proc.stdout().match(/keepalived/g) ?? []).length < 2 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await etcdctl(['--endpoints', side.endpoint, 'lease', 'revoke', lease.get(side)!]).done;
      return proc.done;
    };
    const [theirs, ours] = await Promise.all([keepAlive(sideA, etcdctl), keepAlive(sideB, etcdts)]);
    for (const [who, r, side] of [['etcdctl', theirs, sideA], ['etcdts', ours, sideB]] as const) {
      const lines = normalize(side, r.stdout, false).split('\n');
      assert.equal(r.code, 0, `${who}: ${r.stderr}`);
      assert.deepEqual(lines.slice(-2), ['lease <LEASE_HEX> expired or revoked.', ''], `${who}: ${r.stdout}`);
      const renewals = lines.slice(0, -2);
      assert.ok(renewals.length >= 2, `${who} printed renewals: ${r.stdout}`);
      assert.ok(renewals.every((l) => l === `lease <LEASE_HEX> keepalived with TTL(${ttl})`), `${who}: ${r.stdout}`);
    }
  });
});
