// Client options: checks, defaults, and that a client neither connects nor sends on bad input
// (no server: a client made here is never used for a call that reaches one).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { Client, CLIENT_DEFAULTS, resolveClientOptions, type ClientOptions } from '../../src/client.js';
import { ClientClosedError, EmptyKeyError, InvalidArgumentError } from '../../src/errors/index.js';
import { op } from '../../src/kv/op.js';

function rejects(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof InvalidArgumentError, `expected InvalidArgumentError, got ${String(error)}`);
    assert.match(error.message, pattern);
    return true;
  });
}

const options = (o: Record<string, unknown>): ClientOptions => o as ClientOptions;
/** A plain-JS options object the types would not allow (to check the runtime checks). */
const untyped = (o: Record<string, unknown>): object => o;

describe('resolveClientOptions', () => {
  test('defaults: the local endpoint, everything else left to the rpc layer defaults', () => {
    assert.deepEqual(resolveClientOptions(undefined), { endpoints: ['http://127.0.0.1:2379'] });
    assert.deepEqual(resolveClientOptions({}), { endpoints: ['http://127.0.0.1:2379'] });
    assert.deepEqual(CLIENT_DEFAULTS.endpoints, ['http://127.0.0.1:2379']);
    assert.equal(CLIENT_DEFAULTS.dialTimeout, 5000);
    assert.equal(CLIENT_DEFAULTS.maxCallSendMsgSize, 2 * 1024 * 1024);
    assert.equal(CLIENT_DEFAULTS.maxCallRecvMsgSize, 2 ** 31 - 1);
  });
  test('every option passes through', () => {
    const logger = { debug() {}, info() {}, warn() {}, error() {} };
    const resolved = resolveClientOptions({
      endpoints: ['http://10.0.0.1:2379', 'http://10.0.0.2:2379'],
      dialTimeout: 1500,
      keepAliveTime: 0,
      keepAliveTimeout: 3000,
      maxCallSendMsgSize: 1024,
      maxCallRecvMsgSize: 4096,
      tls: { ca: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n', rejectUnauthorized: false, servername: 'etcd' },
      logger,
    });
    assert.deepEqual(resolved.endpoints, ['http://10.0.0.1:2379', 'http://10.0.0.2:2379']);
    assert.equal(resolved.dialTimeout, 1500);
    assert.equal(resolved.keepAliveTime, 0);
    assert.equal(resolved.keepAliveTimeout, 3000);
    assert.equal(resolved.maxCallSendMsgSize, 1024);
    assert.equal(resolved.maxCallRecvMsgSize, 4096);
    assert.equal(resolved.logger, logger);
  });
  test('undefined values are ignored', () => {
    assert.deepEqual(resolveClientOptions({ dialTimeout: undefined }), { endpoints: ['http://127.0.0.1:2379'] });
  });
  test('an unknown option is named', () => {
    rejects(() => resolveClientOptions(options({ endpoint: 'http://x:1' })),
      /^unknown option 'endpoint' for the client; known options: endpoints, dialTimeout, keepAliveTime, keepAliveTimeout, maxCallSendMsgSize, maxCallRecvMsgSize, tls, logger, username, password, requireLeader, rejectOldCluster, balancer, maxUnaryRetries, backoffWaitBetween, backoffJitterFraction, autoSyncInterval, signal, metrics, tracing$/);
  });
  test('bad values are named', () => {
    rejects(() => resolveClientOptions(options({ endpoints: [] })), /endpoints must be a non-empty array/);
    rejects(() => resolveClientOptions(options({ endpoints: 'http://x:1' })), /endpoints must be a non-empty array/);
    rejects(() => resolveClientOptions(options({ endpoints: [''] })), /endpoints must hold URL strings/);
    rejects(() => resolveClientOptions(options({ endpoints: [5] })), /endpoints must hold URL strings .* got 5/);
    rejects(() => resolveClientOptions(options({ tls: true })), /tls must be an object, got true/);
    rejects(() => resolveClientOptions(options({ tls: { cafile: 'x' } })), /unknown option 'cafile' for tls; known options: ca, caFile, cert, certFile, key, keyFile, passphrase, pfx, pfxFile, crl, crlFile, servername, minVersion, maxVersion, ciphers, checkServerIdentity, insecureSkipVerify, rejectUnauthorized$/);
    rejects(() => resolveClientOptions(options({ tls: { ca: 5 } })), /tls.ca must be a PEM string or Buffer/);
    rejects(() => resolveClientOptions(options({ tls: { rejectUnauthorized: 'no' } })), /tls.rejectUnauthorized must be a boolean/);
    rejects(() => resolveClientOptions(5 as unknown as ClientOptions), /client options must be an object, got 5/);
  });
});

describe('Client', () => {
  test('bad options throw from the constructor', () => {
    rejects(() => new Client(options({ dialtimeout: 5 })), /unknown option 'dialtimeout'/);
    rejects(() => new Client(options({ dialTimeout: 0 })), /dialTimeout must be a positive finite number of milliseconds, got 0/);
    rejects(() => new Client(options({ dialTimeout: '5s' })), /dialTimeout must be a positive finite number/);
    rejects(() => new Client(options({ keepAliveTime: -1 })), /keepAliveTime must be a non-negative finite number of milliseconds/);
    rejects(() => new Client(options({ keepAliveTimeout: Infinity })), /keepAliveTimeout must be a positive finite number/);
    rejects(() => new Client(options({ maxCallSendMsgSize: 1.5 })), /maxCallSendMsgSize must be a positive integer/);
    rejects(() => new Client(options({ maxCallRecvMsgSize: 0 })), /maxCallRecvMsgSize must be a positive integer/);
    rejects(() => new Client(options({ logger: {} })), /logger must be an object with debug, info, warn and error methods/);
    rejects(() => new Client(options({ logger: null })), /logger must be an object/);
    rejects(() => new Client(options({ balancer: 'random' })), /^balancer must be 'round-robin' or 'pinned', got "random"$/);
    rejects(() => new Client(options({ maxUnaryRetries: 0 })), /^maxUnaryRetries must be a positive integer, got 0$/);
    rejects(() => new Client(options({ maxUnaryRetries: 2.5 })), /^maxUnaryRetries must be a positive integer, got 2.5$/);
    rejects(() => new Client(options({ backoffWaitBetween: -1 })), /^backoffWaitBetween must be a non-negative finite number of milliseconds \(0 = no pause\), got -1$/);
    rejects(() => new Client(options({ backoffWaitBetween: '25ms' })), /^backoffWaitBetween must be a non-negative finite number/);
    rejects(() => new Client(options({ backoffJitterFraction: 1.5 })), /^backoffJitterFraction must be a fraction from 0 to 1 \(0.1 = \+-10%\), got 1.5$/);
    rejects(() => new Client(options({ backoffJitterFraction: NaN })), /^backoffJitterFraction must be a fraction from 0 to 1/);
  });
  test('signal: an AbortSignal; aborting it closes the client, an aborted one makes a closed client', async () => {
    rejects(() => new Client(options({ signal: 'stop' })), /^signal must be an AbortSignal, got "stop"$/);
    const closed = new Client({ endpoints: ['http://127.0.0.1:9'], signal: AbortSignal.abort() });
    await assert.rejects(closed.get('k'), ClientClosedError);
    const controller = new AbortController();
    // Nothing listens on port 9: the get waits for a connection (backing off) until the abort.
    const client = new Client({ endpoints: ['http://127.0.0.1:9'], dialTimeout: 60_000, signal: controller.signal });
    const pending = client.get('k');
    await new Promise((resolve) => setTimeout(resolve, 100));
    controller.abort();
    await assert.rejects(pending, ClientClosedError);
    await assert.rejects(client.put('k', 'v'), ClientClosedError);
    await client.close(); // still fine
  });
  test('requireLeader as a call option: a boolean, checked before anything is sent', async () => {
    await using client = new Client({ endpoints: ['http://127.0.0.1:9'], dialTimeout: 200 });
    await assert.rejects(client.get('k', untyped({ requireLeader: 'yes' })), /^InvalidArgumentError: requireLeader must be true or false, got "yes"$/);
    await assert.rejects(client.put('k', 'v', untyped({ requireLeader: 1 })), /requireLeader must be true or false, got 1/);
    assert.throws(() => client.watch('k', untyped({ requireLeader: 'no' })), /requireLeader must be a boolean, got "no"/);
  });
  test('the retry options: defaults as clientv3 3.5, valid values accepted', async () => {
    assert.equal(CLIENT_DEFAULTS.maxUnaryRetries, 100);
    assert.equal(CLIENT_DEFAULTS.backoffWaitBetween, 25);
    assert.equal(CLIENT_DEFAULTS.backoffJitterFraction, 0.1);
    await using client = new Client({ endpoints: ['http://127.0.0.1:9'], maxUnaryRetries: 1, backoffWaitBetween: 0, backoffJitterFraction: 0 });
    assert.ok(client instanceof Client);
  });
  test('the rpc layer rejects a send limit above the receive limit', () => {
    assert.throws(() => new Client({ maxCallSendMsgSize: 2048, maxCallRecvMsgSize: 1024 }), InvalidArgumentError);
  });
  test('constructing connects to nothing; close works without a call; calls after close reject', async () => {
    // Port 9 (discard) on loopback: nothing answers there, and nothing must be tried.
    const client = new Client({ endpoints: ['http://127.0.0.1:9'], dialTimeout: 200 });
    await client.close();
    await client.close(); // idempotent
    await assert.rejects(client.get('k'), ClientClosedError);
  });
  test('bad call arguments reject (not throw) before anything is sent', async () => {
    const client = new Client({ endpoints: ['http://127.0.0.1:9'], dialTimeout: 200 });
    try {
      const pending = client.get('');
      assert.ok(pending instanceof Promise);
      await assert.rejects(pending, EmptyKeyError);
      await assert.rejects(client.get(''), /key is empty/);
      await assert.rejects(client.get('k', { limit: -1 }), InvalidArgumentError);
      await assert.rejects(client.get('k', untyped({ sortt: 1 })), /unknown option 'sortt' for get/);
      await assert.rejects(client.put('', 'v'), EmptyKeyError);
      await assert.rejects(client.delete('k', untyped({ limit: 1 })), /unknown option 'limit' for delete/);
      await assert.rejects(client.compact(0), /compact: revision must be a positive integer, got 0/);
      await assert.rejects(client.compact(5, untyped({ phys: true })), /unknown option 'phys' for compact/);
      await assert.rejects(client.do(op.get('k'), untyped({ prefix: true })), /unknown option 'prefix' for do; known options: signal, timeout/);
      await assert.rejects(client.txn().commit(untyped({ retries: 3 })), /unknown option 'retries' for commit/);
      await assert.rejects(client.get('k', { timeout: -5 }), /timeout must be a non-negative number/);
    } finally {
      await client.close();
    }
  });
  test('await using closes the client', async () => {
    let kept: Client | undefined;
    {
      await using client = new Client({ endpoints: ['http://127.0.0.1:9'] });
      kept = client;
    }
    await assert.rejects(kept.get('k'), ClientClosedError);
  });
});

describe('what the transport refuses reaches the user as an InvalidArgumentError', () => {
  // src/transport/ throws plain TypeError / RangeError / Error (it sits below the error tree); the
  // rpc layer checks first or wraps them (rpc/endpoints.ts, rpc/options.ts, rpc/metadata.ts), so a
  // user of Client only ever sees InvalidArgumentError, with the transport's own text.
  const endpointCases: Array<[endpoint: string, problem: RegExp, tls?: boolean]> = [
    ['ftp://127.0.0.1:2379', /unsupported scheme 'ftp'/],
    ['127.0.0.1', /no port/],
    ['http://127.0.0.1:99999', /port/],
    ['http://u:secret@127.0.0.1:2379', /user info .* is not allowed/],
    ['http://[fe80::1%eth0]:2379', /zone ID/],
    ['::1:2379', /IPv6 addresses must be written in brackets/],
    ['http://127.0.0.1:2379', /plain http:\/\/ but TLS settings are given/, true],
  ];

  for (const [endpoint, problem, tls] of endpointCases) {
    test(`new Client and setEndpoints: ${endpoint}${tls ? ' with tls' : ''}`, () => {
      const check = (error: unknown): true => {
        assert.ok(error instanceof InvalidArgumentError, `expected InvalidArgumentError, got ${String(error)}`);
        assert.match(error.message, problem);
        assert.ok(!error.message.includes('secret'), 'user info is masked');
        assert.ok(error.cause instanceof Error && !(error.cause instanceof InvalidArgumentError), 'the transport error is the cause');
        assert.equal(error.message, (error.cause as Error).message, "the transport's text is kept");
        return true;
      };
      assert.throws(() => new Client({ endpoints: [endpoint], ...(tls ? { tls: {} } : {}) }), check);
      const client = new Client(tls ? { endpoints: ['https://127.0.0.1:2379'], tls: {} } : { endpoints: ['http://127.0.0.1:2379'] });
      try {
        assert.throws(() => client.setEndpoints([endpoint]), check);
        assert.deepEqual(client.endpoints, [tls ? 'https://127.0.0.1:2379' : 'http://127.0.0.1:2379'], 'the endpoint list is unchanged');
      } finally {
        void client.close();
      }
    });
  }

  test('connection options the transport refuses are refused first by the client, naming the option', () => {
    rejects(() => new Client({ keepAliveTime: -1 }), /^keepAliveTime must be a non-negative finite number of milliseconds/);
    rejects(() => new Client({ keepAliveTime: Infinity }), /^keepAliveTime must be/);
    rejects(() => new Client({ keepAliveTimeout: 0 }), /^keepAliveTimeout must be a positive finite number of milliseconds/);
    rejects(() => new Client({ maxCallRecvMsgSize: -1 }), /^maxCallRecvMsgSize must be a positive integer/);
    rejects(() => new Client({ dialTimeout: Number.NaN }), /^dialTimeout must be a positive finite number of milliseconds/);
  });
});
