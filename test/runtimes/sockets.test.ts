// The runtime suite: Unix-socket endpoints (unix:// and unixs://, TLS over the socket) and the TLS
// options that change the handshake (maxVersion, checkServerIdentity, insecureSkipVerify), against
// etcd started with the launcher's unixSocket option. Runs unchanged under node, bun and deno.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { etcd, testing } from './runtime.js';

let plain: InstanceType<typeof testing.EtcdCluster>;
let secure: InstanceType<typeof testing.EtcdCluster>;

before(async () => {
  [plain, secure] = await Promise.all([
    testing.EtcdCluster.start({ size: 1, unixSocket: true }),
    testing.EtcdCluster.start({ size: 1, tls: true, unixSocket: true }),
  ]);
});

after(async () => {
  await Promise.all([plain?.close(), secure?.close()]);
});

test('unix:///abs/path: put, get and a watch over the socket', { timeout: 30_000 }, async () => {
  const client = plain.client({ endpoints: plain.unixEndpoints });
  await client.put('rt/unix/k', 'over the socket');
  assert.equal((await client.get('rt/unix/k')).kvs[0]?.value.toString(), 'over the socket');
  const watcher = client.watch('rt/unix/w');
  const iterator = watcher[Symbol.asyncIterator]();
  assert.equal((await iterator.next()).value?.created, true);
  await client.put('rt/unix/w', 'event');
  assert.equal((await iterator.next()).value?.events[0]?.kv.value.toString(), 'event');
  await watcher.cancel();
});

test('unixs:// with the CA: TLS over the socket, checked against the socket\'s server name', { timeout: 30_000 }, async () => {
  const client = secure.client({ endpoints: secure.unixEndpoints });
  await client.put('rt/unixs/k', 'tls');
  assert.equal((await client.get('rt/unixs/k')).kvs[0]?.value.toString(), 'tls');
  const wrongName = secure.client({ endpoints: secure.unixEndpoints, tls: { ca: secure.tls!.ca.cert, servername: 'not-etcd.example' }, dialTimeout: 1000 });
  await assert.rejects(wrongName.get('rt/unixs/k', { timeout: 3000 }), etcd.NoAvailableEndpointsError);
});

test('tls options: maxVersion TLSv1.2 works; checkServerIdentity refuses; insecureSkipVerify without a CA works', { timeout: 30_000 }, async () => {
  const ca = secure.tls!.ca.cert;
  assert.equal((await secure.client({ tls: { ca, maxVersion: 'TLSv1.2' } }).get('rt/unixs/k')).kvs[0]?.value.toString(), 'tls');
  const refusing = secure.client({ tls: { ca, checkServerIdentity: () => new Error('refused by the test') }, dialTimeout: 1000 });
  const error = await refusing.get('rt/unixs/k', { timeout: 3000 }).then(() => assert.fail('served'), (e: unknown) => e);
  assert.ok(error instanceof etcd.NoAvailableEndpointsError, String(error));
  assert.match(error.message, /refused by the test/);
  assert.equal((await secure.client({ tls: { insecureSkipVerify: true } }).get('rt/unixs/k')).kvs[0]?.value.toString(), 'tls');
});
