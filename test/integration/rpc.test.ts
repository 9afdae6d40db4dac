/**
 * The rpc layer (src/rpc/invoke.ts) against a real etcd started here: typed server errors, the
 * client-side size check, deadlines, AbortSignal, failover past a dead endpoint, and
 * NoAvailableEndpointsError. etcd runs with --max-request-bytes 1024 so the server's own size limit
 * can be hit with a request under the client's.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';

import {
  ClientClosedError,
  CompactedError,
  DeadlineExceededError,
  EmptyKeyError,
  FutureRevisionError,
  NoAvailableEndpointsError,
  RequestTooLargeError,
} from '../../src/errors/index.js';
import { KV, Maintenance, Watch } from '../../src/proto/index.js';
import { RpcClient } from '../../src/rpc/invoke.js';
import { Status } from '../../src/transport/types.js';

const ETCD = process.env.ETCD_BIN ?? '/usr/bin/etcd';
const SERVER_MAX_REQUEST_BYTES = 1024;
const CLIENT_MAX_SEND = 4096;
const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

/** A port nothing listens on now (the kernel's pick for port 0). */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

let etcd: ChildProcess | undefined;
let dataDir: string | undefined;
let url = '';
let rpc: RpcClient;
let etcdLog = '';

/** Starts etcd and resolves when it serves clients (its log says so), or rejects after 20 s. */
async function startEtcd(): Promise<void> {
  const [clientPort, peerPort] = [await freePort(), await freePort()];
  dataDir = mkdtempSync('/dev/shm/etcd-ts-rpc-');
  url = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const child = spawn(ETCD, [
    '--name', 'rpc', '--data-dir', dataDir,
    '--listen-client-urls', url, '--advertise-client-urls', url,
    '--listen-peer-urls', peer, '--initial-advertise-peer-urls', peer, '--initial-cluster', `rpc=${peer}`,
    '--max-request-bytes', String(SERVER_MAX_REQUEST_BYTES),
    '--logger', 'zap', '--log-outputs', 'stderr',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  etcd = child;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`etcd did not start within 20 s:\n${etcdLog}`)), 20_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`etcd exited with ${code}:\n${etcdLog}`));
    });
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      etcdLog += chunk;
      if (etcdLog.includes('serving client traffic')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}

