// The etcdts command line against etcdctl 3.4.23, byte for byte.
//
// Two fresh single-member clusters run side by side: every step runs etcdctl on cluster A and
// etcdts on cluster B with the same arguments and stdin. Both clusters see the same writes in the
// same order, so revisions, versions and raft terms agree; only the cluster, member and lease IDs
// differ, and they are replaced by placeholders before stdout is compared. Exit codes must match,
// and so must the `Error:` line (exactly, or its start where etcdts words the error differently).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';

import { DEMO_HEADINGS } from '../../src/cli/demo.js';
import {
  ETCDCTL,
  cleanEnv,
  etcdctl as runEtcdctl,
  etcdts as runEtcdts,
  startEtcdts,
  type CommandResult as Result,
} from '../helpers/etcdts.js';
import { errorLine, inParallel, normalize, startSide, type Side } from '../helpers/side-by-side.js';

interface RunOptions {
  stdin?: string;
  env?: Record<string, string>;
}

/** etcdctl with `args`; stdin is `options.stdin` or empty. */
const etcdctl = (args: readonly string[], options: RunOptions = {}) => runEtcdctl(args, { ...options, stdin: options.stdin ?? '' });
/** etcdts (bundled once per test process, see test/helpers/etcdts.ts) with `args`; stdin is `options.stdin` or empty. */
const etcdts = (args: readonly string[], options: RunOptions = {}) => runEtcdts(args, { ...options, stdin: options.stdin ?? '' });

let sideA: Side; // etcdctl's
let sideB: Side; // etcdts's

/** Grants a lease on a side with etcdctl; remembers its ID (decimal and hex) as `<LEASE>`. */
async function grantLease(side: Side): Promise<string> {
  const r = await etcdctl(['--endpoints', side.endpoint, 'lease', 'grant', '600']);
  const hex = /lease ([0-9a-f]+) granted/.exec(r.stdout.toString())?.[1];
  assert.ok(hex, r.stdout.toString() + r.stderr);
  side.ids.set(BigInt(`0x${hex}`).toString(), '<LEASE>');
  side.ids.set(hex, '<LEASE>');
  return hex;
}

interface Step {
  args: string[];
  stdin?: string;
  /** `exact` (default): the Error lines are equal; `prefix`: etcdts's starts with etcdctl's; `code`: only the exit code. */
  error?: 'exact' | 'prefix' | 'code';
  /** A flag parse error: etcdctl (cobra) prints its usage on stdout, etcdts only the Error line. */
  usage?: true;
  /** Extra arguments per side (e.g. a lease ID), appended after `args`. */
  perSide?: (side: Side) => string[];
}

/** Runs a step on both sides at once and compares stdout, exit code and the Error line. */
async function same(step: Step): Promise<{ ours: Result; theirs: Result }> {
  const argsFor = (side: Side) => ['--endpoints', side.endpoint, ...step.args, ...(step.perSide?.(side) ?? [])];
  const [theirs, ours] = await Promise.all([
    etcdctl(argsFor(sideA), { stdin: step.stdin ?? '' }),
    etcdts(argsFor(sideB), { stdin: step.stdin ?? '' }),
  ]);
  const what = `${step.args.join(' ')}\n etcdctl stderr: ${theirs.stderr}\n etcdts stderr: ${ours.stderr}`;
  if (step.usage) {
    assert.match(theirs.stdout.toString(), /^NAME:/, `etcdctl printed no usage for: ${what}`);
    assert.equal(ours.stdout.toString(), '', `stdout of: ${what}`);
  } else {
    assert.equal(normalize(sideB, ours.stdout), normalize(sideA, theirs.stdout), `stdout of: ${what}`);
  }
  assert.equal(ours.code, theirs.code, `exit code of: ${what}`);
  const want = errorLine(theirs.stderr);
  const got = ours.stderr.split('\n')[0] ?? '';
  if (want === '') assert.equal(ours.stderr, '', `stderr of: ${what}`);
  else if ((step.error ?? 'exact') === 'exact') assert.equal(got, want, `Error line of: ${what}`);
  else if (step.error === 'prefix') assert.ok(got.startsWith(want), `Error line of ${what}: ${JSON.stringify(got)} does not start with ${JSON.stringify(want)}`);
  else assert.match(got, /^Error: /, what);
  return { ours, theirs };
}

/** Runs read-only steps two at a time (the machine has 2 cores). */
async function sameReads(steps: readonly Step[]): Promise<void> {
  await inParallel(steps, 2, same);
}

