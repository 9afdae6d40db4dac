/**
 * The loopback TCP proxy of etcd-ts/testing (src/testing/proxy.ts): forwarding, delay, black hole,
 * cut and heal against a small echo server started here, then `EtcdCluster.start({ proxy: true })`
 * against real etcd (endpoints and advertised client URLs go through the proxies).
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';

import { EtcdCluster, InvalidArgumentError, TcpProxy } from '../../src/testing/index.js';

/** Echo server: every chunk comes back upper-cased (so a reply is told from an echo of our bytes). */
let echo: Server;
let echoPort = 0;
const serverSockets = new Set<Socket>();

before(async () => {
  echo = createServer((socket) => {
    serverSockets.add(socket);
    socket.on('close', () => serverSockets.delete(socket));
    socket.on('error', () => {});
    socket.on('data', (chunk) => socket.write(chunk.toString().toUpperCase()));
  });
  echo.listen(0, '127.0.0.1');
  await once(echo, 'listening');
  echoPort = (echo.address() as { port: number }).port;
});

after(async () => {
  for (const s of serverSockets) s.destroy();
  await new Promise((resolve) => echo.close(resolve));
});

/** A client connection through `proxy` that collects what it receives. */
async function dial(proxy: TcpProxy) {
  const socket = connect(proxy.port, '127.0.0.1');
  await once(socket, 'connect');
  let received = '';
  const events: string[] = [];
  socket.on('data', (chunk) => {
    received += chunk.toString();
  });
  socket.on('end', () => events.push('end'));
  socket.on('error', (error: NodeJS.ErrnoException) => events.push(`error:${error.code ?? error.message}`));
  socket.on('close', () => events.push('close'));
  return {
    socket,
    events,
    get received() {
      return received;
    },
    /** Waits until `received` has `text` (polling, bounded). */
    async waitFor(text: string, timeout = 3000) {
      const deadline = Date.now() + timeout;
      while (!received.includes(text)) {
        if (Date.now() > deadline) throw new Error(`did not receive ${JSON.stringify(text)} within ${timeout} ms (got ${JSON.stringify(received)})`);
        await new Promise((r) => setTimeout(r, 5));
      }
    },
  };
}

