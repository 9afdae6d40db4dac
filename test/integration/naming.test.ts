// etcd-ts/naming against a real etcd: the endpoint manager (add with metadata and a lease, list,
// delete, atomic updates, watch from the current list through every change, inside a namespace),
// and the @grpc/grpc-js resolver: a channel to etcd:///<target> reaches the registered server,
// follows a moved registration, fails with UNAVAILABLE when none is left, balances with
// round_robin, and reports a closed etcd client. The Go interop is in naming-go.test.ts.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';

import { Client, ClientClosedError } from '../../src/index.js';
import { EndpointManager, registerGrpcResolver, type EndpointUpdate } from '../../src/naming/index.js';
import { EtcdCluster } from '../../src/testing/index.js';
import { startNamedServer, whoAnswers, type NamedServer } from '../helpers/grpc-server.js';

const TEST_TIMEOUT_MS = 30_000;

let cluster: EtcdCluster;
let client: Client;

before(async () => {
  cluster = await EtcdCluster.start({ size: 1 });
  client = cluster.client();
});
after(async () => {
  await client?.close();
  await cluster?.close();
});

/** Takes batches from `iterator` until `count` updates arrived (failing after 10 s). */
async function updates(iterator: AsyncIterator<EndpointUpdate[]>, count: number): Promise<EndpointUpdate[]> {
  const seen: EndpointUpdate[] = [];
  const deadline = Date.now() + 10_000;
  while (seen.length < count) {
    let timer: NodeJS.Timeout | undefined;
    const next = await Promise.race([
      iterator.next(),
      new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), Math.max(0, deadline - Date.now())))),
    ]).finally(() => clearTimeout(timer));
    if (next === 'timeout') assert.fail(`${count} updates not within 10 s; got ${JSON.stringify(seen)}`);
    if (next.done === true) assert.fail(`the watch ended after ${JSON.stringify(seen)}`);
    seen.push(...next.value);
  }
  return seen;
}

