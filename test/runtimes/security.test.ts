// The runtime suite: mutual TLS (a client certificate from the cluster's CA; a client without one
// is refused) and auth (users, roles, a permission refused with PermissionDeniedError, a wrong
// password refused with AuthFailedError). Runs unchanged under node, bun and deno.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { etcd, testing } from './runtime.js';

let tlsCluster: InstanceType<typeof testing.EtcdCluster>;
let plainCluster: InstanceType<typeof testing.EtcdCluster>;

before(async () => {
  [tlsCluster, plainCluster] = await Promise.all([
    testing.EtcdCluster.start({ size: 1, tls: { clientCertAuth: true } }),
    testing.EtcdCluster.start({ size: 1 }),
  ]);
});

after(async () => {
  await Promise.all([tlsCluster?.close(), plainCluster?.close()]);
});

test('TLS with a client certificate: served; without a certificate: refused, naming the endpoint', { timeout: 30_000 }, async () => {
  const tls = tlsCluster.tls!;
  assert.equal(tls.clientCertAuth, true);
  assert.match(tlsCluster.endpoints[0]!, /^https:/);
  const client = tlsCluster.client({ tls: { ca: tls.ca.cert, cert: tls.client.cert, key: tls.client.key } });
  await client.put('rt/tls/k', 'secret');
  assert.equal((await client.get('rt/tls/k')).kvs[0]?.value.toString(), 'secret');
  // A watch (a long-lived stream) over TLS too.
  const watcher = client.watch('rt/tls/w');
  const iterator = watcher[Symbol.asyncIterator]();
  assert.equal((await iterator.next()).value?.created, true);
  await client.put('rt/tls/w', 'event');
  assert.equal((await iterator.next()).value?.events[0]?.kv.value.toString(), 'event');
  await watcher.cancel();

  const anonymous = tlsCluster.client({ tls: { ca: tls.ca.cert }, dialTimeout: 1000 });
  const error = await anonymous.get('rt/tls/k', { timeout: 3000 }).then(
    () => assert.fail('a client without a certificate was served'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof etcd.EtcdError, String(error));
  assert.ok(error.message.includes(tlsCluster.endpoints[0]!), error.message);
  await anonymous.close();
});

test('auth: a user with a role on a prefix; denied elsewhere; a wrong password refused', { timeout: 30_000 }, async () => {
  const admin = plainCluster.client();
  await admin.auth.userAdd('root', 'root-pw');
  await admin.auth.roleAdd('root');
  await admin.auth.userGrantRole('root', 'root');
  await admin.auth.roleAdd('app');
  await admin.auth.roleGrantPermission('app', { type: 'readwrite', key: 'rt/app/', prefix: true });
  await admin.auth.userAdd('svc', 'svc-pw');
  await admin.auth.userGrantRole('svc', 'app');
  await admin.auth.authEnable();

  const endpoints = plainCluster.endpoints;
  const svc = new etcd.Client({ endpoints, username: 'svc', password: 'svc-pw' });
  try {
    await svc.put('rt/app/config', 'v1');
    assert.equal((await svc.get('rt/app/config')).kvs[0]?.value.toString(), 'v1');
    await assert.rejects(svc.put('rt/other', 'x'), etcd.PermissionDeniedError);
  } finally {
    await svc.close();
  }
  const wrong = new etcd.Client({ endpoints, username: 'svc', password: 'not-the-password' });
  try {
    const error = await wrong.get('rt/app/config').then(() => assert.fail('a wrong password was accepted'), (e: unknown) => e);
    assert.ok(error instanceof etcd.AuthFailedError, String(error));
    assert.ok(!String((error as Error).message).includes('not-the-password'), 'the password is not in the error');
  } finally {
    await wrong.close();
  }
  const root = new etcd.Client({ endpoints, username: 'root', password: 'root-pw' });
  try {
    await root.auth.authDisable();
  } finally {
    await root.close();
  }
  await admin.close();
});
