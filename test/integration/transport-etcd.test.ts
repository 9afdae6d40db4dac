/**
 * The transport against a real etcd started here (one member on free loopback ports, data dir in a
 * fresh temp folder under /dev/shm), with hand-encoded protobuf messages: no codec, no rpc layer.
 * Keep-alive pings are never faster than every 5 s against etcd (its minimum; faster pings draw a
 * GOAWAY too_many_pings); the frozen-peer case is tested against grpc-js, through a proxy.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  CallError,
  createConnection,
  parseEndpoint,
  Status,
  type Connection,
  type Metadata,
} from '../../src/transport/index.js';
import { httpGetText } from '../../src/testing/probe.js';

const ETCD_BIN = process.env.ETCD_BIN ?? '/usr/bin/etcd';
const START_TIMEOUT = 15_000;
const TEST_TIMEOUT = 10_000;

// --- minimal protobuf encoding / decoding for the few messages used here ---

function varint(value: number): Buffer {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return Buffer.from(out);
}

/** A length-delimited field (wire type 2). */
function bytesField(field: number, value: Uint8Array): Buffer {
  return Buffer.concat([varint((field << 3) | 2), varint(value.length), value]);
}

interface Field {
  field: number;
  wire: number;
  int?: number;
  bytes?: Buffer;
}

/** Decodes the top-level fields of a message (varint and length-delimited only; enough for etcd's replies). */
function decodeFields(message: Uint8Array): Field[] {
  const buf = Buffer.from(message.buffer, message.byteOffset, message.byteLength);
  const fields: Field[] = [];
  let at = 0;
  const readVarint = (): number => {
    let result = 0;
    let scale = 1;
    for (;;) {
      const b = buf[at++]!;
      result += (b & 0x7f) * scale;
      if (b < 0x80) return result;
      scale *= 128;
    }
  };
  while (at < buf.length) {
    const key = readVarint();
    const field = Math.floor(key / 8);
    const wire = key & 7;
    if (wire === 0) fields.push({ field, wire, int: readVarint() });
    else if (wire === 2) {
      const length = readVarint();
      fields.push({ field, wire, bytes: buf.subarray(at, at + length) });
      at += length;
    } else throw new Error(`unexpected wire type ${wire}`);
  }
  return fields;
}

const get = (fields: Field[], n: number): Field | undefined => fields.find((f) => f.field === n);
const all = (fields: Field[], n: number): Field[] => fields.filter((f) => f.field === n);

const putRequest = (key: string, value: Uint8Array): Buffer =>
  Buffer.concat([bytesField(1, Buffer.from(key)), bytesField(2, value)]);
const rangeRequest = (key: string): Buffer => bytesField(1, Buffer.from(key));
/** WatchRequest { create_request (1) = WatchCreateRequest { key (1) } }. */
const watchCreate = (key: string): Buffer => bytesField(1, bytesField(1, Buffer.from(key)));

/** RangeResponse { kvs (2) = KeyValue { key (1), value (5) } } → [key, value] pairs. */
function rangeKvs(response: Uint8Array): Array<[string, Buffer]> {
  return all(decodeFields(response), 2).map((kv) => {
    const f = decodeFields(kv.bytes!);
    return [get(f, 1)!.bytes!.toString(), get(f, 5)?.bytes ?? Buffer.alloc(0)];
  });
}

