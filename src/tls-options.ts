/**
 * The client's `tls` option: its type, and the check that turns it into the transport's
 * `TlsSettings` before anything connects. Files named by path (`caFile`, `certFile`, `keyFile`,
 * `pfxFile`, `crlFile`) are read here, once, when the client is made; every value is checked, the
 * key material by building a throw-away `node:tls` secure context, so a wrong passphrase or a key
 * that does not match its certificate is an `InvalidArgumentError` naming the option at once, not
 * a connection failure later. Private keys, passphrases and PKCS#12 archives never appear in an
 * error message.
 */
import { readFileSync } from 'node:fs';
import type { PeerCertificate, SecureContextOptions } from 'node:tls';

import { nodeTls } from './internal/node-tls.js';
import { unknownOption } from './internal/validation.js';
import { describe } from './internal/describe-value.js';
import { InvalidArgumentError } from './errors/index.js';
import type { TlsSettings, TlsVersion } from './transport/types.js';

export type { TlsVersion };

/** A PEM text: a string, or a Buffer holding one. */
type Pem = string | Buffer;

/**
 * TLS settings of a client (Go: `clientv3.Config.TLS`, a `tls.Config`), named as `tls.connect`
 * names them, plus `*File` options that name files to read (once, when the client is made;
 * relative paths from the working directory) and Go's `insecureSkipVerify`. Given, every
 * endpoint uses TLS (`https://`, `host:port`, `unixs://` and `unix://`; `http://` is refused).
 * Unknown names and malformed values are refused with `InvalidArgumentError` naming the option.
 */
export interface TlsOptions {
  /** CA certificate(s) that verify the servers, PEM (one text may hold several). Default: Node's bundled root CAs. */
  ca?: string | Buffer | Array<string | Buffer>;
  /** Path of a PEM file of CA certificates, instead of `ca` (etcdctl `--cacert`, YAML `trusted-ca-file`). */
  caFile?: string;
  /** Client certificate, PEM, for servers that require one (etcd `--client-cert-auth`); needs `key`. */
  cert?: string | Buffer;
  /** Path of the client certificate's PEM file, instead of `cert` (etcdctl `--cert`, YAML `cert-file`). */
  certFile?: string;
  /** Private key of `cert`, PEM; when encrypted, give `passphrase`. Never shown in errors. */
  key?: string | Buffer;
  /** Path of the private key's PEM file, instead of `key` (etcdctl `--key`, YAML `key-file`). */
  keyFile?: string;
  /** Passphrase of an encrypted `key` or of `pfx`. Never shown in errors. */
  passphrase?: string;
  /**
   * Client certificate and private key (and optionally CA certificates, which are then trusted
   * too) as one PKCS#12 archive (`.p12`/`.pfx`, DER bytes), instead of `cert` and `key`. Never
   * shown in errors.
   */
  pfx?: Uint8Array;
  /** Path of a PKCS#12 file, instead of `pfx`. */
  pfxFile?: string;
  /**
   * Certificate revocation list(s), PEM, from the CA that signed the servers' certificates: a
   * server whose certificate they list is refused (`certificate revoked`). With a CRL, OpenSSL
   * checks the server's certificate against a CRL of its issuer, and refuses it when none is given.
   */
  crl?: string | Buffer | Array<string | Buffer>;
  /** Path of a PEM CRL file, instead of `crl`. */
  crlFile?: string;
  /** Server name for SNI and certificate checks. Default: each endpoint's host (for a socket, the name its file gives). */
  servername?: string;
  /** Lowest TLS version offered: `'TLSv1'`, `'TLSv1.1'`, `'TLSv1.2'` or `'TLSv1.3'`. Default: Node's (`'TLSv1.2'`). */
  minVersion?: TlsVersion;
  /** Highest TLS version offered (same values); at least `minVersion`. Default: Node's (`'TLSv1.3'`). */
  maxVersion?: TlsVersion;
  /**
   * OpenSSL cipher list for TLS 1.2 and below (and TLS 1.3 suites by their `TLS_` names), e.g.
   * `'ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384'` (Go: `CipherSuites`). Default: Node's.
   */
  ciphers?: string;
  /**
   * Extra check of the server's certificate: called with the server name and the certificate
   * (`tls.PeerCertificate`, with its issuer chain) once the chain verified, or always with
   * `insecureSkipVerify` (e.g. to pin a certificate's fingerprint); returning or throwing an Error
   * refuses the server (the connection fails with its message). Replaces the default host-name
   * check: call `tls.checkServerIdentity(hostname, cert)` inside to keep it. Default: that check.
   * @param hostname the server name checked: `servername`, else the endpoint's host
   * @param cert the server's certificate
   * @returns an Error to refuse the server, undefined to accept it
   */
  checkServerIdentity?(hostname: string, cert: PeerCertificate): Error | undefined;
  /**
   * Accept any server certificate: no chain or host-name verification (Go's `InsecureSkipVerify`,
   * etcdctl's `--insecure-skip-tls-verify`). For tests only. Default false.
   */
  insecureSkipVerify?: boolean;
  /** Node's name for the opposite of `insecureSkipVerify`: `false` accepts any server certificate. Default true. */
  rejectUnauthorized?: boolean;
}

