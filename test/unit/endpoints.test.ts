/**
 * The endpoint list (src/rpc/endpoints.ts): parsing and its errors, and the picker's pin / rotate /
 * remember-errors / backoff / setEndpoints / admission policy, on stand-in connections whose
 * `ready()` succeeds or fails on command (the real connections are exercised in
 * test/integration/rpc.test.ts and test/integration/connection.test.ts).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ClientClosedError, ConnectionError, InvalidArgumentError, NoAvailableEndpointsError, NotSupportedError } from '../../src/errors/index.js';
import { ENDPOINT_BACKOFF_BASE_MS, ENDPOINT_BACKOFF_MAX_MS } from '../../src/rpc/defaults.js';
import { EndpointPicker, endpointBackoff, parseEndpoints } from '../../src/rpc/endpoints.js';
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

  it('an IPv6 endpoint with a zone ID is refused by the constructor, saying why', () => {
    for (const endpoint of ['http://[fe80::1%eth0]:2379', '[fe80::1%25eth0]:2379']) {
      assert.throws(() => new RpcClient({ endpoints: [endpoint] }), (e: unknown) =>
        e instanceof InvalidArgumentError && e.message.includes(`'${endpoint}'`) && /zone ID/.test(e.message), endpoint);
    }
    assert.deepEqual(parseEndpoints(['http://[fe80::1]:2379']).map((e) => e.host), ['fe80::1'], 'without a zone ID it parses');
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

/** A stand-in connection: `ready()` resolves or rejects as `outcome` says; `set()` changes state as a real one would. */
class StandIn implements Connection {
  state: ConnectionState = 'idle';
  readyCalls = 0;
  closed = false;
  readonly listeners = new Set<(state: ConnectionState, error?: CallError) => void>();
  constructor(readonly endpoint: Endpoint, public outcome: 'ok' | 'refuse') {}
  set(state: ConnectionState, error?: CallError): void {
    this.state = state;
    for (const l of this.listeners) l(state, error);
  }
  async ready(): Promise<void> {
    this.readyCalls++;
    if (this.outcome === 'ok') {
      if (this.state !== 'ready') this.set('ready');
      return;
    }
    const error = new CallError(Status.UNAVAILABLE, `connect ECONNREFUSED ${this.endpoint.host}:${this.endpoint.port}`, false);
    this.set('failing', error);
    throw error;
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
  onStateChange(listener: (state: ConnectionState, error?: CallError) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  async close(): Promise<void> {
    this.closed = true;
    this.state = 'closed';
  }
}

const endpointAt = (port: number): Endpoint => ({ url: `http://127.0.0.1:${port}`, host: '127.0.0.1', port, tls: false });

function picker(
  outcomes: Array<'ok' | 'refuse'>,
  dialTimeout = 300,
  options: Partial<ConstructorParameters<typeof EndpointPicker>[2]> = {},
) {
  const endpoints = outcomes.map((_, i) => endpointAt(i + 1));
  const made: StandIn[] = [];
  const p = new EndpointPicker(endpoints, (ep) => {
    const c = new StandIn(ep, outcomes[ep.port - 1] ?? 'ok');
    made.push(c);
    return c;
  }, { dialTimeout, ...options });
  const byPort = (port: number) => made.find((c) => c.endpoint.port === port)!;
  return { p, made, endpoints, byPort };
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

  it('close ends a wait for a connection at once, also one waiting out a backoff', async () => {
    const { p } = picker(['refuse'], 300, { random: () => 0.5 });
    // Failures in a row back the endpoint off up to 2 s: a wait is mostly asleep.
    await assert.rejects(p.connection(Date.now() + 700), NoAvailableEndpointsError);
    const waiting = p.connection(Date.now() + 10_000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const closedAt = Date.now();
    await p.close();
    await assert.rejects(waiting, ClientClosedError);
    assert.ok(Date.now() - closedAt < 100, `the wait ended ${Date.now() - closedAt} ms after close()`);
  });

  it('close closes the connections made', async () => {
    const { p, made } = picker(['ok', 'ok']);
    await p.connection(Date.now() + 1000);
    await p.close();
    assert.equal(made[0]!.closed, true);
  });
});

describe('round-robin (the default balancer)', () => {
  /** Lets the background connection attempts (stand-ins resolve at once) settle. */
  const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
  /** One turn of picks (the rotation passes every endpoint, starting the ones not ready), then settles. */
  const turn = async (p: EndpointPicker) => {
    for (let i = 0; i < p.endpoints.length; i++) p.pick();
    await settle();
  };

  it('unary picks rotate over the ready endpoints; streams stay on the pinned one', async () => {
    const { p, made } = picker(['ok', 'ok', 'ok']);
    assert.equal(p.pick(), undefined, 'nothing is ready before the first call');
    await p.connection(Date.now() + 1000);
    // The first pick finds endpoint 1 ready and starts 2 and 3 in the background.
    assert.equal(p.pick()?.endpoint.port, 1);
    await settle();
    assert.equal(made.length, 3, 'every endpoint connected');
    const ports = Array.from({ length: 9 }, () => p.pick()!.endpoint.port);
    assert.deepEqual(ports, [2, 3, 1, 2, 3, 1, 2, 3, 1]);
    assert.equal(p.readyConnection()?.endpoint.port, 1, 'the pinned endpoint (streams) does not rotate');
    assert.equal(p.pinned.port, 1);
  });

  it('an endpoint in backoff is skipped until its backoff ends; a refused one for good', async () => {
    const refusal = new NotSupportedError('http://127.0.0.1:3 (etcd 3.2 or newer)', '3.1.0');
    const { p, byPort } = picker(['ok', 'ok', 'ok'], 300, {
      random: () => 0.5,
      admit: async (c) => {
        if (c.endpoint.port === 3) throw refusal;
      },
    });
    await p.connection(Date.now() + 1000);
    await turn(p);
    await settle();
    assert.equal(p.failures()[2]!.error, refusal);
    p.reportFailure(byPort(2), new Error('no leader here'));
    const ports = Array.from({ length: 4 }, () => p.pick()!.endpoint.port);
    assert.deepEqual(ports, [1, 1, 1, 1], 'endpoint 2 backs off, endpoint 3 was refused');
    await new Promise((resolve) => setTimeout(resolve, ENDPOINT_BACKOFF_BASE_MS + 20));
    const later = Array.from({ length: 4 }, () => p.pick()!.endpoint.port);
    assert.deepEqual(later.sort(), [1, 1, 2, 2], 'endpoint 2 is back in the rotation after its backoff');
  });

  it('a connection that fails leaves the rotation and is connected again in the background after its backoff', async () => {
    const { p, byPort } = picker(['ok', 'ok'], 300, { random: () => 0.5 });
    await p.connection(Date.now() + 1000);
    await turn(p);
    byPort(2).set('failing', new CallError(Status.UNAVAILABLE, 'connection reset', true));
    assert.deepEqual([p.pick()!.endpoint.port, p.pick()!.endpoint.port], [1, 1]);
    await new Promise((resolve) => setTimeout(resolve, ENDPOINT_BACKOFF_BASE_MS + 20));
    const readyCalls = byPort(2).readyCalls;
    await turn(p); // passes endpoint 2 (out of backoff, not ready): starts it again

    assert.equal(byPort(2).readyCalls, readyCalls + 1, 'one background attempt');
    assert.deepEqual([p.pick()!.endpoint.port, p.pick()!.endpoint.port].sort(), [1, 2]);
  });

  it('a background attempt that fails backs the endpoint off like a call would', async () => {
    const { p, byPort } = picker(['ok', 'refuse'], 300, { random: () => 0.5 });
    await p.connection(Date.now() + 1000);
    await turn(p);
    assert.match(String(p.failures()[1]!.error), /ECONNREFUSED/);
    assert.equal(byPort(2).readyCalls, 1);
    for (let i = 0; i < 5; i++) assert.equal(p.pick()?.endpoint.port, 1);
    await settle();
    assert.equal(byPort(2).readyCalls, 1, 'not tried again while it backs off');
  });

  it("with balancer 'pinned' every pick is the pinned endpoint", async () => {
    const { p, made } = picker(['ok', 'ok', 'ok'], 300, { balancer: 'pinned' });
    await p.connection(Date.now() + 1000);
    const ports = Array.from({ length: 5 }, () => p.pick()!.endpoint.port);
    assert.deepEqual(ports, [1, 1, 1, 1, 1]);
    await turn(p);
    assert.equal(made.length, 1, 'no other endpoint is connected');
  });

  it('setEndpoints keeps the rotation within the new list', async () => {
    const { p } = picker(['ok', 'ok', 'ok']);
    await p.connection(Date.now() + 1000);
    await turn(p);
    p.pick();
    p.pick(); // the next pick would be endpoint 1 of 3
    p.setEndpoints([endpointAt(2)]);
    assert.equal(p.pick()?.endpoint.port, 2);
    assert.equal(p.pick()?.endpoint.port, 2);
  });
});

describe('endpoint backoff', () => {
  it('doubles from the base per consecutive failure, capped, with +-20% jitter', () => {
    const mid = () => 0.5;
    assert.equal(endpointBackoff(1, mid), ENDPOINT_BACKOFF_BASE_MS);
    assert.equal(endpointBackoff(2, mid), 2 * ENDPOINT_BACKOFF_BASE_MS);
    assert.equal(endpointBackoff(3, mid), 4 * ENDPOINT_BACKOFF_BASE_MS);
    assert.equal(endpointBackoff(50, mid), ENDPOINT_BACKOFF_MAX_MS);
    assert.equal(endpointBackoff(1, () => 0), ENDPOINT_BACKOFF_BASE_MS * 0.8);
    assert.ok(Math.abs(endpointBackoff(1, () => 0.999999) - ENDPOINT_BACKOFF_BASE_MS * 1.2) < 1e-3, 'upper jitter bound');
  });

  it('a failed endpoint is skipped while it backs off, then tried again', async () => {
    const { p, byPort } = picker(['ok', 'ok'], 300, { random: () => 0.5 });
    const first = await p.connection(Date.now() + 1000);
    p.reportFailure(first, new Error('no leader here'));
    assert.equal(p.pinned.port, 2);
    const second = await p.connection(Date.now() + 1000);
    assert.equal(second.endpoint.port, 2);
    p.reportFailure(second, new Error('no leader here either'));
    // Both back off now: the pin goes to the one that comes out of it first (port 1).
    const started = Date.now();
    const again = await p.connection(Date.now() + 1000);
    assert.equal(again.endpoint.port, 1);
    assert.ok(Date.now() - started < ENDPOINT_BACKOFF_BASE_MS + 50, 'ready connections are used without waiting');
    assert.equal(byPort(1).readyCalls, 1, 'the ready connection needed no new connect');
  });

  it('a single refused endpoint is retried after its backoff, not in a spin', async () => {
    const { p, made } = picker(['refuse'], 300, { random: () => 0.5 });
    await assert.rejects(p.connection(Date.now() + 350), NoAvailableEndpointsError);
    // 0 ms, +100, +200 (total 300): three attempts at most within 350 ms.
    assert.ok(made[0]!.readyCalls >= 2 && made[0]!.readyCalls <= 3, `${made[0]!.readyCalls} attempts`);
  });
});

describe('connection state changes', () => {
  it('a pinned connection that fails (keep-alive, broken link) moves the pin before the next call', async () => {
    const { p, byPort } = picker(['ok', 'ok', 'ok']);
    await p.connection(Date.now() + 1000);
    const error = new CallError(Status.UNAVAILABLE, 'keep-alive PING not answered within 4000 ms', true);
    byPort(1).set('failing', error);
    assert.equal(p.pinned.port, 2);
    assert.match(p.failures()[0]!.error!.message, /keep-alive PING/);
    assert.ok(p.failures()[0]!.error instanceof ConnectionError, String(p.failures()[0]!.error));
    const next = await p.connection(Date.now() + 1000);
    assert.equal(next.endpoint.port, 2);
  });

  it('a connection that becomes ready again clears its error and backoff', async () => {
    const { p, byPort } = picker(['ok', 'ok']);
    await p.connection(Date.now() + 1000);
    byPort(1).set('failing', new CallError(Status.UNAVAILABLE, 'reset', true));
    assert.notEqual(p.failures()[0]!.error, undefined);
    byPort(1).set('connecting');
    byPort(1).set('ready');
    assert.equal(p.failures()[0]!.error, undefined);
  });
});

describe('setEndpoints', () => {
  it('keeps the connections of endpoints in both lists and the pin', async () => {
    const { p, made } = picker(['ok', 'ok', 'ok']);
    const c2 = await (async () => {
      const first = await p.connection(Date.now() + 1000);
      p.reportFailure(first, new Error('x'));
      return p.connection(Date.now() + 1000);
    })();
    assert.equal(c2.endpoint.port, 2);
    p.setEndpoints([endpointAt(3), { ...endpointAt(2), url: '127.0.0.1:2' }]);
    assert.deepEqual(p.endpoints.map((e) => e.port), [3, 2]);
    assert.equal(p.pinned.port, 2, 'the pinned endpoint is kept');
    assert.equal(p.readyConnection(), c2, 'with its connection');
    assert.equal(made.find((c) => c.endpoint.port === 1)!.closed, true, 'a dropped idle endpoint is closed at once');
  });

  it('a dropped endpoint with calls running closes when the last one ends', async () => {
    const { p } = picker(['ok', 'ok']);
    const c1 = await p.connection(Date.now() + 1000) as StandIn;
    p.callStarted(c1);
    p.callStarted(c1);
    p.setEndpoints([endpointAt(2)]);
    assert.equal(p.pinned.port, 2);
    assert.equal(c1.closed, false);
    p.callEnded(c1);
    assert.equal(c1.closed, false);
    p.callEnded(c1);
    assert.equal(c1.closed, true);
    const c2 = await p.connection(Date.now() + 1000);
    assert.equal(c2.endpoint.port, 2);
  });

  it('rejects an empty list and works on the failures of the new list', async () => {
    const { p } = picker(['ok']);
    assert.throws(() => p.setEndpoints([]), InvalidArgumentError);
    p.setEndpoints([endpointAt(1), endpointAt(5)]);
    assert.deepEqual(p.failures().map((f) => f.endpoint), ['http://127.0.0.1:1', 'http://127.0.0.1:5']);
  });
});

describe('admission (rejectOldCluster)', () => {
  it('runs once per endpoint, before the connection is used', async () => {
    let checks = 0;
    const { p } = picker(['ok'], 300, { admit: async () => { checks++; } });
    const c = await p.connection(Date.now() + 1000);
    assert.equal(p.readyConnection(), c);
    await Promise.all([p.connection(Date.now() + 1000), p.connection(Date.now() + 1000)]);
    assert.equal(checks, 1);
  });

  it('a refused endpoint is never used; all refused -> the refusal at once', async () => {
    const refusal = new NotSupportedError('http://127.0.0.1:1 (etcd 3.2 or newer)', '3.1.0');
    const { p } = picker(['ok', 'ok'], 5000, { admit: async (c) => { if (c.endpoint.port === 1) throw refusal; } });
    const c = await p.connection(Date.now() + 1000);
    assert.equal(c.endpoint.port, 2);
    assert.equal(p.failures()[0]!.error, refusal);

    const old = picker(['ok', 'ok'], 5000, { admit: async () => { throw refusal; } }).p;
    const started = Date.now();
    await assert.rejects(old.connection(Date.now() + 5000), (e) => e === refusal);
    assert.ok(Date.now() - started < 500, 'no waiting for a dial timeout');
  });

  it('a failed check (not a refusal) is tried again', async () => {
    let calls = 0;
    const { p } = picker(['ok'], 300, {
      random: () => 0,
      admit: async () => {
        if (++calls === 1) throw new CallError(Status.UNAVAILABLE, 'status failed', true);
      },
    });
    const c = await p.connection(Date.now() + 1000);
    assert.equal(calls, 2);
    assert.equal(p.readyConnection(), c);
  });
});

describe('the error kept for an endpoint', () => {
  it('a real failure seen during a wait is not replaced by the wait running out on a retry', async () => {
    const endpoint = endpointAt(1);
    let attempts = 0;
    class FailsThenHangs extends StandIn {
      override async ready(deadline?: number): Promise<void> {
        attempts++;
        if (attempts === 1) {
          const error = new CallError(Status.UNAVAILABLE, 'self-signed certificate in certificate chain', false);
          this.set('failing', error);
          throw error;
        }
        this.set('connecting');
        await new Promise((r) => setTimeout(r, Math.max(0, (deadline ?? Date.now()) - Date.now())));
        throw new CallError(Status.UNAVAILABLE, 'not connected before the deadline', false);
      }
    }
    const p = new EndpointPicker([endpoint], (ep) => new FailsThenHangs(ep, 'ok'), { dialTimeout: 400, random: () => 0.5 });
    await assert.rejects(p.connection(Date.now() + 400), (e: unknown) => {
      assert.ok(e instanceof NoAvailableEndpointsError, String(e));
      assert.match(e.message, /self-signed certificate/);
      return true;
    });
    assert.ok(attempts >= 2, `${attempts} attempts`);
  });
});
