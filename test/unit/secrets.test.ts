// Issue 13 item 2: no password, token or private key appears in an error, a log line or inspect(),
// whatever its type; issue 15 item 5: nor a key's passphrase or a PKCS#12 archive (real ones, made
// by openssl). (Config files: test/unit/config.test.ts; log lines around real authentications:
// test/integration/auth.test.ts.)
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSecureContext } from 'node:tls';
import { inspect } from 'node:util';

import { Client, InvalidArgumentError } from '../../src/index.js';
import { createTestCertificates, type TestCertificates } from '../../src/testing/index.js';
import { encryptedKey, pkcs12 } from '../helpers/tls-material.js';

const PASSPHRASE = 'correct-horse-battery';
let dir: string;
let certificates: TestCertificates;
let encryptedPem: string;
let pfx: Buffer;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'etcd-ts-secrets-'));
  certificates = await createTestCertificates(dir);
  encryptedPem = await encryptedKey(certificates, certificates.client, PASSPHRASE, 'client-encrypted.key');
  pfx = await pkcs12(certificates, certificates.client, PASSPHRASE, 'client.p12');
});

after(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

/** A line of a PEM key's base64 body: what must never be shown. */
function keyBody(pem: string): string {
  return pem.split('\n')[1]!;
}

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
    assert.ok(!JSON.stringify(client).includes('hunter2'));
    const { cert, key } = certificates.client;
    await using secure = new Client({ endpoints: ['https://127.0.0.1:9'], tls: { key, cert } });
    assert.ok(!inspect(secure, { depth: 10, showHidden: true }).includes(keyBody(key)));
    await using encrypted = new Client({ endpoints: ['https://127.0.0.1:9'], tls: { key: encryptedPem, cert, passphrase: PASSPHRASE } });
    const shown = inspect(encrypted, { depth: 10, showHidden: true });
    assert.ok(!shown.includes(PASSPHRASE) && !shown.includes(keyBody(encryptedPem)));
    await using archive = new Client({ endpoints: ['https://127.0.0.1:9'], tls: { pfx, passphrase: PASSPHRASE } });
    assert.ok(!inspect(archive, { depth: 10, showHidden: true }).includes(PASSPHRASE));
  });

  test('a passphrase, key or PKCS#12 archive that does not work: the error says why, without showing it', () => {
    const { cert, key } = certificates.client;
    const wrong = errorWithout(() => new Client({ tls: { cert, key: encryptedPem, passphrase: 'not-the-passphrase' } }), 'not-the-passphrase');
    assert.match(wrong.message, /^tls\.key cannot be decrypted with tls\.passphrase: wrong passphrase\?/);
    assert.ok(!wrong.message.includes(keyBody(encryptedPem)));
    assert.match(errorWithout(() => new Client({ tls: { cert, key: encryptedPem } }), keyBody(encryptedPem)).message, /^tls\.key is encrypted: give its tls\.passphrase/);
    errorWithout(() => new Client({ tls: { cert, key, passphrase: 31337 as unknown as string } }), '31337');
    errorWithout(() => new Client({ tls: { pfx: 'hunter2' as unknown as Buffer } }), 'hunter2');
    const archive = errorWithout(() => new Client({ tls: { pfx, passphrase: 'hunter2' } }), 'hunter2');
    assert.match(archive.message, /^tls\.pfx cannot be opened with tls\.passphrase: wrong passphrase\?/);
    // About one wrong passphrase in 250 decrypts the key to bytes OpenSSL cannot parse: node:tls
    // then says "unsupported", not "bad decrypt". Still a wrong passphrase, and said so.
    const unparsable = wrongPassphraseWithReason(encryptedPem, (reason) => !/bad decrypt/i.test(reason));
    const garbled = errorWithout(() => new Client({ tls: { cert, key: encryptedPem, passphrase: unparsable } }), unparsable);
    assert.match(garbled.message, /^tls\.key cannot be decrypted with tls\.passphrase: wrong passphrase\?/);
    // A key that is not the certificate's: named, not shown.
    const other = errorWithout(() => new Client({ tls: { cert, key: certificates.server.key } }), keyBody(certificates.server.key));
    assert.match(other.message, /^tls\.key is not the private key of tls\.cert/);
  });
});

/** The first of the passphrases wrong-0, wrong-1, ... for which node:tls refuses `key` with a reason `wanted` accepts. */
function wrongPassphraseWithReason(key: string, wanted: (reason: string) => boolean): string {
  for (let i = 0; i < 100_000; i++) {
    const passphrase = `wrong-${i}`;
    try {
      createSecureContext({ key, passphrase });
    } catch (error) {
      if (wanted((error as Error).message)) return passphrase;
    }
  }
  throw new Error('no wrong passphrase with the wanted reason among 100,000');
}
