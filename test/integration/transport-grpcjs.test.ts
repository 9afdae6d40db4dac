/**
 * The transport against a @grpc/grpc-js server started in this process (generic service, identity
 * serializers on Buffers), and, for corner cases grpc-js cannot produce (GOAWAY naming a last stream
 * id below an open stream, REFUSED_STREAM, HTTP errors, malformed responses), a raw node:http2
 * server. The keep-alive case puts a TCP proxy between client and server and black-holes it.
 */
import * as grpc from '@grpc/grpc-js';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http2 from 'node:http2';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  CallError,
  createConnection,
  parseEndpoint,
  Status,
  type Connection,
  type ConnectionOptions,
  type ConnectionState,
  type Metadata,
  type StreamHandlers,
} from '../../src/transport/index.js';

const TEST_TIMEOUT = 10_000;
const BASE_OPTIONS: ConnectionOptions = { keepAliveTime: 0, keepAliveTimeout: 20_000, maxRecvMsgSize: 64 * 1024 };

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
}
function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Awaits `promise`, failing after `ms` so no test can hang. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    }),
  ]);
}

function isCallError(code: number, sent?: boolean) {
  return (e: unknown): boolean => {
    assert.ok(e instanceof CallError, `expected a CallError, got ${String(e)}`);
    assert.equal(e.code, code, `code ${e.code} (${e.details})`);
    if (sent !== undefined) assert.equal(e.sent, sent, `sent flag (${e.details})`);
    return true;
  };
}

/** Collects a streaming call's messages and its end. */
function streamCollector(): { handlers: StreamHandlers; messages: Buffer[]; end: Promise<{ error: CallError | undefined; trailers: Metadata }> } {
  const messages: Buffer[] = [];
  const end = deferred<{ error: CallError | undefined; trailers: Metadata }>();
  let ended = 0;
  return {
    messages,
    end: end.promise,
    handlers: {
      onMessage: (m) => messages.push(Buffer.from(m)),
      onEnd: (error, trailers) => {
        ended++;
        assert.equal(ended, 1, 'onEnd fires once');
        end.resolve({ error, trailers });
      },
    },
  };
}

/** Waits until the connection enters `state`. */
function stateReached(connection: Connection, state: ConnectionState): Promise<CallError | undefined> {
  if (connection.state === state) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const off = connection.onStateChange((s, error) => {
      if (s === state) {
        off();
        resolve(error);
      }
    });
  });
}

// ---------------------------------------------------------------------------------------------
// A grpc-js server with a generic service.

const identity = (b: Buffer): Buffer => b;
function method(name: string, requestStream: boolean, responseStream: boolean) {
  return {
    path: `/test.Test/${name}`,
    requestStream,
    responseStream,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
  };
}
const SERVICE: grpc.ServiceDefinition = {
  Echo: method('Echo', false, false),
  Fail: method('Fail', false, false),
  FailAfterHeaders: method('FailAfterHeaders', false, false),
  Delay: method('Delay', false, false),
  Hang: method('Hang', false, false),
  Big: method('Big', false, false),
  Gate: method('Gate', false, false),
  List: method('List', false, true),
  ListThenFail: method('ListThenFail', false, true),
  Chat: method('Chat', true, true),
};

const FAIL_MESSAGE = 'précondition échouée: 100% sûr ✓ 😀 (key=/a%2Fb)';

/** Per-test observations of the Hang handler, keyed by the request text. */
const hangs = new Map<string, { started: Deferred<number>; cancelled: Deferred<void> }>();
function watchHang(id: string): { started: Promise<number>; cancelled: Promise<void> } {
  const entry = { started: deferred<number>(), cancelled: deferred() };
  hangs.set(id, entry);
  return { started: entry.started.promise, cancelled: entry.cancelled.promise };
}
/** Gate handler: requests wait here until the test opens the gate. */
let gate = deferred();
let gateEntered = deferred();

