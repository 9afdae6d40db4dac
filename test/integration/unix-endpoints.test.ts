/**
 * Issue 15 item 6: Unix-socket endpoints against real etcd 3.4, which listens on
 * `unix://localhost:<port>` (a socket file of that name in its working directory; the launcher's
 * `unixSocket` option runs each member in its folder). The client reaches the socket by its
 * absolute path (`unix:///...`), by a path relative to its own working directory (`unix://rel`,
 * as clientv3 reads it), over TLS (`unixs://`, and `unix://` with TLS settings, as clientv3), and
 * the CLI takes `--endpoints unix:///...`. A member list naming the socket (etcd's relative
 * `unix://localhost:<port>`) is taken as clientv3 takes it.
 */
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { relative } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { residentMemoryBytes } from '../../src/cli/check-run.js';
import type { CliSession } from '../../src/cli/session.js';
import { EtcdCluster } from '../../src/testing/index.js';
import { connectionFailure } from '../helpers/endpoint-failure.js';
import { asText, etcdts } from '../helpers/etcdts.js';

/** `unix:///abs/path` → `/abs/path`. */
const socketPath = (url: string): string => url.replace(/^unixs?:\/\//, '');

describe('unix:// endpoints (plaintext)', { timeout: 90_000 }, () => {
  let cluster: EtcdCluster;

  before(async () => {
    cluster = await EtcdCluster.start({ size: 1, unixSocket: true });
  }, { timeout: 30_000 });

  after(async () => {
    await cluster?.close();
  });

  test('etcd made its socket in its folder; the client reaches it by the absolute path: put, get, watch', async () => {
    const [endpoint] = cluster.unixEndpoints;
    assert.match(endpoint!, /^unix:\/\/\/.*\/member-0\/localhost:\d+$/);
    assert.ok(statSync(socketPath(endpoint!)).isSocket(), 'a socket file');
    const client = cluster.client({ endpoints: [endpoint!] });
    await client.put('unix/k', 'over the socket');
    assert.equal((await client.get('unix/k')).kvs[0]?.value.toString(), 'over the socket');
    // A stream over the socket too.
    const watch = client.watch('unix/w');
    const events = watch[Symbol.asyncIterator]();
    assert.equal((await events.next()).value?.created, true);
    await client.put('unix/w', 'event');
    assert.equal((await events.next()).value?.events[0]?.kv.value.toString(), 'event');
    await watch.cancel();
    // The same data as over TCP.
    const tcp = cluster.client();
    assert.equal((await tcp.get('unix/k')).kvs[0]?.value.toString(), 'over the socket');
  });

  test('unix://<relative path>: from the working directory, as clientv3 reads etcd\'s own unix://name:port', async () => {
    const path = relative(process.cwd(), socketPath(cluster.unixEndpoints[0]!));
    assert.ok(!path.startsWith('/'));
    const client = cluster.client({ endpoints: [`unix://${path}`] });
    assert.equal((await client.get('unix/k')).kvs[0]?.value.toString(), 'over the socket');
  });

  test('a socket that is not there: a ConnectionError naming the endpoint; a TCP endpoint beside it serves', async () => {
    const missing = `unix://${socketPath(cluster.unixEndpoints[0]!)}.missing`;
    const alone = cluster.client({ endpoints: [missing], dialTimeout: 800 });
    const error = await connectionFailure(alone.get('unix/k'));
    assert.equal(error.endpoint, missing);
    assert.match(error.message, /ENOENT|no such file/);
    const both = cluster.client({ endpoints: [missing, cluster.endpoints[0]!], dialTimeout: 3_000 });
    assert.equal((await both.get('unix/k')).kvs[0]?.value.toString(), 'over the socket');
  });

  test('the member list names the socket as etcd gives it (unix://localhost:<port>); sync takes it as clientv3 does', async () => {
    const client = cluster.client({ endpoints: [cluster.unixEndpoints[0]!] });
    const { members } = await client.cluster.memberList();
    const advertised = `unix://localhost:${cluster.members[0]!.clientPort}`;
    assert.deepEqual(members[0]?.clientURLs, [cluster.endpoints[0], advertised]);
    assert.deepEqual(await client.sync(), [cluster.endpoints[0], advertised]);
    assert.deepEqual(client.endpoints, [cluster.endpoints[0], advertised]);
    // The relative socket is not in this process's directory (etcd's is the member folder): calls
    // go to the TCP URL when the socket cannot be reached.
    for (let i = 0; i < 5; i++) assert.equal((await client.get('unix/k')).kvs[0]?.value.toString(), 'over the socket');
  });

  test('the CLI: etcdts --endpoints unix:///abs/path put, get, endpoint health', async () => {
    const endpoints = ['--endpoints', cluster.unixEndpoints[0]!];
    const put = asText(await etcdts([...endpoints, 'put', 'unix/cli', 'from etcdts']));
    assert.equal(put.code, 0, put.stderr);
    assert.equal(put.stdout, 'OK\n');
    const get = asText(await etcdts([...endpoints, 'get', 'unix/cli', '--print-value-only']));
    assert.equal(get.code, 0, get.stderr);
    assert.equal(get.stdout, 'from etcdts\n');
    const health = asText(await etcdts([...endpoints, 'endpoint', 'health']));
    assert.equal(health.code, 0, health.stderr);
    assert.match(health.stdout + health.stderr, new RegExp(`${cluster.unixEndpoints[0]} is healthy`));
  });

  test('the CLI\'s check datascale reads the member\'s memory from /metrics over the socket', async () => {
    const written: string[] = [];
    const session = { options: { security: undefined }, write: (text: string) => written.push(text) } as unknown as CliSession;
    const bytes = await residentMemoryBytes(session, cluster.unixEndpoints[0]!);
    assert.deepEqual(written, []);
    assert.ok(bytes > 1_000_000, `process_resident_memory_bytes ${bytes}`);
  });
});

describe('unixs:// endpoints (TLS over the socket)', { timeout: 90_000 }, () => {
  let cluster: EtcdCluster;

  before(async () => {
    cluster = await EtcdCluster.start({ size: 1, tls: true, unixSocket: true });
  }, { timeout: 30_000 });

  after(async () => {
    await cluster?.close();
  });

  test('unixs:///abs/path with the CA: the server name is the socket file name (localhost), verified', async () => {
    const [endpoint] = cluster.unixEndpoints;
    assert.match(endpoint!, /^unixs:\/\/\/.*\/localhost:\d+$/);
    const client = cluster.client({ endpoints: [endpoint!] });
    await client.put('unixs/k', 'tls over the socket');
    assert.equal((await client.get('unixs/k')).kvs[0]?.value.toString(), 'tls over the socket');
  });

  test('unix:// with TLS settings speaks TLS (clientv3 uses its TLS settings on unix:// endpoints)', async () => {
    const client = cluster.client({ endpoints: [cluster.unixEndpoints[0]!.replace(/^unixs:/, 'unix:')] });
    assert.equal((await client.get('unixs/k')).kvs[0]?.value.toString(), 'tls over the socket');
  });

  test('the certificate is checked over a socket too: a wrong servername, or no CA, is refused', async () => {
    const ca = cluster.tls!.ca.cert;
    const wrongName = cluster.client({ endpoints: [cluster.unixEndpoints[0]!], tls: { ca, servername: 'not-etcd.example' }, dialTimeout: 800 });
    assert.match((await connectionFailure(wrongName.get('unixs/k'))).message, /not-etcd\.example|altnames|does not match/i);
    const noCa = cluster.client({ endpoints: [cluster.unixEndpoints[0]!], tls: undefined, dialTimeout: 800 });
    assert.match((await connectionFailure(noCa.get('unixs/k'))).message, /certificate/i);
  });

  test('the CLI: etcdts --endpoints unixs:///abs/path --cacert', async () => {
    const args = ['--endpoints', cluster.unixEndpoints[0]!, '--cacert', cluster.tls!.ca.certFile];
    const get = asText(await etcdts([...args, 'get', 'unixs/k', '--print-value-only']));
    assert.equal(get.code, 0, get.stderr);
    assert.equal(get.stdout, 'tls over the socket\n');
  });
});