const until = async (what: string, check: () => boolean, timeout = 3000) => {
  const deadline = Date.now() + timeout;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeout} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('TcpProxy', { timeout: 30_000 }, () => {
  test('forwards both ways and counts connections', async () => {
    await using proxy = await TcpProxy.start({ targetPort: echoPort });
    assert.equal(proxy.url, `http://127.0.0.1:${proxy.port}`);
    assert.equal(proxy.urlFor('https'), `https://127.0.0.1:${proxy.port}`);
    const c = await dial(proxy);
    c.socket.write('hello');
    await c.waitFor('HELLO');
    assert.equal(proxy.connections, 1);
    c.socket.destroy();
    await until('connection gone', () => proxy.connections === 0);
  });

  test('delay(ms) holds replies that long, in order; delay(0) stops it', async () => {
    await using proxy = await TcpProxy.start({ targetPort: echoPort });
    const c = await dial(proxy);
    proxy.delay(300);
    const started = Date.now();
    c.socket.write('a');
    await new Promise((r) => setTimeout(r, 20));
    c.socket.write('b');
    await c.waitFor('AB');
    const took = Date.now() - started;
    assert.ok(took >= 290 && took < 1000, `reply after ${took} ms`);
    proxy.delay(0);
    const quick = Date.now();
    c.socket.write('c');
    await c.waitFor('ABC');
    assert.ok(Date.now() - quick < 200, 'no delay any more');
    assert.throws(() => proxy.delay(-1), InvalidArgumentError);
    c.socket.destroy();
  });

  test('blackhole() forwards nothing and closes nothing; heal() delivers what was held', async () => {
    await using proxy = await TcpProxy.start({ targetPort: echoPort });
    const c = await dial(proxy);
    c.socket.write('x');
    await c.waitFor('X');
    proxy.blackhole();
    assert.equal(proxy.blackholed, true);
    c.socket.write('held');
    const late = await dial(proxy); // a new connection during the black hole is held too
    late.socket.write('late');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(c.received, 'X', 'nothing came back');
    assert.equal(late.received, '');
    assert.deepEqual(c.events, [], 'no FIN, no RST');
    assert.deepEqual(late.events, []);
    proxy.heal();
    await c.waitFor('XHELD');
    await late.waitFor('LATE');
    c.socket.destroy();
    late.socket.destroy();
  });

  test('cut() resets current connections; new ones work', async () => {
    await using proxy = await TcpProxy.start({ targetPort: echoPort });
    const c = await dial(proxy);
    c.socket.write('1');
    await c.waitFor('1');
    proxy.cut();
    await until('client sees the cut', () => c.events.includes('close'));
    assert.ok(c.events.includes('error:ECONNRESET'), `events: ${c.events.join(', ')}`);
    const again = await dial(proxy);
    again.socket.write('ok');
    await again.waitFor('OK');
    again.socket.destroy();
  });

  test('a target that is down: the client connection is reset at once', async () => {
    const spare = createServer();
    spare.listen(0, '127.0.0.1');
    await once(spare, 'listening');
    const deadPort = (spare.address() as { port: number }).port;
    await new Promise((r) => spare.close(r));
    await using proxy = await TcpProxy.start({ targetPort: deadPort });
    const c = await dial(proxy);
    await until('reset', () => c.events.includes('close'));
    assert.ok(c.events.some((e) => e.startsWith('error:')), `events: ${c.events.join(', ')}`);
  });

  test('bad ports are InvalidArgumentErrors; close() is idempotent and closes connections', async () => {
    await assert.rejects(TcpProxy.start({ targetPort: 0 }), InvalidArgumentError);
    await assert.rejects(TcpProxy.start({ targetPort: 70000 }), InvalidArgumentError);
    const proxy = await TcpProxy.start({ targetPort: echoPort });
    const c = await dial(proxy);
    await proxy.close();
    await proxy.close();
    await until('closed', () => c.events.includes('close'));
    await assert.rejects(dial(proxy), /ECONNREFUSED/);
  });
});

describe('EtcdCluster.start({ proxy: true })', { timeout: 60_000 }, () => {
  test('endpoints and advertised client URLs are the proxies; a cut is survived, a black hole is not', async () => {
    await using cluster = await EtcdCluster.start({ size: 1, proxy: true });
    const member = cluster.members[0]!;
    const proxy = member.proxy;
    assert.ok(proxy instanceof TcpProxy, 'member.proxy is set');
    assert.deepEqual(cluster.endpoints, [proxy.url]);
    assert.equal(member.endpoint, proxy.url);
    assert.notEqual(member.clientUrl, proxy.url);

    const client = cluster.client({ dialTimeout: 1000 });
    await client.put('proxied', 'yes');
    assert.equal((await client.get('proxied')).kvs[0]?.value.toString(), 'yes');
    assert.deepEqual(await client.sync(), [proxy.url], 'MemberList names the proxy');
    assert.ok(proxy.connections >= 1, 'the client connects through the proxy');

    proxy.cut();
    // The next read reconnects (a read is retried after a broken connection).
    assert.equal((await client.get('proxied', { timeout: 3000 })).kvs[0]?.value.toString(), 'yes');

    proxy.blackhole();
    const started = Date.now();
    await assert.rejects(client.get('proxied', { timeout: 500 }), (e: unknown) => (e as Error).name === 'DeadlineExceededError');
    assert.ok(Date.now() - started < 1500, `took ${Date.now() - started} ms`);
    proxy.heal();
    assert.equal((await client.get('proxied', { timeout: 5000 })).kvs[0]?.value.toString(), 'yes');
    assert.equal(await member.health(), true, 'probes go to the member itself');
  });
});