type Unary = grpc.ServerUnaryCall<Buffer, Buffer>;
type Reply = grpc.sendUnaryData<Buffer>;
const IMPLEMENTATION: grpc.UntypedServiceImplementation = {
  Echo: (call: Unary, reply: Reply) => reply(null, call.request),
  Fail: (_call: Unary, reply: Reply) => reply({ code: grpc.status.FAILED_PRECONDITION, details: FAIL_MESSAGE }),
  FailAfterHeaders: (call: Unary, reply: Reply) => {
    call.sendMetadata(new grpc.Metadata());
    const trailer = new grpc.Metadata();
    trailer.set('x-reason', 'because');
    reply({ code: grpc.status.ABORTED, details: 'aborted after headers', metadata: trailer });
  },
  Delay: (call: Unary, reply: Reply) => {
    setTimeout(() => reply(null, call.request), Number(call.request.toString()));
  },
  Hang: (call: Unary) => {
    const entry = hangs.get(call.request.toString());
    const deadline = call.getDeadline();
    entry?.started.resolve(deadline instanceof Date ? deadline.getTime() : deadline);
    call.on('cancelled', () => entry?.cancelled.resolve());
  },
  Big: (call: Unary, reply: Reply) => reply(null, Buffer.alloc(Number(call.request.toString()), 0x61)),
  Gate: (call: Unary, reply: Reply) => {
    gateEntered.resolve();
    void gate.promise.then(() => reply(null, call.request));
  },
  List: (call: grpc.ServerWritableStream<Buffer, Buffer>) => {
    const count = Number(call.request.toString());
    for (let i = 0; i < count; i++) {
      // Mostly small messages, some spanning several DATA frames.
      call.write(i % 100 === 99 ? Buffer.alloc(40_000, i & 0xff) : Buffer.from(`message ${i}`));
    }
    call.end();
  },
  ListThenFail: (call: grpc.ServerWritableStream<Buffer, Buffer>) => {
    call.write(Buffer.from('one'));
    call.write(Buffer.from('two'));
    call.emit('error', { code: grpc.status.DATA_LOSS, details: 'lost 50%' });
  },
  Chat: (call: grpc.ServerDuplexStream<Buffer, Buffer>) => {
    call.on('data', (m: Buffer) => call.write(Buffer.concat([Buffer.from('echo:'), m])));
    call.on('end', () => call.end());
  },
};

async function startGrpcServer(port = 0): Promise<{ server: grpc.Server; port: number }> {
  const server = new grpc.Server();
  server.addService(SERVICE, IMPLEMENTATION);
  const bound = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (error, p) =>
      error ? reject(error) : resolve(p),
    ),
  );
  return { server, port: bound };
}

// ---------------------------------------------------------------------------------------------
// A TCP proxy that can black-hole traffic without closing sockets.

class BlackHoleProxy {
  readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private frozen = false;

