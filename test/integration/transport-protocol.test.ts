/**
 * HTTP/2 protocol corner cases of the transport against servers started here: node:http2
 * (nghttp2) for windows, sizes, SETTINGS changes and resets; @grpc/grpc-js for large messages and
 * stream-id rollover; a scripted raw server (test/helpers/h2-raw-server.ts) for what no real
 * server does on request: PING floods, malformed frames, peers closing mid-frame, keep-alive
 * timing. Every violation must fail the connection with an error naming it, never crash or hang.
 */
import * as grpc from '@grpc/grpc-js';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import type net from 'node:net';
import { after, describe, it } from 'node:test';
import { ErrorCode, Http2ProtocolError } from '../../src/transport/h2/errors.js';
import { Flag, FrameType, MAX_STREAM_ID } from '../../src/transport/h2/frames.js';
import { CLOSE_GRACE_MS, STREAM_WINDOW_SIZE } from '../../src/transport/session.js';
import {
  CallError,
  createConnection,
  parseEndpoint,
  Status,
  type Connection,
  type ConnectionOptions,
  type ConnectionState,
} from '../../src/transport/index.js';
import { frame, grpcMessage, RawH2Server, type RawConnection } from '../helpers/h2-raw-server.js';

const TEST_TIMEOUT = 20_000;
const OPTIONS: ConnectionOptions = { keepAliveTime: 0, keepAliveTimeout: 20_000, maxRecvMsgSize: 64 * 1024 * 1024 };
const OK_HEADERS = { ':status': 200, 'content-type': 'application/grpc' };

const connections: Connection[] = [];
const closers: Array<() => Promise<void> | void> = [];
after(async () => {
  await Promise.all(connections.map((c) => c.close()));
  for (const close of closers) await close();
});

function connect(port: number, options: Partial<ConnectionOptions> = {}): Connection {
  const c = createConnection(parseEndpoint(`http://127.0.0.1:${port}`), { ...OPTIONS, ...options });
  connections.push(c);
  return c;
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    }),
  ]);
}

function failsWith(code: number, pattern: RegExp, sent?: boolean) {
  return (e: unknown): boolean => {
    assert.ok(e instanceof CallError, `expected a CallError, got ${String(e)}`);
    assert.equal(e.code, code, `code ${e.code} (${e.details})`);
    assert.match(e.details, pattern);
    if (sent !== undefined) assert.equal(e.sent, sent, `sent (${e.details})`);
    return true;
  };
}

/** A protocol violation: UNAVAILABLE naming the HTTP/2 error, with an Http2ProtocolError cause. */
function protocolError(name: keyof typeof ErrorCode) {
  return (e: unknown): boolean => {
    failsWith(Status.UNAVAILABLE, new RegExp(`HTTP/2 protocol error.*${name}`))(e);
    const cause = (e as CallError).cause;
    assert.ok(cause instanceof Http2ProtocolError, `cause ${String(cause)}`);
    assert.equal(cause.code, ErrorCode[name]);
    return true;
  };
}

