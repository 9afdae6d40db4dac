// Prometheus metrics (`metrics: { registry }`) against a real etcd: what a user scraping the
// registry sees for unary calls, server errors, watch and keep-alive streams, retries and failovers.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as nextTurn } from 'node:timers/promises';

import { Registry } from 'prom-client';
import * as promClient from 'prom-client';

import { Client, FutureRevisionError, InvalidArgumentError, METRIC_NAMES } from '../../src/index.js';
import { Lease, Watch } from '../../src/proto/index.js';
import { EtcdCluster, TcpProxy } from '../../src/testing/index.js';

const TEST_TIMEOUT_MS = 30_000;
/** How long a test polls for a metric to reach a value, in ms. */
const POLL_DEADLINE_MS = 5_000;

let cluster: EtcdCluster;

before(async () => {
  cluster = await EtcdCluster.start({ size: 1 });
});

after(async () => {
  await cluster?.close();
});

/** The value of one series: the metric `name` (or its `_count` etc. via `sample`) with these labels. */
async function sample(registry: Registry, name: string, labels: Record<string, string> = {}, sampleName?: string): Promise<number> {
  const metric = registry.getSingleMetric(name);
  assert.ok(metric, `metric ${name} is registered`);
  const { values } = await metric.get();
  let total = 0;
  for (const v of values) {
    if (sampleName !== undefined && (v as { metricName?: string }).metricName !== sampleName) continue;
    if (Object.entries(labels).every(([k, want]) => String((v.labels as Record<string, unknown>)[k]) === want)) total += v.value;
  }
  return total;
}

/** Polls until `read()` returns `want` (or the deadline passes, then asserts the last value). */
async function eventually(read: () => Promise<number>, want: number, what: string): Promise<void> {
  const deadline = Date.now() + POLL_DEADLINE_MS;
  let last = await read();
  while (last !== want && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    last = await read();
  }
  assert.equal(last, want, what);
}

const KV_PUT = { grpc_service: 'etcdserverpb.KV', grpc_method: 'Put', grpc_type: 'unary' };
const KV_RANGE = { grpc_service: 'etcdserverpb.KV', grpc_method: 'Range', grpc_type: 'unary' };

