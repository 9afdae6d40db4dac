/**
 * TLS files beyond what etcd-ts/testing makes, for the tests of the `tls` options, made with the
 * `openssl` command line from a set of test certificates (createTestCertificates): an encrypted
 * copy of a private key, a PKCS#12 archive, a certificate revocation list.
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

import type { TestCertificates, TestKeyPair } from '../../src/testing/index.js';

const run = promisify(execFile);

async function openssl(dir: string, args: readonly string[]): Promise<void> {
  await run(process.env.OPENSSL ?? 'openssl', args, { cwd: dir, timeout: 30_000 });
}

/** `pair`'s private key encrypted (AES-256, PKCS#8) with `passphrase`, written to `<dir>/<name>`: its PEM text. */
export async function encryptedKey(certificates: TestCertificates, pair: TestKeyPair, passphrase: string, name: string): Promise<string> {
  await openssl(certificates.dir, ['pkey', '-in', pair.keyFile, '-aes256', '-passout', `pass:${passphrase}`, '-out', name]);
  return readFileSync(join(certificates.dir, name), 'utf8');
}

/** `pair`'s certificate and key, with the CA certificate, as a PKCS#12 archive protected by `passphrase`: its bytes. */
export async function pkcs12(certificates: TestCertificates, pair: TestKeyPair, passphrase: string, name: string): Promise<Buffer> {
  await openssl(certificates.dir, [
    'pkcs12', '-export', '-in', pair.certFile, '-inkey', pair.keyFile, '-certfile', certificates.ca.certFile,
    '-passout', `pass:${passphrase}`, '-out', name,
  ]);
  return readFileSync(join(certificates.dir, name));
}

/**
 * A CRL signed by the CA of `certificates` that revokes `revoked` (none: a CRL that revokes
 * nothing), written to `<dir>/<name>`: its PEM text. Each call starts a fresh CA database.
 */
export async function revocationList(certificates: TestCertificates, revoked: readonly TestKeyPair[], name: string): Promise<string> {
  const dir = certificates.dir;
  const base = name.replace(/\.[^.]*$/, '');
  writeFileSync(join(dir, `${base}.index`), '');
  writeFileSync(join(dir, `${base}.cnf`), [
    '[ca]', 'default_ca = test_ca', '[test_ca]', `database = ${base}.index`, 'default_md = sha256', 'default_crl_days = 7', '',
  ].join('\n'));
  const ca = ['-config', `${base}.cnf`, '-cert', certificates.ca.certFile, '-keyfile', certificates.ca.keyFile];
  for (const pair of revoked) await openssl(dir, ['ca', ...ca, '-revoke', pair.certFile]);
  await openssl(dir, ['ca', ...ca, '-gencrl', '-out', name]);
  return readFileSync(join(dir, name), 'utf8');
}
