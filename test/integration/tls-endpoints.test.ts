/**
 * Issue 13 item 1 against real etcd: TLS settings are never dropped. With `tls`, a `host:port`
 * endpoint speaks TLS (to a TLS member it works; a plaintext listener sees a TLS handshake and never
 * the password), Go YAML config files follow Go's rule (TLS files + host:port = TLS,
 * `insecure-transport: true` = plaintext), setEndpoints takes host:port as TLS, and a TLS client
 * that syncs its endpoints from members advertising `http://` URLs keeps TLS to them.
 * (The refusals that need no server: test/unit/tls-rules.test.ts.)
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { Client, NoAvailableEndpointsError } from '../../src/index.js';
import { EtcdCluster, TcpProxy, freePort } from '../../src/testing/index.js';

/** `https://127.0.0.1:1234` → `127.0.0.1:1234`. */
const hostPort = (url: string): string => url.replace(/^[a-z]+:\/\//, '');

describe('TLS endpoints written as host:port', { timeout: 90_000 }, () => {
  let cluster: EtcdCluster;
  let plain: EtcdCluster;
  let dir: string;

  before(async () => {
    [cluster, plain] = await Promise.all([EtcdCluster.start({ size: 1, tls: true }), EtcdCluster.start({ size: 1 })]);
    dir = await mkdtemp(join(tmpdir(), 'etcd-ts-tls-endpoints-'));
  }, { timeout: 60_000 });

  after(async () => {
    await Promise.all([cluster?.close(), plain?.close()]);
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  test('host:port with tls talks TLS to a TLS member: put and get work', async () => {
    await using client = new Client({ endpoints: [hostPort(cluster.endpoints[0]!)], tls: { ca: cluster.tls!.ca.cert }, dialTimeout: 3_000 });
    await client.put('tls-endpoints/k', 'v');
    assert.equal((await client.get('tls-endpoints/k')).kvs[0]?.value.toString(), 'v');
  });

  test('host:port with tls against a plaintext listener: it gets a TLS handshake, never the password', async () => {
    const received: Buffer[] = [];
    const sockets = new Set<Socket>();
    const server: Server = createServer((socket) => {
      sockets.add(socket);
      socket.on('data', (chunk) => received.push(chunk));
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const port = (server.address() as { port: number }).port;
    try {
      const client = new Client({ endpoints: [`127.0.0.1:${port}`], tls: {}, username: 'root', password: 'hunter2-secret', dialTimeout: 500 });
      const error = await client.get('k').then(() => undefined, (e: unknown) => e);
      await client.close();
      assert.ok(error instanceof NoAvailableEndpointsError, `expected NoAvailableEndpointsError, got ${String(error)}`);
      const bytes = Buffer.concat(received);
      assert.ok(bytes.length > 0, 'the client connected');
      assert.equal(bytes[0], 0x16, 'the first byte is a TLS handshake record, not the HTTP/2 preface');
      assert.ok(!bytes.includes('hunter2-secret'), 'the password never went out in clear');
      assert.ok(!bytes.includes('PRI * HTTP/2.0'), 'no plaintext HTTP/2');
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((done) => server.close(() => done()));
    }
  });

  test('setEndpoints: host:port keeps TLS', async () => {
    await using client = new Client({ endpoints: cluster.endpoints, tls: { ca: cluster.tls!.ca.cert }, dialTimeout: 3_000 });
    await client.put('tls-endpoints/set', '1');
    client.setEndpoints([hostPort(cluster.endpoints[0]!)]);
    assert.equal((await client.get('tls-endpoints/set')).kvs[0]?.value.toString(), '1');
  });

  test('Client.fromConfigFile: trusted-ca-file and host:port endpoints use TLS', async () => {
    const ca = join(dir, 'ca.crt');
    await writeFile(ca, cluster.tls!.ca.cert);
    const path = join(dir, 'tls.yaml');
    await writeFile(path, `endpoints: ['${hostPort(cluster.endpoints[0]!)}']\ntrusted-ca-file: ${ca}\ndial-timeout: 3000000000\n`);
    await using client = await Client.fromConfigFile(path);
    await client.put('tls-endpoints/file', 'yes');
    assert.equal((await client.get('tls-endpoints/file')).kvs[0]?.value.toString(), 'yes');
  });

  test('Client.fromConfigFile: insecure-transport: true is plaintext, TLS files or not', async () => {
    const ca = join(dir, 'ca-plain.crt');
    await writeFile(ca, cluster.tls!.ca.cert);
    const path = join(dir, 'plain.yaml');
    await writeFile(path, `endpoints: ['${hostPort(plain.endpoints[0]!)}']\ntrusted-ca-file: ${ca}\ninsecure-transport: true\n`);
    await using client = await Client.fromConfigFile(path);
    await client.put('tls-endpoints/plain', 'ok');
    assert.equal((await client.get('tls-endpoints/plain')).kvs[0]?.value.toString(), 'ok');
  });

  test('Client.fromConfigFile: host:port and no TLS key is TLS, as in Go (a plaintext member is not used)', async () => {
    const path = join(dir, 'go-default.yaml');
    await writeFile(path, `endpoints: ['${hostPort(plain.endpoints[0]!)}']\ndial-timeout: 500000000\n`);
    await using client = await Client.fromConfigFile(path);
    await assert.rejects(client.get('tls-endpoints/plain'), NoAvailableEndpointsError);
  });
});

describe('auto-sync of a TLS client from members advertising http:// URLs', { timeout: 90_000 }, () => {
  let cluster: EtcdCluster;
  let proxy: TcpProxy;
  let advertised: string;

  before(async () => {
    // The member serves TLS but advertises a plain http:// client URL: a proxy on that port
    // forwards to the member's TLS port, so TLS to that host:port works and plaintext does not.
    const port = await freePort();
    advertised = `http://127.0.0.1:${port}`;
    cluster = await EtcdCluster.start({ size: 1, tls: true, args: ['--advertise-client-urls', advertised] });
    proxy = await TcpProxy.start({ port, targetPort: Number(new URL(cluster.endpoints[0]!).port) });
  }, { timeout: 60_000 });

  after(async () => {
    await proxy?.close();
    await cluster?.close();
  });

  test('sync() keeps TLS to the advertised host:port and warns naming the URL', async () => {
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, error() {}, warn: (message: string, fields?: unknown) => warnings.push(`${message} ${JSON.stringify(fields)}`) };
    await using client = cluster.client({ logger, dialTimeout: 3_000 });
    await client.put('autosync/k', 'v');
    const synced = await client.sync();
    assert.deepEqual(synced, [`https://127.0.0.1:${proxy.port}`]);
    assert.deepEqual(client.endpoints, [`https://127.0.0.1:${proxy.port}`]);
    assert.ok(warnings.some((w) => w.includes(advertised)), `a warning names ${advertised}: ${warnings.join('; ')}`);
    assert.equal((await client.get('autosync/k')).kvs[0]?.value.toString(), 'v');
    assert.ok(proxy.connections > 0, 'the get went to the synced endpoint (through the proxy), over TLS');
  });
});
