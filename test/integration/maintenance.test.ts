// The Maintenance API against real etcd: status, hashes, per-endpoint calls, snapshot save with
// its checked SHA-256 and a restore (etcdctl snapshot restore) into a new member that serves the
// same keys, the NOSPACE alarm (fill a small quota, compact, defragment, disarm, write again),
// downgrade on 3.4, and the checks made before sending.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

import {
  Client,
  DOWNGRADE_FEATURE,
  FutureRevisionError,
  InvalidArgumentError,
  NoAvailableEndpointsError,
  NoSpaceError,
  NotSupportedError,
} from '../../src/index.js';
import { EtcdCluster, EtcdMember, freePorts } from '../../src/testing/index.js';

const ETCDCTL = existsSync('/usr/bin/etcdctl') ? '/usr/bin/etcdctl' : 'etcdctl';
/** The cluster's backend quota: small, so that a few puts fill it. */
const QUOTA_BYTES = 1024 * 1024;
/** Value size of the puts that fill the quota (below etcd's 1.5 MiB request limit). */
const FILL_VALUE_BYTES = 100 * 1024;
/** Longest time to fill the quota, in ms (etcd checks the quota against its last commit). */
const FILL_DEADLINE_MS = 20_000;

function etcdctl(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(ETCDCTL, args, { env: { ...process.env, ETCDCTL_API: '3' }, timeout: 30_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`etcdctl ${args.join(' ')} failed: ${error.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

let cluster: EtcdCluster;
let client: Client;
let endpoint: string;

before(async () => {
  cluster = await EtcdCluster.start({ size: 1, args: [`--quota-backend-bytes=${QUOTA_BYTES}`] });
  endpoint = cluster.endpoints[0]!;
  client = cluster.client();
});
after(async () => {
  await cluster?.close();
});

describe('status, hashes and calls aimed at one endpoint', { timeout: 30_000 }, () => {
  test('status: the member describes itself', async () => {
    await client.put('m/a', '1');
    const status = await client.maintenance.status();
    assert.equal(status.version, cluster.etcdVersion);
    assert.ok(status.header.memberId > 0n);
    assert.equal(status.leader, status.header.memberId); // alone, it leads
    assert.ok(status.dbSize > 0 && status.dbSizeInUse > 0 && status.dbSizeInUse <= status.dbSize);
    assert.ok(status.raftIndex > 0 && status.raftAppliedIndex > 0 && status.raftTerm > 0);
    assert.deepEqual(status.errors, []);
    assert.equal(status.isLearner, false);
    // aimed at the endpoint, as a URL or as host:port: the same member
    for (const ep of [endpoint, endpoint.replace('http://', '')]) {
      assert.equal((await client.maintenance.status(ep, { timeout: 5_000 })).header.memberId, status.header.memberId);
    }
  });

  test('an endpoint given to one call is used alone: a dead one fails that call only', async () => {
    const started = Date.now();
    const dead = new Client({ endpoints: [endpoint], dialTimeout: 300 });
    try {
      await assert.rejects(dead.maintenance.status('http://127.0.0.1:1'), NoAvailableEndpointsError);
      assert.ok(Date.now() - started < 5_000);
      // the client itself still works, on its own endpoint
      assert.ok((await dead.maintenance.status()).header.memberId > 0n);
    } finally {
      await dead.close();
    }
  });

  test('hashKV: stable for a past revision, FutureRevisionError beyond the present', async () => {
    const { header } = await client.put('m/h', '1');
    const at = header.revision;
    const first = await client.maintenance.hashKV(endpoint, at);
    await client.put('m/h', '2');
    const again = await client.maintenance.hashKV(undefined, at);
    assert.equal(again.hash, first.hash);
    assert.equal(first.compactRevision, -1); // never compacted (3.4 says -1)
    const now = await client.maintenance.hashKV(endpoint);
    assert.notEqual(now.hash, first.hash);
    await assert.rejects(client.maintenance.hashKV(endpoint, now.header.revision + 100), FutureRevisionError);
    const whole = await client.maintenance.hash(endpoint);
    assert.ok(Number.isInteger(whole.hash) && whole.hash >= 0);
  });

  test('downgrade on etcd 3.4: NotSupportedError naming the server version', async () => {
    const error = await client.maintenance.downgrade('validate', '3.3').then(
      () => assert.fail('downgrade succeeded on 3.4'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof NotSupportedError, String(error));
    assert.equal(error.feature, DOWNGRADE_FEATURE);
    assert.equal(error.serverVersion, cluster.etcdVersion);
    assert.match(error.message, new RegExp(`not supported by etcd ${cluster.etcdVersion.replaceAll('.', '\\.')}`));
  });
});

describe('snapshot: save with a checked SHA-256, restore into a new member', { timeout: 60_000 }, () => {
  test('saveSnapshot writes the database plus a trailer that hashes right; etcdctl restores it', async () => {
    for (let i = 0; i < 20; i++) await client.put(`snap/${i}`, `value ${i}`);
    const dir = join(cluster.dir, 'snapshots');
    mkdirSync(dir);
    const path = join(dir, 'one.db');
    const progress: Array<[number, number]> = [];
    const saved = await client.maintenance.saveSnapshot(path, { endpoint, onProgress: (received, total) => progress.push([received, total]) });

    const file = readFileSync(path);
    assert.equal(saved.path, path);
    assert.equal(saved.size, file.length);
    assert.equal(file.length % 512, 32); // bbolt pages + the 32-byte trailer, as etcdctl checks
    const digest = createHash('sha256').update(file.subarray(0, file.length - 32)).digest('hex');
    assert.equal(saved.sha256, digest);
    assert.equal(file.subarray(file.length - 32).toString('hex'), digest);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal(existsSync(`${path}.part`), false);
    assert.ok(progress.length >= 2);
    assert.deepEqual(progress.at(-1), [file.length, file.length]);
    for (const [received, total] of progress) assert.ok(received <= total && total <= file.length + 32);

    // the async iterable gives the same kind of stream: database bytes, then their SHA-256
    const chunks: Buffer[] = [];
    for await (const chunk of client.maintenance.snapshot()) chunks.push(chunk);
    const streamed = Buffer.concat(chunks);
    const body = streamed.subarray(0, streamed.length - 32);
    assert.equal(createHash('sha256').update(body).digest('hex'), streamed.subarray(streamed.length - 32).toString('hex'));

    // restore (etcdctl checks the hash) into a fresh data dir and start a member on it
    const [clientPort, peerPort] = await freePorts(2);
    const restored = new EtcdMember({
      name: 'restored',
      bin: cluster.etcdBin,
      dir: join(dir, 'restored'),
      clientPort: clientPort!,
      peerPort: peerPort!,
      initialCluster: `restored=http://127.0.0.1:${peerPort}`,
      initialClusterState: 'new',
      initialClusterToken: 'etcd-ts-restored',
      orphanFolder: dir,
    });
    await etcdctl([
      'snapshot', 'restore', path,
      '--data-dir', restored.dataDir,
      '--name', 'restored',
      '--initial-cluster', `restored=${restored.peerUrl}`,
      '--initial-advertise-peer-urls', restored.peerUrl,
      '--initial-cluster-token', 'etcd-ts-restored',
    ]);
    try {
      await restored.start();
      await using copy = new Client({ endpoints: [restored.clientUrl] });
      const { kvs } = await copy.get('snap/', { prefix: true });
      assert.equal(kvs.length, 20);
      for (const kv of kvs) assert.equal(kv.value.toString(), `value ${kv.key.toString().slice('snap/'.length)}`);
      // a new cluster with its own identity
      const [ours, theirs] = await Promise.all([client.maintenance.status(), copy.maintenance.status()]);
      assert.notEqual(theirs.header.clusterId, ours.header.clusterId);
    } finally {
      await restored.kill();
    }
  });

  test('snapshotWithVersion (Go SnapshotWithVersion): the server version (none before etcd 3.6) with the whole stream', async () => {
    const { header, version, snapshot } = await client.maintenance.snapshotWithVersion({ endpoint });
    // etcd sends its version in the stream since 3.6 (3.4 and 3.5 send none: Go then gives ''),
    // and no header (Go's Header is then nil).
    const [major, minor] = cluster.etcdVersion.split('.').map(Number);
    const since36 = major! > 3 || (major === 3 && minor! >= 6);
    assert.equal(version, since36 ? (await client.maintenance.status(endpoint)).version : '');
    assert.equal(header, undefined);
    const chunks: Buffer[] = [];
    for await (const chunk of snapshot) chunks.push(chunk);
    const streamed = Buffer.concat(chunks);
    assert.equal(streamed.length % 512, 32);
    const digest = createHash('sha256').update(streamed.subarray(0, streamed.length - 32)).digest('hex');
    assert.equal(streamed.subarray(streamed.length - 32).toString('hex'), digest, 'the first chunk is part of the stream');
    await snapshot.close(); // after the end: harmless

    // close() before reading: the loop yields nothing; leaving a loop early works too
    const unread = await client.maintenance.snapshotWithVersion();
    await unread.snapshot.close();
    for await (const _ of unread.snapshot) assert.fail('a closed snapshot yields nothing');
    const partial = await client.maintenance.snapshotWithVersion();
    for await (const chunk of partial.snapshot) {
      assert.ok(chunk.length > 0);
      break;
    }
    await assert.rejects(client.maintenance.snapshotWithVersion({ bogus: 1 } as never), InvalidArgumentError);
  });

  test('saveSnapshot into a missing folder: the file system error, nothing left behind', async () => {
    const path = join(cluster.dir, 'no-such-folder', 'x.db');
    await assert.rejects(client.maintenance.saveSnapshot(path), { code: 'ENOENT' });
    assert.equal(existsSync(`${path}.part`), false);
  });
});