  /** @param targetPort - where to forward; undefined: accept and never forward anything. */
  constructor(private readonly targetPort: number | undefined) {
    this.server = net.createServer((client) => this.accept(client));
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as net.AddressInfo).port;
  }

  private accept(client: net.Socket): void {
    this.track(client);
    if (this.targetPort === undefined) {
      client.pause();
      return;
    }
    const upstream = net.connect(this.targetPort, '127.0.0.1');
    this.track(upstream);
    client.on('data', (d) => upstream.write(d));
    upstream.on('data', (d) => client.write(d));
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    if (this.frozen) {
      client.pause();
      upstream.pause();
    }
  }

  private track(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => this.sockets.delete(socket));
  }

  /** Stops forwarding in both directions; sockets stay open. */
  freeze(): void {
    this.frozen = true;
    for (const socket of this.sockets) socket.pause();
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

// ---------------------------------------------------------------------------------------------

describe('transport against a @grpc/grpc-js server', { timeout: 60_000 }, () => {
  let server: grpc.Server;
  let port: number;
  let connection: Connection;
  const extraConnections: Connection[] = [];
  const proxies: BlackHoleProxy[] = [];
  const servers: grpc.Server[] = [];

  function connect(options: Partial<ConnectionOptions> = {}, target = port): Connection {
    const c = createConnection(parseEndpoint(`http://127.0.0.1:${target}`), { ...BASE_OPTIONS, ...options });
    extraConnections.push(c);
    return c;
  }

  before(async () => {
    ({ server, port } = await startGrpcServer());
    servers.push(server);
    connection = connect();
  });

  after(async () => {
    await Promise.all(extraConnections.map((c) => c.close()));
    await Promise.all(proxies.map((p) => p.close()));
    for (const s of servers) s.forceShutdown();
  });

  it('unary echo, connecting lazily; calls made while connecting wait for the session', { timeout: TEST_TIMEOUT }, async () => {
    const c = connect();
    assert.equal(c.state, 'idle');
    const states: ConnectionState[] = [];
    c.onStateChange((s) => states.push(s));
    const replies = await Promise.all(
      Array.from({ length: 20 }, (_, i) => c.unary('/test.Test/Echo', Buffer.from(`hello ${i}`))),
    );
    replies.forEach((r, i) => assert.equal(Buffer.from(r).toString(), `hello ${i}`));
    assert.deepEqual(states, ['connecting', 'ready'], 'one session for all of them');
    assert.equal(c.state, 'ready');
    // Empty and large (above the copy threshold) requests.
    assert.equal((await c.unary('/test.Test/Echo', new Uint8Array(0))).length, 0);
    const large = Buffer.alloc(60_000, 7);
    assert.deepEqual(Buffer.from(await c.unary('/test.Test/Echo', large)), large);
  });

  it('sends metadata and rejects invalid metadata before sending', { timeout: TEST_TIMEOUT }, async () => {
    const reply = await connection.unary('/test.Test/Echo', Buffer.from('m'), { metadata: { token: 'abc', hasleader: 'true' } });
    assert.equal(Buffer.from(reply).toString(), 'm');
    await assert.rejects(connection.unary('/test.Test/Echo', Buffer.from('m'), { metadata: { Token: 'x' } }), TypeError);
    await assert.rejects(connection.unary('/test.Test/Echo', Buffer.from('m'), { metadata: { 'grpc-timeout': '1S' } }), /reserved/);
    await assert.rejects(connection.unary('/test.Test/Echo', Buffer.from('m'), { metadata: { token: 'a\nb' } }), TypeError);
    assert.throws(() => connection.bidi('/test.Test/Chat', streamCollector().handlers, { metadata: { te: 'x' } }), TypeError);
    assert.equal(connection.state, 'ready', 'the session survived');
  });

  it('status and percent-encoded non-ASCII message from a trailers-only error', { timeout: TEST_TIMEOUT }, async () => {
    await assert.rejects(connection.unary('/test.Test/Fail', Buffer.from('x')), (e: unknown) => {
      isCallError(Status.FAILED_PRECONDITION, true)(e);
      assert.equal((e as CallError).details, FAIL_MESSAGE);
      // Trailers-only: the single HEADERS frame carries content-type and the status.
      assert.match((e as CallError).metadata['content-type'] ?? '', /^application\/grpc/);
      return true;
    });
  });

  it('status, message and trailer metadata from trailers after response headers', { timeout: TEST_TIMEOUT }, async () => {
    await assert.rejects(connection.unary('/test.Test/FailAfterHeaders', Buffer.from('x')), (e: unknown) => {
      isCallError(Status.ABORTED, true)(e);
      assert.equal((e as CallError).details, 'aborted after headers');
      assert.equal((e as CallError).metadata['x-reason'], 'because');
      assert.equal((e as CallError).metadata['content-type'], undefined);
      return true;
    });
  });

  it('unknown method: UNIMPLEMENTED', { timeout: TEST_TIMEOUT }, async () => {
    await assert.rejects(connection.unary('/test.Test/Nope', Buffer.from('x')), isCallError(Status.UNIMPLEMENTED, true));
  });

  it('server stream of many messages, several per chunk and some across chunks', { timeout: TEST_TIMEOUT }, async () => {
    const { handlers, messages, end } = streamCollector();
    connection.serverStream('/test.Test/List', Buffer.from('1000'), handlers);
    const { error } = await within(end, 5000, 'stream end');
    assert.equal(error, undefined);
    assert.equal(messages.length, 1000);
    messages.forEach((m, i) => {
      if (i % 100 === 99) assert.deepEqual(m, Buffer.alloc(40_000, i & 0xff));
      else assert.equal(m.toString(), `message ${i}`);
    });
  });

  it('server stream that fails after two messages', { timeout: TEST_TIMEOUT }, async () => {
    const { handlers, messages, end } = streamCollector();
    const stream = connection.serverStream('/test.Test/ListThenFail', Buffer.from(''), handlers);
    assert.throws(() => stream.write(Buffer.from('x')), /server-streaming/);
    const { error } = await within(end, 5000, 'stream end');
    assert.deepEqual(messages.map(String), ['one', 'two']);
    isCallError(Status.DATA_LOSS, true)(error);
    assert.equal(error!.details, 'lost 50%');
  });

  it('bidi echo, with writes queued before the connection is ready', { timeout: TEST_TIMEOUT }, async () => {
    const c = connect();
    const { handlers, messages, end } = streamCollector();
    const stream = c.bidi('/test.Test/Chat', handlers);
    assert.equal(c.state, 'connecting');
    assert.equal(stream.write(Buffer.from('a')), true);
    stream.write(Buffer.from('b'));
    await within(stateReached(c, 'ready'), 5000, 'ready');
    stream.write(Buffer.alloc(50_000, 1));
    stream.write(Buffer.from('c'));
    stream.end();
    assert.throws(() => stream.write(Buffer.from('late')), /after end/);
    const { error } = await within(end, 5000, 'bidi end');
    assert.equal(error, undefined);
    assert.deepEqual(
      messages.map((m) => (m.length > 100 ? `${m.subarray(0, 5).toString()}${m.length}` : m.toString())),
      ['echo:a', 'echo:b', 'echo:50005', 'echo:c'],
    );
    assert.equal(stream.write(Buffer.from('after the end')), false);
  });

  it('bidi cancel: onEnd CANCELLED at once, the server sees the cancellation', { timeout: TEST_TIMEOUT }, async () => {
    const { handlers, end } = streamCollector();
    const stream = connection.bidi('/test.Test/Chat', handlers);
    const received = deferred<Buffer>();
    const first = streamCollector();
    // Wait until the stream demonstrably works, then cancel.
    const s2 = connection.bidi('/test.Test/Chat', { onMessage: (m) => received.resolve(Buffer.from(m)), onEnd: first.handlers.onEnd });
    s2.write(Buffer.from('ping'));
    assert.equal((await within(received.promise, 5000, 'echo')).toString(), 'echo:ping');
    s2.cancel();
    isCallError(Status.CANCELLED, true)((await first.end).error);
    stream.cancel();
    isCallError(Status.CANCELLED)((await end).error);
  });

  it('deadline: DEADLINE_EXCEEDED, grpc-timeout sent, the server sees the cancellation', { timeout: TEST_TIMEOUT }, async () => {
    const watch = watchHang('deadline');
    const start = Date.now();
    const deadline = start + 300;
    const call = connection.unary('/test.Test/Hang', Buffer.from('deadline'), { deadline });
    const serverDeadline = await within(watch.started, 5000, 'handler start');
    assert.ok(Number.isFinite(serverDeadline), 'the server got a grpc-timeout');
    assert.ok(Math.abs(serverDeadline - deadline) < 250, `server deadline ${serverDeadline - start} ms after start`);
    await assert.rejects(call, isCallError(Status.DEADLINE_EXCEEDED, true));
    const elapsed = Date.now() - start;
    assert.ok(elapsed >= 295 && elapsed < 1500, `rejected after ${elapsed} ms`);
    await within(watch.cancelled, 5000, 'server-side cancellation');
  });

  it('deadline already passed: rejected without sending (sent = false)', { timeout: TEST_TIMEOUT }, async () => {
    await assert.rejects(
      connection.unary('/test.Test/Echo', Buffer.from('x'), { deadline: Date.now() - 1 }),
      isCallError(Status.DEADLINE_EXCEEDED, false),
    );
  });

  it('AbortSignal: RST_STREAM CANCEL, rejects with signal.reason, the server sees the cancellation', { timeout: TEST_TIMEOUT }, async () => {
    const watch = watchHang('abort');
    const controller = new AbortController();
    const call = connection.unary('/test.Test/Hang', Buffer.from('abort'), { signal: controller.signal });
    const serverDeadline = await within(watch.started, 5000, 'handler start');
    assert.equal(serverDeadline, Infinity, 'no deadline, no grpc-timeout');
    const reason = new Error('stop it');
    controller.abort(reason);
    await assert.rejects(call, (e) => e === reason);
    await within(watch.cancelled, 5000, 'server-side cancellation');
    // An already aborted signal: rejected at once with its reason.
    await assert.rejects(connection.unary('/test.Test/Echo', Buffer.from('x'), { signal: controller.signal }), (e) => e === reason);
    // A stream aborted by its signal ends with CANCELLED, cause = reason.
    const streamController = new AbortController();
    const { handlers, end } = streamCollector();
    connection.bidi('/test.Test/Chat', handlers, { signal: streamController.signal });
    streamController.abort(reason);
    const { error } = await within(end, 5000, 'stream end');
    isCallError(Status.CANCELLED)(error);
    assert.equal(error!.cause, reason);
  });

  it('response larger than maxRecvMsgSize: RESOURCE_EXHAUSTED', { timeout: TEST_TIMEOUT }, async () => {
    const limit = BASE_OPTIONS.maxRecvMsgSize;
    assert.equal((await connection.unary('/test.Test/Big', Buffer.from(String(limit)))).length, limit);
    await assert.rejects(connection.unary('/test.Test/Big', Buffer.from(String(limit + 1))), isCallError(Status.RESOURCE_EXHAUSTED, true));
    assert.equal(Buffer.from(await connection.unary('/test.Test/Echo', Buffer.from('still fine'))).toString(), 'still fine');
  });

  it('connection refused: UNAVAILABLE with sent = false, state failing, ready() rejects', { timeout: TEST_TIMEOUT }, async () => {
    const closed = new BlackHoleProxy(undefined);
    const closedPort = await closed.listen();
    await closed.close(); // nothing listens there now
    const c = connect({}, closedPort);
    await assert.rejects(c.unary('/test.Test/Echo', Buffer.from('x')), isCallError(Status.UNAVAILABLE, false));
    assert.equal(c.state, 'failing');
    await assert.rejects(c.ready(Date.now() + 2000), isCallError(Status.UNAVAILABLE, false));
  });

  it('a peer that accepts TCP but never speaks HTTP/2: calls end at their deadline with sent = false', { timeout: TEST_TIMEOUT }, async () => {
    const hole = new BlackHoleProxy(undefined);
    proxies.push(hole);
    const c = connect({ connectTimeout: 1000 }, await hole.listen());
    const start = Date.now();
    await assert.rejects(c.unary('/test.Test/Echo', Buffer.from('x'), { deadline: start + 200 }), isCallError(Status.DEADLINE_EXCEEDED, false));
    assert.ok(Date.now() - start < 1000);
    assert.equal(c.state, 'connecting');
    await assert.rejects(c.ready(Date.now() + 100), isCallError(Status.UNAVAILABLE, false));
    // Without a deadline a call waits for the connect timeout.
    await assert.rejects(c.unary('/test.Test/Echo', Buffer.from('x')), (e: unknown) => {
      isCallError(Status.UNAVAILABLE, false)(e);
      assert.match((e as CallError).details, /SETTINGS/);
      return true;
    });
    assert.equal(c.state, 'failing');
  });

  it('keep-alive: a black-holed peer fails the call in flight with UNAVAILABLE within about a second', { timeout: TEST_TIMEOUT }, async () => {
    const proxy = new BlackHoleProxy(port);
    proxies.push(proxy);
    const c = connect({ keepAliveTime: 200, keepAliveTimeout: 200 }, await proxy.listen());
    // Healthy link: a call lasting several ping intervals succeeds.
    assert.equal(Buffer.from(await c.unary('/test.Test/Delay', Buffer.from('700'))).toString(), '700');
    const watch = watchHang('keepalive');
    const states: Array<[ConnectionState, number | undefined]> = [];
    c.onStateChange((s, e) => states.push([s, e?.code]));
    const call = c.unary('/test.Test/Hang', Buffer.from('keepalive'));
    await within(watch.started, 5000, 'handler start');
    proxy.freeze();
    const frozenAt = Date.now();
    await assert.rejects(call, (e: unknown) => {
      isCallError(Status.UNAVAILABLE, true)(e);
      assert.match((e as CallError).details, /PING/);
      return true;
    });
    const elapsed = Date.now() - frozenAt;
    assert.ok(elapsed < 1200, `detected after ${elapsed} ms`);
    assert.ok(c.state === 'failing' || c.state === 'idle', c.state);
    assert.deepEqual(states, [['failing', Status.UNAVAILABLE]]);
  });

  it('GOAWAY from tryShutdown: the call in flight completes, a later call opens a new session to a new server', { timeout: TEST_TIMEOUT }, async () => {
    const first = await startGrpcServer();
    servers.push(first.server);
    const c = connect({}, first.port);
    await c.ready(Date.now() + 5000);
    gate = deferred();
    gateEntered = deferred();
    const inFlight = c.unary('/test.Test/Gate', Buffer.from('in flight'));
    await within(gateEntered.promise, 5000, 'call reached the server');
    const idle = stateReached(c, 'idle');
    const shutDown = new Promise<void>((resolve) => first.server.tryShutdown(() => resolve()));
    await within(idle, 5000, 'GOAWAY makes the connection idle');
    gate.resolve();
    assert.equal(Buffer.from(await within(inFlight, 5000, 'in-flight call')).toString(), 'in flight');
    await within(shutDown, 5000, 'server shutdown');
    const second = await startGrpcServer(first.port);
    servers.push(second.server);
    assert.equal(Buffer.from(await c.unary('/test.Test/Echo', Buffer.from('new session'))).toString(), 'new session');
    assert.equal(c.state, 'ready');
  });

  it('close(): calls in flight fail with UNAVAILABLE, later calls too, state closed', { timeout: TEST_TIMEOUT }, async () => {
    const c = connect();
    const watch = watchHang('close');
    const call = c.unary('/test.Test/Hang', Buffer.from('close'));
    await within(watch.started, 5000, 'handler start');
    const failed = assert.rejects(call, isCallError(Status.UNAVAILABLE, true));
    await within(c.close(), 5000, 'close()');
    await failed;
    assert.equal(c.state, 'closed');
    await assert.rejects(c.unary('/test.Test/Echo', Buffer.from('x')), isCallError(Status.UNAVAILABLE, false));
    await within(watch.cancelled, 5000, 'server-side cancellation');
  });
});

// ---------------------------------------------------------------------------------------------

describe('transport corner cases against a raw node:http2 server', { timeout: 30_000 }, () => {
  let server: http2.Http2Server;
  let port: number;
  const sessions = new Set<http2.ServerHttp2Session>();
  const connections: Connection[] = [];
  /** Streams that asked for /raw/Held, in arrival order. */
  let held: Array<http2.ServerHttp2Stream> = [];
  let heldArrived = deferred();

  function grpcFrame(body: Buffer, flags = 0): Buffer {
    const prefix = Buffer.alloc(5);
    prefix[0] = flags;
    prefix.writeUInt32BE(body.length, 1);
    return Buffer.concat([prefix, body]);
  }

  before(async () => {
    server = http2.createServer();
    server.on('session', (s) => {
      sessions.add(s);
      s.on('close', () => sessions.delete(s));
    });
    server.on('stream', (stream, headers) => {
      stream.on('error', () => {});
      const ok = { ':status': 200, 'content-type': 'application/grpc' };
      switch (headers[':path']) {
        case '/raw/TrailersOnly':
          stream.respond({ ...ok, 'grpc-status': '5', 'grpc-message': 'n%C3%B6pe %25' }, { endStream: true });
          break;
        case '/raw/Http503':
          stream.respond({ ':status': 503, 'content-type': 'text/plain' }, { endStream: true });
          break;
        case '/raw/Http404':
          stream.respond({ ':status': 404 }, { endStream: true });
          break;
        case '/raw/NotGrpc':
          stream.respond({ ':status': 200, 'content-type': 'text/html' });
          stream.end('<html></html>');
          break;
        case '/raw/Refuse':
          stream.close(http2.constants.NGHTTP2_REFUSED_STREAM);
          break;
        case '/raw/ResetAfterHeaders':
          stream.respond(ok);
          stream.write(grpcFrame(Buffer.from('partial')).subarray(0, 8));
          setImmediate(() => stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR));
          break;
        case '/raw/NoStatus':
          stream.respond(ok, { waitForTrailers: true });
          stream.on('wantTrailers', () => stream.sendTrailers({ 'x-no': 'status' }));
          stream.end(grpcFrame(Buffer.from('body')));
          break;
        case '/raw/NoTrailers':
          stream.respond(ok);
          stream.end(grpcFrame(Buffer.from('body')));
          break;
        case '/raw/Compressed':
          stream.respond(ok);
          stream.write(grpcFrame(Buffer.from('zzz'), 1));
          break;
        case '/raw/TwoMessages':
          stream.respond(ok, { waitForTrailers: true });
          stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
          stream.end(Buffer.concat([grpcFrame(Buffer.from('one')), grpcFrame(Buffer.from('two'))]));
          break;
        case '/raw/Split': {
          // One message sent in three DATA frames, split inside the prefix and inside the body.
          const frame = grpcFrame(Buffer.from('split across frames'));
          stream.respond(ok, { waitForTrailers: true });
          stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
          stream.write(frame.subarray(0, 3));
          setTimeout(() => stream.write(frame.subarray(3, 9)), 5);
          setTimeout(() => stream.end(frame.subarray(9)), 10);
          break;
        }
        case '/raw/Held':
          held.push(stream);
          heldArrived.resolve();
          break;
        default:
          stream.respond({ ...ok, 'grpc-status': '12' }, { endStream: true });
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as net.AddressInfo).port;
  });

  after(async () => {
    await Promise.all(connections.map((c) => c.close()));
    for (const s of sessions) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  function connect(): Connection {
    const c = createConnection(parseEndpoint(`127.0.0.1:${port}`), BASE_OPTIONS);
    connections.push(c);
    return c;
  }

  it('maps HTTP errors, trailers-only statuses, RST_STREAM and malformed responses', { timeout: TEST_TIMEOUT }, async () => {
    const c = connect();
    const call = (path: string) => c.unary(path, Buffer.from('req'));
    await assert.rejects(call('/raw/TrailersOnly'), (e: unknown) => isCallError(Status.NOT_FOUND, true)(e) && (e as CallError).details === 'nöpe %');
    await assert.rejects(call('/raw/Http503'), isCallError(Status.UNAVAILABLE, true));
    await assert.rejects(call('/raw/Http404'), isCallError(Status.UNIMPLEMENTED, true));
    await assert.rejects(call('/raw/NotGrpc'), isCallError(Status.UNKNOWN, true));
    await assert.rejects(call('/raw/Refuse'), isCallError(Status.UNAVAILABLE, false));
    await assert.rejects(call('/raw/ResetAfterHeaders'), isCallError(Status.INTERNAL, true));
    await assert.rejects(call('/raw/NoStatus'), isCallError(Status.UNKNOWN, true));
    await assert.rejects(call('/raw/NoTrailers'), isCallError(Status.INTERNAL, true));
    await assert.rejects(call('/raw/Compressed'), isCallError(Status.INTERNAL, true));
    await assert.rejects(call('/raw/TwoMessages'), isCallError(Status.INTERNAL, true));
    assert.equal(Buffer.from(await call('/raw/Split')).toString(), 'split across frames');
    await assert.rejects(call('/raw/Unknown'), isCallError(Status.UNIMPLEMENTED, true));
    assert.equal(c.state, 'ready');
  });

  it('GOAWAY with a last stream id below an open stream: that stream fails with sent = false, the earlier one completes', { timeout: TEST_TIMEOUT }, async () => {
    const c = connect();
    held = [];
    heldArrived = deferred();
    const firstCall = c.unary('/raw/Held', Buffer.from('1'));
    await within(heldArrived.promise, 5000, 'first stream');
    heldArrived = deferred();
    const secondCall = c.unary('/raw/Held', Buffer.from('2'));
    await within(heldArrived.promise, 5000, 'second stream');
    const [first, second] = held as [http2.ServerHttp2Stream, http2.ServerHttp2Stream];
    const firstId = first.id!;
    assert.ok(second.id! > firstId);
    const idle = stateReached(c, 'idle');
    first.session!.goaway(http2.constants.NGHTTP2_NO_ERROR, firstId);
    await assert.rejects(secondCall, (e: unknown) => {
      isCallError(Status.UNAVAILABLE, false)(e);
      assert.match((e as CallError).details, /GOAWAY/);
      return true;
    });
    await within(idle, 5000, 'idle after GOAWAY');
    first.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
    first.on('wantTrailers', () => first.sendTrailers({ 'grpc-status': '0' }));
    first.end(grpcFrame(Buffer.from('first done')));
    assert.equal(Buffer.from(await within(firstCall, 5000, 'first call')).toString(), 'first done');
    // A new call opens a new session.
    await assert.rejects(c.unary('/raw/TrailersOnly', Buffer.from('x')), isCallError(Status.NOT_FOUND, true));
    assert.equal(c.state, 'ready');
  });
});

// ---------------------------------------------------------------------------------------------

describe('transport over TLS against a @grpc/grpc-js server', { timeout: 30_000 }, () => {
  let dir: string;
  let cert: Buffer;
  let server: grpc.Server | undefined;
  let port: number;
  const connections: Connection[] = [];

  before(async () => {
    dir = mkdtempSync('/dev/shm/etcd-ts-tls-');
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', `${dir}/key.pem`, '-out', `${dir}/cert.pem`, '-days', '1', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ], { stdio: 'ignore', timeout: 10_000 });
    cert = readFileSync(`${dir}/cert.pem`);
    server = new grpc.Server();
    server.addService(SERVICE, IMPLEMENTATION);
    const credentials = grpc.ServerCredentials.createSsl(null, [{ private_key: readFileSync(`${dir}/key.pem`), cert_chain: cert }]);
    port = await new Promise<number>((resolve, reject) =>
      server!.bindAsync('127.0.0.1:0', credentials, (error, p) => (error ? reject(error) : resolve(p))),
    );
  });

  after(async () => {
    await Promise.all(connections.map((c) => c.close()));
    server?.forceShutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  it('https endpoint with the server CA: calls work; without it: UNAVAILABLE, sent = false', { timeout: TEST_TIMEOUT }, async () => {
    const trusted = createConnection(parseEndpoint(`https://127.0.0.1:${port}`), { ...BASE_OPTIONS, tls: { ca: cert } });
    connections.push(trusted);
    assert.equal(Buffer.from(await trusted.unary('/test.Test/Echo', Buffer.from('secret'))).toString(), 'secret');
    const byName = createConnection(parseEndpoint(`https://localhost:${port}`), { ...BASE_OPTIONS, tls: { ca: cert } });
    connections.push(byName);
    await assert.rejects(byName.unary('/test.Test/Nope', Buffer.from('x')), isCallError(Status.UNIMPLEMENTED, true));
    const untrusted = createConnection(parseEndpoint(`https://127.0.0.1:${port}`), BASE_OPTIONS);
    connections.push(untrusted);
    await assert.rejects(untrusted.unary('/test.Test/Echo', Buffer.from('x')), (e: unknown) => {
      isCallError(Status.UNAVAILABLE, false)(e);
      assert.match((e as CallError).details, /certificate/);
      return true;
    });
    assert.equal(untrusted.state, 'failing');
  });
});
