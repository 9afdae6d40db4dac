// Mirroring against real etcd: Syncer's paged base state at one revision and its updates after it,
// and `etcdts make-mirror` between two 1-member clusters (etcd's e2e cases: same prefix, another
// destination prefix, no destination prefix), side by side with etcdctl's make-mirror.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { after, before, describe, test } from 'node:test';

import { Client, InvalidArgumentError, op, Syncer, SYNC_BATCH_LIMIT, type WatchEvent } from '../../src/index.js';
import { EtcdCluster } from '../../src/testing/index.js';
import { cleanEnv, ETCDCTL, etcdtsCommand, ROOT } from '../helpers/etcdts.js';

/** Bound of every wait, in ms. */
const DEADLINE_MS = 20_000;

let source: EtcdCluster;
let destination: EtcdCluster;
let src: Client;
let dst: Client;
/** `[node, entry]` of etcdts (the bundled CLI, see test/helpers/etcdts.ts), set in `before`. */
let etcdtsArgv: readonly string[] = [];

before(async () => {
  [source, destination, etcdtsArgv] = await Promise.all([EtcdCluster.start({ size: 1 }), EtcdCluster.start({ size: 1 }), etcdtsCommand()]);
  src = source.client();
  dst = destination.client();
});

after(async () => {
  await Promise.all([source?.close(), destination?.close()]);
});