/** Retries `attempt` every 25 ms until it returns true (failing after `timeoutMs`). */
async function eventually(what: string, attempt: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await attempt())) {
    if (Date.now() > deadline) assert.fail(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('EndpointManager', { timeout: TEST_TIMEOUT_MS }, () => {
  test('addEndpoint with metadata and a lease, list, deleteEndpoint; the keys and values as Go writes them', async () => {
    const manager = new EndpointManager(client, 'svc-a');
    const { id } = await client.lease.grant(60);
    const added = await manager.addEndpoint('svc-a/10.0.0.1:50051', { addr: '10.0.0.1:50051', metadata: { zone: 'b', weight: 2 } }, { lease: id });
    await manager.addEndpoint('svc-a/10.0.0.2:50051', { addr: '10.0.0.2:50051' });
    await client.put('svc-ab/10.0.0.9:1', '{"Addr":"10.0.0.9:1"}'); // another target that shares the name's start
    await client.put('svc-a/garbage', 'not an endpoint');

    const raw = await client.get('svc-a/10.0.0.1:50051');
    assert.equal(raw.kvs[0]?.value.toString(), '{"Op":0,"Addr":"10.0.0.1:50051","Metadata":{"zone":"b","weight":2}}');
    assert.equal(raw.kvs[0]?.lease, id);
    assert.equal(raw.kvs[0]?.modRevision, added.header.revision);

    assert.deepEqual(
      [...(await manager.list())],
      [
        ['svc-a/10.0.0.1:50051', { addr: '10.0.0.1:50051', metadata: { zone: 'b', weight: 2 } }],
        ['svc-a/10.0.0.2:50051', { addr: '10.0.0.2:50051' }],
      ],
    );
    await manager.deleteEndpoint('svc-a/10.0.0.2:50051');
    await manager.deleteEndpoint('svc-a/never-there'); // not an error
    await client.lease.revoke(id);
    assert.equal((await manager.list()).size, 0);
  });

  test('update: several changes in one transaction (one revision)', async () => {
    const manager = new EndpointManager(client, 'svc-b');
    await manager.addEndpoint('svc-b/old', { addr: '10.0.1.1:1' });
    const { header } = await manager.update([
      { op: 'delete', key: 'svc-b/old' },
      { op: 'add', key: 'svc-b/new-1', endpoint: { addr: '10.0.1.2:1' } },
      { op: 'add', key: 'svc-b/new-2', endpoint: { addr: '10.0.1.3:1' } },
    ]);
    const { kvs } = await client.get('svc-b/', { prefix: true });
    assert.deepEqual(kvs.map((kv) => [kv.key.toString(), kv.modRevision]), [['svc-b/new-1', header.revision], ['svc-b/new-2', header.revision]]);
  });

  test('watch: the current list first, then every change in order; a lease that ends is a delete', async () => {
    const manager = new EndpointManager(client, 'svc-c');
    await manager.addEndpoint('svc-c/one', { addr: '10.0.2.1:1', metadata: 'first' });
    const watch = manager.watch();
    const it = watch[Symbol.asyncIterator]();
    assert.deepEqual(await updates(it, 1), [{ op: 'add', key: 'svc-c/one', endpoint: { addr: '10.0.2.1:1', metadata: 'first' } }]);

    const { id } = await client.lease.grant(60);
    await manager.addEndpoint('svc-c/two', { addr: '10.0.2.2:1' }, { lease: id });
    await client.put('svc-c/garbage', '{"Addr":'); // skipped, as Go skips it
    await client.put('svc-cx/other', '{"Addr":"10.9.9.9:1"}'); // outside the target
    await manager.addEndpoint('svc-c/one', { addr: '10.0.2.1:2' }); // registered again: an add with the new value
    await manager.deleteEndpoint('svc-c/one');
    await client.lease.revoke(id);
    assert.deepEqual(await updates(it, 4), [
      { op: 'add', key: 'svc-c/two', endpoint: { addr: '10.0.2.2:1' } },
      { op: 'add', key: 'svc-c/one', endpoint: { addr: '10.0.2.1:2' } },
      { op: 'delete', key: 'svc-c/one' },
      { op: 'delete', key: 'svc-c/two' },
    ]);
    const ended = it.next();
    await watch.cancel();
    assert.equal((await ended).done, true, 'cancel() ends the loop');
  });

  test('watch of a target with no endpoint: an empty first batch; a signal ends it', async () => {
    const controller = new AbortController();
    const watch = new EndpointManager(client, 'svc-empty').watch({ signal: controller.signal });
    const it = watch[Symbol.asyncIterator]();
    assert.deepEqual(await it.next(), { done: false, value: [] });
    const pending = it.next();
    const reason = new Error('stop');
    controller.abort(reason);
    await assert.rejects(pending, (e) => e === reason);
  });

  test('inside a namespace view: keys under its prefix', async () => {
    const manager = new EndpointManager(client.namespace('ns/'), 'svc-d');
    await manager.addEndpoint('svc-d/10.0.3.1:1', { addr: '10.0.3.1:1' });
    assert.equal((await client.get('ns/svc-d/10.0.3.1:1')).count, 1);
    assert.deepEqual([...(await manager.list()).keys()], ['svc-d/10.0.3.1:1']);
    assert.equal((await new EndpointManager(client, 'svc-d').list()).size, 0);
  });
});

describe('gRPC resolver (@grpc/grpc-js)', { timeout: 60_000 }, () => {
  const servers: NamedServer[] = [];
  const channels: grpc.Client[] = [];
  let a: NamedServer;
  let b: NamedServer;
  before(async () => {
    [a, b] = await Promise.all([startNamedServer('A'), startNamedServer('B')]);
    servers.push(a, b);
  });
  after(() => {
    for (const channel of channels) channel.close();
    for (const server of servers) server.stop();
  });
  const channel = (target: string, options?: grpc.ChannelOptions): grpc.Client => {
    const made = new grpc.Client(target, grpc.credentials.createInsecure(), options);
    channels.push(made);
    return made;
  };

  test('a channel to etcd:///<target> reaches the registered server and follows the registration when it moves', async () => {
    registerGrpcResolver(client); // @grpc/grpc-js found as an optional peer dependency, scheme etcd
    const manager = new EndpointManager(client, 'who');
    await manager.addEndpoint(`who/${a.addr}`, { addr: a.addr });
    const c = channel('etcd:///who');
    assert.equal(await whoAnswers(c), 'A');

    // moved in one transaction: pick_first leaves A, which is no longer listed, for B
    await manager.update([
      { op: 'delete', key: `who/${a.addr}` },
      { op: 'add', key: `who/${b.addr}`, endpoint: { addr: b.addr } },
    ]);
    await eventually('calls answered by B', async () => (await whoAnswers(c)) === 'B');
    for (let i = 0; i < 5; i++) assert.equal(await whoAnswers(c), 'B');
  });

  test('a target with nothing registered: calls fail with UNAVAILABLE, until a server registers', async () => {
    const c = channel('etcd:///nobody-yet');
    const error = await whoAnswers(c).then(
      () => assert.fail('a call succeeded with no endpoint registered'),
      (e: grpc.ServiceError) => e,
    );
    assert.equal(error.code, grpc.status.UNAVAILABLE, 'at once, not at the deadline');
    assert.match(error.details, /no endpoint registered under 'nobody-yet\/' in etcd/);
    await new EndpointManager(client, 'nobody-yet').addEndpoint(`nobody-yet/${b.addr}`, { addr: b.addr });
    await eventually('calls answered by B once registered', async () => (await whoAnswers(c).catch(() => '')) === 'B');
  });

  test('round_robin over every registered endpoint; an ended lease takes its endpoint out', async () => {
    registerGrpcResolver(client, { grpc, scheme: 'etcd-rr' }); // a scheme of its own, the module passed in
    const manager = new EndpointManager(client, 'pool');
    const { id } = await client.lease.grant(60);
    await manager.addEndpoint(`pool/${a.addr}`, { addr: a.addr }, { lease: id });
    await manager.addEndpoint(`pool/${b.addr}`, { addr: b.addr });
    const c = channel('etcd-rr:///pool', { 'grpc.service_config': JSON.stringify({ loadBalancingConfig: [{ round_robin: {} }] }) });
    const seen = new Set<string>();
    await eventually('calls answered by both servers', async () => {
      seen.add(await whoAnswers(c));
      return seen.size === 2;
    });
    await client.lease.revoke(id);
    await eventually('only B answering', async () => {
      const answers = await Promise.all(Array.from({ length: 6 }, () => whoAnswers(c)));
      return answers.every((name) => name === 'B');
    });
  });

  test('a target without a service name is refused; a closed etcd client fails the resolution', async () => {
    assert.throws(() => channel('etcd:///'), /the target names no service/);
    const other = cluster.client();
    registerGrpcResolver(other, { grpc, scheme: 'etcd-closed' });
    await new EndpointManager(other, 'late').addEndpoint(`late/${a.addr}`, { addr: a.addr });
    await other.close();
    const c = channel('etcd-closed:///late');
    const error = await whoAnswers(c).then(
      () => assert.fail('a call resolved through a closed client'),
      (e: grpc.ServiceError) => e,
    );
    assert.equal(error.code, grpc.status.UNAVAILABLE);
    assert.match(error.details, new RegExp(new ClientClosedError().message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  });
});
