/**
 * Property test: the transport's output does not depend on how the server's bytes are cut into
 * socket reads. A conversation with a @grpc/grpc-js server (unary calls small and large,
 * trailers-only errors, trailer metadata, server streams of many messages, one ending in an error)
 * is recorded through a proxy; then the same calls are made again on a connection whose socket is
 * fed the recorded server bytes cut at random points (fast-check), and the calls must end the same
 * way with the same messages, and the connection must go through the same states.
 */
import * as grpc from '@grpc/grpc-js';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import {
  CallError,
  createConnection,
  parseEndpoint,
  type Connection,
  type ConnectionOptions,
  type ConnectionState,
} from '../../src/transport/index.js';

const id = (b: Buffer): Buffer => b;
const method = (name: string, responseStream: boolean) => ({
  path: `/test.Test/${name}`, requestStream: false, responseStream,
  requestSerialize: id, requestDeserialize: id, responseSerialize: id, responseDeserialize: id,
});

function startServer(): Promise<{ server: grpc.Server; port: number }> {
  const server = new grpc.Server();
  server.addService(
    { Echo: method('Echo', false), Fail: method('Fail', false), FailAfterHeaders: method('FailAfterHeaders', false), List: method('List', true), ListThenFail: method('ListThenFail', true) },
    {
      Echo: (call: grpc.ServerUnaryCall<Buffer, Buffer>, reply: grpc.sendUnaryData<Buffer>) => reply(null, call.request),
      Fail: (_call: unknown, reply: grpc.sendUnaryData<Buffer>) => reply({ code: grpc.status.FAILED_PRECONDITION, details: 'précondition ✓ 100%' }),
      FailAfterHeaders: (call: grpc.ServerUnaryCall<Buffer, Buffer>, reply: grpc.sendUnaryData<Buffer>) => {
        call.sendMetadata(new grpc.Metadata());
        const trailer = new grpc.Metadata();
        trailer.set('x-reason', 'because');
        reply({ code: grpc.status.ABORTED, details: 'aborted', metadata: trailer });
      },
      List: (call: grpc.ServerWritableStream<Buffer, Buffer>) => {
        for (let i = 0; i < 200; i++) call.write(i % 50 === 49 ? Buffer.alloc(40_000, i) : Buffer.from(`message ${i}`));
        call.end();
      },
      ListThenFail: (call: grpc.ServerWritableStream<Buffer, Buffer>) => {
        call.write(Buffer.from('one'));
        call.emit('error', { code: grpc.status.DATA_LOSS, details: 'lost' });
      },
    },
  );
  return new Promise((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, port) => (e ? reject(e) : resolve({ server, port }))),
  );
}

/** What a conversation produced, comparable with deepEqual. */
type Outcome = string[];

/** Makes the calls (all at once, so stream ids are the same every time) and describes how each ended. */
async function converse(connection: Connection): Promise<Outcome> {
  const describeError = (e: unknown): string =>
    e instanceof CallError ? `error ${e.code} ${e.details} ${JSON.stringify(e.metadata)} sent=${e.sent}` : `other ${String(e)}`;
  const unary = (path: string, body: Buffer): Promise<string> =>
    connection.unary(path, body).then((r) => `ok ${Buffer.from(r).toString('base64')}`, describeError);
  const stream = (path: string): Promise<string> =>
    new Promise((resolve) => {
      const messages: string[] = [];
      connection.serverStream(path, Buffer.from('go'), {
        onMessage: (m) => messages.push(Buffer.from(m).toString('base64')),
        onEnd: (error, trailers) => resolve(`${messages.join(',')} | ${error === undefined ? `ok ${JSON.stringify(trailers)}` : describeError(error)}`),
      });
    });
  return Promise.all([
    unary('/test.Test/Echo', Buffer.from('hello')),
    unary('/test.Test/Echo', Buffer.alloc(50_000, 9)),
    unary('/test.Test/Fail', Buffer.from('x')),
    unary('/test.Test/FailAfterHeaders', Buffer.from('x')),
    stream('/test.Test/List'),
    stream('/test.Test/ListThenFail'),
    unary('/test.Test/Nope', Buffer.from('x')),
    unary('/test.Test/Echo', Buffer.alloc(0)),
  ]);
}

