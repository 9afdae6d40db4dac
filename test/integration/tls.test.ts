/**
 * TLS against real etcd started by etcd-ts/testing with certificates it makes (openssl): server
 * TLS with the `tls` client option (CA, servername, rejectUnauthorized), a wrong CA, and mutual TLS
 * under `--client-cert-auth`, including etcd taking the certificate's common name as the user once
 * auth is enabled.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';

import { PermissionDeniedError } from '../../src/errors/index.js';
import { Auth } from '../../src/proto/index.js';
import { Permission_Type } from '../../src/proto/gen/authpb/auth.js';
import { Status } from '../../src/transport/index.js';
import {
  EtcdCluster,
  EtcdError,
  EtcdLaunchError,
  TEST_SERVER_NAME,
  createTestCertificates,
  issueClientCertificate,
  type TestCertificates,
} from '../../src/testing/index.js';
import { connectionFailure } from '../helpers/endpoint-failure.js';

const enc = (s: string) => new TextEncoder().encode(s);

describe('server TLS (tls: true)', { timeout: 60_000 }, () => {
  let cluster: EtcdCluster;
  let otherCa: TestCertificates;
  let otherDir: string;

  before(async () => {
    cluster = await EtcdCluster.start({ size: 1, tls: true });
    otherDir = mkdtempSync('/dev/shm/etcd-ts-other-ca-');
    otherCa = await createTestCertificates(otherDir);
  }, { timeout: 30_000 });

  after(async () => {
    await cluster?.close();
    if (otherDir !== undefined) rmSync(otherDir, { recursive: true, force: true });
  });

  test('https endpoints and the CA: put and get work', async () => {
    assert.match(cluster.endpoints[0]!, /^https:\/\/127\.0\.0\.1:\d+$/);
    const tls = cluster.tls!;
    assert.equal(tls.clientCertAuth, false);
    const client = cluster.client({ tls: { ca: tls.ca.cert } });
    await client.put('tls/k', 'secret');
    assert.equal((await client.get('tls/k')).kvs[0]?.value.toString(), 'secret');
  });

  test('a CA that did not sign the server certificate: a ConnectionError saying why', async () => {
    const client = cluster.client({ tls: { ca: otherCa.ca.cert }, dialTimeout: 800 });
    const error = await connectionFailure(client.get('tls/k'));
    assert.match(error.message, /certificate/i);
    assert.equal(error.endpoint, cluster.endpoints[0]);
  });

  test('no CA at all (system roots): refused the same way', async () => {
    const client = cluster.client({ tls: {}, dialTimeout: 800 });
    const error = await connectionFailure(client.get('tls/k'));
    assert.match(error.message, /certificate/i);
  });

  test('servername: a name in the certificate works, another fails as a host name mismatch', async () => {
    const ca = cluster.tls!.ca.cert;
    const good = cluster.client({ tls: { ca, servername: TEST_SERVER_NAME } });
    assert.equal((await good.get('tls/k')).kvs[0]?.value.toString(), 'secret');
    const bad = cluster.client({ tls: { ca, servername: 'not-etcd.example' }, dialTimeout: 800 });
    const error = await connectionFailure(bad.get('tls/k'));
    assert.match(error.message, /not-etcd\.example|altnames|does not match/i);
  });

  test('rejectUnauthorized: false skips verification (for tests only)', async () => {
    const client = cluster.client({ tls: { rejectUnauthorized: false } });
    assert.equal((await client.get('tls/k')).kvs[0]?.value.toString(), 'secret');
  });

  test('addMember on a TLS cluster: an EtcdLaunchError (UNIMPLEMENTED) saying plain-http clusters only', async () => {
    await assert.rejects(cluster.addMember(), (error: unknown) => {
      assert.ok(error instanceof EtcdLaunchError && error instanceof EtcdError, String(error));
      assert.equal(error.code, Status.UNIMPLEMENTED);
      assert.match(error.message, /addMember: supported on plain-http clusters only/);
      return true;
    });
    assert.equal(cluster.members.length, 1);
  });

  test('a plain http client against the TLS port fails, naming the endpoint', async () => {
    const plain = cluster.client({ endpoints: [cluster.endpoints[0]!.replace('https:', 'http:')], tls: undefined, dialTimeout: 800 });
    await connectionFailure(plain.get('tls/k'));
  });
});

describe('mutual TLS (tls: { clientCertAuth: true })', { timeout: 60_000 }, () => {
  let cluster: EtcdCluster;

  before(async () => {
    cluster = await EtcdCluster.start({ size: 1, tls: { clientCertAuth: true } });
  }, { timeout: 30_000 });

  after(async () => {
    await cluster?.close();
  });

  test('a client with the cluster\'s client certificate works; without one it is refused', async () => {
    const tls = cluster.tls!;
    assert.equal(tls.clientCertAuth, true);
    const client = cluster.client(); // the cluster's CA and client certificate by default
    await client.put('mtls/k', 'v');
    assert.equal((await client.get('mtls/k')).kvs[0]?.value.toString(), 'v');

    const anonymous = cluster.client({ tls: { ca: tls.ca.cert }, dialTimeout: 800 });
    // etcd refuses the handshake (TLS alert "bad certificate"); the client says so, and close() does not hang.
    const error = await connectionFailure(anonymous.get('mtls/k'));
    assert.match(error.message, /certificate/i);
    assert.equal(error.endpoint, cluster.endpoints[0]);
  });

  test('with auth enabled, the certificate common name is the user (no password sent)', async () => {
    const admin = cluster.client();
    // Set up auth with raw RPCs: root (needed to enable auth) and alice, who may only read cn/.
    await admin.rpc.unary(Auth.userAdd, { name: 'root', password: 'root-pw' });
    await admin.rpc.unary(Auth.userGrantRole, { user: 'root', role: 'root' });
    await admin.rpc.unary(Auth.userAdd, { name: 'alice', password: 'alice-pw' });
    await admin.rpc.unary(Auth.roleAdd, { name: 'reader' });
    await admin.rpc.unary(Auth.roleGrantPermission, {
      name: 'reader',
      perm: { permType: Permission_Type.READ, key: enc('cn/'), rangeEnd: enc('cn0') },
    });
    await admin.rpc.unary(Auth.userGrantRole, { user: 'alice', role: 'reader' });
    await admin.put('cn/k', 'before auth');
    await admin.rpc.unary(Auth.authEnable, {});

    const tls = cluster.tls!;
    const rootCert = await issueClientCertificate(tls, 'root');
    const aliceCert = await issueClientCertificate(tls, 'alice');
    const asRoot = cluster.client({ tls: { ca: tls.ca.cert, cert: rootCert.cert, key: rootCert.key } });
    const asAlice = cluster.client({ tls: { ca: tls.ca.cert, cert: aliceCert.cert, key: aliceCert.key } });

    await asRoot.put('cn/k', 'written by root');
    assert.equal((await asAlice.get('cn/k')).kvs[0]?.value.toString(), 'written by root');
    await assert.rejects(asAlice.put('cn/k', 'by alice'), PermissionDeniedError);
    // The default client certificate's CN (etcd-ts-client) is no user: refused.
    await assert.rejects(admin.get('cn/k'), (e: unknown) => e instanceof Error && /user name not found|permission denied/i.test(e.message));
  });

  test('a certificate-CN client under concurrent auth changes: every put and delete succeeds (AuthOldRevision retried, as clientv3)', async () => {
    // etcd's TestCtlV3AuthCertCNWithWithConcurrentOperation: a user authenticated by its client
    // certificate's CN writes and deletes keys while users are added and deleted. A request whose
    // auth revision was overtaken before apply gets AuthOldRevisionError; etcd applied nothing, and
    // clientv3 sends it again (there is no token to refresh).
    const tls = cluster.tls!;
    const rootCert = await issueClientCertificate(tls, 'root');
    const asRoot = cluster.client({ tls: { ca: tls.ca.cert, cert: rootCert.cert, key: rootCert.key } });
    // Each round makes an auth change and, right behind it on the same connection, a write: the
    // write is checked against the auth revision before the change applies (etcd 3.4 hashes the
    // password while applying userAdd), and applied after it.
    for (let i = 0; i < 30; i++) {
      await Promise.all([
        asRoot.rpc.unary(Auth.userAdd, { name: `churn-${i}`, password: `pw-${i}` }),
        asRoot.put(`cn/concurrent/${i}`, `value-${i}`),
      ]);
      const [, deleted] = await Promise.all([
        asRoot.rpc.unary(Auth.userDelete, { name: `churn-${i}` }),
        asRoot.delete(`cn/concurrent/${i}`),
      ]);
      assert.equal(deleted.deleted, 1);
    }
  });
});