before(async () => {
  [sideA, sideB] = await Promise.all([startSide(), startSide()]);
});

after(async () => {
  await Promise.all([sideA?.cluster.close(), sideB?.cluster.close()]);
});

describe('etcdts against etcdctl 3.4.23', { timeout: 300_000 }, () => {
  test('put', async () => {
    await same({ args: ['put', 'k/a', '1'] });
    await same({ args: ['put', 'k/b', '2', '--prev-kv'] });
    await same({ args: ['put', 'k/b', '3', '--prev-kv'] });
    await same({ args: ['put', 'k/c', 'hello world', '-w', 'json'] });
    await same({ args: ['put', 'k/b', '4', '--prev-kv', '-w', 'json'] });
    await same({ args: ['put', 'k/d'], stdin: 'from stdin\nsecond line\n' });
    await same({ args: ['put', 'k/e'], stdin: '' });
    await same({ args: ['put'] });
    await same({ args: ['put', 'k/c', '--ignore-value'] });
    await same({ args: ['put', 'k/c', 'x', '--ignore-value'] });
    await same({ args: ['put', 'k/f', 'v', '--lease', 'zz'] });
    await same({ args: ['put', 'k/f', 'v', '--prev-kv=false', '-w', 'fields'] });
    await same({ args: ['put', 'k/g', '--', '-dash'] });
  });

  test('put with a lease, --ignore-lease', async () => {
    const [la, lb] = await Promise.all([grantLease(sideA), grantLease(sideB)]);
    const lease = new Map([[sideA, la], [sideB, lb]]);
    await same({ args: ['put', 'k/l', 'leased'], perSide: (s) => ['--lease', lease.get(s)!] });
    await same({ args: ['get', 'k/l', '-w', 'json'] });
    await same({ args: ['put', 'k/l', 'again', '--ignore-lease'] });
    await same({ args: ['get', 'k/l', '-w', 'fields'] });
  });

  test('get and each of its flags', async () => {
    const steps: string[][] = [
      ['get', 'k/a'],
      ['get', 'k/nothing'],
      ['get', 'k/', '--prefix'],
      ['get', 'k/', '--prefix', '-w', 'json'],
      ['get', 'k/nothing', '-w', 'json'],
      ['get', 'k/a', 'k/c'],
      ['get', 'k/', '--prefix', '--limit', '2', '-w', 'json'],
      ['get', 'k/', '--prefix', '--limit=0x2'],
      ['get', 'k/', '--prefix', '--limit=-1', '--keys-only'],
      ['get', 'k/', '--prefix', '--sort-by=VALUE', '--order=DESCEND'],
      ['get', 'k/', '--prefix', '--sort-by=modify'],
      ['get', 'k/', '--prefix', '--sort-by=CREATE', '--order=descend', '-w', 'json'],
      ['get', 'k/', '--prefix', '--sort-by=VERSION', '--order=ASCEND'],
      ['get', 'k/', '--prefix', '--order=DESCEND'],
      ['get', 'k/', '--prefix', '--keys-only'],
      ['get', 'k/', '--prefix', '--keys-only', '-w', 'json'],
      ['get', 'k/', '--prefix', '--print-value-only'],
      ['get', 'k/b', '--rev', '3'],
      ['get', 'k/b', '--rev=3', '-w', 'json'],
      ['get', 'k/a', '--consistency=s'],
      ['get', 'k/c', '--from-key'],
      ['get', '', '--prefix', '--keys-only'],
      ['get', '', '--from-key', '--limit', '1'],
      ['get', 'k/a', '-w', 'fields'],
      ['get', 'k/', '--prefix', '--limit', '1', '-w', 'fields'],
      ['--hex', 'get', 'k/a'],
      ['get', 'k/a', '--hex', '-w', 'json'],
      ['get', 'k/a', '--prefix=true'],
    ];
    await sameReads(steps.map((args) => ({ args })));
  });

  test('get argument and flag errors', async () => {
    const steps: Step[] = [
      { args: ['get'] },
      { args: ['get', 'k/', '--prefix', '--from-key'] },
      { args: ['get', 'k/a', 'k/z', '--prefix'] },
      { args: ['get', 'k/a', '--consistency=x'] },
      { args: ['get', 'k/a', '--order=foo'] },
      { args: ['get', 'k/a', '--sort-by=size'] },
      { args: ['get', 'k/a', '--print-value-only', '-w', 'json'] },
      { args: ['get', 'k/a', '--rev', '99999'] },
      { args: ['get', 'k/a', '--limit', 'x'], usage: true },
      { args: ['get', 'k/a', '--bogus'], usage: true },
      { args: ['get', 'k/a', '-w', 'table'] },
      { args: ['get', 'k/a', '-w', 'yaml'] },
      { args: ['--dial-timeout=abc', 'get', 'k/a'], usage: true },
      { args: ['--command-timeout', '5', 'get', 'k/a'], usage: true },
      { args: ['get', 'k/a', '--prefix=maybe'], usage: true },
    ];
    await sameReads(steps);
  });

  test('get --count-only (etcdctl 3.5; needs -w fields)', async () => {
    const fields = await etcdts(['--endpoints', sideB.endpoint, 'get', 'k/', '--prefix', '--count-only', '-w', 'fields']);
    assert.equal(fields.code, 0, fields.stderr);
    const text = fields.stdout.toString();
    assert.match(text, /^"Count" : \d+$/m);
    assert.doesNotMatch(text, /"Key"/);
    const simple = await etcdts(['--endpoints', sideB.endpoint, 'get', 'k/', '--prefix', '--count-only']);
    assert.equal(simple.code, 128);
    assert.equal(simple.stderr, 'Error: --count-only is only for `--write-out=fields`\n');
  });

  test('txn from stdin', async () => {
    const steps: Step[] = [
      { args: ['txn'], stdin: 'mod("k/a") > "0"\n\nput k/a 2 --prev-kv\nget k/a\ndel k/nothing\n\nput k/a 3\n\n' },
      { args: ['txn'], stdin: 'value("k/a") = "nope"\n\nput k/a 4\n\nput k/t "two words"\nget k/ --prefix --keys-only\n\n' },
      { args: ['txn', '-w', 'json'], stdin: 'version("k/a") = "2"\ncreate("k/a") != "0"\n\nget k/a\nput k/a 5 --prev-kv\n\nput k/a 6\n\n' },
      { args: ['txn', '-w', 'fields'], stdin: 'mod("k/a") < "0"\n\nput k/a 7\n\nput k/a 8\nget k/a --prefix\n\n' },
      { args: ['txn', '-i'], stdin: 'val("k/a") = "8"\n\ndel k/t --prev-kv\n\n\n' },
      { args: ['txn'], stdin: '\n\n\n' },
      { args: ['txn'], stdin: "\n\nput k/q 'single'\nput k/r \"esc\\x41\\tped\"\n\n\n" },
      { args: ['txn', 'extra'], stdin: '\n\n\n' },
      { args: ['txn'], stdin: 'mod("k/a") > "0"\n\nput k/a 2\n\nput k/a 3\n', error: 'prefix' },
      { args: ['txn'], stdin: 'modx("k/a") > "0"\n\n\n\n' },
      { args: ['txn'], stdin: 'mod("k/a") > "x"\n\n\n\n' },
      { args: ['txn'], stdin: 'mod(k/a) > "0"\n\n\n\n' },
      { args: ['txn'], stdin: '\n\nfoo bar\n\n\n', error: 'prefix' },
      { args: ['txn'], stdin: '\n\nget a --bogus\n\n\n', error: 'prefix' },
      { args: ['txn'], stdin: '\n\nput\n\n\n' },
      { args: ['txn'], stdin: '\n\nput k/only\n\n\n' },
      { args: ['txn'], stdin: '\n\nget a --prefix --from-key\n\n\n' },
      { args: ['txn'], stdin: '\n\nput a "\\z"\n\n\n', error: 'prefix' },
    ];
    for (const step of steps) await same(step);
  });

  test('del', async () => {
    await same({ args: ['put', 'k/x1', 'a'] });
    await same({ args: ['put', 'k/x2', 'b'] });
    await same({ args: ['put', 'k/x3', 'c'] });
    await same({ args: ['del', 'k/nothing'] });
    await same({ args: ['del', 'k/nothing', '-w', 'json'] });
    await same({ args: ['del', 'k/x1', '--prev-kv'] });
    await same({ args: ['del', 'k/x2', 'k/x4', '-w', 'json', '--prev-kv'] });
    await same({ args: ['del', 'k/g', '--from-key', '-w', 'fields'] });
    await same({ args: ['del'] });
    await same({ args: ['del', 'a', 'b', 'c'] });
    await same({ args: ['del', 'k/', '--prefix', '--from-key'] });
    await same({ args: ['del', 'k/a', 'k/b', '--prefix'] });
    await same({ args: ['del', 'k/d', '--prefix'] });
  });

  test('compaction, and reading a compacted revision', async () => {
    const { theirs } = await same({ args: ['get', 'k/a', '-w', 'json'] });
    const rev = /"revision":(\d+)/.exec(theirs.stdout.toString())?.[1];
    assert.ok(rev);
    await same({ args: ['compaction', String(Number(rev) - 1)] });
    await same({ args: ['compaction', rev, '--physical', '-w', 'json'] });
    await same({ args: ['get', 'k/a', '--rev', '2'] });
    await same({ args: ['compaction', '2'] });
    await same({ args: ['compaction'] });
    await same({ args: ['compaction', 'abc'] });
  });

  test('a unique prefix names a command, as with etcdctl (cobra prefix matching)', async () => {
    await same({ args: ['pu', 'k/p', 'v'] });
    await same({ args: ['ge', 'k/p', '-w', 'json'] });
    await same({ args: ['compact', '1'], error: 'prefix' });
    await same({ args: ['al', 'l'] }); // alarm list
    await same({ args: ['role', 'a', 'r1'] });
    await same({ args: ['role', 'grant', 'r1', 'read', 'k/p'] });
    await same({ args: ['role', 'revoke', 'r1', 'k/p'] });
    // Ambiguous (lease, lock): an unknown command, as etcdctl says (naming itself).
    const { ours } = await same({ args: ['l'], error: 'code' });
    assert.match(ours.stderr, /^Error: unknown command "l" for "etcdts"/);
  });

  test('del --range (etcdctl 3.5): the same deletion as without it', async () => {
    for (const side of [sideB]) {
      await etcdts(['--endpoints', side.endpoint, 'put', 'r/a', '1']);
      await etcdts(['--endpoints', side.endpoint, 'put', 'r/b', '2']);
      const r = await etcdts(['--endpoints', side.endpoint, 'del', 'r/a', 'r/c', '--range']);
      assert.equal(r.stdout.toString(), '2\n', r.stderr);
      assert.equal(r.stderr, '');
    }
    // keep both sides' histories equal for the steps after this one
    await etcdctl(['--endpoints', sideA.endpoint, 'put', 'r/a', '1']);
    await etcdctl(['--endpoints', sideA.endpoint, 'put', 'r/b', '2']);
    await etcdctl(['--endpoints', sideA.endpoint, 'del', 'r/a', 'r/c']);
  });

  test('--keepalive-time, --keepalive-timeout and --debug, as etcdctl', async () => {
    await same({ args: ['--keepalive-time', '30s', '--keepalive-timeout', '3s', 'get', 'k/a'] });
    await same({ args: ['--keepalive-time', '1s', 'get', 'k/a'] });
    await same({ args: ['--keepalive-time', 'soon', 'get', 'k/a'], usage: true });
    // --debug: the resolved global flags first, as etcdctl's ETCDCTL_<FLAG>=<value> lines.
    const args = (side: Side) => ['--endpoints', side.endpoint, '--debug', '--dial-timeout=3s', 'get', 'k/a'];
    const [theirs, ours] = await Promise.all([etcdctl(args(sideA)), etcdts(args(sideB))]);
    assert.equal(ours.code, 0, ours.stderr);
    assert.equal(normalize(sideB, ours.stdout), normalize(sideA, theirs.stdout));
    const flagLines = (stderr: string, side: Side) => stderr.split('\n').filter((l) => l.startsWith('ETCDCTL_')).map((l) => l.replace(side.endpoint, '<EP>'));
    assert.deepEqual(flagLines(ours.stderr, sideB), flagLines(theirs.stderr, sideA));
    assert.ok(flagLines(ours.stderr, sideB).includes('ETCDCTL_DIAL_TIMEOUT=3s'));
  });

  test('ETCDCTL_ENDPOINTS and ETCDCTL_WRITE_OUT are honoured; flags beat them', async () => {
    const [theirs, ours] = await Promise.all([
      etcdctl(['get', 'k/a'], { env: { ETCDCTL_ENDPOINTS: sideA.endpoint, ETCDCTL_WRITE_OUT: 'json' } }),
      etcdts(['get', 'k/a'], { env: { ETCDCTL_ENDPOINTS: sideB.endpoint, ETCDCTL_WRITE_OUT: 'json' } }),
    ]);
    assert.equal(ours.code, 0, ours.stderr);
    assert.equal(normalize(sideB, ours.stdout), normalize(sideA, theirs.stdout));
    assert.match(ours.stdout.toString(), /^\{"header":/);
    const flagWins = await etcdts(['--endpoints', sideB.endpoint, 'get', 'k/a', '-w', 'simple'], {
      env: { ETCDCTL_ENDPOINTS: '127.0.0.1:1', ETCDCTL_WRITE_OUT: 'json' },
    });
    assert.equal(flagWins.code, 0, flagWins.stderr);
    assert.match(flagWins.stdout.toString(), /^k\/a\n/);
  });

  test('an unreachable endpoint fails with exit 1 within the command timeout', async () => {
    const started = Date.now();
    const r = await etcdts(['--endpoints', '127.0.0.1:1', '--dial-timeout', '300ms', '--command-timeout', '1s', 'get', 'k/a']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^Error: /);
    assert.ok(Date.now() - started < 10_000);
  });

  test('version', async () => {
    const r = await etcdts(['version']);
    assert.equal(r.code, 0);
    assert.match(r.stdout.toString(), /^etcdts version: \d+\.\d+\.\d+\nAPI version: 3\.\d+\n$/);
  });
});

/** Running etcd processes (zombies left out) with their arguments. */
function etcdProcesses(): Array<{ pid: number; argv: string[] }> {
  const found: Array<{ pid: number; argv: string[] }> = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const zombie = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
      if (/(^|\/)etcd$/.test(argv[0] ?? '') && !zombie) found.push({ pid: Number(entry), argv });
    } catch {
      // the process ended meanwhile
    }
  }
  return found;
}

