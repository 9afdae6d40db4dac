// etcd-ts/naming with Go's clientv3/naming (test/go/naming-interop, built here on the Go client of
// Debian's etcd 3.4 sources; scripts/setup-go.sh installs them or the test fails saying what is
// missing): endpoints registered by Go are listed and watched here with their metadata, ours are
// listed and watched by Go's manager, byte for byte the same values; Go's gRPC resolver dials a
// server registered here, and ours dials one registered by Go.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import * as grpc from '@grpc/grpc-js';

import type { Client } from '../../src/index.js';
import { EndpointManager, registerGrpcResolver, type EndpointUpdate } from '../../src/naming/index.js';
import { EtcdCluster } from '../../src/testing/index.js';
import { buildGoProgram } from '../helpers/go.js';
import { startNamedServer, whoAnswers, type NamedServer } from '../helpers/grpc-server.js';

/** Longest time one run of the Go program may take, ms. */
const GO_RUN_TIMEOUT_MS = 20_000;

let cluster: EtcdCluster;
let client: Client;
let goBinary: string;

before(async () => {
  goBinary = await buildGoProgram('naming-interop');
  cluster = await EtcdCluster.start({ size: 1 });
  client = cluster.client();
});
after(async () => {
  await client?.close();
  await cluster?.close();
});

/** Runs one subcommand of the Go program; resolves with its JSON lines. */
function go(command: string, args: string[]): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    execFile(goBinary, [command, '--endpoints', cluster.endpoints.join(','), ...args], { timeout: GO_RUN_TIMEOUT_MS }, (error, stdout, stderr) => {
      if (error) reject(new Error(`naming-interop ${command} ${args.join(' ')} failed: ${error.message}\n${stderr}`));
      else resolve(stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as unknown));
    });
  });
}

/** Go's `endpoints.Update` as its JSON prints it. */
interface GoUpdate {
  Op: number;
  Key: string;
  Endpoint: { Addr: string; Metadata: unknown };
}

/**
 * Starts Go's `NewWatchChannel` on `target`; resolves once it is watching (its initial read is
 * done), with the batches it will have printed when `updates` updates arrived.
 */
async function goWatch(target: string, updates: number): Promise<{ batches: Promise<GoUpdate[][]> }> {
  const child = spawn(goBinary, ['watch', '--endpoints', cluster.endpoints.join(','), '--target', target, '--updates', String(updates)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), GO_RUN_TIMEOUT_MS);
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const lines = createInterface({ input: child.stdout });
  const batches: GoUpdate[][] = [];
  let ready!: () => void;
  const watching = new Promise<void>((resolve) => (ready = resolve));
  lines.on('line', (line) => {
    const value = JSON.parse(line) as { ready?: boolean } | GoUpdate[];
    if (Array.isArray(value)) batches.push(value);
    else if (value.ready === true) ready();
  });
  const done = new Promise<GoUpdate[][]>((resolve, reject) => {
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(batches);
      else reject(new Error(`Go watch exited with ${code}: ${stderr}; got ${JSON.stringify(batches)}`));
    });
  });
  await Promise.race([watching, done]);
  return { batches: done };
}

