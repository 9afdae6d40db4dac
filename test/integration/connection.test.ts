/**
 * Connection behaviour against a real 3-member cluster: calls wait for a ready connection up to
 * their deadline, failover past a killed member, NoAvailableEndpointsError with each endpoint's
 * error, a SIGSTOPped member noticed by the keep-alive pings within keepAliveTime +
 * keepAliveTimeout (10 s by default), setEndpoints, autoSyncInterval, requireLeader (unary calls and
 * streams end with NoLeaderError on a member without leader) and rejectOldCluster (against etcd 3.4
 * and against a stand-in server that claims to be etcd 3.1).
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type ServerHttp2Stream } from 'node:http2';
import { after, before, describe, test } from 'node:test';

import type { Client } from '../../src/client.js';
import {
  ConnectionError,
  DeadlineExceededError,
  EtcdError,
  NoAvailableEndpointsError,
  NoLeaderError,
  NotSupportedError,
} from '../../src/errors/index.js';
import { etcdserverpb, Watch } from '../../src/proto/index.js';
import type { RpcClient } from '../../src/rpc/invoke.js';
import type { Logger } from '../../src/rpc/logger.js';
import { EtcdCluster, freePort, type EtcdMember } from '../../src/testing/index.js';

const enc = (s: string) => new TextEncoder().encode(s);

let cluster: EtcdCluster;

before(async () => {
  cluster = await EtcdCluster.start({ size: 3 });
  await cluster.client().put('conn/k', 'v');
}, { timeout: 30_000 });

after(async () => {
  await cluster?.close();
});

/** The member behind the endpoint a client calls now. */
function pinnedMember(client: Client): EtcdMember {
  const url = (client.rpc as RpcClient).pinnedEndpoint.url;
  const member = cluster.members.find((m) => m.endpoint === url);
  assert.ok(member !== undefined, `no member at ${url}`);
  return member;
}

/** Makes sure every member runs, unpaused, and the cluster has a leader (after a test that hurt it). */
async function restore(): Promise<void> {
  for (const m of cluster.members) {
    if (m.paused) await m.resume();
    if (!m.running) await m.start({ wait: false });
  }
  await cluster.waitHealthy();
  await cluster.leader();
}

/** A logger that keeps its lines. */
function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const keep = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    lines.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
  };
  return { lines, debug: keep('debug'), info: keep('info'), warn: keep('warn'), error: keep('error') };
}