/** The value of `--flag value` in `argv`, or undefined. */
function flagValue(argv: readonly string[], flag: string): string | undefined {
  const i = argv.indexOf(flag);
  return i < 0 ? undefined : argv[i + 1];
}

describe('etcdts demo', { timeout: 120_000 }, () => {
  test('tours a throwaway etcd, exits 0, leaves no etcd behind', async () => {
    const demo = startEtcdts(['demo'], { stdin: '' });
    let finished = false;
    void demo.done.finally(() => (finished = true)).catch(() => undefined);
    // The demo's own etcd (other tests on this machine may run theirs): the one serving the URL the
    // demo prints, found while the tour runs; known afterwards by its data folder, which is unique.
    let dataDir: string | undefined;
    const deadline = Date.now() + 60_000;
    while (dataDir === undefined && !finished && Date.now() < deadline) {
      const url = /is listening on (\S+)/.exec(demo.stdout())?.[1];
      const own = url === undefined ? undefined : etcdProcesses().find((p) => flagValue(p.argv, '--listen-client-urls') === url);
      dataDir = own === undefined ? undefined : flagValue(own.argv, '--data-dir');
      if (dataDir === undefined) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const r = await demo.done;
    const out = r.stdout.toString();
    assert.equal(r.code, 0, `${out}\n${r.stderr}`);
    let at = 0;
    for (const heading of DEMO_HEADINGS) {
      const i = out.indexOf(heading, at);
      assert.ok(i >= 0, `heading ${heading} missing or out of order in:\n${out}`);
      at = i;
    }
    assert.match(out, /^  CompactedError: /m);
    assert.match(out, /err instanceof CompactedError: true/);
    assert.ok(dataDir !== undefined, `the demo's etcd was not found while the demo ran:\n${out}`);
    const left = etcdProcesses().filter((p) => flagValue(p.argv, '--data-dir') === dataDir).map((p) => p.pid);
    assert.deepEqual(left, [], 'etcd processes left behind by the demo');
  });

  test('uses --endpoints when given and deletes its keys', async () => {
    const r = await etcdts(['--endpoints', sideB.endpoint, 'demo']);
    assert.equal(r.code, 0, r.stderr);
    const prefix = /keys under (etcdts-demo-[0-9a-f]+\/)/.exec(r.stdout.toString())?.[1];
    assert.ok(prefix, r.stdout.toString());
    const check = await new Promise<string>((resolve, reject) => {
      execFile(ETCDCTL, ['--endpoints', sideB.endpoint, 'get', prefix, '--prefix', '--keys-only'], { env: cleanEnv() }, (e, stdout) =>
        e ? reject(e) : resolve(stdout),
      );
    });
    assert.equal(check, '');
  });
});