describe('interop with Go clientv3/naming', { timeout: 120_000 }, () => {
  const servers: NamedServer[] = [];
  const channels: grpc.Client[] = [];
  after(() => {
    for (const c of channels) c.close();
    for (const s of servers) s.stop();
  });

  test('endpoints Go registers (metadata, a lease) are listed and watched here; the same bytes as ours', async () => {
    const manager = new EndpointManager(client, 'go-svc');
    const watch = manager.watch();
    const it = watch[Symbol.asyncIterator]();
    assert.deepEqual((await it.next()).value, []);

    const [{ lease }] = (await go('add', ['--target', 'go-svc', '--key', 'go-svc/10.1.0.1:7070', '--addr', '10.1.0.1:7070', '--metadata', '{"zone":"a"}', '--lease-ttl', '60'])) as [{ lease: string }];
    const leaseId = BigInt(`0x${lease}`);
    assert.ok(leaseId > 0n);
    const stored = (await client.get('go-svc/10.1.0.1:7070')).kvs[0]!;
    assert.equal(stored.lease, leaseId);
    await manager.addEndpoint('go-svc/ours', { addr: '10.1.0.1:7070', metadata: { zone: 'a' } });
    assert.equal((await client.get('go-svc/ours')).kvs[0]?.value.toString(), stored.value.toString(), 'Go and etcd-ts write the same value');
    await manager.deleteEndpoint('go-svc/ours');

    assert.deepEqual([...(await manager.list())], [['go-svc/10.1.0.1:7070', { addr: '10.1.0.1:7070', metadata: { zone: 'a' } }]]);
    await go('delete', ['--target', 'go-svc', '--key', 'go-svc/10.1.0.1:7070']);
    const seen: EndpointUpdate[] = [];
    while (seen.length < 4) seen.push(...((await it.next()).value as EndpointUpdate[]));
    assert.deepEqual(seen, [
      { op: 'add', key: 'go-svc/10.1.0.1:7070', endpoint: { addr: '10.1.0.1:7070', metadata: { zone: 'a' } } },
      { op: 'add', key: 'go-svc/ours', endpoint: { addr: '10.1.0.1:7070', metadata: { zone: 'a' } } },
      { op: 'delete', key: 'go-svc/ours' },
      { op: 'delete', key: 'go-svc/10.1.0.1:7070' },
    ]);
    await watch.cancel();
    await client.lease.revoke(leaseId);
  });

  test("endpoints registered here are listed and watched by Go's manager", async () => {
    const manager = new EndpointManager(client, 'ts-svc');
    await manager.addEndpoint('ts-svc/10.2.0.1:1', { addr: '10.2.0.1:1' });
    const watching = await goWatch('ts-svc', 4); // the one listed, then three changes
    const { id } = await client.lease.grant(60);
    await manager.addEndpoint('ts-svc/10.2.0.2:2', { addr: '10.2.0.2:2', metadata: { weight: 5, tags: ['x'] } }, { lease: id });
    assert.deepEqual((await go('list', ['--target', 'ts-svc']))[0], {
      'ts-svc/10.2.0.1:1': { Addr: '10.2.0.1:1', Metadata: null },
      'ts-svc/10.2.0.2:2': { Addr: '10.2.0.2:2', Metadata: { weight: 5, tags: ['x'] } },
    });
    await manager.deleteEndpoint('ts-svc/10.2.0.1:1');
    await client.lease.revoke(id); // the lease's endpoint goes with it
    const updates = (await watching.batches).flat();
    assert.deepEqual(updates, [
      { Op: 0, Key: 'ts-svc/10.2.0.1:1', Endpoint: { Addr: '10.2.0.1:1', Metadata: null } },
      { Op: 0, Key: 'ts-svc/10.2.0.2:2', Endpoint: { Addr: '10.2.0.2:2', Metadata: { weight: 5, tags: ['x'] } } },
      { Op: 1, Key: 'ts-svc/10.2.0.1:1', Endpoint: { Addr: '', Metadata: null } },
      { Op: 1, Key: 'ts-svc/10.2.0.2:2', Endpoint: { Addr: '', Metadata: null } },
    ]);
  });

  test("Go's gRPC resolver dials a server registered here; ours dials one registered by Go", async () => {
    const [ours, theirs] = await Promise.all([startNamedServer('registered-here'), startNamedServer('registered-by-go')]);
    servers.push(ours, theirs);

    await new EndpointManager(client, 'health').addEndpoint(`health/${ours.addr}`, { addr: ours.addr });
    assert.deepEqual((await go('call', ['--target', 'health']))[0], { status: 'SERVING', peer: ours.addr });

    await go('add', ['--target', 'go-who', '--key', `go-who/${theirs.addr}`, '--addr', theirs.addr]);
    registerGrpcResolver(client, { grpc, scheme: 'etcd-go' });
    const channel = new grpc.Client('etcd-go:///go-who', grpc.credentials.createInsecure());
    channels.push(channel);
    assert.equal(await whoAnswers(channel), 'registered-by-go');
  });
});