const OPTIONS: ConnectionOptions = { keepAliveTime: 0, keepAliveTimeout: 10_000, maxRecvMsgSize: 1 << 20 };

/** A socket stand-in: what we write is dropped; `feed` delivers server bytes as separate reads. */
class FakeSocket extends EventEmitter {
  destroyed = false;
  writableLength = 0;
  write(): boolean {
    return true;
  }
  cork(): void {}
  uncork(): void {}
  ref(): void {}
  unref(): void {}
  setNoDelay(): void {}
  end(): void {
    queueMicrotask(() => this.emit('finish'));
  }
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    queueMicrotask(() => this.emit('close'));
  }
}

describe('the server byte stream cut at random points', { timeout: 120_000 }, () => {
  let server: grpc.Server;
  let recorded: Buffer;
  let expected: Outcome;
  let expectedStates: ConnectionState[];

  before(async () => {
    const started = await startServer();
    server = started.server;
    // A proxy records what the server sends.
    const fromServer: Buffer[] = [];
    const proxy = net.createServer((client) => {
      const upstream = net.connect(started.port, '127.0.0.1');
      client.on('data', (d) => upstream.write(d));
      upstream.on('data', (d: Buffer) => {
        fromServer.push(d);
        client.write(d);
      });
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      client.on('error', () => {});
      upstream.on('error', () => {});
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const connection = createConnection(parseEndpoint(`http://127.0.0.1:${(proxy.address() as net.AddressInfo).port}`), OPTIONS);
    expectedStates = [];
    const off = connection.onStateChange((s) => expectedStates.push(s));
    expected = await converse(connection);
    off();
    await connection.close();
    await new Promise<void>((resolve) => proxy.close(() => resolve()));
    recorded = Buffer.concat(fromServer);
  });

  after(() => server?.forceShutdown());

  /** Replays the recording cut at `cuts` (sorted offsets); returns the outcome and the states. */
  async function replay(cuts: number[]): Promise<{ outcome: Outcome; states: ConnectionState[] }> {
    const socket = new FakeSocket();
    const connection = createConnection(parseEndpoint('http://127.0.0.1:1'), {
      ...OPTIONS,
      dial: () => ({ socket: socket as unknown as net.Socket, readyEvent: 'connect' }),
    });
    const states: ConnectionState[] = [];
    connection.onStateChange((s) => states.push(s));
    const outcome = converse(connection);
    socket.emit('connect');
    let at = 0;
    for (const cut of [...cuts, recorded.length]) {
      if (cut <= at) continue;
      socket.emit('data', recorded.subarray(at, cut));
      at = cut;
    }
    const result = await outcome;
    const statesBeforeClose = [...states];
    await connection.close();
    return { outcome: result, states: statesBeforeClose };
  }

  it('the recording replayed in one piece gives the same result', async () => {
    assert.ok(expected.every((o) => o.length > 0));
    assert.match(expected[0]!, /^ok /);
    assert.match(expected[2]!, /^error 9 précondition ✓ 100%/);
    const { outcome, states } = await replay([]);
    assert.deepEqual(outcome, expected);
    assert.deepEqual(states, expectedStates);
  });

  it('any cut points give the same calls, messages, errors and states', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uniqueArray(fc.integer({ min: 1, max: recorded.length - 1 }), { maxLength: 300 }),
          // Many tiny reads: cuts every 1-16 bytes over a random stretch.
          fc.tuple(fc.integer({ min: 0, max: recorded.length - 1 }), fc.integer({ min: 1, max: 16 })).map(([from, step]) => {
            const cuts: number[] = [];
            for (let at = from; at < Math.min(recorded.length, from + 4000); at += step) cuts.push(at);
            return cuts;
          }),
        ),
        async (cuts) => {
          const { outcome, states } = await replay([...cuts].sort((a, b) => a - b));
          assert.deepEqual(outcome, expected);
          assert.deepEqual(states, expectedStates);
        },
      ),
      { numRuns: 60 },
    );
  });
});