/** Every name {@link TlsOptions} knows, in the order error messages list them. */
export const TLS_OPTION_NAMES: readonly string[] = [
  'ca', 'caFile', 'cert', 'certFile', 'key', 'keyFile', 'passphrase', 'pfx', 'pfxFile', 'crl', 'crlFile',
  'servername', 'minVersion', 'maxVersion', 'ciphers', 'checkServerIdentity', 'insecureSkipVerify', 'rejectUnauthorized',
];

const TLS_VERSIONS: readonly TlsVersion[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

/** The options given as contents or as a file, each with its `*File` twin. */
const FILE_TWINS = { ca: 'caFile', cert: 'certFile', key: 'keyFile', pfx: 'pfxFile', crl: 'crlFile' } as const;

/** A PEM block of a certificate, as `ca` must hold at least one of. */
const CERTIFICATE_PEM = /-----BEGIN (?:TRUSTED |X509 )?CERTIFICATE-----/;
/** A passphrase-protected PEM private key: PKCS#8 (`ENCRYPTED PRIVATE KEY`) or traditional OpenSSL (`Proc-Type: 4,ENCRYPTED`). */
const ENCRYPTED_KEY_PEM = /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: *4, *ENCRYPTED/;

const isPem = (value: unknown): boolean => typeof value === 'string' || Buffer.isBuffer(value);

/** Checks the type of one option; secrets are never described. */
function checkType(name: string, value: unknown): void {
  const fail = (expected: string, secret = false): never => {
    throw new InvalidArgumentError(`tls.${name} must be ${expected}, got ${secret ? 'another type (the value is not shown)' : describe(value)}`);
  };
  switch (name) {
    case 'ca':
    case 'crl':
      if (isPem(value) || (Array.isArray(value) && value.length > 0 && value.every(isPem))) return;
      return fail('a PEM string or Buffer, or a non-empty array of them');
    case 'cert':
      if (isPem(value)) return;
      return fail('a PEM string or Buffer');
    case 'key':
      if (isPem(value)) return;
      return fail('a PEM string or Buffer', true);
    case 'passphrase':
      if (typeof value === 'string') return;
      return fail('a string', true);
    case 'pfx':
      if (value instanceof Uint8Array) return;
      return fail('a Buffer or Uint8Array of PKCS#12 (DER) bytes', true);
    case 'caFile':
    case 'certFile':
    case 'keyFile':
    case 'pfxFile':
    case 'crlFile':
      if (typeof value === 'string' && value !== '') return;
      return fail('a non-empty file path');
    case 'servername':
      if (typeof value === 'string') return;
      return fail('a string');
    case 'minVersion':
    case 'maxVersion':
      if (TLS_VERSIONS.includes(value as TlsVersion)) return;
      return fail(`one of ${TLS_VERSIONS.map((v) => `'${v}'`).join(', ')}`);
    case 'ciphers':
      if (typeof value === 'string' && value.trim() !== '') return;
      return fail('a non-empty OpenSSL cipher list');
    case 'checkServerIdentity':
      if (typeof value === 'function') return;
      return fail('a function (hostname, cert) => Error | undefined');
    case 'insecureSkipVerify':
    case 'rejectUnauthorized':
      if (typeof value === 'boolean') return;
      return fail('a boolean');
    default:
      throw unknownOption(name, 'tls', TLS_OPTION_NAMES);
  }
}

/** The contents of `tls.<name>File`, read now. */
function readTlsFile(name: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new InvalidArgumentError(`tls.${name} cannot be read: ${(error as Error).message}`, { cause: error });
  }
}

