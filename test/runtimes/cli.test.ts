// The runtime suite: the etcdts CLI (the build, dist/cli/main.cjs) run by this runtime (`node`,
// `bun`, `deno run --allow-all`): put, get -w json, txn from stdin, watch until SIGINT, endpoint
// status -w table and endpoint health, snapshot save of a database over 16 MB. Outputs are compared with etcdctl's
// where both print the same thing. Runs unchanged under node, bun and deno.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import type { Client } from '../../src/index.js';
import { CLI, describeChild, etcdts, startChild, testing, waitFor } from './runtime.js';

const ETCDCTL = existsSync('/usr/bin/etcdctl') ? '/usr/bin/etcdctl' : 'etcdctl';
const run = promisify(execFile);

let cluster: InstanceType<typeof testing.EtcdCluster>;
let client: Client;
let endpoint: string;
let dir: string;

before(async () => {
  cluster = await testing.EtcdCluster.start({ size: 1 });
  client = cluster.client();
  endpoint = cluster.endpoints[0]!;
  dir = mkdtempSync(join(tmpdir(), 'etcd-ts-runtime-cli-'));
});

after(async () => {
  await cluster?.close();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

/** etcdts on this runtime against the cluster. */
const ours = (args: string[], stdin?: string) => etcdts(['--endpoints', endpoint, ...args], stdin === undefined ? {} : { stdin });

/** etcdctl (the reference) against the cluster. */
async function theirs(args: string[]): Promise<string> {
  const { stdout } = await run(ETCDCTL, ['--endpoints', endpoint, ...args], { env: { ...process.env, ETCDCTL_API: '3' } });
  return stdout;
}

test('put and get -w json: as etcdctl prints them', { timeout: 30_000 }, async () => {
  const put = await ours(['put', 'rt/cli/k', 'hello world']);
  assert.equal(put.code, 0, describeChild(put));
  assert.equal(put.stdout, 'OK\n');
  const get = await ours(['get', 'rt/cli/k', '-w', 'json']);
  assert.equal(get.code, 0, describeChild(get));
  assert.deepEqual(JSON.parse(get.stdout), JSON.parse(await theirs(['get', 'rt/cli/k', '-w', 'json'])));
  assert.equal(Buffer.from((JSON.parse(get.stdout) as { kvs: { value: string }[] }).kvs[0]!.value, 'base64').toString(), 'hello world');
});

test('txn from stdin: compares, success and failure requests', { timeout: 30_000 }, async () => {
  await client.put('rt/cli/t', '1');
  const input = 'value("rt/cli/t") = "1"\n\nput rt/cli/t 2\nget rt/cli/t\n\nput rt/cli/t failed\n\n';
  const txn = await ours(['txn'], input);
  assert.equal(txn.code, 0, describeChild(txn));
  assert.equal(txn.stdout, 'SUCCESS\n\nOK\n\nrt/cli/t\n2\n');
  const again = await ours(['txn'], input);
  assert.equal(again.stdout, 'FAILURE\n\nOK\n', describeChild(again));
  assert.equal((await client.get('rt/cli/t')).kvs[0]?.value.toString(), 'failed');
});

test('watch prints events until SIGINT, then exits by itself', { timeout: 30_000 }, async () => {
  const first = await client.put('rt/cli/w', 'v1');
  await client.put('rt/cli/w', 'v2');
  let printed = '';
  let interrupted = false;
  const events = () => printed.split('\n').filter((l) => l === 'PUT').length;
  const watch = startChild(CLI, {
    args: ['--endpoints', endpoint, 'watch', 'rt/cli/w', '--rev', String(first.header.revision)],
    onStdout: (text, child) => {
      printed = text;
      if (!interrupted && events() >= 3 && text.endsWith('v3\n')) {
        interrupted = true;
        child.kill('SIGINT');
      }
    },
  });
  // The two past events (from --rev), then a live one.
  await waitFor('the watch printed the two past events', () => events() >= 2 && printed.endsWith('v2\n'));
  await client.put('rt/cli/w', 'v3');
  const r = await watch.done;
  assert.equal(interrupted, true, describeChild(r));
  assert.equal(r.killed, false, `the watch did not exit after SIGINT: ${describeChild(r)}`);
  assert.equal(r.stdout, 'PUT\nrt/cli/w\nv1\nPUT\nrt/cli/w\nv2\nPUT\nrt/cli/w\nv3\n', describeChild(r));
});

test('endpoint status -w table: the same table as etcdctl; endpoint health', { timeout: 30_000 }, async () => {
  const status = await ours(['endpoint', 'status', '-w', 'table']);
  assert.equal(status.code, 0, describeChild(status));
  assert.match(status.stdout, /\| +ENDPOINT +\| +ID +\| +VERSION +\|/);
  assert.ok(status.stdout.includes(endpoint), status.stdout);
  assert.equal(status.stdout, await theirs(['endpoint', 'status', '-w', 'table']));
  const health = await ours(['endpoint', 'health']);
  assert.equal(health.code, 0, describeChild(health));
  // As etcdctl: the health line goes to stderr.
  assert.match(health.stderr, new RegExp(`^${endpoint.replace(/[.:/]/g, '\\$&')} is healthy: successfully committed proposal: took = \\S+\n$`));
});

test('snapshot save of a database over 16 MB: a file etcdctl reads', { timeout: 90_000 }, async () => {
  const MiB = 1024 * 1024;
  for (let i = 0; i < 16; i++) await client.put(`rt/cli/big/${i}`, Buffer.alloc(MiB, 0x41 + i));
  const file = join(dir, 'snap.db');
  const save = await etcdts(['--endpoints', endpoint, 'snapshot', 'save', file], { timeout: 60_000 });
  assert.equal(save.code, 0, describeChild(save));
  assert.equal(save.stdout, `Snapshot saved at ${file}\n`);
  assert.ok(statSync(file).size > 16 * MiB, `snapshot of ${statSync(file).size} bytes`);
  const info = JSON.parse(await theirs(['snapshot', 'status', file, '-w', 'json'])) as { totalKey: number };
  assert.ok(info.totalKey >= 16, `etcdctl reads ${info.totalKey} keys`);
});
