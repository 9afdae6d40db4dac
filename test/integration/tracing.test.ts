// OpenTelemetry tracing (`tracing: { tracerProvider? }`) against a real etcd: one CLIENT span per
// RPC attempt with the rpc.* attributes, error status on failure, and the global provider of
// @opentelemetry/api when none is given. No OpenTelemetry SDK is installed, so the test records
// spans with a small provider of its own, typed against @opentelemetry/api's interfaces (which
// also checks that a real provider fits the client's option type).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import {
  trace,
  type Attributes,
  type AttributeValue,
  type Exception,
  type Link,
  type Span,
  type SpanAttributes,
  type SpanContext,
  type SpanOptions,
  type SpanStatus,
  type TimeInput,
  type Tracer,
  type TracerProvider,
} from '@opentelemetry/api';

import { Client, FutureRevisionError, InvalidArgumentError, TRACER_NAME } from '../../src/index.js';
import { EtcdCluster } from '../../src/testing/index.js';

const TEST_TIMEOUT_MS = 30_000;

/** One recorded span. */
interface Recorded {
  name: string;
  scope: string;
  kind: number | undefined;
  attributes: Record<string, AttributeValue | undefined>;
  status: SpanStatus | undefined;
  exceptions: Exception[];
  ended: boolean;
}

/** A span that records what the client does to it. */
class RecordingSpan implements Span {
  constructor(readonly record: Recorded) {}
  spanContext(): SpanContext {
    return { traceId: '0'.repeat(31) + '1', spanId: '0'.repeat(15) + '1', traceFlags: 1 };
  }
  setAttribute(key: string, value: AttributeValue): this {
    this.record.attributes[key] = value;
    return this;
  }
  setAttributes(attributes: SpanAttributes): this {
    Object.assign(this.record.attributes, attributes);
    return this;
  }
  addEvent(): this {
    return this;
  }
  addLink(_link: Link): this {
    return this;
  }
  addLinks(_links: Link[]): this {
    return this;
  }
  setStatus(status: SpanStatus): this {
    this.record.status = status;
    return this;
  }
  updateName(name: string): this {
    this.record.name = name;
    return this;
  }
  end(_endTime?: TimeInput): void {
    this.record.ended = true;
  }
  isRecording(): boolean {
    return !this.record.ended;
  }
  recordException(exception: Exception): void {
    this.record.exceptions.push(exception);
  }
}

/** A tracer provider keeping every span in `spans`. */
class RecordingProvider implements TracerProvider {
  readonly spans: Recorded[] = [];
  getTracer(name: string): Tracer {
    const spans = this.spans;
    return {
      startSpan(spanName: string, options?: SpanOptions): Span {
        const record: Recorded = {
          name: spanName,
          scope: name,
          kind: options?.kind,
          attributes: { ...(options?.attributes as Attributes | undefined) },
          status: undefined,
          exceptions: [],
          ended: false,
        };
        spans.push(record);
        return new RecordingSpan(record);
      },
      startActiveSpan(): never {
        throw new Error('not used by the client');
      },
    };
  }
}

let cluster: EtcdCluster;

before(async () => {
  cluster = await EtcdCluster.start({ size: 1, unixSocket: true });
});

after(async () => {
  await cluster?.close();
});

describe('tracing', { timeout: TEST_TIMEOUT_MS }, () => {
  test('one CLIENT span per RPC with the rpc.* attributes; errors set status ERROR', async () => {
    const provider = new RecordingProvider();
    const client = cluster.client({ tracing: { tracerProvider: provider } });
    await client.put('tracing/a', '1');
    await assert.rejects(client.get('tracing/a', { revision: 1_000_000 }), FutureRevisionError);

    assert.equal(provider.spans.length, 2);
    const [put, get] = provider.spans as [Recorded, Recorded];
    const port = Number(new URL(cluster.endpoints[0]!).port);
    assert.equal(put.name, 'etcdserverpb.KV/Put');
    assert.equal(put.scope, TRACER_NAME);
    assert.equal(put.kind, 2, 'SpanKind.CLIENT');
    assert.deepEqual(put.attributes, {
      'rpc.system': 'grpc',
      'rpc.service': 'etcdserverpb.KV',
      'rpc.method': 'Put',
      'server.address': '127.0.0.1',
      'server.port': port,
      'rpc.grpc.status_code': 0,
    });
    assert.equal(put.status, undefined, 'a successful span keeps the UNSET status');
    assert.ok(put.ended);

    assert.equal(get.name, 'etcdserverpb.KV/Range');
    assert.equal(get.attributes['rpc.grpc.status_code'], 11, 'OUT_OF_RANGE');
    assert.equal(get.status?.code, 2, 'SpanStatusCode.ERROR');
    assert.match(get.status?.message ?? '', /future revision/);
    assert.equal(get.exceptions.length, 1);
    assert.ok(get.ended);
  });

  test('over a Unix socket: server.address is the socket path, and there is no server.port', async () => {
    const provider = new RecordingProvider();
    const client = cluster.client({ endpoints: cluster.unixEndpoints, tracing: { tracerProvider: provider } });
    await client.get('tracing/unix');
    const [span] = provider.spans as [Recorded];
    assert.equal(span.attributes['server.address'], cluster.unixEndpoints[0]!.slice('unix://'.length));
    assert.ok(!('server.port' in span.attributes));
  });

  test('without a tracerProvider the global one of @opentelemetry/api is used', async () => {
    const provider = new RecordingProvider();
    assert.ok(trace.setGlobalTracerProvider(provider));
    try {
      const client = cluster.client({ tracing: {} });
      await client.get('tracing/global');
      assert.deepEqual(provider.spans.map((s) => s.name), ['etcdserverpb.KV/Range']);
    } finally {
      trace.disable();
    }
  });

  test('no tracing option, no spans; bad options are refused', async () => {
    const provider = new RecordingProvider();
    assert.ok(trace.setGlobalTracerProvider(provider));
    try {
      await cluster.client().get('tracing/none');
      assert.equal(provider.spans.length, 0);
    } finally {
      trace.disable();
    }
    assert.throws(() => new Client({ tracing: { tracerProvider: {} } } as never), InvalidArgumentError);
    assert.throws(() => new Client({ tracing: { provider: new RecordingProvider() } } as never), /unknown tracing option "provider"/);
  });
});