/** Polls `check` every 25 ms until it holds; fails after `ms`. */
async function within(what: string, check: () => Promise<boolean>, ms = DEADLINE_MS): Promise<void> {
  const deadline = performance.now() + ms;
  while (!(await check())) {
    if (performance.now() > deadline) assert.fail(`${what}: not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function dump(client: Client, prefix: string): Promise<string[]> {
  return (await client.get(prefix, { prefix: true })).kvs.map((kv) => `${kv.key.toString()}=${kv.value.toString()}`);
}

describe('Syncer', { timeout: 30_000 }, () => {
  test('syncBase: pages of `limit` keys in key order, all at one revision; syncUpdates: the changes after it', async () => {
    await src.delete('', { prefix: true });
    for (let i = 0; i < 25; i++) await src.put(`sync/${String(i).padStart(2, '0')}`, `v${i}`);
    await src.put('syncx', 'outside'); // shares the text prefix 'sync' but not 'sync/'
    const syncer = new Syncer(src, 'sync/');
    assert.equal(syncer.revision, 0);
    assert.throws(() => syncer.syncUpdates(), InvalidArgumentError);
    const pages: string[][] = [];
    let revision = 0;
    for await (const page of syncer.syncBase({ limit: 10 })) {
      if (pages.length === 0) {
        revision = syncer.revision;
        // Changes between pages are not seen by the base state ...
        await src.put('sync/24', 'changed');
        await src.put('sync/99', 'new');
        await src.delete('sync/15');
      }
      assert.equal(page.header.revision >= revision, true);
      pages.push(page.kvs.map((kv) => `${kv.key.toString()}=${kv.value.toString()}`));
    }
    assert.deepEqual(pages.map((p) => p.length), [10, 10, 5]);
    assert.deepEqual(pages.flat(), Array.from({ length: 25 }, (_, i) => `sync/${String(i).padStart(2, '0')}=v${i}`));
    assert.ok(revision > 0);

    // ... and come through syncUpdates, in order.
    const events: WatchEvent[] = [];
    const watch = syncer.syncUpdates();
    for await (const response of watch) {
      events.push(...response.events);
      if (events.length >= 3) break;
    }
    assert.deepEqual(
      events.map((e) => `${e.type} ${e.kv.key.toString()} ${e.kv.value.toString()}`),
      ['put sync/24 changed', 'put sync/99 new', 'delete sync/15 '],
    );
    assert.equal(SYNC_BATCH_LIMIT, 1000);
  });

  test('an empty prefix syncs every key; a given revision is used as is', async () => {
    await src.delete('', { prefix: true });
    await src.put('a', '1');
    const { header } = await src.put('\u00ff', '2');
    await src.put('b', 'later');
    const syncer = new Syncer(src, '', header.revision);
    const keys: string[] = [];
    for await (const page of syncer.syncBase()) keys.push(...page.kvs.map((kv) => kv.key.toString()));
    assert.deepEqual(keys, ['a', '\u00ff']);
    assert.equal(syncer.revision, header.revision);
  });
});

interface Running {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

function start(file: string, args: readonly string[]): Running {
  const child = spawn(file, args, { cwd: ROOT, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const started: Running = { child, stdout: () => out, stderr: () => err, exited };
  running.add(started);
  void exited.then(() => {
    clearTimeout(killer);
    running.delete(started);
  });
  return started;
}

/** Children started and not exited yet: `after` SIGKILLs those a failed test left running. */
const running = new Set<Running>();

after(async () => {
  const left = [...running];
  for (const r of left) r.child.kill('SIGKILL');
  await Promise.all(left.map((r) => r.exited));
});

const etcdts = (args: readonly string[]): Running => start(etcdtsArgv[0]!, [...etcdtsArgv.slice(1), ...args]);
const etcdctl = (args: readonly string[]): Running => start(ETCDCTL, args);

/** SIGTERM, then SIGKILL if it has not exited within 10 s. */
async function stop(r: Running): Promise<void> {
  r.child.kill('SIGTERM');
  const escalate = setTimeout(() => r.child.kill('SIGKILL'), 10_000);
  await r.exited;
  clearTimeout(escalate);
}

describe('etcdts make-mirror', { timeout: 60_000 }, () => {
  const cases = [
    { name: 'same prefix', flags: ['--prefix', 'key'], srcPrefix: 'key', destPrefix: 'key' },
    { name: '--dest-prefix', flags: ['--prefix', 'o_', '--dest-prefix', 'd_'], srcPrefix: 'o_', destPrefix: 'd_' },
    { name: '--no-dest-prefix', flags: ['--prefix', 'o_', '--no-dest-prefix'], srcPrefix: 'o_', destPrefix: '' },
  ];
  for (const c of cases) {
    test(`${c.name}: the base state, then every change; the count printed`, async () => {
      await Promise.all([src.delete('', { prefix: true }), dst.delete('', { prefix: true })]);
      await src.put(`${c.srcPrefix}1`, 'val1');
      await src.put('other', 'not mirrored');
      const mirror = etcdts(['--endpoints', source.endpoints[0]!, 'make-mirror', ...c.flags, '--progress-interval', '100ms', destination.endpoints[0]!]);
      try {
        const expect = (n: number, values: string[]) => values.slice(0, n).map((v, i) => `${c.destPrefix}${i + 1}=${v}`);
        await within('base state copied', async () => (await dump(dst, c.destPrefix)).join() === expect(1, ['val1']).join());
        await src.put(`${c.srcPrefix}2`, 'val2');
        await src.put(`${c.srcPrefix}3`, 'val3');
        await src.put(`${c.srcPrefix}1`, 'val1b');
        await within('updates copied', async () => (await dump(dst, c.destPrefix)).join() === expect(3, ['val1b', 'val2', 'val3']).join());
        await src.delete(`${c.srcPrefix}2`);
        await within('delete copied', async () => (await dump(dst, c.destPrefix)).length === 2);
        assert.deepEqual(await dump(dst, 'other'), []);
        // 1 key + 4 changes so far.
        await within('the count printed', async () => mirror.stdout().trimEnd().split('\n').pop() === '5');
        assert.ok(mirror.stdout().split('\n').filter(Boolean).every((line) => /^\d+$/.test(line)), mirror.stdout());
      } finally {
        await stop(mirror);
      }
      assert.equal(mirror.stderr(), '');
    });
  }

  test('mirrors what etcdctl make-mirror mirrors: one transaction per source revision', async () => {
    await Promise.all([src.delete('', { prefix: true }), dst.delete('', { prefix: true })]);
    await src.put('m/a', '1');
    const ours = etcdts(['--endpoints', source.endpoints[0]!, 'make-mirror', '--prefix', 'm/', '--dest-prefix', 'ours/', destination.endpoints[0]!]);
    const theirs = etcdctl(['--endpoints', source.endpoints[0]!, 'make-mirror', '--prefix', 'm/', '--dest-prefix', 'theirs/', destination.endpoints[0]!]);
    try {
      await within('both copied the base', async () => (await dump(dst, 'ours/')).length === 1 && (await dump(dst, 'theirs/')).length === 1);
      const start = (await dst.get('x')).header.revision + 1;
      await src.txn().then(...['b', 'c', 'd'].map((k) => op.put(`m/${k}`, k))).commit();
      await src.delete('m/', { prefix: true });
      await within('both copied the changes', async () => (await dump(dst, 'ours/')).length === 0 && (await dump(dst, 'theirs/')).length === 0);
      // The destination's history: each mirror wrote the 3-key txn as one revision, then the deletes as one.
      const revisionsOf = async (prefix: string): Promise<number> => {
        const revs = new Set<number>();
        const w = dst.watch(prefix, { prefix: true, startRevision: start });
        for await (const r of w) {
          for (const e of r.events) revs.add(e.kv.modRevision);
          if ([...r.events].some((e) => e.type === 'delete')) break;
        }
        return revs.size;
      };
      assert.equal(await revisionsOf('ours/'), 2);
      assert.equal(await revisionsOf('theirs/'), 2);
    } finally {
      await Promise.all([stop(ours), stop(theirs)]);
    }
  });

  test('argument errors as etcdctl: no destination, --dest-prefix with --no-dest-prefix', async () => {
    const cases = [
      ['make-mirror'],
      ['make-mirror', 'a', 'b'],
      ['make-mirror', '--dest-prefix', 'x', '--no-dest-prefix', destination.endpoints[0]!.replace('http://', '')],
    ];
    const runs = cases.map((args) => {
      const full = ['--endpoints', source.endpoints[0]!, ...args];
      return { args, ours: etcdts(full), theirs: etcdctl(full) };
    });
    for (const { args, ours, theirs } of runs) {
      const [codeA, codeB] = await Promise.all([ours.exited, theirs.exited]);
      assert.equal(ours.stderr(), theirs.stderr(), args.join(' '));
      assert.equal(ours.stdout(), theirs.stdout());
      assert.equal(codeA, codeB);
      assert.equal(codeA, 128);
    }
  });

  test('--dest-user/--dest-password (etcdctl 3.5): a destination with auth enabled', async () => {
    const secured = await EtcdCluster.start({ size: 1, args: ['--bcrypt-cost=4'] });
    try {
      const admin = secured.client();
      await admin.auth.userAdd('root', 'Dest-pw');
      await admin.auth.roleAdd('root');
      await admin.auth.userGrantRole('root', 'root');
      await admin.auth.authEnable();
      const root = secured.client({ username: 'root', password: 'Dest-pw' });
      await src.delete('', { prefix: true });
      await src.put('auth/1', 'one');
      const dest = secured.endpoints[0]!;
      // Without credentials the destination refuses the puts: the mirror fails.
      const anonymous = etcdts(['--endpoints', source.endpoints[0]!, 'make-mirror', '--prefix', 'auth/', dest]);
      assert.notEqual(await anonymous.exited, 0);
      assert.match(anonymous.stderr(), /^Error: .*user name is empty/m);
      for (const creds of [['--dest-user', 'root', '--dest-password', 'Dest-pw'], ['--dest-user', 'root:Dest-pw']]) {
        await root.delete('', { prefix: true });
        const mirror = etcdts(['--endpoints', source.endpoints[0]!, 'make-mirror', '--prefix', 'auth/', ...creds, dest]);
        try {
          await within(`copied with ${creds.join(' ')}`, async () => (await dump(root, 'auth/')).join() === 'auth/1=one');
        } finally {
          await stop(mirror);
        }
        assert.equal(mirror.stderr(), '');
      }
    } finally {
      await secured.close();
    }
  });
});
