// Issue 13 item 1: TLS settings are never dropped silently. With `tls` a bare host:port endpoint
// uses TLS and an http:// one is refused by the constructor (an InvalidArgumentError naming it),
// the same for setEndpoints and the endpoints auto-sync learns (config files: test/unit/config.test.ts). No server:
// these clients are never used for a call (the TLS handshakes are in test/integration/tls-endpoints.test.ts).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { Client, InvalidArgumentError } from '../../src/index.js';
import { keepTls } from '../../src/rpc/autosync.js';
import { parseEndpoints } from '../../src/rpc/endpoints.js';

/** Asserts `fn` throws an InvalidArgumentError whose message names `endpoint` and says why. */
function refusesPlainWithTls(fn: () => unknown, endpoint: string): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof InvalidArgumentError, `expected InvalidArgumentError, got ${String(error)}`);
    assert.ok(error.message.includes(`'${endpoint}'`), `names the endpoint: ${error.message}`);
    assert.match(error.message, /http:\/\/ but TLS settings are given/);
    return true;
  });
}

describe('endpoint schemes with TLS settings', () => {
  test('host:port uses TLS when tls is given, plaintext without; https:// always TLS', () => {
    assert.deepEqual(parseEndpoints(['127.0.0.1:2379'], { tls: true }).map((e) => e.tls), [true]);
    assert.deepEqual(parseEndpoints(['127.0.0.1:2379']).map((e) => e.tls), [false]);
    assert.deepEqual(parseEndpoints(['https://a:1', 'b:2'], { tls: true }).map((e) => e.tls), [true, true]);
    const client = new Client({ endpoints: ['127.0.0.1:9'], tls: {} });
    assert.deepEqual(client.endpoints, ['127.0.0.1:9']);
    assert.equal(client.rpc instanceof Object, true);
    void client.close();
  });

  test('http:// with tls: the constructor throws, naming the endpoint', () => {
    refusesPlainWithTls(() => new Client({ endpoints: ['https://127.0.0.1:1', 'http://127.0.0.1:9'], tls: { servername: 'etcd' } }), 'http://127.0.0.1:9');
    refusesPlainWithTls(() => new Client({ endpoints: ['HTTP://127.0.0.1:9'], tls: {} }), 'HTTP://127.0.0.1:9');
  });

  test('no endpoints and tls: the default endpoint over TLS', async () => {
    await using client = new Client({ tls: {} });
    assert.deepEqual(client.endpoints, ['https://127.0.0.1:2379']);
    await using plain = new Client({});
    assert.deepEqual(plain.endpoints, ['http://127.0.0.1:2379']);
  });

  test('setEndpoints follows the same rule; a refused list changes nothing', async () => {
    await using client = new Client({ endpoints: ['https://127.0.0.1:9'], tls: {} });
    refusesPlainWithTls(() => client.setEndpoints(['http://127.0.0.1:10']), 'http://127.0.0.1:10');
    assert.deepEqual(client.endpoints, ['https://127.0.0.1:9']);
    client.setEndpoints(['127.0.0.1:11']);
    assert.deepEqual(client.endpoints, ['127.0.0.1:11']);
  });

  test('auto-sync: a TLS client keeps TLS to a member URL advertised as http://, with a warning naming it', () => {
    const warnings: unknown[][] = [];
    const logger = { debug() {}, info() {}, error() {}, warn: (...args: unknown[]) => warnings.push(args) };
    assert.deepEqual(keepTls(['https://a:1', 'http://b:2', 'HTTP://c:3'], logger), ['https://a:1', 'https://b:2', 'https://c:3']);
    assert.equal(warnings.length, 2);
    assert.match(JSON.stringify(warnings[0]), /http:\/\/b:2/);
  });
});
