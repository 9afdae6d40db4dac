// Issue 13 item 2: no password, token or private key appears in an error, a log line or inspect(),
// whatever its type. (Config files: test/unit/config.test.ts; log lines around real
// authentications: test/integration/auth.test.ts.)
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';

import { Client, InvalidArgumentError } from '../../src/index.js';

/** The error `fn` throws, checked to be an InvalidArgumentError without `secret` in its message or stack. */
function errorWithout(fn: () => unknown, secret: string): InvalidArgumentError {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  assert.ok(error instanceof InvalidArgumentError, `expected InvalidArgumentError, got ${String(error)}`);
  assert.ok(!error.message.includes(secret), `the message shows the secret: ${error.message}`);
  assert.ok(!String(error.stack).includes(secret), 'the stack shows the secret');
  assert.ok(!inspect(error).includes(secret), 'inspect(error) shows the secret');
  return error;
}

describe('client option secrets', () => {
  test('a password or TLS key of the wrong type is not shown', async () => {
    errorWithout(() => new Client({ username: 'u', password: 12345678 as unknown as string }), '12345678');
    errorWithout(() => new Client({ tls: { key: 987654321 as unknown as string } }), '987654321');
    errorWithout(() => new Client({ tls: { key: ['-----BEGIN PRIVATE KEY-----hunter2'] as unknown as string } }), 'hunter2');
    errorWithout(() => new Client({ tls: { cert: 'PEM', key: { pem: 'hunter2' } as unknown as string } }), 'hunter2');
  });

  test('an endpoint with user info: the error does not show the password in it', async () => {
    const error = errorWithout(() => new Client({ endpoints: ['http://app:hunter2@127.0.0.1:2379'] }), 'hunter2');
    assert.match(error.message, /invalid etcd endpoint/);
  });

  test('inspect() of a client does not show its password, token or key', async () => {
    await using client = new Client({ endpoints: ['http://127.0.0.1:9'], username: 'app', password: 'hunter2', tls: undefined });
    assert.ok(!inspect(client, { depth: 10, showHidden: true }).includes('hunter2'));
    await using secure = new Client({ endpoints: ['https://127.0.0.1:9'], tls: { key: 'PRIVATE-hunter2', cert: 'C' } });
    assert.ok(!inspect(secure, { depth: 10, showHidden: true }).includes('hunter2'));
    assert.ok(!JSON.stringify(client).includes('hunter2'));
  });
});
