/**
 * Issue 15 item 5 against a real TLS etcd (mutual TLS, certificates made by openssl): each `tls`
 * option that changes what happens on the wire. Files given by path; an encrypted key with its
 * passphrase; a PKCS#12 archive; TLS versions (a range etcd does not serve fails, saying so);
 * cipher lists; checkServerIdentity called and able to refuse (also pinning a certificate with
 * verification off); a CRL that revokes the server's certificate; insecureSkipVerify against a CA
 * the client does not know, and the CLI's --insecure-skip-tls-verify.
 * (Checks that need no server, and secrets never shown: test/unit/tls-options.test.ts,
 * test/unit/secrets.test.ts.)
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { PeerCertificate } from 'node:tls';
import { after, before, describe, test } from 'node:test';

import type { ConnectionError } from '../../src/errors/index.js';
import type { TlsOptions } from '../../src/index.js';
import { EtcdCluster, createTestCertificates, type TestCertificates } from '../../src/testing/index.js';
import { connectionFailure } from '../helpers/endpoint-failure.js';
import { asText, etcdts } from '../helpers/etcdts.js';
import { encryptedKey, pkcs12, revocationList } from '../helpers/tls-material.js';

const PASSPHRASE = 'etcd-ts passphrase';

describe('tls options against a TLS etcd', { timeout: 120_000 }, () => {
  let cluster: EtcdCluster;
  let certs: TestCertificates;
  let otherDir: string;
  let otherCa: TestCertificates;

  /** The cluster's CA and client certificate (etcd runs with --client-cert-auth), plus `extra`. */
  const mutual = (extra: TlsOptions = {}): TlsOptions => ({ ca: certs.ca.cert, cert: certs.client.cert, key: certs.client.key, ...extra });
  /** A client with `tls`, a short dial timeout, and one value written by the cluster's own client. */
  const read = async (tls: TlsOptions): Promise<string | undefined> =>
    (await cluster.client({ tls, dialTimeout: 2_000 }).get('tls-options/k')).kvs[0]?.value.toString();
  const refused = (tls: TlsOptions): Promise<ConnectionError> =>
    connectionFailure(cluster.client({ tls, dialTimeout: 800 }).get('tls-options/k'));

  before(async () => {
    cluster = await EtcdCluster.start({ size: 1, tls: { clientCertAuth: true } });
    certs = cluster.tls!;
    await cluster.client().put('tls-options/k', 'v');
    otherDir = mkdtempSync(join(certs.dir, 'other-'));
    otherCa = await createTestCertificates(otherDir);
  }, { timeout: 60_000 });

  after(async () => {
    await cluster?.close();
    if (otherDir !== undefined) rmSync(otherDir, { recursive: true, force: true });
  });

  test('caFile, certFile, keyFile: files read when the client is made', async () => {
    assert.equal(await read({ caFile: certs.ca.certFile, certFile: certs.client.certFile, keyFile: certs.client.keyFile }), 'v');
  });

  test('an encrypted key with its passphrase (as contents and as keyFile)', async () => {
    const pem = await encryptedKey(certs, certs.client, PASSPHRASE, 'client-encrypted.key');
    assert.match(pem, /ENCRYPTED PRIVATE KEY/);
    assert.equal(await read(mutual({ key: pem, passphrase: PASSPHRASE })), 'v');
    assert.equal(await read(mutual({ key: undefined, keyFile: join(certs.dir, 'client-encrypted.key'), passphrase: PASSPHRASE })), 'v');
  });

  test('pfx: client certificate and key in one PKCS#12 archive (bytes, or pfxFile); its CA certificate is trusted too', async () => {
    const pfx = await pkcs12(certs, certs.client, PASSPHRASE, 'client.p12');
    assert.equal(await read({ ca: certs.ca.cert, pfx, passphrase: PASSPHRASE }), 'v');
    assert.equal(await read({ pfxFile: join(certs.dir, 'client.p12'), passphrase: PASSPHRASE }), 'v');
  });

  test('maxVersion TLSv1.2 and minVersion TLSv1.3 work; TLS 1.0-1.1 only is refused, saying so', async () => {
    assert.equal(await read(mutual({ maxVersion: 'TLSv1.2' })), 'v');
    assert.equal(await read(mutual({ minVersion: 'TLSv1.3' })), 'v');
    const error = await refused(mutual({ minVersion: 'TLSv1', maxVersion: 'TLSv1.1' }));
    assert.match(error.message, /no TLS version in common with the server .*this client offers TLSv1 to TLSv1\.1 \(tls\.minVersion, tls\.maxVersion\)/);
    assert.ok(!/rec_layer|\.c:\d+/.test(error.message), `no OpenSSL source locations: ${error.message}`);
  });

  test('ciphers: a suite etcd offers works; one it does not is refused, naming tls.ciphers (TLS 1.2: TLS 1.3 suites are separate)', async () => {
    assert.equal(await read(mutual({ maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES256-GCM-SHA384' })), 'v');
    // RSA key exchange only: the server's key is ECDSA.
    const error = await refused(mutual({ maxVersion: 'TLSv1.2', ciphers: 'AES128-GCM-SHA256' }));
    assert.match(error.message, /refused the TLS handshake .*no cipher suite in common with tls\.ciphers 'AES128-GCM-SHA256'/);
    // The same list with TLS 1.3 allowed: 1.3 negotiates its own suites.
    assert.equal(await read(mutual({ ciphers: 'AES128-GCM-SHA256' })), 'v');
  });

  test('checkServerIdentity: called with the server name and certificate; an Error returned or thrown refuses the server', async () => {
    const seen: Array<[string, string]> = [];
    const accept = (hostname: string, cert: PeerCertificate): undefined => {
      seen.push([hostname, String(cert.subject.CN)]);
      return undefined;
    };
    assert.equal(await read(mutual({ checkServerIdentity: accept })), 'v');
    assert.deepEqual(seen, [['127.0.0.1', 'etcd-ts test server']]);
    const returned = await refused(mutual({ checkServerIdentity: () => new Error('not our etcd') }));
    assert.match(returned.message, /tls\.checkServerIdentity refused the server's certificate: not our etcd/);
    const thrown = await refused(mutual({ checkServerIdentity: () => { throw new Error('thrown refusal'); } }));
    assert.match(thrown.message, /tls\.checkServerIdentity refused the server's certificate: thrown refusal/);
  });

  test('insecureSkipVerify with checkServerIdentity: a pinned certificate is still enforced (node:tls alone would ignore it)', async () => {
    const pinned = new X509Certificate(certs.server.cert).fingerprint256;
    const pin = (fingerprint: string) => (_: string, cert: PeerCertificate) =>
      cert.fingerprint256 === fingerprint ? undefined : new Error(`fingerprint ${cert.fingerprint256} is not the pinned one`);
    const noCa = { cert: certs.client.cert, key: certs.client.key, insecureSkipVerify: true };
    assert.equal(await read({ ...noCa, checkServerIdentity: pin(pinned) }), 'v');
    const other = new X509Certificate(otherCa.server.cert).fingerprint256;
    const error = await refused({ ...noCa, checkServerIdentity: pin(other) });
    assert.match(error.message, /tls\.checkServerIdentity refused the server's certificate: fingerprint .* is not the pinned one/);
  });

  test('crl: a CRL that revokes the server certificate refuses it, saying so; one that revokes another certificate does not', async () => {
    const revoked = await revocationList(certs, [certs.server], 'server-revoked.crl');
    const error = await refused(mutual({ crl: revoked }));
    assert.match(error.message, /certificate revoked: tls\.crl lists the server's certificate as revoked/);
    const crlFile = join(certs.dir, 'client-revoked.crl');
    await revocationList(certs, [certs.client], 'client-revoked.crl');
    assert.equal(await read(mutual({ crlFile })), 'v');
  });

  test('insecureSkipVerify against a server whose CA the client does not know: served; without it: refused', async () => {
    const unknownCa = { ca: otherCa.ca.cert, cert: certs.client.cert, key: certs.client.key };
    assert.match((await refused(unknownCa)).message, /certificate/i);
    assert.equal(await read({ ...unknownCa, insecureSkipVerify: true }), 'v');
    assert.equal(await read({ ...unknownCa, rejectUnauthorized: false }), 'v');
  });

  test('the CLI: --insecure-skip-tls-verify serves a https endpoint without --cacert; without it the certificate is refused', async () => {
    const args = ['--endpoints', cluster.endpoints[0]!, '--cert', certs.client.certFile, '--key', certs.client.keyFile, '--dial-timeout', '1s'];
    const skipped = asText(await etcdts([...args, '--insecure-skip-tls-verify', 'get', 'tls-options/k', '--print-value-only']));
    assert.equal(skipped.code, 0, skipped.stderr);
    assert.equal(skipped.stdout, 'v\n');
    const checked = asText(await etcdts([...args, '--command-timeout', '2s', 'get', 'tls-options/k']));
    assert.notEqual(checked.code, 0);
    assert.match(checked.stderr, /certificate/i);
  });
});
