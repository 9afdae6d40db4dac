/**
 * Connection options of the rpc layer without a server: option checks (requireLeader,
 * rejectOldCluster, autoSyncInterval), the require-leader metadata on every call, the
 * rejectOldCluster version test (src/rpc/version-check.ts), and the autoSync member filter and
 * timer (src/rpc/autosync.ts). Calls go to stand-in connections (RpcOptions.createConnection) that
 * record what they were given; the real thing runs in test/integration/connection.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { Client } from '../../src/client.js';
import { InvalidArgumentError, NotSupportedError } from '../../src/errors/index.js';
import { KV, Watch, type Member } from '../../src/proto/index.js';
import { AutoSync, memberClientUrls, type SyncTarget } from '../../src/rpc/autosync.js';
import { RpcClient } from '../../src/rpc/invoke.js';
import { checkServerVersion, isSupportedServerVersion } from '../../src/rpc/version-check.js';
import type { CallOptions, Connection, ConnectionState, Endpoint, Stream, StreamHandlers } from '../../src/transport/types.js';

/** Answers every unary call with an empty RangeResponse and records each call's metadata. */
class Recorder implements Connection {
  state: ConnectionState = 'ready';
  readonly seen: Array<{ path: string; metadata: Record<string, string> | undefined }> = [];
  constructor(readonly endpoint: Endpoint) {}
  async ready(): Promise<void> {}
  async unary(path: string, _request: Uint8Array, options?: CallOptions): Promise<Uint8Array> {
    this.seen.push({ path, metadata: options?.metadata });
    return KV.range.encode({});
  }
  serverStream(): Stream {
    throw new Error('not used');
  }
  bidi(path: string, handlers: StreamHandlers, options?: CallOptions): Stream {
    this.seen.push({ path, metadata: options?.metadata });
    queueMicrotask(() => handlers.onEnd(undefined, {}));
    return { write: () => true, end: () => {}, cancel: () => {} };
  }
  onStateChange(): () => void {
    return () => {};
  }
  async close(): Promise<void> {}
}

function recorded(options: ConstructorParameters<typeof RpcClient>[0] = {}) {
  const connections: Recorder[] = [];
  const rpc = new RpcClient({
    endpoints: ['http://127.0.0.1:1'],
    ...options,
    createConnection: (endpoint) => {
      const c = new Recorder(endpoint);
      connections.push(c);
      return c;
    },
  });
  return { rpc, seen: () => connections.flatMap((c) => c.seen) };
}

describe('option checks', () => {
  it('requireLeader and rejectOldCluster must be booleans; autoSyncInterval a non-negative number of ms', () => {
    assert.throws(() => new RpcClient({ requireLeader: 'yes' as never }), /requireLeader must be true or false, got "yes"/);
    assert.throws(() => new RpcClient({ rejectOldCluster: 1 as never }), /rejectOldCluster must be true or false/);
    assert.throws(() => new RpcClient({ autoSyncInterval: -1 }), /autoSyncInterval must be a non-negative finite number of milliseconds/);
    assert.throws(() => new RpcClient({ autoSyncInterval: Infinity }), InvalidArgumentError);
    assert.throws(() => new Client({ requireLeader: null as never }), InvalidArgumentError);
  });

  it('setEndpoints checks the list before changing anything', async () => {
    const client = new Client({ endpoints: ['http://127.0.0.1:1'] });
    try {
      assert.throws(() => client.setEndpoints([]), /at least one endpoint/);
      assert.throws(() => client.setEndpoints(['http://127.0.0.1']), /no port/);
      assert.throws(() => client.setEndpoints(['https://a:1', 'http://b:2']), /mix TLS/);
      assert.deepEqual(client.endpoints, ['http://127.0.0.1:1']);
      client.setEndpoints(['http://127.0.0.1:2', 'http://127.0.0.1:3']);
      assert.deepEqual(client.endpoints, ['http://127.0.0.1:2', 'http://127.0.0.1:3']);
    } finally {
      await client.close();
    }
    assert.throws(() => client.setEndpoints(['http://127.0.0.1:2']), /closed/);
  });
});

