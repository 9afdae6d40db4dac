/**
 * The endpoint list (src/rpc/endpoints.ts): parsing and its errors, and the picker's pin / rotate /
 * remember-errors policy, on stand-in connections whose `ready()` succeeds or fails on command (the
 * real connections are exercised in test/integration/rpc.test.ts).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ConnectionError, InvalidArgumentError, NoAvailableEndpointsError } from '../../src/errors.js';
import { EndpointPicker, parseEndpoints } from '../../src/rpc/endpoints.js';
import { RpcClient } from '../../src/rpc/invoke.js';
import { CallError, Status, type Connection, type ConnectionState, type Endpoint } from '../../src/transport/types.js';

describe('parseEndpoints', () => {
  it('parses http, https and bare host:port', () => {
    assert.deepEqual(parseEndpoints(['http://127.0.0.1:2379']), [{ url: 'http://127.0.0.1:2379', host: '127.0.0.1', port: 2379, tls: false }]);
    assert.deepEqual(parseEndpoints(['127.0.0.1:2379']), [{ url: '127.0.0.1:2379', host: '127.0.0.1', port: 2379, tls: false }]);
    const secure = parseEndpoints(['https://h:2379', 'https://k:2380']);
    assert.deepEqual(secure.map((e) => [e.host, e.port, e.tls]), [['h', 2379, true], ['k', 2380, true]]);
  });

  it('accepts a comma-separated string, as etcdctl --endpoints', () => {
    const eps = parseEndpoints('http://127.0.0.1:2379, http://127.0.0.1:22379');
    assert.deepEqual(eps.map((e) => e.port), [2379, 22379]);
  });

  it('an empty list is an InvalidArgumentError', () => {
    for (const empty of [[], '', ' , ']) {
      assert.throws(() => parseEndpoints(empty as string[] | string), (e: unknown) =>
        e instanceof InvalidArgumentError && /at least one endpoint/.test(e.message));
    }
  });

  it('a malformed endpoint is an InvalidArgumentError naming it', () => {
    for (const bad of ['http://127.0.0.1', 'ftp://h:1', 'h:99999', 'http://h:2379/path']) {
      assert.throws(() => parseEndpoints(['http://ok:1', bad]), (e: unknown) =>
        e instanceof InvalidArgumentError && e.message.includes(`'${bad}'`), bad);
    }
  });

  it('non-strings are an InvalidArgumentError', () => {
    assert.throws(() => parseEndpoints([42 as unknown as string]), InvalidArgumentError);
    assert.throws(() => parseEndpoints(['']), InvalidArgumentError);
    assert.throws(() => parseEndpoints(undefined as unknown as string[]), InvalidArgumentError);
  });

  it('mixing http and https is an InvalidArgumentError naming both', () => {
    assert.throws(() => parseEndpoints(['https://a:1', 'http://b:2']), (e: unknown) =>
      e instanceof InvalidArgumentError && /https:\/\/a:1/.test(e.message) && /http:\/\/b:2/.test(e.message));
    assert.throws(() => parseEndpoints(['https://a:1', 'b:2']), InvalidArgumentError);
  });

  it('RpcClient rejects bad endpoints and options before connecting', () => {
    assert.throws(() => new RpcClient({ endpoints: [] }), InvalidArgumentError);
    assert.throws(() => new RpcClient({ endpoints: ['http://a:1', 'https://b:2'] }), InvalidArgumentError);
    assert.throws(() => new RpcClient({ dialTimeout: 0 }), /dialTimeout/);
    assert.throws(() => new RpcClient({ keepAliveTime: -1 }), /keepAliveTime/);
    assert.throws(() => new RpcClient({ maxCallSendMsgSize: 10, maxCallRecvMsgSize: 5 }), /maxCallRecvMsgSize/);
    assert.throws(() => new RpcClient({ maxCallSendMsgSize: 1.5 }), /maxCallSendMsgSize/);
    assert.throws(() => new RpcClient({ logger: {} as never }), /logger/);
  });
});

/** A stand-in connection: `ready()` resolves or rejects as `outcome` says. */
class StandIn implements Connection {
  state: ConnectionState = 'idle';
  readyCalls = 0;
  closed = false;
  constructor(readonly endpoint: Endpoint, public outcome: 'ok' | 'refuse') {}
  async ready(): Promise<void> {
    this.readyCalls++;
    if (this.outcome === 'ok') {
      this.state = 'ready';
      return;
    }
    this.state = 'failing';
    throw new CallError(Status.UNAVAILABLE, `connect ECONNREFUSED ${this.endpoint.host}:${this.endpoint.port}`, false);
  }
  unary(): Promise<Uint8Array> {
    throw new Error('not used');
  }
  serverStream(): never {
    throw new Error('not used');
  }
  bidi(): never {
    throw new Error('not used');
  }
  onStateChange(): () => void {
    return () => {};
  }
  async close(): Promise<void> {
    this.closed = true;
    this.state = 'closed';
  }
}