describe('NOSPACE: fill the quota, compact, defragment, disarm, write again', { timeout: 60_000 }, () => {
  test('the alarm, the typed error, and the way back', async () => {
    const value = 'v'.repeat(FILL_VALUE_BYTES);
    const deadline = Date.now() + FILL_DEADLINE_MS;
    let refused: unknown;
    for (let i = 0; refused === undefined && Date.now() < deadline; i++) {
      await client.put(`fill/${i % 4}`, value).catch((error: unknown) => {
        refused = error;
      });
    }
    assert.ok(refused instanceof NoSpaceError, `expected NoSpaceError, got ${String(refused)}`);

    const memberId = (await client.maintenance.status()).header.memberId;
    const { alarms } = await client.maintenance.alarmList();
    assert.deepEqual(alarms, [{ memberId, alarm: 'NOSPACE' }]);
    const status = await client.maintenance.status(endpoint);
    assert.deepEqual(status.errors, [`memberID:${memberId} alarm:NOSPACE `]);
    await assert.rejects(client.put('tiny', '1'), NoSpaceError);
    assert.equal((await client.get('snap/0')).kvs.length, 1); // reads still work

    // disarming alone does not help while the database is over the quota: the next write raises it again
    const { header } = await client.get('fill/0');
    await client.compact(header.revision, { physical: true });
    const before = status.dbSize;
    await client.maintenance.defragment(endpoint);
    const after = await client.maintenance.status(endpoint);
    assert.ok(after.dbSize < before, `defragment: ${after.dbSize} bytes, not below ${before}`);
    assert.ok(after.dbSize < QUOTA_BYTES);

    const disarmed = await client.maintenance.alarmDisarm();
    assert.deepEqual(disarmed.alarms, [{ memberId, alarm: 'NOSPACE' }]);
    assert.deepEqual((await client.maintenance.alarmList()).alarms, []);
    await client.put('tiny', '1');
    assert.equal((await client.get('tiny')).kvs[0]?.value.toString(), '1');
    // nothing left to disarm
    assert.deepEqual((await client.maintenance.alarmDisarm()).alarms, []);
  });
});

