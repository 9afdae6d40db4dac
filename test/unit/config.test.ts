// Client options from the Go client's YAML config format (loadConfigFile, Client.fromConfigFile):
// every key, Go's duration unit (nanoseconds), TLS file paths, and a clear error for every bad file.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';

import { Client, InvalidArgumentError, loadConfigFile } from '../../src/index.js';

let dir: string;
let count = 0;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'etcd-ts-config-'));
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Writes `text` to a fresh file in the test folder and returns its path. */
async function file(text: string, name = `config-${++count}.yaml`): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

async function rejectsWith(path: string, pattern: RegExp): Promise<void> {
  await assert.rejects(loadConfigFile(path), (error: unknown) => {
    assert.ok(error instanceof InvalidArgumentError, `expected InvalidArgumentError, got ${String(error)}`);
    assert.match(error.message, pattern);
    return true;
  });
}

/** The InvalidArgumentError `pending` rejects with, checked not to show `secret` (message, stack, inspect). */
async function rejectsWithout(pending: Promise<unknown>, secret: string): Promise<InvalidArgumentError> {
  const error = await pending.then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof InvalidArgumentError, `expected InvalidArgumentError, got ${String(error)}`);
  assert.ok(!error.message.includes(secret), `the message shows the secret: ${error.message}`);
  assert.ok(!inspect(error).includes(secret), 'inspect(error) shows the secret');
  return error;
}

describe('loadConfigFile', () => {
  test('every key of the Go format, durations from nanoseconds to milliseconds', async () => {
    // Paths only: the client reads them when it is made.
    const [cert, key, ca] = ['/etc/etcd/client.crt', '/etc/etcd/client.key', '/etc/etcd/ca.crt'];
    const path = await file(`
endpoints:
  - https://10.0.0.1:2379
  - https://10.0.0.2:2379
dial-timeout: 3000000000
dial-keep-alive-time: 10000000000
dial-keep-alive-timeout: 2500000000
auto-sync-interval: 60000000000
username: app
password: s3cret
reject-old-cluster: true
permit-without-stream: true
cert-file: ${cert}
key-file: ${key}
trusted-ca-file: ${ca}
insecure-skip-tls-verify: true
`);
    const options = await loadConfigFile(path);
    assert.deepEqual(options, {
      endpoints: ['https://10.0.0.1:2379', 'https://10.0.0.2:2379'],
      dialTimeout: 3000,
      keepAliveTime: 10_000,
      keepAliveTimeout: 2500,
      autoSyncInterval: 60_000,
      username: 'app',
      password: 's3cret',
      rejectOldCluster: true,
      tls: { certFile: cert, keyFile: key, caFile: ca, insecureSkipVerify: true },
    });
  });

  test('an empty file gives no options; zero durations mean default or off as in Go', async () => {
    assert.deepEqual(await loadConfigFile(await file('')), {});
    assert.deepEqual(await loadConfigFile(await file('dial-timeout: 0\ndial-keep-alive-time: 0\nauto-sync-interval: 0\n')), {
      keepAliveTime: 0,
      autoSyncInterval: 0,
    });
  });

  test('the retry policy keys of clientv3 3.5: max-unary-retries, backoff-wait-between (ns), backoff-jitter-fraction', async () => {
    const path = await file('max-unary-retries: 3\nbackoff-wait-between: 50000000\nbackoff-jitter-fraction: 0.25\n');
    assert.deepEqual(await loadConfigFile(path), { maxUnaryRetries: 3, backoffWaitBetween: 50, backoffJitterFraction: 0.25 });
    // 0 means the default, as in Go (clientv3 replaces a zero value by its default).
    const zeros = await file('max-unary-retries: 0\nbackoff-wait-between: 0\nbackoff-jitter-fraction: 0\n');
    assert.deepEqual(await loadConfigFile(zeros), {});
    // The client accepts what the file gives.
    await using client = await Client.fromConfigFile(path, { endpoints: ['http://127.0.0.1:1'] });
    assert.ok(client instanceof Client);
  });

  test('keys match case-insensitively, ca-file is the old name of trusted-ca-file, YAML 1.1 booleans', async () => {
    const options = await loadConfigFile(await file(`Endpoints: ['http://127.0.0.1:2379']\nca-file: /etc/old-ca.crt\nreject-old-cluster: yes\n`));
    assert.deepEqual(options, { endpoints: ['http://127.0.0.1:2379'], rejectOldCluster: true, tls: { caFile: '/etc/old-ca.crt' } });
  });

  test('insecure-transport: no TLS settings at all', async () => {
    const options = await loadConfigFile(await file('insecure-transport: true\ntrusted-ca-file: /nonexistent/ca.crt\n'));
    assert.deepEqual(options, {});
  });

  test('bad files are refused with the key named', async () => {
    await rejectsWith(await file('endpoints: [1, 2'), /is not valid YAML/);
    await rejectsWith(await file('- a\n- b\n'), /must hold a YAML mapping/);
    await rejectsWith(await file('endpoint: [x]\n'), /unknown key "endpoint"; known keys: endpoints, /);
    await rejectsWith(await file('endpoints: http://127.0.0.1:2379\n'), /endpoints must be a list of URLs/);
    await rejectsWith(await file('dial-timeout: 5s\n'), /dial-timeout must be a Go time.Duration, a non-negative integer of nanoseconds/);
    await rejectsWith(await file('dial-timeout: -1\n'), /dial-timeout must be a Go time.Duration/);
    await rejectsWith(await file('reject-old-cluster: maybe\n'), /reject-old-cluster must be true or false/);
    await rejectsWith(await file('username: 42\n'), /username must be a string, got 42/);
    await rejectsWith(await file('token: abc\n'), /token is not supported/);
    await rejectsWith(await file('max-unary-retries: 2.5\n'), /max-unary-retries must be a non-negative integer, got 2.5/);
    await rejectsWith(await file('max-unary-retries: -1\n'), /max-unary-retries must be a non-negative integer/);
    await rejectsWith(await file('backoff-wait-between: 25ms\n'), /backoff-wait-between must be a Go time.Duration/);
    await rejectsWith(await file('backoff-jitter-fraction: 1.5\n'), /backoff-jitter-fraction must be a number from 0 to 1/);
    await rejectsWith(await file('backoff-jitter-fraction: lots\n'), /backoff-jitter-fraction must be a number from 0 to 1/);
    await rejectsWith(await file('cert-file: /x/client.crt\n'), /cert-file and key-file must be given together/);
  });

  test('unreadable files fail with the file system error naming the path; TLS files when the client is made', async () => {
    await assert.rejects(loadConfigFile(join(dir, 'missing.yaml')), /ENOENT.*missing\.yaml/);
    await assert.rejects(loadConfigFile(''), InvalidArgumentError);
    const path = await file("endpoints: ['https://127.0.0.1:2379']\ntrusted-ca-file: /nonexistent/ca.crt\n");
    assert.deepEqual((await loadConfigFile(path)).tls, { caFile: '/nonexistent/ca.crt' });
    await assert.rejects(Client.fromConfigFile(path), (error: unknown) =>
      error instanceof InvalidArgumentError && /^tls\.caFile cannot be read: ENOENT.*nonexistent\/ca\.crt/.test(error.message));
  });
});