function picker(outcomes: Array<'ok' | 'refuse'>, dialTimeout = 300) {
  const endpoints = outcomes.map((_, i): Endpoint => ({ url: `http://127.0.0.1:${i + 1}`, host: '127.0.0.1', port: i + 1, tls: false }));
  const made: StandIn[] = [];
  const p = new EndpointPicker(endpoints, (ep) => {
    const c = new StandIn(ep, outcomes[ep.port - 1]!);
    made.push(c);
    return c;
  }, { dialTimeout });
  return { p, made, endpoints };
}

describe('EndpointPicker', () => {
  it('creates connections lazily, one per endpoint', async () => {
    const { p, made } = picker(['ok', 'ok']);
    assert.equal(made.length, 0);
    assert.equal(p.readyConnection(), undefined);
    const c = await p.connection(Date.now() + 1000);
    assert.equal(made.length, 1);
    assert.equal(c.endpoint.port, 1);
    assert.equal(p.readyConnection(), c, 'pinned and ready: the fast path');
    assert.equal(await p.connection(Date.now() + 1000), c);
    assert.equal(made.length, 1);
  });

  it('moves past a refused endpoint and remembers its error', async () => {
    const { p } = picker(['refuse', 'ok']);
    const c = await p.connection(Date.now() + 1000);
    assert.equal(c.endpoint.port, 2);
    assert.equal(p.pinned.port, 2);
    const failures = p.failures();
    assert.ok(failures[0]!.error instanceof ConnectionError);
    assert.match(failures[0]!.error.message, /ECONNREFUSED/);
    assert.equal(failures[1]!.error, undefined);
  });

  it('reportFailure moves the pin round robin, once per failure', async () => {
    const { p } = picker(['ok', 'ok', 'ok']);
    const first = await p.connection(Date.now() + 1000);
    p.reportFailure(first, new Error('broken'));
    assert.equal(p.pinned.port, 2);
    p.reportFailure(first, new Error('broken again')); // a second report for the old endpoint does not skip one
    assert.equal(p.pinned.port, 2);
    const second = await p.connection(Date.now() + 1000);
    p.reportFailure(second, new Error('x'));
    const third = await p.connection(Date.now() + 1000);
    p.reportFailure(third, new Error('y'));
    assert.equal(p.pinned.port, 1, 'wraps around');
  });

  it('all refused: NoAvailableEndpointsError at the deadline, naming each endpoint', async () => {
    const { p, made } = picker(['refuse', 'refuse']);
    const started = Date.now();
    await assert.rejects(p.connection(started + 250), (e: unknown) => {
      assert.ok(e instanceof NoAvailableEndpointsError);
      assert.equal(e.endpoints.length, 2);
      assert.match(e.message, /127\.0\.0\.1:1 \(.*ECONNREFUSED 127\.0\.0\.1:1/);
      assert.match(e.message, /127\.0\.0\.1:2 \(.*ECONNREFUSED 127\.0\.0\.1:2/);
      return true;
    });
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 240 && elapsed < 1000, `gave up after ${elapsed} ms`);
    assert.ok(made[0]!.readyCalls >= 2, 'retried in rounds with a pause, not once');
    assert.ok(made[0]!.readyCalls < 10, `paused between rounds (${made[0]!.readyCalls} tries)`);
  });

  it('an aborted signal rejects with its reason', async () => {
    const { p } = picker(['refuse']);
    const controller = new AbortController();
    const reason = new Error('caller gave up');
    const waiting = p.connection(Date.now() + 5000, controller.signal);
    setImmediate(() => controller.abort(reason));
    await assert.rejects(waiting, (e) => e === reason);
  });

  it('close closes the connections made', async () => {
    const { p, made } = picker(['ok', 'ok']);
    await p.connection(Date.now() + 1000);
    await p.close();
    assert.equal(made[0]!.closed, true);
  });
});