describe('metrics', { timeout: TEST_TIMEOUT_MS }, () => {
  test('unary calls: started, handled by code, latency histogram, messages', async () => {
    const registry = new Registry();
    const client = cluster.client({ metrics: { registry } });
    await client.put('metrics/a', '1');
    await client.put('metrics/b', '2');
    await client.get('metrics/', { prefix: true });
    await assert.rejects(client.get('metrics/a', { revision: 1_000_000 }), FutureRevisionError);

    assert.equal(await sample(registry, METRIC_NAMES.started, KV_PUT), 2);
    assert.equal(await sample(registry, METRIC_NAMES.handled, { ...KV_PUT, grpc_code: 'OK' }), 2);
    assert.equal(await sample(registry, METRIC_NAMES.started, KV_RANGE), 2);
    assert.equal(await sample(registry, METRIC_NAMES.handled, { ...KV_RANGE, grpc_code: 'OK' }), 1);
    assert.equal(await sample(registry, METRIC_NAMES.handled, { ...KV_RANGE, grpc_code: 'OutOfRange' }), 1);
    assert.equal(await sample(registry, METRIC_NAMES.msgSent, KV_PUT), 2);
    assert.equal(await sample(registry, METRIC_NAMES.msgReceived, KV_RANGE), 1, 'a failed unary call received no message');
    assert.equal(
      await sample(registry, METRIC_NAMES.handling, { ...KV_PUT, grpc_code: 'OK' }, `${METRIC_NAMES.handling}_count`),
      2,
    );
    const sum = await sample(registry, METRIC_NAMES.handling, KV_PUT, `${METRIC_NAMES.handling}_sum`);
    assert.ok(sum > 0 && sum < 10, `latency sum ${sum} s is plausible`);
    assert.equal(await sample(registry, METRIC_NAMES.retries), 0);
    assert.equal(await sample(registry, METRIC_NAMES.failovers), 0);
    // The exposition text has the Go names, ready for dashboards built for grpc-prometheus.
    const text = await registry.metrics();
    assert.match(text, /grpc_client_handled_total\{grpc_type="unary",grpc_service="etcdserverpb.KV",grpc_method="Range",grpc_code="OutOfRange"\} 1/);
  });

  test('two clients sharing a registry add up', async () => {
    const registry = new Registry();
    const one = cluster.client({ metrics: { registry } });
    const two = cluster.client({ metrics: { registry, promClient } });
    await one.put('metrics/shared', '1');
    await two.put('metrics/shared', '2');
    assert.equal(await sample(registry, METRIC_NAMES.handled, { ...KV_PUT, grpc_code: 'OK' }), 2);
  });

  test('watch and keep-alive streams: open streams, watches, keep-alives, stream messages', async () => {
    const registry = new Registry();
    const client = cluster.client({ metrics: { registry } });
    const watchLabels = { grpc_service: 'etcdserverpb.Watch', grpc_method: 'Watch' };

    // A watch stream with two watches, made through the rpc layer (what client.watch builds on).
    const created: bigint[] = [];
    let ended: Error | undefined | null = null;
    const stream = client.rpc.bidi(Watch.watch, {
      onMessage: (response) => {
        if (response.created) created.push(response.watchId);
      },
      onEnd: (error) => {
        ended = error;
      },
    });
    const create = (key: string) => ({
      requestUnion: { $case: 'createRequest' as const, value: { key: Buffer.from(key) } },
    });
    stream.write(create('metrics/w1'));
    await eventually(async () => created.length, 1, 'first watch created');
    stream.write(create('metrics/w2'));
    await eventually(async () => created.length, 2, 'second watch created');
    assert.equal(await sample(registry, METRIC_NAMES.openStreams, watchLabels), 1);
    assert.equal(await sample(registry, METRIC_NAMES.watches), 2);
    assert.equal(await sample(registry, METRIC_NAMES.msgSent, watchLabels), 2);

    stream.write({ requestUnion: { $case: 'cancelRequest', value: { watchId: created[0]! } } });
    await eventually(() => sample(registry, METRIC_NAMES.watches), 1, 'a cancelled watch leaves the gauge');
    stream.cancel();
    await eventually(async () => (ended === null ? 0 : 1), 1, 'the watch stream ended');
    assert.equal(await sample(registry, METRIC_NAMES.watches), 0, 'the end of the stream ends its watches');
    assert.equal(await sample(registry, METRIC_NAMES.openStreams, watchLabels), 0);
    assert.equal(await sample(registry, METRIC_NAMES.handled, { ...watchLabels, grpc_type: 'bidi_stream', grpc_code: 'Canceled' }), 1);

    // Lease keep-alives: one renewal of a live lease, one of a revoked one.
    const { ID } = await client.rpc.unary(Lease.leaseGrant, { TTL: 30n });
    const ttls: bigint[] = [];
    const keepAlive = client.rpc.bidi(Lease.leaseKeepAlive, { onMessage: (r) => ttls.push(r.TTL), onEnd: () => undefined });
    keepAlive.write({ ID });
    await eventually(async () => ttls.length, 1, 'keep-alive answered');
    await client.rpc.unary(Lease.leaseRevoke, { ID });
    keepAlive.write({ ID });
    await eventually(async () => ttls.length, 2, 'keep-alive of the revoked lease answered');
    keepAlive.cancel();
    assert.equal(await sample(registry, METRIC_NAMES.keepAlives, { result: 'renewed' }), 1);
    assert.equal(await sample(registry, METRIC_NAMES.keepAlives, { result: 'not_found' }), 1);
    await eventually(() => sample(registry, METRIC_NAMES.openStreams), 0, 'no stream left open');
  });

  test('a read cut off in flight: one retry, one failover to the other endpoint', async () => {
    const target = { targetPort: cluster.members[0]!.clientPort };
    await using first = await TcpProxy.start(target);
    await using second = await TcpProxy.start(target);
    const registry = new Registry();
    const client = cluster.client({ endpoints: [first.url, second.url], metrics: { registry } });
    await client.put('metrics/retry', 'v');
    assert.equal(first.connections, 1, 'the first endpoint serves the calls');

    first.delay(60_000); // the reply never comes back through the first proxy...
    const read = client.get('metrics/retry', { timeout: 10_000 });
    await nextTurn();
    first.cut(); // ...and then its connection is reset: the read is retried on the second endpoint
    const { kvs } = await read;
    assert.equal(kvs[0]?.value.toString(), 'v');
    assert.equal(second.connections, 1, 'the retry went to the second endpoint');

    assert.equal(await sample(registry, METRIC_NAMES.retries, { grpc_service: 'etcdserverpb.KV', grpc_method: 'Range' }), 1);
    assert.equal(await sample(registry, METRIC_NAMES.failovers), 1);
    assert.equal(await sample(registry, METRIC_NAMES.started, KV_RANGE), 2, 'two attempts');
    assert.equal(await sample(registry, METRIC_NAMES.handled, { ...KV_RANGE, grpc_code: 'OK' }), 1);
    assert.equal(await sample(registry, METRIC_NAMES.handled, { ...KV_RANGE, grpc_code: 'Unavailable' }), 1);

    // A call bound to one endpoint (Maintenance.Status of the first) is not a failover.
    first.delay(0);
    await client.maintenance.status(first.url);
    await client.get('metrics/retry');
    assert.equal(await sample(registry, METRIC_NAMES.failovers), 1);
  });

  test('bad metrics options are refused before anything is made', () => {
    const bad = (metrics: unknown, pattern: RegExp) =>
      assert.throws(() => new Client({ metrics } as never), (e: unknown) => e instanceof InvalidArgumentError && pattern.test(e.message));
    bad({}, /metrics.registry must be a prom-client Registry/);
    bad({ registry: new Registry(), buckets: [1, 0.5] }, /ascending positive/);
    bad({ registry: new Registry(), bucket: [1] }, /unknown metrics option "bucket"/);
    bad('yes', /metrics must be an object/);
  });
});