async function http2Server(onStream: (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => void, settings: http2.Settings = {}): Promise<{ server: http2.Http2Server; port: number; sessions: Set<http2.ServerHttp2Session> }> {
  const server = http2.createServer({ settings, maxSessionMemory: 1000, maxHeaderListPairs: 10_000 });
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on('session', (s) => {
    sessions.add(s);
    s.on('close', () => sessions.delete(s));
  });
  server.on('stream', (stream, headers) => {
    stream.on('error', () => {});
    onStream(stream, headers);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(async () => {
    for (const s of sessions) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { server, port: (server.address() as net.AddressInfo).port, sessions };
}

/** A node:http2 echo: the request body (one message) back, with `x-echo` of the request's `x-echo` header in the trailers. */
function echo(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders): void {
  const parts: Buffer[] = [];
  stream.on('data', (d: Buffer) => parts.push(d));
  stream.on('end', () => {
    stream.respond({ ...OK_HEADERS, 'x-header': String(headers['x-echo'] ?? '') }, { waitForTrailers: true });
    stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0', 'x-trailer': String(headers['x-echo'] ?? '') }));
    stream.end(Buffer.concat(parts));
  });
}

async function rawServer(onConnection: (c: RawConnection) => void, settings: number[] = []): Promise<{ server: RawH2Server; port: number }> {
  const server = new RawH2Server(onConnection, settings);
  const port = await server.listen();
  closers.push(() => server.close());
  return { server, port };
}

describe('flow control and sizes', { timeout: 60_000 }, () => {
  it('1-byte stream windows from the server: a request goes out one byte per frame, and the answer arrives', { timeout: TEST_TIMEOUT }, async () => {
    const { port } = await http2Server(echo, { initialWindowSize: 1 });
    const c = connect(port);
    const request = Buffer.alloc(3000, 7);
    const reply = await within(c.unary('/raw/Echo', request), 15_000, 'echo');
    assert.deepEqual(Buffer.from(reply), request);
  });

  it('16 MiB messages both ways through grpc-js', { timeout: TEST_TIMEOUT }, async () => {
    const server = new grpc.Server({ 'grpc.max_receive_message_length': 64 << 20, 'grpc.max_send_message_length': 64 << 20 });
    const id = (b: Buffer): Buffer => b;
    server.addService(
      { Echo: { path: '/test.Test/Echo', requestStream: false, responseStream: false, requestSerialize: id, requestDeserialize: id, responseSerialize: id, responseDeserialize: id } },
      { Echo: (call: grpc.ServerUnaryCall<Buffer, Buffer>, reply: grpc.sendUnaryData<Buffer>) => reply(null, call.request) },
    );
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
    );
    closers.push(() => server.forceShutdown());
    const c = connect(port);
    const big = Buffer.alloc(16 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 4096) big[i] = i >>> 12;
    const reply = await within(c.unary('/test.Test/Echo', big), 15_000, '16 MiB echo');
    assert.equal(reply.length, big.length);
    assert.ok(Buffer.from(reply).equals(big));
  });

  it('40 KB headers both ways (CONTINUATION frames)', { timeout: TEST_TIMEOUT }, async () => {
    const { port } = await http2Server(echo, { maxHeaderListSize: 1 << 20 });
    const c = connect(port);
    const long = 'x'.repeat(40_000);
    let trailers: Record<string, string> = {};
    const done = new Promise<void>((resolve, reject) => {
      const stream = c.bidi('/raw/Echo', {
        onMessage: () => {},
        onEnd: (error, t) => {
          if (error !== undefined) reject(error);
          trailers = t;
          resolve();
        },
      }, { metadata: { 'x-echo': long } });
      stream.write(Buffer.from('hello'));
      stream.end();
    });
    await within(done, 10_000, 'the stream');
    // The response headers carried the 40 KB value too (x-header); the trailers bring it back here.
    assert.equal(trailers['x-trailer'], long);
    assert.equal(Buffer.from(await c.unary('/raw/Echo', Buffer.from('unary'), { metadata: { 'x-echo': long } })).toString(), 'unary');
  });

  it('RST_STREAM in the middle of a message: INTERNAL for that call, the connection goes on', { timeout: TEST_TIMEOUT }, async () => {
    const { port } = await rawServer((conn) =>
      conn.on('stream', (id: number, fields: string[]) => {
        if (fields.includes('/raw/Ok')) return conn.ok(id, Buffer.from('after'));
        conn.headers(id, [':status', '200', 'content-type', 'application/grpc']);
        conn.write(frame(FrameType.DATA, 0, id, grpcMessage(Buffer.alloc(10_000, 1)).subarray(0, 5000)));
        const code = Buffer.alloc(4);
        code.writeUInt32BE(ErrorCode.INTERNAL_ERROR);
        conn.write(frame(FrameType.RST_STREAM, 0, id, code));
      }),
    );
    const c = connect(port);
    await assert.rejects(c.unary('/raw/Reset', Buffer.from('x')), failsWith(Status.INTERNAL, /RST_STREAM INTERNAL_ERROR/, true));
    assert.equal(Buffer.from(await c.unary('/raw/Ok', Buffer.from('x'))).toString(), 'after');
    assert.equal(c.state, 'ready');
  });

  it('SETTINGS changed mid-connection (window, concurrency, HPACK table size 0) are honoured', { timeout: TEST_TIMEOUT }, async () => {
    const { port, sessions } = await http2Server(echo);
    const c = connect(port);
    assert.equal(Buffer.from(await c.unary('/raw/Echo', Buffer.from('before'))).toString(), 'before');
    const [session] = [...sessions];
    await new Promise<void>((resolve) => session!.settings({ initialWindowSize: 100, maxConcurrentStreams: 2, headerTableSize: 0 }, () => resolve()));
    // nghttp2 requires the dynamic table size update we owe it after headerTableSize 0: without it, COMPRESSION_ERROR.
    const requests = Array.from({ length: 6 }, (_, i) => Buffer.alloc(5000 + i, i));
    const replies = await within(Promise.all(requests.map((r) => c.unary('/raw/Echo', r))), 15_000, 'echoes');
    replies.forEach((r, i) => assert.deepEqual(Buffer.from(r), requests[i]));
    assert.equal(c.state, 'ready');
  });

  it('MAX_CONCURRENT_STREAMS 1: calls queue, the server never sees two at once, all succeed', { timeout: TEST_TIMEOUT }, async () => {
    let open = 0;
    let most = 0;
    const { port } = await http2Server((stream, headers) => {
      open++;
      most = Math.max(most, open);
      stream.on('close', () => open--);
      setTimeout(() => echo(stream, headers), 5);
    }, { maxConcurrentStreams: 1 });
    const c = connect(port);
    const replies = await within(Promise.all(Array.from({ length: 20 }, (_, i) => c.unary('/raw/Echo', Buffer.from(`m${i}`)))), 10_000, 'queued calls');
    replies.forEach((r, i) => assert.equal(Buffer.from(r).toString(), `m${i}`));
    assert.equal(most, 1);
    // A call still queued when its deadline passes never went out.
    const slow = Array.from({ length: 5 }, () => c.unary('/raw/Echo', Buffer.from('q'), { deadline: Date.now() + 1 }).catch((e: unknown) => e));
    for (const e of await Promise.all(slow)) if (e instanceof CallError) assert.equal(e.code, Status.DEADLINE_EXCEEDED);
  });

  it('backpressure: a paused server stream stops the server after one stream window, and resumes', { timeout: TEST_TIMEOUT }, async () => {
    const message = grpcMessage(Buffer.alloc(64 * 1024, 3));
    let written = 0;
    const { port } = await http2Server((stream) => {
      stream.respond(OK_HEADERS, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
      const pump = (): void => {
        while (written < 32 * 1024 * 1024) {
          written += message.length;
          if (!stream.write(message)) {
            stream.once('drain', pump);
            return;
          }
        }
        stream.end();
      };
      pump();
    });
    const c = connect(port);
    let received = 0;
    let firstMessage!: () => void;
    const first = new Promise<void>((resolve) => (firstMessage = resolve));
    let endWith!: (e: CallError | undefined) => void;
    const ended = new Promise<CallError | undefined>((resolve) => (endWith = resolve));
    const stream = c.serverStream('/raw/Flood', Buffer.from('x'), {
      onMessage: (m) => {
        received += m.length + 5;
        firstMessage();
      },
      onEnd: (e) => endWith(e),
    });
    stream.pause!();
    await within(first, 5000, 'the first message');
    // Let the server write all it can; it must stall once our window is used up.
    for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 50));
    assert.ok(received <= STREAM_WINDOW_SIZE + 2 * message.length, `received ${received} bytes while paused`);
    stream.resume!();
    assert.equal(await within(ended, 15_000, 'the end of the stream'), undefined);
    assert.equal(received, written);
  });
});

describe('stream-id rollover', { timeout: 60_000 }, () => {
  it('ids running out open a replacement connection first: no call fails, the state stays ready', { timeout: TEST_TIMEOUT }, async () => {
    let connectionsSeen = 0;
    const { port, server } = await http2Server(echo);
    server.on('session', () => connectionsSeen++);
    // Three ids per connection: every few calls the connection rolls over.
    const c = connect(port, { firstStreamId: MAX_STREAM_ID - 4 });
    const states: ConnectionState[] = [];
    c.onStateChange((s) => states.push(s));
    for (let round = 0; round < 3; round++) {
      const replies = await within(Promise.all(Array.from({ length: 25 }, (_, i) => c.unary('/raw/Echo', Buffer.from(`r${round}-${i}`)))), 10_000, 'calls');
      replies.forEach((r, i) => assert.equal(Buffer.from(r).toString(), `r${round}-${i}`));
    }
    assert.deepEqual(states, ['connecting', 'ready']);
    assert.ok(connectionsSeen >= 10, `${connectionsSeen} connections`);
  });
});

describe('keep-alive', { timeout: 60_000 }, () => {
  it('a call that reaches its deadline with nothing received starts a PING at once; no answer fails the connection', { timeout: TEST_TIMEOUT }, async () => {
    let pinged!: (at: number) => void;
    const ping = new Promise<number>((resolve) => (pinged = resolve));
    const { port } = await rawServer((conn) => {
      conn.on('ping', (_payload: Buffer, ack: boolean) => ack || pinged(Date.now()));
      conn.on('stream', (id: number, fields: string[]) => fields.includes('/raw/Ok') && conn.ok(id, Buffer.from('ok')));
    });
    const c = connect(port, { keepAliveTime: 60_000, keepAliveTimeout: 300 });
    // One answered call first: the SETTINGS exchange is over, nothing else will arrive.
    assert.equal(Buffer.from(await c.unary('/raw/Ok', Buffer.from('x'))).toString(), 'ok');
    const failed = new Promise<CallError | undefined>((resolve) => c.onStateChange((s, e) => s === 'failing' && resolve(e)));
    const deadline = Date.now() + 200;
    await assert.rejects(c.unary('/raw/Silent', Buffer.from('x'), { deadline }), failsWith(Status.DEADLINE_EXCEEDED, /deadline/, true));
    const at = await within(ping, 5000, 'a PING');
    assert.ok(at >= deadline - 5, 'the PING follows the deadline');
    failsWith(Status.UNAVAILABLE, /PING .* not answered within 300 ms/)(await within(failed, 5000, 'the connection to fail'));
  });

  it('a dormant keep-alive (no stream for keepAliveTime) PINGs when the next call starts', { timeout: TEST_TIMEOUT }, async () => {
    const pings: number[] = [];
    const { port } = await rawServer((conn) => {
      conn.on('ping', (payload: Buffer, ack: boolean) => {
        if (ack) return;
        pings.push(Date.now());
        conn.ping(payload, true);
      });
      conn.on('stream', (id: number) => conn.ok(id, Buffer.from('fine')));
    });
    const c = connect(port, { keepAliveTime: 200, keepAliveTimeout: 5000 });
    assert.equal(Buffer.from(await c.unary('/raw/A', Buffer.from('1'))).toString(), 'fine');
    assert.equal(pings.length, 0);
    // More than keepAliveTime with no stream open and nothing received: the keep-alive sleeps...
    await new Promise((r) => setTimeout(r, 700));
    assert.equal(pings.length, 0, 'no PING without a stream');
    // ...and the next stream wakes it with a PING at once.
    const startedAt = Date.now();
    assert.equal(Buffer.from(await c.unary('/raw/B', Buffer.from('2'))).toString(), 'fine');
    await within(new Promise<void>((resolve) => { const t = setInterval(() => pings.length > 0 && (clearInterval(t), resolve())); }), 5000, 'a PING');
    assert.ok(pings[0]! >= startedAt);
  });

  it('GOAWAY ENHANCE_YOUR_CALM too_many_pings doubles the interval of the next connection', { timeout: TEST_TIMEOUT }, async () => {
    const firstPingAfterStream: number[] = [];
    const { server, port } = await rawServer((conn) => {
      let streamAt = 0;
      conn.on('stream', () => (streamAt = Date.now()));
      conn.once('ping', (payload: Buffer) => {
        firstPingAfterStream.push(Date.now() - streamAt);
        conn.ping(payload, true);
        if (server.connections.length === 1) {
          const body = Buffer.alloc(8 + 14);
          body.writeUInt32BE(conn.streams.at(-1) ?? 0, 0);
          body.writeUInt32BE(ErrorCode.ENHANCE_YOUR_CALM, 4);
          body.write('too_many_pings', 8);
          conn.write(frame(FrameType.GOAWAY, 0, 0, body));
          conn.socket.end();
        }
      });
    });
    const c = connect(port, { keepAliveTime: 300, keepAliveTimeout: 5000 });
    const first = c.unary('/raw/Hang', Buffer.from('1')).catch((e: unknown) => e);
    failsWith(Status.UNAVAILABLE, /too_many_pings/)(await within(first, 5000, 'the first call to fail'));
    const second = c.unary('/raw/Hang', Buffer.from('2')).catch((e: unknown) => e);
    await within(new Promise<void>((resolve) => { const t = setInterval(() => firstPingAfterStream.length === 2 && (clearInterval(t), resolve())); }), 5000, 'the second connection\'s PING');
    assert.ok(firstPingAfterStream[0]! >= 290, `first interval ${firstPingAfterStream[0]} ms`);
    assert.ok(firstPingAfterStream[1]! >= 590, `second interval ${firstPingAfterStream[1]} ms (doubled)`);
    await c.close();
    await second;
  });
});

describe('strict parsing', { timeout: 60_000 }, () => {
  /** A raw server that answers the first request with `reply(conn, streamId)`; returns the call's failure and what our GOAWAY said. */
  async function violation(reply: (conn: RawConnection, id: number) => void): Promise<{ error: unknown; goaway: Promise<number> }> {
    let goaway!: (code: number) => void;
    const sawGoaway = new Promise<number>((resolve) => (goaway = resolve));
    const { port } = await rawServer((conn) => {
      conn.on('goaway', (code: number) => goaway(code));
      conn.once('stream', (id: number) => reply(conn, id));
    });
    const c = connect(port);
    const error = await within(c.unary('/raw/Bad', Buffer.from('x')).then(() => undefined, (e: unknown) => e), 5000, 'the call to fail');
    assert.ok(c.state === 'failing', c.state);
    return { error, goaway: sawGoaway };
  }

  it('a frame above SETTINGS_MAX_FRAME_SIZE: FRAME_SIZE_ERROR', { timeout: TEST_TIMEOUT }, async () => {
    const { error, goaway } = await violation((conn, id) => conn.write(frame(FrameType.DATA, 0, id, Buffer.alloc(20_000))));
    protocolError('FRAME_SIZE_ERROR')(error);
    assert.equal(await within(goaway, 5000, 'our GOAWAY'), ErrorCode.FRAME_SIZE_ERROR);
  });

  it('a CONTINUATION flood: ENHANCE_YOUR_CALM, nothing buffered without bound', { timeout: TEST_TIMEOUT }, async () => {
    const { error } = await violation((conn, id) => {
      conn.write(frame(FrameType.HEADERS, 0, id, Buffer.from([0x88])));
      for (let i = 0; i < 1000; i++) conn.write(frame(FrameType.CONTINUATION, 0, id));
    });
    protocolError('ENHANCE_YOUR_CALM')(error);
  });

  it('a header list above our SETTINGS_MAX_HEADER_LIST_SIZE: COMPRESSION_ERROR naming the limit', { timeout: TEST_TIMEOUT }, async () => {
    const { error } = await violation((conn, id) => {
      // One 4 KB entry added to the table, then referenced 100 times (1 byte each): 400 KB decoded.
      const add = Buffer.concat([Buffer.from([0x40, 0x01, 0x78, 0x7f, 0xa1, 0x1e]), Buffer.alloc(4000, 0x61)]);
      conn.write(frame(FrameType.HEADERS, Flag.END_HEADERS, id, Buffer.concat([add, Buffer.alloc(100, 0xbe)])));
    });
    protocolError('COMPRESSION_ERROR')(error);
    assert.match((error as CallError).details, /SETTINGS_MAX_HEADER_LIST_SIZE/);
  });

  it('a WINDOW_UPDATE past 2^31-1: FLOW_CONTROL_ERROR', { timeout: TEST_TIMEOUT }, async () => {
    const update = Buffer.alloc(4);
    update.writeUInt32BE(0x7fffffff);
    const { error } = await violation((conn) => conn.write(frame(FrameType.WINDOW_UPDATE, 0, 0, update)));
    protocolError('FLOW_CONTROL_ERROR')(error);
  });

  it('DATA on a stream we never opened, and PUSH_PROMISE: PROTOCOL_ERROR', { timeout: TEST_TIMEOUT }, async () => {
    protocolError('PROTOCOL_ERROR')((await violation((conn) => conn.write(frame(FrameType.DATA, 0, 99, Buffer.from('zz'))))).error);
    protocolError('PROTOCOL_ERROR')((await violation((conn, id) => conn.write(frame(FrameType.PUSH_PROMISE, Flag.END_HEADERS, id, Buffer.from([0, 0, 0, 2, 0x88]))))).error);
  });

  it('a malformed header block: COMPRESSION_ERROR', { timeout: TEST_TIMEOUT }, async () => {
    protocolError('COMPRESSION_ERROR')((await violation((conn, id) => conn.write(frame(FrameType.HEADERS, Flag.END_HEADERS, id, Buffer.from([0xff, 0xff]))))).error);
  });

  it('unknown frame types and padding are accepted; a PING flood is answered; the peer closing mid-frame fails the calls', { timeout: TEST_TIMEOUT }, async () => {
    let acks = 0;
    let conn!: RawConnection;
    const { port } = await rawServer((c) => {
      conn = c;
      c.on('ping', (_p: Buffer, ack: boolean) => ack && acks++);
      c.on('stream', (id: number, fields: string[]) => {
        if (fields.includes('/raw/Cut')) {
          c.write(frame(FrameType.HEADERS, Flag.END_HEADERS, id, Buffer.from([0x88])).subarray(0, 6));
          setTimeout(() => c.socket.destroy(), 20);
          return;
        }
        c.write(frame(0x42, 0xff, id, Buffer.from('an extension frame')));
        c.headers(id, [':status', '200', 'content-type', 'application/grpc']);
        const message = grpcMessage(Buffer.from('padded'));
        c.write(frame(FrameType.DATA, Flag.PADDED, id, Buffer.concat([Buffer.from([10]), message, Buffer.alloc(10)])));
        c.headers(id, ['grpc-status', '0'], true);
      });
    });
    const c = connect(port);
    await c.ready(Date.now() + 5000);
    const flood = Buffer.concat(Array.from({ length: 10_000 }, (_, i) => frame(FrameType.PING, 0, 0, Buffer.alloc(8, i & 0xff))));
    conn.write(flood);
    assert.equal(Buffer.from(await c.unary('/raw/Fine', Buffer.from('x'))).toString(), 'padded');
    await within(new Promise<void>((resolve) => { const t = setInterval(() => acks === 10_000 && (clearInterval(t), resolve()), 10); }), 10_000, 'every PING answered');
    assert.equal(c.state, 'ready');
    await assert.rejects(c.unary('/raw/Cut', Buffer.from('x')), failsWith(Status.UNAVAILABLE, /connection .* lost/, true));
    assert.equal(c.state, 'failing');
  });

  it('close() does not wait for a frozen peer longer than the grace', { timeout: TEST_TIMEOUT }, async () => {
    let conn!: RawConnection;
    const { port } = await rawServer((c) => (conn = c));
    const c = createConnection(parseEndpoint(`http://127.0.0.1:${port}`), OPTIONS);
    await c.ready(Date.now() + 5000);
    conn.socket.pause(); // reads nothing more
    const call = c.unary('/raw/Hang', Buffer.alloc(1 << 20)).catch((e: unknown) => e);
    const started = Date.now();
    await c.close();
    assert.ok(Date.now() - started <= CLOSE_GRACE_MS + 500, `close() took ${Date.now() - started} ms`);
    failsWith(Status.UNAVAILABLE, /closed by the client/)(await call);
  });
});