/** OpenSSL's reason in a node:tls error (`error:1C800064:Provider routines::bad decrypt` → `bad decrypt`). */
function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const match = /error:[0-9A-Fa-f]+:[^:]*:[^:]*:(.+)$/.exec(message.trim());
  return (match === null ? message : match[1]!).trim();
}

/**
 * Builds a throw-away secure context of `context`; when node:tls refuses it, throws the
 * `InvalidArgumentError` that `explain` words from OpenSSL's reason. A runtime without
 * `tls.createSecureContext` skips the check (the connection then reports the problem).
 */
function tryContext(context: SecureContextOptions, explain: (reason: string) => string): void {
  if (typeof nodeTls().createSecureContext !== 'function') return;
  try {
    nodeTls().createSecureContext(context);
  } catch (error) {
    throw new InvalidArgumentError(explain(reasonOf(error)), { cause: error });
  }
}

/**
 * Checks the `tls` client option and turns it into the transport's settings: files read, every
 * value checked, `insecureSkipVerify` as `rejectUnauthorized: false`.
 *
 * @param input the user's `tls` option
 * @returns the settings handed to `tls.connect` for each connection
 * @throws InvalidArgumentError naming the option: not an object, an unknown name, a wrong type, a
 *   value given both as contents and as a file (`ca` and `caFile`), an unreadable file, `cert`
 *   without `key` (or the reverse), `pfx` together with `cert`/`key`, `passphrase` with neither
 *   `key` nor `pfx`, `minVersion` above `maxVersion`, `insecureSkipVerify` contradicting
 *   `rejectUnauthorized`, a `ca` with no PEM certificate, and anything node:tls refuses (a cipher
 *   list it does not know, a malformed certificate, key, CRL or archive, a wrong or missing
 *   passphrase, a key that is not the certificate's). Secrets are never shown.
 */
