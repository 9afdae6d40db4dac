// The etcdts command line against etcdctl 3.4.23, byte for byte.
//
// Two fresh single-member clusters run side by side: every step runs etcdctl on cluster A and
// etcdts on cluster B with the same arguments and stdin. Both clusters see the same writes in the
// same order, so revisions, versions and raft terms agree; only the cluster, member and lease IDs
// differ, and they are replaced by placeholders before stdout is compared. Exit codes must match,
// and so must the `Error:` line (exactly, or its start where etcdts words the error differently).
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { DEMO_HEADINGS } from '../../src/cli/demo.js';
import { EtcdCluster } from '../../src/testing/cluster.js';

const ETCDCTL = existsSync('/usr/bin/etcdctl') ? '/usr/bin/etcdctl' : 'etcdctl';
const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Longest time one command may take, in ms. */
const COMMAND_TIMEOUT_MS = 30_000;

interface Result {
  stdout: Buffer;
  stderr: string;
  code: number | null;
}

interface RunOptions {
  stdin?: string;
  env?: Record<string, string>;
}

/** Environment without any ETCDCTL_* setting of the developer's shell. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('ETCDCTL_')) env[k] = v;
  return { ...env, ETCDCTL_API: '3', ...extra };
}

function run(file: string, args: readonly string[], options: RunOptions = {}): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd: ROOT, env: cleanEnv(options.env), stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const timer = setTimeout(() => child.kill('SIGKILL'), COMMAND_TIMEOUT_MS);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8'), code });
    });
    child.stdin.end(options.stdin ?? '');
  });
}

const etcdctl = (args: readonly string[], options?: RunOptions) => run(ETCDCTL, args, options);
/**
 * etcdts from source through tsx; or, when ETCDTS_CLI_JS names a built entry (e.g.
 * `dist/cli/main.js`), that file run by node (the same tests on the build, about 4x faster).
 */
const CLI_JS = process.env.ETCDTS_CLI_JS;
const etcdts = (args: readonly string[], options?: RunOptions) =>
  run(process.execPath, CLI_JS ? [CLI_JS, ...args] : ['--import', 'tsx', MAIN, ...args], options);

/** One cluster with the IDs that differ from the other's. */
interface Side {
  cluster: EtcdCluster;
  endpoint: string;
  ids: Map<string, string>;
}

let sideA: Side; // etcdctl's
let sideB: Side; // etcdts's

async function startSide(): Promise<Side> {
  const cluster = await EtcdCluster.start({ size: 1 });
  const endpoint = cluster.endpoints[0]!;
  const r = await etcdctl(['--endpoints', endpoint, 'get', 'x', '-w', 'json']);
  const clusterId = /"cluster_id":(\d+)/.exec(r.stdout.toString())?.[1];
  const memberId = /"member_id":(\d+)/.exec(r.stdout.toString())?.[1];
  assert.ok(clusterId && memberId, `no header in ${r.stdout.toString()} ${r.stderr}`);
  return { cluster, endpoint, ids: new Map([[clusterId, '<CLUSTER_ID>'], [memberId, '<MEMBER_ID>']]) };
}

/** Grants a lease on a side with etcdctl; remembers its ID (decimal and hex) as `<LEASE>`. */
async function grantLease(side: Side): Promise<string> {
  const r = await etcdctl(['--endpoints', side.endpoint, 'lease', 'grant', '600']);
  const hex = /lease ([0-9a-f]+) granted/.exec(r.stdout.toString())?.[1];
  assert.ok(hex, r.stdout.toString() + r.stderr);
  side.ids.set(BigInt(`0x${hex}`).toString(), '<LEASE>');
  side.ids.set(hex, '<LEASE>');
  return hex;
}

function normalize(side: Side, out: Buffer): string {
  let text = out.toString('latin1');
  for (const [id, name] of side.ids) text = text.replaceAll(id, name);
  return text;
}

/** The `Error: ...` line etcdctl ends with (after its log lines), or ''. */
function errorLine(stderr: string): string {
  return stderr.split('\n').filter((l) => l.startsWith('Error: ')).pop() ?? '';
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

/** Runs read-only steps two at a time (each etcdts start costs about a second of CPU; the machine has 2 cores). */
async function sameReads(steps: readonly Step[]): Promise<void> {
  const queue = [...steps];
  const worker = async (): Promise<void> => {
    for (let step = queue.shift(); step; step = queue.shift()) await same(step);
  };
  await Promise.all([worker(), worker()]);
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

/** PIDs of running etcd processes. */
function etcdPids(): Set<number> {
  const pids = new Set<number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv0 = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0')[0] ?? '';
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const zombie = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
      if (/(^|\/)etcd$/.test(argv0) && !zombie) pids.add(Number(entry));
    } catch {
      // the process ended meanwhile
    }
  }
  return pids;
}

describe('etcdts demo', { timeout: 120_000 }, () => {
  test('tours a throwaway etcd, exits 0, leaves no etcd behind', async () => {
    const before = etcdPids();
    const r = await etcdts(['demo']);
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
    const left = [...etcdPids()].filter((pid) => !before.has(pid));
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
