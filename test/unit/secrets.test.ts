// Issue 13 item 2: no password, token or private key appears in an error, a log line or inspect(),
// whatever its type. (Log lines around real authentications: test/integration/auth.test.ts.)
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';

import { Client, InvalidArgumentError, loadConfigFile } from '../../src/index.js';

/** The error `pending` rejects with (or `fn` throws), checked to be an InvalidArgumentError without `secret` in its message or stack. */
async function errorWithout(pending: Promise<unknown> | (() => unknown), secret: string): Promise<InvalidArgumentError> {
  let error: unknown;
  try {
    await (typeof pending === 'function' ? pending() : pending);
  } catch (e) {
    error = e;
  }
  assert.ok(error instanceof InvalidArgumentError, `expected InvalidArgumentError, got ${String(error)}`);
  assert.ok(!error.message.includes(secret), `the message shows the secret: ${error.message}`);
  assert.ok(!String(error.stack).includes(secret), 'the stack shows the secret');
  assert.ok(!inspect(error).includes(secret), 'inspect(error) shows the secret');
  return error;
}

describe('config file secrets', () => {
  let dir: string;
  let count = 0;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'etcd-ts-secrets-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  async function file(text: string): Promise<string> {
    const path = join(dir, `config-${++count}.yaml`);
    await writeFile(path, text);
    return path;
  }

  test('a password of the wrong YAML type: the error names the key and the type wanted, not the value', async () => {
    for (const [yaml, secret] of [
      ['password: 12345678\n', '12345678'],
      ['password: 0x1F2E3D\n', String(0x1f2e3d)],
      ['password: [hunter2, x]\n', 'hunter2'],
      ['password: { hunter2: 1 }\n', 'hunter2'],
      ['password: yes\n', 'true'],
    ] as const) {
      const error = await errorWithout(loadConfigFile(await file(`username: app\n${yaml}`)), secret);
      assert.match(error.message, /password must be a string/);
    }
  });

  test('a YAML syntax error next to the password does not quote the line', async () => {
    const error = await errorWithout(loadConfigFile(await file('username: app\npassword: "hunter2\nx: 1\n')), 'hunter2');
    assert.match(error.message, /is not valid YAML: Missing closing "quote at line/);
  });
});

describe('client option secrets', () => {
  test('a password or TLS key of the wrong type is not shown', async () => {
    await errorWithout(() => new Client({ username: 'u', password: 12345678 as unknown as string }), '12345678');
    await errorWithout(() => new Client({ tls: { key: 987654321 as unknown as string } }), '987654321');
    await errorWithout(() => new Client({ tls: { key: ['-----BEGIN PRIVATE KEY-----hunter2'] as unknown as string } }), 'hunter2');
    await errorWithout(() => new Client({ tls: { cert: 'PEM', key: { pem: 'hunter2' } as unknown as string } }), 'hunter2');
  });

  test('an endpoint with user info: the error does not show the password in it', async () => {
    const error = await errorWithout(() => new Client({ endpoints: ['http://app:hunter2@127.0.0.1:2379'] }), 'hunter2');
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