/** Awaits `promise`, failing after `ms` so nothing can hang. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
    }),
  ]);
}

// --- etcd process ---

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('transport against a real etcd', { timeout: 60_000 }, () => {
  let etcd: ChildProcess | undefined;
  let exited: Promise<void> | undefined;
  let dataDir: string | undefined;
  let clientUrl: string;
  let connection: Connection;

  before(async () => {
    dataDir = mkdtempSync('/dev/shm/etcd-ts-transport-');
    const [clientPort, peerPort] = [await freePort(), await freePort()];
    clientUrl = `http://127.0.0.1:${clientPort}`;
    const peerUrl = `http://127.0.0.1:${peerPort}`;
    const child = spawn(
      ETCD_BIN,
      [
        '--name', 'transport-test',
        '--data-dir', dataDir,
        '--listen-client-urls', clientUrl,
        '--advertise-client-urls', clientUrl,
        '--listen-peer-urls', peerUrl,
        '--initial-advertise-peer-urls', peerUrl,
        '--initial-cluster', `transport-test=${peerUrl}`,
        '--logger', 'zap',
        '--log-outputs', 'stderr',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    etcd = child;
    exited = new Promise((resolve) => child.once('exit', () => resolve()));
    let log = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`etcd not ready within ${START_TIMEOUT} ms:\n${log.slice(-2000)}`)), START_TIMEOUT);
      child.stderr!.on('data', (chunk: Buffer) => {
        log += chunk.toString();
        // etcd 3.4 with zap logs "serving client traffic ..."; capnslog "ready to serve client requests".
        if (/serving client traffic|ready to serve client requests/.test(log)) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`etcd exited with ${code} before it was ready:\n${log.slice(-2000)}`));
      });
    });
    child.stderr!.resume();
    const health = await httpGetText(`${clientUrl}/health`);
    assert.equal(health.status, 200);
    connection = createConnection(parseEndpoint(clientUrl), {
      keepAliveTime: 5000,
      keepAliveTimeout: 5000,
      maxRecvMsgSize: 2 ** 31 - 1,
    });
  });

  after(async () => {
    await connection?.close();
    if (etcd !== undefined && etcd.exitCode === null && etcd.signalCode === null) {
      etcd.kill('SIGKILL');
      await exited;
    }
    if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
  });

  it('Put then Range through unary', { timeout: TEST_TIMEOUT }, async () => {
    const put = await connection.unary('/etcdserverpb.KV/Put', putRequest('transport/k1', Buffer.from('value one')));
    const header = get(decodeFields(put), 1);
    assert.ok(header?.bytes !== undefined, 'PutResponse has a header');
    assert.ok(get(decodeFields(header.bytes), 3)!.int! > 1, 'with a revision');
    const range = await connection.unary('/etcdserverpb.KV/Range', rangeRequest('transport/k1'));
    assert.deepEqual(rangeKvs(range), [['transport/k1', Buffer.from('value one')]]);
  });

  it('a 1 MiB value round trip (response across many DATA frames)', { timeout: TEST_TIMEOUT }, async () => {
    const value = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < value.length; i++) value[i] = (i * 7) & 0xff;
    await connection.unary('/etcdserverpb.KV/Put', putRequest('transport/big', value));
    const kvs = rangeKvs(await connection.unary('/etcdserverpb.KV/Range', rangeRequest('transport/big')));
    assert.equal(kvs.length, 1);
    assert.ok(kvs[0]![1].equals(value));
  });

  it('a Range with a 1 ms deadline fails with DEADLINE_EXCEEDED or succeeds, and never hangs', { timeout: TEST_TIMEOUT }, async () => {
    for (let i = 0; i < 20; i++) {
      try {
        const range = await connection.unary('/etcdserverpb.KV/Range', rangeRequest('transport/k1'), { deadline: Date.now() + 1 });
        assert.deepEqual(rangeKvs(range), [['transport/k1', Buffer.from('value one')]]);
      } catch (error) {
        // Either our own deadline fired, or etcd's handler saw its context expire first and
        // answered with Go's error text (as UNKNOWN); the rpc layer maps both to DeadlineExceededError.
        assert.ok(
          error instanceof CallError &&
            (error.code === Status.DEADLINE_EXCEEDED || error.details === 'context deadline exceeded'),
          `${String(error)} (code ${(error as CallError).code})`,
        );
      }
    }
    // The connection is still usable.
    assert.equal(rangeKvs(await connection.unary('/etcdserverpb.KV/Range', rangeRequest('transport/k1'))).length, 1);
  });

  it('etcd errors arrive with their status and message', { timeout: TEST_TIMEOUT }, async () => {
    await assert.rejects(connection.unary('/etcdserverpb.KV/Range', Buffer.alloc(0)), (e: unknown) => {
      assert.ok(e instanceof CallError);
      assert.equal(e.code, Status.INVALID_ARGUMENT);
      assert.equal(e.details, 'etcdserver: key is not provided');
      assert.equal(e.sent, true);
      return true;
    });
  });

  it('unknown method: UNIMPLEMENTED', { timeout: TEST_TIMEOUT }, async () => {
    await assert.rejects(connection.unary('/etcdserverpb.KV/Nope', Buffer.alloc(0)), (e: unknown) => {
      assert.ok(e instanceof CallError);
      assert.equal(e.code, Status.UNIMPLEMENTED);
      return true;
    });
  });

  it('Watch bidi: created response, then an event after a Put', { timeout: TEST_TIMEOUT }, async () => {
    const queued: Field[][] = [];
    const waiting: Array<(fields: Field[]) => void> = [];
    let endWith!: (end: { error: CallError | undefined; trailers: Metadata }) => void;
    const ended = new Promise<{ error: CallError | undefined; trailers: Metadata }>((resolve) => (endWith = resolve));
    const watchStream = connection.bidi('/etcdserverpb.Watch/Watch', {
      onMessage: (m) => {
        const fields = decodeFields(Buffer.from(m));
        const waiter = waiting.shift();
        if (waiter !== undefined) waiter(fields);
        else queued.push(fields);
      },
      onEnd: (error, trailers) => endWith({ error, trailers }),
    });
    const next = (what: string): Promise<Field[]> =>
      within(queued.length > 0 ? Promise.resolve(queued.shift()!) : new Promise((resolve) => waiting.push(resolve)), 5000, what);

    watchStream.write(watchCreate('transport/watched'));
    const created = await next('created response');
    assert.equal(get(created, 3)?.int, 1, 'created = true');

    await connection.unary('/etcdserverpb.KV/Put', putRequest('transport/watched', Buffer.from('event value')));
    const withEvent = await next('event');
    const events = all(withEvent, 11);
    assert.equal(events.length, 1);
    const event = decodeFields(events[0]!.bytes!);
    assert.equal(get(event, 1)?.int ?? 0, 0, 'PUT event');
    const kv = decodeFields(get(event, 2)!.bytes!);
    assert.equal(get(kv, 1)!.bytes!.toString(), 'transport/watched');
    assert.equal(get(kv, 5)!.bytes!.toString(), 'event value');

    watchStream.cancel();
    const { error } = await within(ended, 5000, 'end of the watch');
    assert.ok(error instanceof CallError && error.code === Status.CANCELLED);
  });
});