async function within<T>(what: string, timeout: number, attempt: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const result = await attempt();
    if (result !== undefined) return result;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeout} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('connection', { timeout: 120_000 }, () => {
  test('a call waits for a ready connection up to its deadline; without one, the errors say why', async () => {
    const member = cluster.members[0]!;
    const dead = `http://127.0.0.1:${await freePort()}`;
    await member.stop();
    try {
      const client = cluster.client({ endpoints: [member.endpoint, dead], dialTimeout: 600 });
      // No timeout: dialTimeout bounds the wait; every endpoint's last error is named.
      await assert.rejects(client.get('conn/k'), (e: unknown) => {
        assert.ok(e instanceof NoAvailableEndpointsError, String(e));
        assert.deepEqual(e.endpoints.map((f) => f.endpoint), [member.endpoint, dead]);
        for (const f of e.endpoints) {
          assert.ok(f.error instanceof ConnectionError, String(f.error));
          assert.match(f.error.message, /ECONNREFUSED/);
          assert.ok(e.message.includes(f.endpoint), `the message names ${f.endpoint}`);
        }
        return true;
      });
      // A timeout shorter than dialTimeout: DeadlineExceededError, the endpoints' state as its cause.
      await assert.rejects(client.get('conn/k', { timeout: 200 }), (e: unknown) =>
        e instanceof DeadlineExceededError && e.cause instanceof NoAvailableEndpointsError);

      // The member comes back while a call waits: the call is served.
      const waiting = cluster.client({ endpoints: [member.endpoint], dialTimeout: 8000 });
      const started = Date.now();
      const pending = waiting.get('conn/k', { timeout: 8000 });
      await new Promise((r) => setTimeout(r, 500));
      await member.start({ wait: false });
      const got = await pending;
      assert.equal(got.kvs[0]?.value.toString(), 'v');
      assert.ok(Date.now() - started >= 500, 'the call waited for the member');
    } finally {
      await restore();
    }
  });

  test('failover: the member in use is killed; the next call goes to another', async () => {
    const logger = recordingLogger();
    const client = cluster.client({ logger });
    await client.get('conn/k');
    const used = pinnedMember(client);
    await used.kill();
    try {
      const started = Date.now();
      assert.equal((await client.get('conn/k', { timeout: 5000 })).kvs[0]?.value.toString(), 'v');
      assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
      assert.notEqual(pinnedMember(client), used);
      assert.ok(logger.lines.some((l) => l.startsWith('warn etcd endpoint failed; switching endpoint')), logger.lines.join('\n'));
    } finally {
      await restore();
    }
  });

  test('a SIGSTOPped member is left within keepAliveTime + keepAliveTimeout (10 s by default)', async (t) => {
    const logger = recordingLogger();
    const client = cluster.client({ logger });
    await client.get('conn/k');
    const frozen = pinnedMember(client);
    await frozen.pause();
    try {
      const started = Date.now();
      // No timeout: only the keep-alive can tell that the member is gone; the read is then retried elsewhere.
      assert.equal((await client.get('conn/k')).kvs[0]?.value.toString(), 'v');
      const took = Date.now() - started;
      assert.ok(took < 10_000 + 1_500, `the read took ${took} ms`);
      t.diagnostic(`SIGSTOPped member left after ${took} ms`);
      assert.notEqual(pinnedMember(client), frozen);
      assert.ok(logger.lines.some((l) => /keep-alive PING .* not answered within 4000 ms/.test(l)), logger.lines.join('\n'));
    } finally {
      await restore();
    }
  });

  test('setEndpoints: calls move to the new list; bad lists change nothing', async () => {
    const [m0, m1, m2] = cluster.members as [EtcdMember, EtcdMember, EtcdMember];
    const client = cluster.client({ endpoints: [m0.endpoint] });
    await client.get('conn/k');
    client.setEndpoints([m1.endpoint, m2.endpoint]);
    assert.deepEqual(client.endpoints, [m1.endpoint, m2.endpoint]);
    assert.throws(() => client.setEndpoints([]), /at least one endpoint/);
    assert.deepEqual(client.endpoints, [m1.endpoint, m2.endpoint]);
    await m0.stop();
    try {
      const started = Date.now();
      assert.equal((await client.get('conn/k', { timeout: 3000 })).kvs[0]?.value.toString(), 'v');
      assert.ok(Date.now() - started < 1000, `took ${Date.now() - started} ms`);
      assert.notEqual(pinnedMember(client), m0);
    } finally {
      await restore();
    }
  });

  test('autoSyncInterval: the endpoint list is refreshed from the member list', async () => {
    const m0 = cluster.members[0]!;
    const client = cluster.client({ endpoints: [m0.endpoint], autoSyncInterval: 200 });
    await within('synced', 5000, async () => (client.endpoints.length === 3 ? true : undefined));
    assert.deepEqual([...client.endpoints].sort(), [...cluster.endpoints].sort());
    await m0.kill();
    try {
      assert.equal((await client.get('conn/k', { timeout: 5000 })).kvs[0]?.value.toString(), 'v');
    } finally {
      await restore();
    }
  });

  test('requireLeader: a member that lost its leader answers NoLeaderError, and its streams end with it', async (t) => {
    const leader = await cluster.leader();
    const lone = cluster.members.find((m) => m !== leader)!;
    const others = cluster.members.filter((m) => m !== lone);
    const client = cluster.client({ endpoints: [lone.endpoint], requireLeader: true });
    const plain = cluster.client({ endpoints: [lone.endpoint] });
    await client.get('conn/k');
    await plain.get('conn/k');

    // A watch stream opened with require-leader before the member loses its leader.
    const stream: { end?: Error | undefined } = {};
    const ended = new Promise<void>((resolve) => {
      const watch = client.rpc.bidi(Watch.watch, {
        onMessage() {},
        onEnd(error) {
          stream.end = error;
          resolve();
        },
      });
      watch.write({ requestUnion: { $case: 'createRequest', value: { key: enc('conn/w') } } });
    });

    for (const m of others) await m.pause();
    try {
      const started = Date.now();
      // A read is retried (another member might have a leader) until its deadline, which it then
      // reports with the member's answer as the cause.
      const error = await within('NoLeaderError', 15_000, async () => {
        const failure = await client.get('conn/k', { timeout: 1000 }).then(() => undefined, (e: unknown) => e);
        assert.ok(failure instanceof EtcdError, `a typed error, got ${String(failure)}`);
        return failure instanceof DeadlineExceededError && failure.cause instanceof NoLeaderError ? failure.cause : undefined;
      });
      assert.equal(error.details, 'etcdserver: no leader');
      const noLeaderAfter = Date.now() - started;
      // Without a timeout, the read ends after its bounded attempts (100 x 25 ms) with NoLeaderError.
      await assert.rejects(client.get('conn/k'), NoLeaderError);
      // A write gets the answer at once (never retried: it may not be applied twice). etcd 3.4's
      // view of its leader flickers while it campaigns alone, so an attempt may time out first.
      await within('a put refused with NoLeaderError', 10_000, async () => {
        const quick = Date.now();
        const failure = await client.put('conn/k', 'no leader', { timeout: 1000 }).then(() => undefined, (e: unknown) => e);
        assert.ok(failure instanceof EtcdError, `a typed error, got ${String(failure)}`);
        return failure instanceof NoLeaderError && Date.now() - quick < 1000 ? true : undefined;
      });
      // Without requireLeader a read just waits for a leader until its deadline.
      await assert.rejects(plain.get('conn/k', { timeout: 1000 }), DeadlineExceededError);
      // The stream ends with NoLeaderError (etcd checks every election timeout, 3 times) instead of hanging.
      await Promise.race([ended, new Promise((_, reject) => setTimeout(() => reject(new Error('the watch stream did not end')), 15_000))]);
      assert.ok(stream.end instanceof NoLeaderError, `stream ended with ${String(stream.end)}`);
      t.diagnostic(`NoLeaderError after ${noLeaderAfter} ms; stream ended after ${Date.now() - started} ms`);
    } finally {
      await restore();
    }
  });

  test('rejectOldCluster: etcd 3.4 is accepted', async () => {
    const client = cluster.client({ rejectOldCluster: true });
    assert.equal((await client.get('conn/k')).kvs[0]?.value.toString(), 'v');
  });
});

