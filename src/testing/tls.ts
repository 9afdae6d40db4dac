/**
 * Test certificates for TLS clusters, made with the `openssl` command line (OpenSSL 1.1.1 or newer):
 * a throw-away CA, a server certificate for 127.0.0.1 / localhost, and client certificates (whose
 * common name etcd takes as the user name under `--client-cert-auth` with auth enabled).
 * Keys are ECDSA P-256 (fast to make); certificates are valid for {@link TEST_CERT_DAYS} days.
 *
 * Imports node: modules and the error tree only.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { InvalidArgumentError } from '../errors/client.js';
import { EtcdLaunchError } from '../errors/launcher.js';
import { Status } from '../transport/types.js';

/** Validity of the test certificates, in days. */
export const TEST_CERT_DAYS = 7;

/** Name the server certificate holds besides `localhost` and 127.0.0.1, for `tls.servername` tests. */
export const TEST_SERVER_NAME = 'etcd.etcd-ts.test';

/** Common name of the default client certificate. */
export const DEFAULT_CLIENT_COMMON_NAME = 'etcd-ts-client';

/** `OPENSSL` environment variable: path of the openssl binary (default `openssl` on PATH). */
export const OPENSSL_ENV = 'OPENSSL';

/** A certificate and its private key: the files and their PEM text. */
export interface TestKeyPair {
  /** Path of the PEM certificate. */
  certFile: string;
  /** Path of the PEM private key (unencrypted). */
  keyFile: string;
  /** The certificate, PEM. */
  cert: string;
  /** The private key, PEM. */
  key: string;
}

/** What {@link createTestCertificates} made. */
export interface TestCertificates {
  /** The folder holding every file. */
  dir: string;
  /** The CA: `ca.crt` and `ca.key`. */
  ca: TestKeyPair;
  /** The server's certificate (`server.crt`, `server.key`) for 127.0.0.1, localhost and {@link TEST_SERVER_NAME}. */
  server: TestKeyPair;
  /** A client certificate (`client.crt`, `client.key`) with common name {@link DEFAULT_CLIENT_COMMON_NAME} (or the one asked for). */
  client: TestKeyPair;
}

/** Options of {@link createTestCertificates}. */
export interface TestCertificateOptions {
  /** Common name of the client certificate. Default {@link DEFAULT_CLIENT_COMMON_NAME}. */
  clientCommonName?: string;
  /** Extra DNS names for the server certificate. */
  serverNames?: readonly string[];
}

function openssl(args: readonly string[], cwd: string): Promise<void> {
  const bin = process.env[OPENSSL_ENV] ?? 'openssl';
  return new Promise((resolve, reject) => {
    execFile(bin, args, { cwd, timeout: 30_000 }, (error, _stdout, stderr) => {
      if (error === null) {
        resolve();
        return;
      }
      const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
      reject(new EtcdLaunchError(
        missing
          ? `cannot run ${bin}: install OpenSSL (Debian/Ubuntu: apt-get install openssl) or set ${OPENSSL_ENV}`
          : `${bin} ${args.slice(0, 2).join(' ')} failed: ${stderr.trim() || error.message}`,
        missing ? Status.FAILED_PRECONDITION : Status.INTERNAL,
        { cause: error },
      ));
    });
  });
}

function checkName(what: string, name: string): void {
  if (typeof name !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9 ._@-]{0,63}$/.test(name)) {
    throw new InvalidArgumentError(`${what} must be 1-64 letters, digits, spaces or ._@- (starting with a letter or digit), got ${JSON.stringify(name)}`);
  }
}

function read(certFile: string, keyFile: string): TestKeyPair {
  return { certFile, keyFile, cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
}

const KEY_ARGS = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

/** Signs `<name>.csr` with the CA into `<name>.crt`, with the extensions in `<name>.ext`. */
async function sign(dir: string, name: string, extensions: string): Promise<void> {
  writeFileSync(join(dir, `${name}.ext`), extensions);
  await openssl([
    'x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key',
    '-set_serial', `0x${randomBytes(8).toString('hex')}`, '-days', String(TEST_CERT_DAYS),
    '-sha256', '-extfile', `${name}.ext`, '-out', `${name}.crt`,
  ], dir);
}

/**
 * Makes a fresh CA, a server certificate and a client certificate in `dir` (created if missing).
 *
 * @throws InvalidArgumentError for a bad common name or server name; EtcdLaunchError when openssl
 *   is missing (FAILED_PRECONDITION) or fails (INTERNAL, with its message)
 */
export async function createTestCertificates(dir: string, options: TestCertificateOptions = {}): Promise<TestCertificates> {
  const clientName = options.clientCommonName ?? DEFAULT_CLIENT_COMMON_NAME;
  checkName('clientCommonName', clientName);
  const names = ['localhost', TEST_SERVER_NAME, ...(options.serverNames ?? [])];
  for (const name of names) {
    if (!/^[A-Za-z0-9.-]{1,253}$/.test(name)) throw new InvalidArgumentError(`serverNames must hold DNS names, got ${JSON.stringify(name)}`);
  }
  mkdirSync(dir, { recursive: true });
  await openssl([
    'req', '-x509', ...KEY_ARGS, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', String(TEST_CERT_DAYS),
    '-subj', '/CN=etcd-ts test CA', '-sha256',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ], dir);
  await openssl(['req', ...KEY_ARGS, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=etcd-ts test server'], dir);
  // clientAuth too: etcd 3.4's gRPC gateway dials its own gRPC port with the server certificate.
  await sign(dir, 'server', [
    'basicConstraints=CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    'extendedKeyUsage=serverAuth,clientAuth',
    `subjectAltName=IP:127.0.0.1,${names.map((n) => `DNS:${n}`).join(',')}`,
    '',
  ].join('\n'));
  const certificates: TestCertificates = {
    dir,
    ca: read(join(dir, 'ca.crt'), join(dir, 'ca.key')),
    server: read(join(dir, 'server.crt'), join(dir, 'server.key')),
    client: { certFile: '', keyFile: '', cert: '', key: '' },
  };
  certificates.client = await issueClientCertificate(certificates, clientName, 'client');
  return certificates;
}

/**
 * Issues one more client certificate from the CA of `certificates`, e.g. for a user under
 * `--client-cert-auth` (etcd takes the common name as the user name when auth is enabled).
 *
 * @param commonName the certificate's CN, e.g. `alice`
 * @param fileName base name of the files (`<fileName>.crt`, `<fileName>.key`); default `client-<commonName>`
 * @throws InvalidArgumentError for a bad name; EtcdLaunchError when openssl is missing
 *   (FAILED_PRECONDITION) or fails (INTERNAL)
 */
export async function issueClientCertificate(certificates: TestCertificates, commonName: string, fileName?: string): Promise<TestKeyPair> {
  checkName('commonName', commonName);
  const base = fileName ?? `client-${commonName.replace(/[^A-Za-z0-9._-]/g, '_')}`;
  checkName('fileName', base);
  const dir = certificates.dir;
  await openssl(['req', ...KEY_ARGS, '-keyout', `${base}.key`, '-out', `${base}.csr`, '-subj', `/CN=${commonName}`], dir);
  await sign(dir, base, [
    'basicConstraints=CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    'extendedKeyUsage=clientAuth',
    '',
  ].join('\n'));
  return read(join(dir, `${base}.crt`), join(dir, `${base}.key`));
}