describe('requireLeader', () => {
  it('sends hasleader: true with every unary call and stream', async () => {
    const { rpc, seen } = recorded({ requireLeader: true, metadata: () => ({ token: 't' }) });
    await rpc.unary(KV.range, { key: new Uint8Array([1]) });
    await new Promise<void>((resolve) => rpc.bidi(Watch.watch, { onMessage() {}, onEnd: () => resolve() }, { metadata: { extra: '1' } }));
    assert.deepEqual(seen(), [
      { path: KV.range.path, metadata: { hasleader: 'true', token: 't' } },
      { path: Watch.watch.path, metadata: { hasleader: 'true', token: 't', extra: '1' } },
    ]);
    await rpc.close();
  });

  it('sends nothing extra without it', async () => {
    const { rpc, seen } = recorded();
    await rpc.unary(KV.range, { key: new Uint8Array([1]) });
    assert.equal(seen()[0]!.metadata, undefined);
    await rpc.close();
  });
});

describe('rejectOldCluster version test', () => {
  it('accepts 3.2 and newer, refuses older and unreadable versions', () => {
    for (const ok of ['3.2.0', '3.4.23', '3.5.0-rc.1', '3.10.1', '4.0.0', 'v3.6.0', '3.2']) assert.equal(isSupportedServerVersion(ok), true, ok);
    for (const old of ['3.1.20', '3.0.0', '2.3.8']) assert.equal(isSupportedServerVersion(old), false, old);
    for (const bad of ['', 'banana', '3']) assert.equal(isSupportedServerVersion(bad), undefined, bad);
  });

  it('the refusal is a NotSupportedError naming the endpoint, its version and the requirement', () => {
    assert.doesNotThrow(() => checkServerVersion('3.4.23', 'http://a:1'));
    assert.throws(() => checkServerVersion('3.1.0', 'http://a:1'), (e: unknown) => {
      assert.ok(e instanceof NotSupportedError, String(e));
      assert.equal(e.serverVersion, '3.1.0');
      assert.equal(e.message, 'http://a:1 runs etcd 3.1.0; this client requires etcd 3.2 or newer (rejectOldCluster)');
      return true;
    });
    assert.throws(() => checkServerVersion('', 'http://a:1'), /reports an unreadable version ""/);
  });
});

describe('autoSync', () => {
  const member = (name: string, urls: string[], isLearner = false): Member => ({ ID: 1n, name, peerURLs: [], clientURLs: urls, isLearner });

  it('takes the client URLs of started voting members, once each, in member order', () => {
    assert.deepEqual(memberClientUrls([
      member('a', ['http://10.0.0.1:2379', 'http://10.0.0.9:2379']),
      member('', ['http://10.0.0.2:2379']), // added, not started
      member('l', ['http://10.0.0.3:2379'], true), // a learner
      member('b', ['http://10.0.0.1:2379', 'http://10.0.0.4:2379']),
    ]), ['http://10.0.0.1:2379', 'http://10.0.0.9:2379', 'http://10.0.0.4:2379']);
  });

  it('refreshes every interval until stopped; a failed refresh keeps the list', async () => {
    const lists: string[][] = [];
    let calls = 0;
    const target: SyncTarget = {
      async unary<Req, Res>(): Promise<Res> {
        calls++;
        if (calls === 2) throw new Error('member list failed');
        return { header: undefined, members: [member('a', [`http://10.0.0.${calls}:2379`])] } as Res;
      },
      setEndpoints(endpoints) {
        lists.push([...endpoints]);
      },
      endpoints: [],
    };
    const debug: string[] = [];
    const logger = { debug: (m: string) => debug.push(m), info: (m: string) => debug.push(m), warn() {}, error() {} };
    const sync = new AutoSync(target, 20, logger);
    const deadline = Date.now() + 5000;
    while (calls < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    sync.stop();
    const after = calls;
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(calls, after, 'no refresh after stop()');
    assert.deepEqual(lists.slice(0, 2), [['http://10.0.0.1:2379'], ['http://10.0.0.3:2379']]);
    assert.ok(debug.some((m) => /auto-sync failed/.test(m)), 'the failure was logged');
  });
});
