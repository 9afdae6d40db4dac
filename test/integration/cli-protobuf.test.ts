// `etcdts -w protobuf` against etcdctl 3.4.23's, byte for byte: both read the same cluster at the
// same revision (reads only, so the response headers are equal), and `put` is compared field by
// field after decoding (each put moves the revision).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { etcdserverpb } from '../../src/proto/index.js';
import type { Client } from '../../src/index.js';
import { EtcdCluster } from '../../src/testing/index.js';
import { spawn } from 'node:child_process';

import { ETCDCTL, cleanEnv, etcdctl, etcdts, etcdtsCommand } from '../helpers/etcdts.js';

let cluster: EtcdCluster;
let client: Client;
let endpoint: string;
let firstRev: number;

before(async () => {
  cluster = await EtcdCluster.start({ size: 1 });
  client = cluster.client();
  endpoint = cluster.endpoints[0]!;
  firstRev = (await client.put('p/a', '1')).header.revision;
  await client.put('p/b', Buffer.from([0, 0xff, 0x0a]));
  await client.put('p/a', '2');
  await client.put('p/c', 'x'.repeat(300)); // a length above 127: a two-byte varint
});

after(async () => {
  await cluster?.close();
});

/** Runs `command args` until its stdout holds `marker` (then kills it; 30 s at most); its stdout. */
function watchUntil(command: readonly string[], args: readonly string[], marker: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(command[0]!, [...command.slice(1), ...args], { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.stdout!.on('data', (b: Buffer) => {
      chunks.push(b);
      if (Buffer.concat(chunks).includes(marker)) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    });
  });
}

async function same(args: string[], stdin?: string): Promise<Buffer> {
  const full = ['--endpoints', endpoint, '-w', 'protobuf', ...args];
  const [theirs, ours] = await Promise.all([etcdctl(full, { stdin }), etcdts(full, { stdin })]);
  const what = `${args.join(' ')}\n etcdctl stderr: ${theirs.stderr}\n etcdts stderr: ${ours.stderr}`;
  assert.equal(ours.code, theirs.code, `exit code of ${what}`);
  assert.equal(ours.stdout.toString('hex'), theirs.stdout.toString('hex'), `stdout of ${what}`);
  return ours.stdout;
}

describe('etcdts -w protobuf against etcdctl 3.4.23', { timeout: 120_000 }, () => {
  test('get, del and txn: the response message, byte for byte', async () => {
    const out = await same(['get', 'p/', '--prefix']);
    assert.equal(etcdserverpb.RangeResponse.decode(out).kvs.length, 3);
    await same(['get', 'p/a']);
    await same(['get', 'p/a', '--rev', String(firstRev)]);
    await same(['get', 'p/', '--prefix', '--limit', '1', '--sort-by', 'VALUE', '--order', 'DESCEND']);
    await same(['get', 'p/', '--prefix', '--keys-only']);
    await same(['get', 'nothing']);
    await same(['del', 'nothing']);
    await same(['txn'], 'value("p/a") = "2"\n\nget p/a\nget p/ --prefix\n\nget p/b\n\n');
    await same(['txn'], 'value("p/a") = "3"\n\nget p/a\n\nget p/b\n\n');
  });

  test('put --prev-kv: the PutResponse with the previous pair', async () => {
    const r = await etcdts(['--endpoints', endpoint, '-w', 'protobuf', 'put', 'p/a', '3', '--prev-kv']);
    assert.equal(r.code, 0, r.stderr);
    const resp = etcdserverpb.PutResponse.decode(r.stdout);
    assert.equal(Buffer.from(resp.prevKv!.key).toString(), 'p/a');
    assert.equal(Buffer.from(resp.prevKv!.value).toString(), '2');
    assert.equal(resp.header!.revision, BigInt((await client.get('p/a')).header.revision));
  });

  test('watch: one WatchResponse message per response', async () => {
    const args = ['--endpoints', endpoint, '-w', 'protobuf', 'watch', 'p/', '--prefix', '--rev', String(firstRev)];
    const last = Buffer.from('x'.repeat(300)); // the value of the last event
    const [theirs, ours] = await Promise.all([watchUntil([ETCDCTL], args, last), etcdtsCommand().then((cmd) => watchUntil(cmd, args, last))]);
    assert.equal(etcdserverpb.WatchResponse.decode(theirs.subarray(0, theirs.length)).header !== undefined, true);
    assert.equal(ours.toString('hex'), theirs.toString('hex'));
  });

  test('member, alarm, user and role commands: their response messages; endpoint and snapshot status: not printed (exit 4)', async () => {
    await same(['member', 'list']);
    await same(['alarm', 'list']);
    await same(['user', 'list']);
    await same(['role', 'list']);
    const both = async (theirs: string[], ours: string[]): Promise<void> => {
      const [a, b] = await Promise.all([
        etcdctl(['--endpoints', endpoint, '-w', 'protobuf', ...theirs]),
        etcdts(['--endpoints', endpoint, '-w', 'protobuf', ...ours]),
      ]);
      assert.equal(b.code, a.code, `${ours.join(' ')}: ${a.stderr} / ${b.stderr}`);
      assert.equal(b.stdout.toString('hex'), a.stdout.toString('hex'), ours.join(' '));
    };
    // Auth changes do not move the key-value revision: both headers are equal.
    await both(['role', 'add', 'pb-a'], ['role', 'add', 'pb-b']);
    await both(['role', 'grant-permission', 'pb-a', 'readwrite', 'k/', '--prefix'], ['role', 'grant-permission', 'pb-b', 'readwrite', 'k/', '--prefix']);
    await both(['role', 'get', 'pb-a'], ['role', 'get', 'pb-b']);
    await both(['user', 'add', 'pb-ua', '--new-user-password', 'x'], ['user', 'add', 'pb-ub', '--new-user-password', 'x']);
    await both(['user', 'grant-role', 'pb-ua', 'pb-a'], ['user', 'grant-role', 'pb-ub', 'pb-a']);
    await both(['user', 'get', 'pb-ua'], ['user', 'get', 'pb-ub']);
    for (const args of [['endpoint', 'status'], ['endpoint', 'hashkv']]) {
      const [a, b] = await Promise.all([etcdctl(['--endpoints', endpoint, '-w', 'protobuf', ...args]), etcdts(['--endpoints', endpoint, '-w', 'protobuf', ...args])]);
      assert.equal(b.code, a.code, args.join(' '));
      assert.equal(b.stderr, a.stderr);
    }
  });

  test('lease commands: the response header (the clientv3 structs embed it); revoke: etcdctl\'s marshal error', async () => {
    const id = (await client.lease.grant(600)).id.toString(16);
    await same(['lease', 'grant', '10']);
    await same(['lease', 'timetolive', id, '--keys']);
    await same(['lease', 'list']);
    await same(['lease', 'keep-alive', '--once', id]);
    const other = (await client.lease.grant(600)).id.toString(16);
    const full = (lease: string) => ['--endpoints', endpoint, '-w', 'protobuf', 'lease', 'revoke', lease];
    const [theirs, ours] = await Promise.all([etcdctl(full(id)), etcdts(full(other))]);
    assert.equal(ours.code, theirs.code);
    assert.equal(ours.code, 4);
    assert.equal(ours.stderr, theirs.stderr);
    assert.match(ours.stderr, /^Error: marshal unsupported for type clientv3.LeaseRevokeResponse \(\{cluster_id:\d+ member_id:\d+ revision:\d+ raft_term:\d+ \}\)\n$/);
  });
});
