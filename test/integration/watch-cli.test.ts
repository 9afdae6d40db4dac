// `etcdts watch` against etcdctl 3.4.23's `watch`, byte for byte: both watch the same history on
// one cluster from the same revision, in each output format and with each flag; stdout, exit code
// and the Error line must be equal. Plus `--progress-notify` (an etcdctl 3.5 flag) on its own.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { after, before, describe, test } from 'node:test';

import { op, type Client } from '../../src/index.js';
import { EtcdCluster } from '../../src/testing/index.js';
import { cleanEnv, ETCDCTL, etcdtsCommand, ROOT } from '../helpers/etcdts.js';
import { waitFor } from './watch-helpers.js';

/** Longest time a watch command may take to print what is expected, in ms. */
const OUTPUT_TIMEOUT_MS = 30_000;

interface Running {
  child: ChildProcess;
  stdout: Buffer[];
  stderr: string;
  code: number | null | undefined;
  exited: Promise<void>;
}

/** What a watch reads on stdin (`watch -i`): `text`, then the end of input when `end`. */
interface Stdin {
  text: string;
  end: boolean;
}

function start(file: string, args: readonly string[], env: Record<string, string>, stdin?: Stdin): Running {
  const child = spawn(file, args, { cwd: ROOT, env: cleanEnv(env), stdio: [stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
  if (stdin !== undefined) {
    child.stdin!.on('error', () => undefined); // a child that exited first
    child.stdin!.write(stdin.text);
    if (stdin.end) child.stdin!.end();
  }
  const running: Running = { child, stdout: [], stderr: '', code: undefined, exited: Promise.resolve() };
  child.stdout!.on('data', (b: Buffer) => running.stdout.push(b));
  child.stderr!.on('data', (b: Buffer) => (running.stderr += b.toString('utf8')));
  running.exited = new Promise((resolve) => {
    child.on('close', (code) => {
      running.code = code;
      resolve();
    });
  });
  return running;
}

/** `[node, entry]` of etcdts (the bundled CLI, see test/helpers/etcdts.ts), set in `before`. */
let etcdtsArgv: readonly string[] = [];
const etcdts = (args: readonly string[], env: Record<string, string>, stdin?: Stdin): Running =>
  start(etcdtsArgv[0]!, [...etcdtsArgv.slice(1), ...args], env, stdin);

const out = (r: Running): Buffer => Buffer.concat(r.stdout);
const errorLine = (stderr: string): string => stderr.split('\n').filter((l) => l.startsWith('Error: ')).pop() ?? '';

let cluster: EtcdCluster;
let client: Client;
let endpoint: string;
/** First revision of the history every watch below prints. */
let startRev: number;

before(async () => {
  const bundled = etcdtsCommand(); // bundles the CLI while etcd starts
  cluster = await EtcdCluster.start({ size: 1, args: ['--experimental-watch-progress-notify-interval=500ms'] });
  etcdtsArgv = await bundled;
  endpoint = cluster.endpoints[0]!;
  client = cluster.client();
  startRev = (await client.put('before', 'x')).header.revision + 1;
  await client.put('w/a', '1');
  await client.put('w/a', '2');
  await client.put('w/b', 'hello world');
  await client.put('w/bin', Buffer.from([0xff, 0x00, 0x41, 0x0a]));
  await client.txn().then(op.put('w/c', 'x'), op.delete('w/a')).commit();
  await client.delete('w/b', { prefix: true });
  await client.put('w/zz', 'end'); // the last event: every watch below prints it last
});

after(async () => {
  await cluster?.close();
});

/**
 * Runs `etcdctl` and `etcdts` with `args` side by side until both printed `marker` (then kills
 * them) or exited, and compares stdout, exit code and the Error line.
 */
async function same(args: string[], marker: string | undefined, env: Record<string, string> = {}, stdin?: Stdin): Promise<void> {
  const full = ['--endpoints', endpoint, ...args];
  const theirs = start(ETCDCTL, full, env, stdin);
  const ours = etcdts(full, env, stdin);
  // A getter: the stderr of both when an assertion is made, not when they start.
  const said = { toString: (): string => `${args.join(' ')}\n etcdctl (exit ${theirs.code}) stderr: ${theirs.stderr}\n etcdts (exit ${ours.code}) stderr: ${ours.stderr}` };
  try {
    if (marker === undefined) {
      await Promise.all([theirs.exited, ours.exited]);
    } else {
      const printed = (r: Running): boolean => out(r).includes(marker) || r.code !== undefined;
      await waitFor(() => printed(theirs) && printed(ours), `both to print ${marker}: ${said}`, OUTPUT_TIMEOUT_MS);
      // a moment for anything printed after the marker (there should be nothing)
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } finally {
    theirs.child.kill('SIGKILL');
    ours.child.kill('SIGKILL');
    await Promise.all([theirs.exited, ours.exited]);
  }
  assert.equal(out(ours).toString('latin1'), out(theirs).toString('latin1'), `stdout of: ${said}`);
  if (marker === undefined) {
    assert.equal(ours.code, theirs.code, `exit code of: ${said}`);
    assert.notEqual(theirs.code, 0);
    assert.equal(errorLine(ours.stderr), errorLine(theirs.stderr), `Error line of: ${said}`);
    const reported = (stderr: string): string[] => stderr.split('\n').filter((l) => /^(watch was canceled|command \[)/.test(l));
    assert.deepEqual(reported(ours.stderr), reported(theirs.stderr), `cancel or command error line of: ${said}`);
  } else {
    assert.ok(out(theirs).includes(marker), `etcdctl printed ${marker}: ${said}`);
    assert.equal(ours.stderr, theirs.stderr, `stderr of: ${said}`);
  }
}

describe('etcdts watch against etcdctl 3.4.23', { timeout: 180_000 }, () => {
  test('simple output, with --prev-kv, --hex, a range, and ETCDCTL_WATCH_KEY', { timeout: 90_000 }, async () => {
    const rev = String(startRev);
    await Promise.all([
      same(['watch', 'w/', '--prefix', '--rev', rev], 'w/zz\nend\n'),
      same(['watch', 'w/', '--prefix', '--prev-kv', '--rev', rev], 'w/zz\nend\n'),
    ]);
    await Promise.all([
      same(['watch', 'w/', '--prefix', '--hex', '--rev', rev], '\\x77\\x2f\\x7a\\x7a\n\\x65\\x6e\\x64\n'),
      same(['watch', 'w/b', 'w/zzz', '--prev-kv', '--rev', rev], 'w/zz\nend\n'),
    ]);
    await same(['watch', '--prefix', '--rev', rev], 'w/zz\nend\n', { ETCDCTL_WATCH_KEY: 'w/' });
  });

  test('-w json and -w fields', { timeout: 90_000 }, async () => {
    const rev = String(startRev);
    const zz = Buffer.from('w/zz').toString('base64');
    await Promise.all([
      same(['watch', 'w/', '--prefix', '--rev', rev, '-w', 'json'], zz),
      same(['watch', 'w/', '--prefix', '--prev-kv', '--rev', rev, '-w', 'json'], zz),
    ]);
    await same(['watch', 'w/', '--prefix', '--prev-kv', '--rev', rev, '-w', 'fields'], '"Key" : "w/zz"');
  });

  test('bad arguments', { timeout: 60_000 }, async () => {
    await Promise.all([
      same(['watch'], undefined),
      same(['watch', 'a', 'b', '--prefix'], undefined),
    ]);
    await Promise.all([
      same(['watch', 'b'], undefined, { ETCDCTL_WATCH_KEY: 'a' }),
      same(['watch', 'b'], undefined, { ETCDCTL_WATCH_RANGE_END: 'z' }),
    ]);
  });

  test('a command after --, run per event with ETCD_WATCH_* set, as etcdctl runs it', { timeout: 90_000 }, async () => {
    const rev = String(startRev);
    const show = ['sh', '-c', 'echo "[$ETCD_WATCH_EVENT_TYPE $ETCD_WATCH_KEY $ETCD_WATCH_VALUE $ETCD_WATCH_REVISION]"'];
    await Promise.all([
      same(['watch', 'w/', '--prefix', '--rev', rev, '--', ...show], '"w/zz" "end"'),
      same(['watch', '--rev', rev, 'w/bin', '--', 'echo', 'bin event'], 'bin event\n'),
    ]);
    await Promise.all([
      same(['watch', '--rev', rev, '--', ...show], '"w/zz" "end"', { ETCDCTL_WATCH_KEY: 'w/zz' }),
      same(['watch', '--rev', rev, '--', 'echo', 'range event'], 'w/zz\nend\nrange event\n', { ETCDCTL_WATCH_KEY: 'w/b', ETCDCTL_WATCH_RANGE_END: 'w/zzz' }),
    ]);
    // A failing command ends the watch: `command [...] error (exit status 1)`, exit code 1.
    await Promise.all([
      same(['watch', 'w/zz', '--rev', rev, '--', 'false'], undefined),
      same(['watch', 'w/zz', '--rev', rev, '--'], undefined),
      same(['watch', 'w/zz', '--', 'echo'], undefined, { ETCDCTL_WATCH_KEY: 'w/a' }),
    ]);
  });

  test('watch -i: watch commands read from stdin, side by side', { timeout: 90_000 }, async () => {
    const rev = String(startRev);
    const lines = (...l: string[]): Stdin => ({ text: l.map((x) => `${x}\n`).join(''), end: false });
    await same(['watch', '-i'], 'w/zz\nend\n', {}, lines(`watch w/zz --rev ${rev}`));
    await same(['watch', '--interactive'], 'w/zz\nend\nhello\n', {}, lines('nonsense', '', `watch --rev ${rev} w/zz -- echo "hello"`));
    await same(['watch', '-i'], 'w/zz\nend\n', { ETCDCTL_WATCH_KEY: 'w/' }, lines(`watch --prefix --rev ${rev}`));
    // Two watches at once: both print the last event (the order between them is not fixed).
    const ours = etcdts(['--endpoints', endpoint, 'watch', '-i'], {}, lines(`watch w/zz --rev ${rev}`, `watch w/c --rev ${rev}`, 'progress'));
    try {
      await waitFor(() => out(ours).includes('w/zz\nend\n') && out(ours).includes('w/c\nx\n'), 'both watches to print', OUTPUT_TIMEOUT_MS);
    } finally {
      ours.child.kill('SIGKILL');
      await ours.exited;
    }
    // The end of stdin ends it (exit 3), a bad line too (exit 128), with etcdctl's messages. The
    // watch before the end prints nothing in either: etcdctl exits at the end of stdin without
    // waiting for a watch's events (`printf 'watch w/zz --rev 1\n' | etcdctl watch -i` prints
    // nothing), so a watch with a history would race its events against that exit.
    await Promise.all([
      same(['watch', '-i'], undefined, {}, { text: 'watch w/none\n', end: true }),
      same(['watch', '-i'], undefined, {}, { text: 'watch a --nope\n', end: false }),
      same(['watch', '-i'], undefined, {}, { text: 'watch a --\n', end: false }),
    ]);
  });

  test('a compacted --rev: the cancel reason on stderr, exit code 5', { timeout: 60_000 }, async () => {
    await client.compact((await client.get('x')).header.revision);
    await Promise.all([
      same(['watch', 'w/a', '--rev', String(startRev)], undefined),
      same(['watch', 'w/a', '--rev', String(startRev), '-w', 'json'], undefined),
    ]);
  });

  test('--progress-notify prints etcdctl 3.5\'s "progress notify: <revision>" lines', { timeout: 60_000 }, async () => {
    const ours = etcdts(['--endpoints', endpoint, 'watch', 'quiet/', '--prefix', '--progress-notify'], {});
    try {
      await waitFor(() => /progress notify: \d+\n/.test(out(ours).toString()) || ours.code !== undefined, 'a progress notification', OUTPUT_TIMEOUT_MS);
    } finally {
      ours.child.kill('SIGKILL');
      await ours.exited;
    }
    const revision = (await client.get('x')).header.revision;
    assert.match(out(ours).toString(), new RegExp(`^(progress notify: ${revision}\n)+$`), ours.stderr);
  });
});