describe('rejectOldCluster against a server claiming etcd 3.1', { timeout: 20_000 }, () => {
  /** A gRPC server on node:http2 that answers Maintenance.Status with version 3.1.0 and UNIMPLEMENTED to all else. */
  async function oldServer() {
    const paths: string[] = [];
    const server = createServer();
    server.on('stream', (stream: ServerHttp2Stream, headers) => {
      const path = String(headers[':path']);
      paths.push(path);
      stream.on('data', () => {});
      stream.on('end', () => {
        if (path === '/etcdserverpb.Maintenance/Status') {
          const body = etcdserverpb.StatusResponse.encode(etcdserverpb.StatusResponse.fromPartial({ version: '3.1.0' })).finish();
          const frame = Buffer.alloc(5 + body.length);
          frame.writeUInt32BE(body.length, 1);
          frame.set(body, 5);
          stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
          stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
          stream.end(frame);
        } else {
          stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '12', 'grpc-message': 'unknown service' }, { endStream: true });
        }
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    return { url, paths, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
  }

  test('calls fail at once with a NotSupportedError naming the version; nothing else is sent', async () => {
    const old = await oldServer();
    try {
      const client = cluster.client({ endpoints: [old.url], rejectOldCluster: true, dialTimeout: 5000 });
      const started = Date.now();
      await assert.rejects(client.get('conn/k'), (e: unknown) => {
        assert.ok(e instanceof NotSupportedError, String(e));
        assert.equal(e.serverVersion, '3.1.0');
        assert.equal(e.message, `${old.url} runs etcd 3.1.0; this client requires etcd 3.2 or newer (rejectOldCluster)`);
        return true;
      });
      assert.ok(Date.now() - started < 1000, 'no waiting for dialTimeout');
      assert.deepEqual(old.paths, ['/etcdserverpb.Maintenance/Status']);
      await client.close();

      // Without the option the call reaches the server.
      const lax = cluster.client({ endpoints: [old.url] });
      await assert.rejects(lax.get('conn/k'), NotSupportedError);
      assert.equal(old.paths.at(-1), '/etcdserverpb.KV/Range');
      await lax.close();
    } finally {
      await old.close();
    }
  });
});
