// Interoperability with the official etcdctl (v3 API): what etcd-ts writes, etcdctl reads, and the
// other way round, including binary keys and values and a transaction.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';

import { Client, compare, op } from '../../src/index.js';
import { EtcdCluster } from '../../src/testing/index.js';

const ETCDCTL = process.env['ETCDCTL_BIN'] ?? '/usr/bin/etcdctl';
const ETCDCTL_TIMEOUT_MS = 10_000;
const TEST_TIMEOUT_MS = 30_000;

let cluster: EtcdCluster;
let client: Client;

/** Runs etcdctl (v3 API) against the test cluster; resolves with stdout as bytes. */
function etcdctl(args: string[], stdin?: Uint8Array): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      ETCDCTL,
      [`--endpoints=${cluster.endpoints.join(',')}`, '--dial-timeout=5s', '--command-timeout=5s', ...args],
      { env: { ...process.env, ETCDCTL_API: '3' }, encoding: 'buffer', timeout: ETCDCTL_TIMEOUT_MS },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`etcdctl ${args.join(' ')} failed: ${error.message}\n${stderr.toString()}`));
        else resolve(stdout);
      },
    );
    child.stdin?.end(stdin === undefined ? undefined : Buffer.from(stdin));
  });
}

interface EtcdctlGet {
  header: { revision: number };
  kvs?: Array<{ key: string; value?: string; create_revision: number; mod_revision: number; version: number }>;
  count?: number;
}

async function etcdctlGetJson(args: string[]): Promise<EtcdctlGet> {
  return JSON.parse((await etcdctl(['get', '-w', 'json', ...args])).toString()) as EtcdctlGet;
}

const b64 = (s: string): Buffer => Buffer.from(s, 'base64');

describe('etcdctl interop', { timeout: TEST_TIMEOUT_MS, skip: existsSync(ETCDCTL) ? false : `no etcdctl at ${ETCDCTL}` }, () => {
  before(async () => {
    cluster = await EtcdCluster.start({ size: 1 });
    client = cluster.client();
  });
  after(async () => {
    await cluster?.close();
  });

  test('a key put by etcd-ts is read by etcdctl', async () => {
    const put = await client.put('interop/ts', 'from etcd-ts');
    assert.equal((await etcdctl(['get', 'interop/ts', '--print-value-only'])).toString(), 'from etcd-ts\n');
    const json = await etcdctlGetJson(['interop/ts']);
    assert.equal(json.kvs?.[0]?.create_revision, put.header.revision);
    assert.equal(json.kvs?.[0]?.mod_revision, put.header.revision);
    assert.equal(json.kvs?.[0]?.version, 1);
  });

  test('a key put by etcdctl is read by etcd-ts', async () => {
    assert.equal((await etcdctl(['put', 'interop/ctl', 'from etcdctl'])).toString(), 'OK\n');
    const response = await client.get('interop/ctl');
    assert.equal(response.kvs[0]?.value.toString(), 'from etcdctl');
    const json = await etcdctlGetJson(['interop/ctl']);
    assert.equal(response.kvs[0]?.modRevision, json.kvs?.[0]?.mod_revision);
  });

  test('a transaction written by etcd-ts is visible to etcdctl', async () => {
    await client.put('interop/txn/guard', 'go');
    const response = await client
      .txn()
      .if(compare.value('interop/txn/guard', '=', 'go'))
      .then(op.put('interop/txn/a', '1'), op.put('interop/txn/b', '2'), op.delete('interop/txn/guard'))
      .else(op.put('interop/txn/else', 'x'))
      .commit();
    assert.equal(response.succeeded, true);
    const listing = (await etcdctl(['get', '--prefix', 'interop/txn/'])).toString();
    assert.equal(listing, 'interop/txn/a\n1\ninterop/txn/b\n2\n');
    const json = await etcdctlGetJson(['--prefix', 'interop/txn/']);
    // All writes of one txn share its revision.
    assert.deepEqual(json.kvs?.map((kv) => kv.mod_revision), [response.header.revision, response.header.revision]);
  });

  test('a transaction written by etcdctl is visible to etcd-ts', async () => {
    await client.put('interop/ctltxn/guard', 'go');
    const script = 'value("interop/ctltxn/guard") = "go"\n\nput interop/ctltxn/x 10\nput interop/ctltxn/y 20\n\nput interop/ctltxn/else 0\n\n';
    const out = (await etcdctl(['txn'], Buffer.from(script))).toString();
    assert.match(out, /^SUCCESS\n/);
    const response = await client.get('interop/ctltxn/', { prefix: true });
    assert.deepEqual(response.kvs.map((kv) => `${kv.key}=${kv.value}`), [
      'interop/ctltxn/guard=go',
      'interop/ctltxn/x=10',
      'interop/ctltxn/y=20',
    ]);
    assert.equal(response.kvs[1]!.modRevision, response.kvs[2]!.modRevision);
  });

  test('binary keys and values round-trip (etcd-ts → etcdctl)', async () => {
    const key = Buffer.concat([Buffer.from('interop/bin/'), Buffer.from([0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff])]);
    const value = Buffer.from([0xff, 0x00, 0x0a, 0xc3, 0x28, 0x80]);
    await client.put(key, value);
    const json = await etcdctlGetJson(['--prefix', 'interop/bin/']);
    assert.equal(json.kvs?.length, 1);
    assert.deepEqual(b64(json.kvs![0]!.key), key);
    assert.deepEqual(b64(json.kvs![0]!.value!), value);
  });

  test('binary values round-trip (etcdctl → etcd-ts, value from stdin)', async () => {
    const value = Buffer.from([0x00, 0xff, 0x01, 0xfe, 0x80, 0x7f, 0x00]);
    await etcdctl(['put', 'interop/bin-ctl'], value);
    const response = await client.get('interop/bin-ctl');
    assert.deepEqual(response.kvs[0]?.value, value);
  });

  test('a key deleted by etcdctl is gone for etcd-ts, and the reverse', async () => {
    await client.put('interop/del/a', '1');
    await client.put('interop/del/b', '2');
    assert.equal((await etcdctl(['del', 'interop/del/a'])).toString(), '1\n');
    assert.deepEqual((await client.get('interop/del/a')).kvs, []);
    assert.equal((await client.delete('interop/del/b')).deleted, 1);
    const json = await etcdctlGetJson(['--prefix', 'interop/del/']);
    assert.equal(json.kvs, undefined);
    assert.equal(json.count ?? 0, 0);
  });
});