describe('Client.fromConfigFile', () => {
  test('makes a client from the file, with options applied over it', async () => {
    const path = await file("endpoints: ['http://127.0.0.1:2379', 'http://127.0.0.1:2380']\ndial-timeout: 1000000000\n");
    await using client = await Client.fromConfigFile(path, { endpoints: ['http://127.0.0.1:1'] });
    assert.ok(client instanceof Client);
    assert.deepEqual(client.endpoints, ['http://127.0.0.1:1']);
    await using fromFile = await Client.fromConfigFile(path);
    assert.deepEqual(fromFile.endpoints, ['http://127.0.0.1:2379', 'http://127.0.0.1:2380']);
  });

  test('bad settings in the file fail as the constructor does', async () => {
    const path = await file("endpoints: ['ftp://127.0.0.1:2379']\n");
    await assert.rejects(Client.fromConfigFile(path), InvalidArgumentError);
  });
});

// Issue 13 item 1: TLS settings of a config file are never dropped.
describe('config files (Go YAML) and TLS', () => {
  test('TLS files and host:port endpoints: TLS', async () => {
    const options = await loadConfigFile(await file(`endpoints: ['127.0.0.1:2379']\ntrusted-ca-file: /etc/etcd/ca.crt\n`));
    assert.deepEqual(options.tls, { caFile: '/etc/etcd/ca.crt' });
  });

  test('host:port endpoints and no TLS key: TLS with the system roots, as Go (insecure-transport is off)', async () => {
    const options = await loadConfigFile(await file(`endpoints: ['10.0.0.1:2379']\n`));
    assert.deepEqual(options.tls, {});
  });

  test('insecure-transport: true means plaintext, TLS files or not', async () => {
    const options = await loadConfigFile(await file(`endpoints: ['10.0.0.1:2379']\ninsecure-transport: true\ntrusted-ca-file: /nonexistent\n`));
    assert.equal(options.tls, undefined);
  });

  test('unix:// endpoints name their scheme: plaintext without TLS keys (not taken for host:port)', async () => {
    const options = await loadConfigFile(await file(`endpoints: ['unix:///run/etcd/localhost:2379', 'unix:rel:1']\n`));
    assert.equal(options.tls, undefined);
  });

  test('http:// endpoints and no TLS key: plaintext, as Go', async () => {
    const options = await loadConfigFile(await file(`endpoints: ['http://10.0.0.1:2379']\n`));
    assert.equal(options.tls, undefined);
  });

  test('http:// endpoints with TLS files: Client.fromConfigFile refuses, naming the endpoint', async () => {
    const ca = await file('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const path = await file(`endpoints: ['http://10.0.0.1:2379']\ntrusted-ca-file: ${ca}\n`);
    await assert.rejects(Client.fromConfigFile(path), (error: unknown) =>
      error instanceof InvalidArgumentError && /'http:\/\/10\.0\.0\.1:2379' is plain http:\/\/ but TLS settings are given/.test(error.message));
  });
});

// Issue 13 item 2: a config file's password is never echoed.
describe('config file secrets', () => {
  test('a password of the wrong YAML type: the error names the key and the type wanted, not the value', async () => {
    for (const [yaml, secret] of [
      ['password: 12345678\n', '12345678'],
      ['password: 0x1F2E3D\n', String(0x1f2e3d)],
      ['password: [hunter2, x]\n', 'hunter2'],
      ['password: { hunter2: 1 }\n', 'hunter2'],
      ['password: yes\n', 'true'],
    ] as const) {
      const error = await rejectsWithout(loadConfigFile(await file(`username: app\n${yaml}`)), secret);
      assert.match(error.message, /password must be a string/);
    }
  });

  test('a YAML syntax error next to the password does not quote the line', async () => {
    const error = await rejectsWithout(loadConfigFile(await file('username: app\npassword: "hunter2\nx: 1\n')), 'hunter2');
    assert.match(error.message, /is not valid YAML: Missing closing "quote at line/);
  });
});