export function resolveTlsOptions(input: unknown): TlsSettings {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new InvalidArgumentError(`tls must be an object, got ${describe(input)}`);
  }
  const given: Record<string, unknown> = {};
  for (const name in input) {
    const value: unknown = (input as Record<string, unknown>)[name];
    if (value === undefined) continue;
    checkType(name, value);
    given[name] = value;
  }
  const options = given as TlsOptions;

  // Contents or file, one of the two; the label names whichever was given.
  const label: Record<string, string> = {};
  const contents: Partial<Record<keyof typeof FILE_TWINS, unknown>> = {};
  for (const [name, fileName] of Object.entries(FILE_TWINS) as Array<[keyof typeof FILE_TWINS, string]>) {
    const path = given[fileName] as string | undefined;
    if (given[name] !== undefined && path !== undefined) {
      throw new InvalidArgumentError(`tls.${name} and tls.${fileName} are both given; give one of them`);
    }
    label[name] = path === undefined ? `tls.${name}` : `tls.${fileName} (${path})`;
    contents[name] = path === undefined ? given[name] : readTlsFile(fileName, path);
  }
  const { ca, cert, key, crl } = contents as { ca?: Pem | Pem[]; cert?: Pem; key?: Pem; crl?: Pem | Pem[] };
  const pfx = contents.pfx === undefined ? undefined : toBuffer(contents.pfx as Uint8Array);
  const { passphrase, minVersion, maxVersion, ciphers } = options;

  if ((cert === undefined) !== (key === undefined)) {
    throw new InvalidArgumentError(`${cert === undefined ? label.key : label.cert} needs ${cert === undefined ? 'tls.cert (or tls.certFile)' : 'tls.key (or tls.keyFile)'}: a client certificate and its private key go together`);
  }
  if (pfx !== undefined && cert !== undefined) {
    throw new InvalidArgumentError(`${label.pfx} holds the client certificate and key; give it or tls.cert and tls.key, not both`);
  }
  if (passphrase !== undefined && key === undefined && pfx === undefined) {
    throw new InvalidArgumentError('tls.passphrase is for an encrypted tls.key or a tls.pfx, and neither is given');
  }
  if (minVersion !== undefined && maxVersion !== undefined && TLS_VERSIONS.indexOf(minVersion) > TLS_VERSIONS.indexOf(maxVersion)) {
    throw new InvalidArgumentError(`tls.minVersion '${minVersion}' is above tls.maxVersion '${maxVersion}'`);
  }
  if (options.insecureSkipVerify !== undefined && options.rejectUnauthorized !== undefined && options.insecureSkipVerify === options.rejectUnauthorized) {
    throw new InvalidArgumentError(
      `tls.insecureSkipVerify: ${options.insecureSkipVerify} contradicts tls.rejectUnauthorized: ${options.rejectUnauthorized} ` +
        '(insecureSkipVerify: true is rejectUnauthorized: false); give one of them',
    );
  }
  if (ca !== undefined && !(Array.isArray(ca) ? ca : [ca]).every((pem) => CERTIFICATE_PEM.test(pem.toString()))) {
    throw new InvalidArgumentError(`${label.ca} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  }

  const settings: TlsSettings = {};
  if (ca !== undefined) settings.ca = ca;
  if (cert !== undefined) settings.cert = cert;
  if (key !== undefined) settings.key = key;
  if (passphrase !== undefined) settings.passphrase = passphrase;
  if (pfx !== undefined) settings.pfx = pfx;
  if (crl !== undefined) settings.crl = crl;
  if (ciphers !== undefined) settings.ciphers = ciphers;
  if (minVersion !== undefined) settings.minVersion = minVersion;
  if (maxVersion !== undefined) settings.maxVersion = maxVersion;
  if (options.servername !== undefined) settings.servername = options.servername;
  if (options.insecureSkipVerify === true || options.rejectUnauthorized === false) settings.rejectUnauthorized = false;
  if (options.checkServerIdentity !== undefined) settings.checkServerIdentity = options.checkServerIdentity;
  checkWithNodeTls(settings, label);
  return settings;
}

/**
 * Builds the secure context node:tls would build for `settings`, once; when it refuses, builds
 * one per setting to name the culprit (only then: each costs a parse of its PEM).
 */
function checkWithNodeTls(settings: TlsSettings, label: Record<string, string>): void {
  if (typeof nodeTls().createSecureContext !== 'function') return;
  const { ca, cert, key, passphrase, pfx, crl, ciphers, minVersion, maxVersion } = settings;
  const all: SecureContextOptions = { ca, cert, key, passphrase, pfx, crl, ciphers, minVersion, maxVersion };
  try {
    nodeTls().createSecureContext(all);
    return;
  } catch {
    // Which setting? Below.
  }
  if (ciphers !== undefined || minVersion !== undefined || maxVersion !== undefined) {
    tryContext({ ciphers, minVersion, maxVersion }, (reason) =>
      ciphers === undefined ? `tls.minVersion/tls.maxVersion refused by node:tls: ${reason}` : `tls.ciphers ${describe(ciphers)} is refused by node:tls: ${reason}`);
  }
  if (crl !== undefined) tryContext({ crl }, (reason) => `${label.crl} is not a PEM certificate revocation list: ${reason}`);
  if (cert !== undefined && key !== undefined) {
    tryContext({ cert }, (reason) => `${label.cert} is not a PEM certificate: ${reason}`);
    tryContext({ key, passphrase }, (reason) => keyProblem(label.key!, reason, passphrase, ENCRYPTED_KEY_PEM.test(key.toString())));
    tryContext({ cert, key, passphrase }, (reason) => `${label.key} is not the private key of ${label.cert}: ${reason}`);
  }
  if (pfx !== undefined) tryContext({ pfx, passphrase }, (reason) => pfxProblem(label.pfx!, reason, passphrase));
  tryContext(all, (reason) => `the tls settings together are refused by node:tls: ${reason}`);
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Why a private key does not load, without a word of the key or the passphrase. An encrypted key
 * with a wrong passphrase is named so whatever OpenSSL's reason: most wrong passphrases give "bad
 * decrypt", but about one in 250 decrypts to bytes that fail to parse ("unsupported").
 */
function keyProblem(label: string, reason: string, passphrase: string | undefined, encrypted: boolean): string {
  if (encrypted || /bad decrypt|bad password/i.test(reason)) {
    return passphrase === undefined
      ? `${label} is encrypted: give its tls.passphrase (${reason})`
      : `${label} cannot be decrypted with tls.passphrase: wrong passphrase? (${reason})`;
  }
  return `${label} is not a PEM private key (${reason})`;
}

/** Why a PKCS#12 archive does not open, without a word of it or the passphrase. */
function pfxProblem(label: string, reason: string, passphrase: string | undefined): string {
  if (/mac verify|bad decrypt|bad password/i.test(reason)) {
    return passphrase === undefined
      ? `${label} is protected by a passphrase: give tls.passphrase (${reason})`
      : `${label} cannot be opened with tls.passphrase: wrong passphrase? (${reason})`;
  }
  return `${label} is not a PKCS#12 archive (${reason})`;
}
