// Issue 15 item 5: the `tls` option is checked when the client is made, before anything connects:
// unknown names and malformed values refused with an InvalidArgumentError naming the option, files
// read (an unreadable one named with its path), and what node:tls would refuse (an unknown cipher
// list, a CRL or archive that does not parse, a key that is not the certificate's) named too.
// Real certificates, made by openssl. (Secrets never shown: secrets.test.ts; against a TLS etcd:
// test/integration/tls-options.test.ts.)
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Client, InvalidArgumentError } from '../../src/index.js';
import { createTestCertificates, type TestCertificates } from '../../src/testing/index.js';
import { resolveTlsOptions } from '../../src/tls-options.js';
import { pkcs12 } from '../helpers/tls-material.js';

let dir: string;
let certs: TestCertificates;
let pfx: Buffer;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'etcd-ts-tls-options-'));
  certs = await createTestCertificates(dir);
  pfx = await pkcs12(certs, certs.client, 'pw', 'client.p12');
});

after(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

/** Asserts that `new Client({ tls })` throws an InvalidArgumentError whose message matches `pattern`. */
function refused(tls: unknown, pattern: RegExp): void {
  assert.throws(() => new Client({ endpoints: ['https://127.0.0.1:9'], tls: tls as never }), (error: unknown) => {
    assert.ok(error instanceof InvalidArgumentError, `expected InvalidArgumentError, got ${String(error)}`);
    assert.match(error.message, pattern);
    return true;
  });
}

describe('tls option checks', () => {
  test('unknown names are refused by name, listing the known ones', () => {
    refused({ caFiles: '/x' }, /^unknown option 'caFiles' for tls; known options: ca, caFile, cert, certFile, key, keyFile, passphrase, pfx, pfxFile, crl, crlFile, servername, minVersion, maxVersion, ciphers, checkServerIdentity, insecureSkipVerify, rejectUnauthorized$/);
    refused({ insecure_skip_verify: true }, /unknown option 'insecure_skip_verify' for tls/);
    refused({ secureContext: {} }, /unknown option 'secureContext' for tls/);
  });

  test('values of the wrong type are named', () => {
    refused({ minVersion: 'TLSv1.4' }, /^tls\.minVersion must be one of 'TLSv1', 'TLSv1\.1', 'TLSv1\.2', 'TLSv1\.3', got "TLSv1\.4"$/);
    refused({ maxVersion: 1.3 }, /^tls\.maxVersion must be one of/);
    refused({ ciphers: '' }, /^tls\.ciphers must be a non-empty OpenSSL cipher list/);
    refused({ checkServerIdentity: true }, /^tls\.checkServerIdentity must be a function/);
    refused({ insecureSkipVerify: 'yes' }, /^tls\.insecureSkipVerify must be a boolean, got "yes"$/);
    refused({ caFile: '' }, /^tls\.caFile must be a non-empty file path/);
    refused({ crl: [] }, /^tls\.crl must be a PEM string or Buffer, or a non-empty array of them/);
    refused({ ca: 5 }, /^tls\.ca must be a PEM string or Buffer/);
    refused('ca', /^tls must be an object, got "ca"$/);
  });

  test('contents and a file for the same setting, or settings that do not go together, are refused', () => {
    refused({ ca: certs.ca.cert, caFile: certs.ca.certFile }, /^tls\.ca and tls\.caFile are both given; give one of them$/);
    refused({ cert: certs.client.cert }, /^tls\.cert needs tls\.key \(or tls\.keyFile\)/);
    refused({ keyFile: certs.client.keyFile }, new RegExp(`^tls\\.keyFile \\(${certs.client.keyFile}\\) needs tls\\.cert \\(or tls\\.certFile\\)`));
    refused({ pfx, passphrase: 'pw', cert: certs.client.cert, key: certs.client.key }, /^tls\.pfx holds the client certificate and key; give it or tls\.cert and tls\.key, not both$/);
    refused({ passphrase: 'pw' }, /^tls\.passphrase is for an encrypted tls\.key or a tls\.pfx, and neither is given$/);
    refused({ minVersion: 'TLSv1.3', maxVersion: 'TLSv1.2' }, /^tls\.minVersion 'TLSv1\.3' is above tls\.maxVersion 'TLSv1\.2'$/);
    refused({ insecureSkipVerify: true, rejectUnauthorized: true }, /^tls\.insecureSkipVerify: true contradicts tls\.rejectUnauthorized: true/);
  });

  test('an unreadable file is named with its path and the reason', () => {
    const missing = join(dir, 'missing.crt');
    refused({ caFile: missing }, new RegExp(`^tls\\.caFile cannot be read: ENOENT: no such file or directory, open '${missing}'$`));
    refused({ certFile: certs.client.certFile, keyFile: dir }, /^tls\.keyFile cannot be read: EISDIR/);
  });

  test('what node:tls would refuse is refused now, naming the option', () => {
    refused({ ca: 'not a certificate' }, /^tls\.ca holds no PEM certificate/);
    refused({ caFile: certs.ca.keyFile }, /^tls\.caFile \(.*ca\.key\) holds no PEM certificate/);
    refused({ ciphers: 'NO-SUCH-CIPHER' }, /^tls\.ciphers "NO-SUCH-CIPHER" is refused by node:tls: no cipher match$/);
    refused({ crl: certs.ca.cert }, /^tls\.crl is not a PEM certificate revocation list/);
    refused({ cert: certs.client.key, key: certs.client.key }, /^tls\.cert is not a PEM certificate/);
    refused({ cert: certs.client.cert, key: certs.client.cert }, /^tls\.key is not a PEM private key/);
    refused({ cert: certs.client.cert, key: certs.server.key }, /^tls\.key is not the private key of tls\.cert/);
    refused({ pfx: Buffer.from('not an archive') }, /^tls\.pfx is not a PKCS#12 archive/);
    refused({ pfx }, /^tls\.pfx is protected by a passphrase: give tls\.passphrase/);
  });

  test('the settings handed to node:tls: files read, insecureSkipVerify as rejectUnauthorized: false', () => {
    const check = () => undefined;
    const settings = resolveTlsOptions({
      caFile: certs.ca.certFile, certFile: certs.client.certFile, keyFile: certs.client.keyFile,
      servername: 'etcd', minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3', ciphers: 'ECDHE-ECDSA-AES256-GCM-SHA384',
      insecureSkipVerify: true, checkServerIdentity: check,
    });
    assert.equal(settings.ca?.toString(), certs.ca.cert);
    assert.equal(settings.cert?.toString(), certs.client.cert);
    assert.equal(settings.key?.toString(), certs.client.key);
    assert.equal(settings.rejectUnauthorized, false);
    assert.equal(settings.checkServerIdentity, check);
    assert.deepEqual([settings.servername, settings.minVersion, settings.maxVersion, settings.ciphers], ['etcd', 'TLSv1.2', 'TLSv1.3', 'ECDHE-ECDSA-AES256-GCM-SHA384']);
    assert.deepEqual(resolveTlsOptions({ insecureSkipVerify: false }), {});
    assert.deepEqual(resolveTlsOptions({ pfx: new Uint8Array(pfx), passphrase: 'pw' }).pfx, pfx);
  });
});