async function stopEtcd(): Promise<void> {
  const child = etcd;
  etcd = undefined;
  if (child !== undefined && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
  if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
  dataDir = undefined;
}

before(async () => {
  await startEtcd();
  rpc = new RpcClient({ endpoints: [url], dialTimeout: 3000, maxCallSendMsgSize: CLIENT_MAX_SEND });
}, { timeout: 30_000 });

after(async () => {
  await rpc?.close();
  await stopEtcd();
}, { timeout: 10_000 });

async function rangeOne(key: string, revision?: bigint) {
  return rpc.unary(KV.range, { key: enc(key), revision: revision ?? 0n }, { timeout: 5000 });
}

describe('rpc against a real etcd', { timeout: 60_000 }, () => {
  it('Put then Range', async () => {
    const put = await rpc.unary(KV.put, { key: enc('rpc/a'), value: enc('v1') });
    assert.ok(put.header !== undefined && put.header.revision > 0n);
    const got = await rangeOne('rpc/a');
    assert.equal(got.kvs.length, 1);
    assert.equal(dec(got.kvs[0]!.value), 'v1');
    assert.equal(got.kvs[0]!.modRevision, put.header.revision);
  });

  it('a Range at a future revision -> FutureRevisionError', async () => {
    await assert.rejects(rangeOne('rpc/a', 1_000_000n), (e: unknown) => {
      assert.ok(e instanceof FutureRevisionError, String(e));
      assert.equal(e.code, Status.OUT_OF_RANGE);
      assert.equal(e.details, 'etcdserver: mvcc: required revision is a future revision');
      return true;
    });
  });

  it('compact, then a Range at an older revision -> CompactedError', async () => {
    const first = await rpc.unary(KV.put, { key: enc('rpc/c'), value: enc('1') });
    const second = await rpc.unary(KV.put, { key: enc('rpc/c'), value: enc('2') });
    await rpc.unary(KV.compact, { revision: second.header!.revision, physical: true });
    await assert.rejects(rangeOne('rpc/c', first.header!.revision), (e: unknown) => {
      assert.ok(e instanceof CompactedError, String(e));
      assert.equal(e.code, Status.OUT_OF_RANGE);
      return true;
    });
    const now = await rangeOne('rpc/c', second.header!.revision);
    assert.equal(dec(now.kvs[0]!.value), '2');
  });

  it('a Put with an empty key -> EmptyKeyError from the server', async () => {
    await assert.rejects(rpc.unary(KV.put, { key: new Uint8Array(0), value: enc('x') }), (e: unknown) => {
      assert.ok(e instanceof EmptyKeyError, String(e));
      assert.equal(e.code, Status.INVALID_ARGUMENT);
      assert.equal(e.details, 'etcdserver: key is not provided');
      return true;
    });
  });

  it('a request over maxCallSendMsgSize -> RequestTooLargeError before sending', async () => {
    const value = new Uint8Array(CLIENT_MAX_SEND + 10).fill(97);
    await assert.rejects(rpc.unary(KV.put, { key: enc('rpc/too-big'), value }), (e: unknown) => {
      assert.ok(e instanceof RequestTooLargeError, String(e));
      assert.equal(e.limit, CLIENT_MAX_SEND);
      assert.ok(e.size !== undefined && e.size > CLIENT_MAX_SEND);
      assert.match(e.message, new RegExp(`${e.size} bytes.*${CLIENT_MAX_SEND} bytes`));
      return true;
    });
    const got = await rangeOne('rpc/too-big');
    assert.equal(got.kvs.length, 0, 'nothing was written');
  });

  it("a request over the server's --max-request-bytes -> the server's RequestTooLargeError", async () => {
    const value = new Uint8Array(SERVER_MAX_REQUEST_BYTES * 2).fill(98);
    assert.ok(value.length < CLIENT_MAX_SEND);
    await assert.rejects(rpc.unary(KV.put, { key: enc('rpc/big'), value }), (e: unknown) => {
      assert.ok(e instanceof RequestTooLargeError, String(e));
      assert.equal(e.details, 'etcdserver: request is too large');
      assert.equal(e.code, Status.INVALID_ARGUMENT);
      assert.equal(e.size, undefined);
      return true;
    });
    assert.equal((await rangeOne('rpc/big')).kvs.length, 0);
  });

  describe('deadlines and signals', () => {
    // A Range that takes the server many milliseconds: ~900 KB over 1000 keys.
    const PREFIX = 'rpc/heavy/';
    const heavyRange = { key: enc(PREFIX), rangeEnd: enc('rpc/heavy0') };

    before(async () => {
      const value = new Uint8Array(900).fill(99);
      const keys = Array.from({ length: 1000 }, (_, i) => `${PREFIX}${String(i).padStart(4, '0')}`);
      for (let i = 0; i < keys.length; i += 50) {
        await Promise.all(keys.slice(i, i + 50).map((k) => rpc.unary(KV.put, { key: enc(k), value })));
      }
      const all = await rpc.unary(KV.range, { ...heavyRange, countOnly: true });
      assert.equal(all.count, 1000n);
    }, { timeout: 30_000 });

    it('a 1 ms timeout on a Range -> DeadlineExceededError', async () => {
      const started = Date.now();
      await assert.rejects(rpc.unary(KV.range, heavyRange, { timeout: 1 }), (e: unknown) => {
        assert.ok(e instanceof DeadlineExceededError, String(e));
        assert.equal(e.code, Status.DEADLINE_EXCEEDED);
        assert.equal(e.timeout, 1);
        return true;
      });
      assert.ok(Date.now() - started < 1000);
    });

    it('timeout 0 -> DeadlineExceededError without sending; a bad timeout -> InvalidArgumentError', async () => {
      await assert.rejects(rpc.unary(KV.range, heavyRange, { timeout: 0 }), DeadlineExceededError);
      for (const bad of [-1, Number.NaN, Infinity, '5' as unknown as number]) {
        await assert.rejects(rpc.unary(KV.range, heavyRange, { timeout: bad }), /timeout must be a non-negative finite number/);
      }
    });

    it('an already aborted signal -> rejects with its reason', async () => {
      const reason = new Error('not wanted any more');
      await assert.rejects(rpc.unary(KV.put, { key: enc('rpc/aborted'), value: enc('x') }, { signal: AbortSignal.abort(reason) }), (e) => e === reason);
      assert.equal((await rangeOne('rpc/aborted')).kvs.length, 0, 'nothing was written');
      const plain = AbortSignal.abort();
      await assert.rejects(rpc.unary(KV.range, heavyRange, { signal: plain }), (e: unknown) => e === plain.reason && (e as Error).name === 'AbortError');
    });

    it('aborting during the call -> rejects with the reason', async () => {
      const controller = new AbortController();
      const reason = new Error('changed my mind');
      const call = rpc.unary(KV.range, heavyRange, { signal: controller.signal });
      setImmediate(() => controller.abort(reason));
      await assert.rejects(call, (e) => e === reason);
      // The connection is still usable.
      assert.equal(dec((await rangeOne('rpc/a')).kvs[0]!.value), 'v1');
    });

    it('server stream (Snapshot) as an async iterable; leaving the loop cancels it', async () => {
      let chunks = 0;
      let bytes = 0;
      for await (const chunk of rpc.serverStream(Maintenance.snapshot, {}, { timeout: 20_000 })) {
        chunks++;
        bytes += chunk.blob.length;
        if (chunks === 2) break;
      }
      assert.equal(chunks, 2);
      assert.ok(bytes > 0);
      // Still usable after the cancel.
      assert.equal(dec((await rangeOne('rpc/a')).kvs[0]!.value), 'v1');
    });
  });

  it('bidi stream (Watch): create, receive an event, cancel', async () => {
    const messages: Array<{ created: boolean; events: number; value?: string }> = [];
    let ended: Error | undefined | null = null;
    let notify: () => void = () => {};
    const next = () => new Promise<void>((resolve) => { notify = resolve; });
    let waiting = next();
    const stream = rpc.bidi(Watch.watch, {
      onMessage(m) {
        messages.push({ created: m.created, events: m.events.length, value: m.events[0] ? dec(m.events[0].kv!.value) : undefined });
        notify();
      },
      onEnd(error) {
        ended = error;
        notify();
      },
    });
    stream.write({ requestUnion: { $case: 'createRequest', value: { key: enc('rpc/w') } } });
    await waiting;
    assert.equal(messages[0]?.created, true);
    waiting = next();
    await rpc.unary(KV.put, { key: enc('rpc/w'), value: enc('seen') });
    await waiting;
    assert.equal(messages[1]?.value, 'seen');
    waiting = next();
    stream.cancel();
    await waiting;
    assert.ok(ended !== null && (ended as Error).name === 'AbortError', `onEnd got ${String(ended)}`);
  });

  it('two endpoints, the first a dead port -> the call succeeds via the second', async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    const client = new RpcClient({ endpoints: [dead, url], dialTimeout: 3000 });
    try {
      const got = await client.unary(KV.range, { key: enc('rpc/a') }, { timeout: 5000 });
      assert.equal(dec(got.kvs[0]!.value), 'v1');
      assert.equal(client.pinnedEndpoint.url, url);
    } finally {
      await client.close();
    }
  });

  it('all endpoints dead -> NoAvailableEndpointsError within dialTimeout, naming each endpoint', async () => {
    const deads = [`http://127.0.0.1:${await freePort()}`, `http://127.0.0.1:${await freePort()}`];
    const dialTimeout = 800;
    const client = new RpcClient({ endpoints: deads, dialTimeout });
    const started = Date.now();
    try {
      await assert.rejects(client.unary(KV.range, { key: enc('rpc/a') }), (e: unknown) => {
        assert.ok(e instanceof NoAvailableEndpointsError, String(e));
        for (const d of deads) assert.ok(e.message.includes(d), `names ${d}: ${e.message}`);
        assert.equal(e.endpoints.length, 2);
        assert.ok(e.endpoints.every((f) => f.error !== undefined));
        return true;
      });
      const elapsed = Date.now() - started;
      assert.ok(elapsed >= dialTimeout - 50 && elapsed < dialTimeout + 700, `failed after ${elapsed} ms`);
    } finally {
      await client.close();
    }
  });

  it('the caller deadline wins over dialTimeout while waiting for a connection', async () => {
    const client = new RpcClient({ endpoints: [`http://127.0.0.1:${await freePort()}`], dialTimeout: 5000 });
    const started = Date.now();
    try {
      await assert.rejects(client.unary(KV.range, { key: enc('k') }, { timeout: 300 }), (e: unknown) =>
        e instanceof DeadlineExceededError && e.cause instanceof NoAvailableEndpointsError);
      assert.ok(Date.now() - started < 1500);
    } finally {
      await client.close();
    }
  });

  it('after close(), calls reject with ClientClosedError', async () => {
    const client = new RpcClient({ endpoints: [url] });
    assert.equal(dec((await client.unary(KV.range, { key: enc('rpc/a') })).kvs[0]!.value), 'v1');
    await client.close();
    await assert.rejects(client.unary(KV.range, { key: enc('rpc/a') }), ClientClosedError);
  });
});