describe('Maintenance checks its arguments before sending', () => {
  const offline = new Client({ endpoints: ['http://127.0.0.1:1'], dialTimeout: 200 });
  after(() => offline.close());
  const m = offline.maintenance;
  const cases: Array<[string, () => Promise<unknown>]> = [
    ['status: empty endpoint', () => m.status('')],
    ['status: malformed endpoint', () => m.status('http://')],
    ['status: unknown option', () => m.status(undefined, { endpoint: 'x' } as never)],
    ['hashKV: negative revision', () => m.hashKV(undefined, -1)],
    ['hashKV: fractional revision', () => m.hashKV(undefined, 1.5)],
    ['alarmDisarm: unknown alarm', () => m.alarmDisarm({ alarm: 'FULL' as never })],
    ['alarmDisarm: member ID not a bigint', () => m.alarmDisarm({ memberId: 1 as never })],
    ['alarmDisarm: unknown field', () => m.alarmDisarm({ member: 1n } as never)],
    ['saveSnapshot: empty path', () => m.saveSnapshot('')],
    ['saveSnapshot: onProgress not a function', () => m.saveSnapshot('/tmp/x', { onProgress: 1 as never })],
    ['moveLeader: id 0', () => m.moveLeader(0n)],
    ['downgrade: unknown action', () => m.downgrade('up' as never, '3.4')],
    ['downgrade: no version', () => m.downgrade('enable', '')],
  ];
  for (const [name, call] of cases) {
    test(name, async () => {
      await assert.rejects(call(), InvalidArgumentError);
    });
  }
  test('snapshot: bad options throw at once', () => {
    assert.throws(() => m.snapshot({ timeout: -1 }), InvalidArgumentError);
    assert.throws(() => m.snapshot({ endpoint: 5 } as never), InvalidArgumentError);
  });
});
