/**
 * The security flags of `etcdts`, as etcdctl 3.4's global flags: `--user NAME[:PASSWORD]`,
 * `--password`, `--cacert`, `--cert`, `--key`, `--insecure-skip-tls-verify`,
 * `--insecure-transport`, each also from its `ETCDCTL_*` variable (`ETCDCTL_USER`, ...), and the
 * client options made from them (`username`, `password`, `tls` with the files' contents).
 *
 * As etcdctl: with `--cacert`/`--cert`/`--key` or `--insecure-transport=false`, endpoints written
 * as `host:port` use TLS (`https://`); `http://` and `https://` endpoints keep their scheme. A
 * `--user` without a password (and no `--password`) prompts `Password: ` when the client is made.
 * An empty user name or password means no authentication (Go's client authenticates only with both).
 */
import { readFileSync } from 'node:fs';

import { Option, type Command } from 'commander';

import type { ClientOptions, TlsOptions } from '../client.js';
import { CliError, EXIT_BAD_ARGS } from './exit.js';
import { askPassword } from './password.js';

/** The security settings as given (flag, else environment); absent when none is set. */
export interface SecurityOptions {
  /** `--user`: `name` or `name:password`. */
  user?: string;
  /** `--password` (then `--user` is the name alone, even with a `:`). */
  password?: string;
  /** `--cacert`: path of the CA bundle (PEM) that verifies the servers. */
  cacert?: string;
  /** `--cert`: path of the client certificate (PEM); needs `key`. */
  cert?: string;
  /** `--key`: path of the client certificate's key (PEM); needs `cert`. */
  key?: string;
  /** `--insecure-skip-tls-verify`: accept any server certificate. */
  insecureSkipTlsVerify?: boolean;
  /** `--insecure-transport` (etcdctl's default true); false: TLS for `host:port` endpoints too. */
  insecureTransport?: boolean;
}

/**
 * Adds the security flags to `program` (global: every command takes them). `--insecure-transport`
 * is on by default; `--insecure-transport=false` (or the hidden `--no-insecure-transport`) turns it off.
 */
export function registerSecurityFlags(program: Command): void {
  program
    .option('--user <user>', 'username[:password] for authentication (prompt if password is not supplied) (env ETCDCTL_USER)')
    .option('--password <password>', "password for authentication (if this option is used, --user option shouldn't include password) (env ETCDCTL_PASSWORD)")
    .option('--cacert <file>', 'verify certificates of TLS-enabled secure servers using this CA bundle (env ETCDCTL_CACERT)')
    .option('--cert <file>', 'identify secure client using this TLS certificate file (env ETCDCTL_CERT)')
    .option('--key <file>', 'identify secure client using this TLS key file (env ETCDCTL_KEY)')
    .option(
      '--insecure-skip-tls-verify',
      'skip server certificate verification (CAUTION: this option should be enabled only for testing purposes) (env ETCDCTL_INSECURE_SKIP_TLS_VERIFY)',
    )
    .option('--insecure-transport', 'disable transport security for client connections (default true; env ETCDCTL_INSECURE_TRANSPORT)')
    .addOption(new Option('--no-insecure-transport', 'use TLS for host:port endpoints').hideHelp());
}

/** Whether the settings ask for TLS on endpoints given without a scheme (as etcdctl's client config). */
export function wantsTls(security: SecurityOptions | undefined): boolean {
  if (security === undefined) return false;
  return security.cacert !== undefined || security.cert !== undefined || security.key !== undefined || security.insecureTransport === false;
}

/** What reading the files and asking for the password gave, per resolved options object. */
const resolved = new WeakMap<SecurityOptions, Pick<ClientOptions, 'username' | 'password' | 'tls'>>();

/**
 * The client options of the security settings: `username`/`password` (asking for the password
 * with `prompt`, default `Password: `, when `--user` has none, once per settings object) and
 * `tls` (files read once).
 *
 * @throws CliError (exit 128, etcdctl's texts) when only one of `--cert`/`--key` is given
 *   (`KeyFile and CertFile must both be present[key: K, cert: C]`) or a file cannot be read
 *   (`open PATH: no such file or directory`)
 */
export function securityClientOptions(security: SecurityOptions, prompt = 'Password: '): Pick<ClientOptions, 'username' | 'password' | 'tls'> {
  let options = resolved.get(security);
  if (options === undefined) {
    // etcdctl's order: the password prompt, then the TLS files.
    const creds = credentials(security, prompt);
    const tls = tlsOptions(security);
    options = { ...creds, ...(tls === undefined ? {} : { tls }) };
    resolved.set(security, options);
  }
  return options;
}

function credentials(security: SecurityOptions, prompt: string): { username?: string; password?: string } {
  const user = security.user;
  if (user === undefined || user === '') return {};
  let username = user;
  let password: string;
  if (security.password !== undefined && security.password !== '') {
    password = security.password;
  } else {
    const colon = user.indexOf(':');
    if (colon < 0) {
      password = askPassword(prompt);
    } else {
      username = user.slice(0, colon);
      password = user.slice(colon + 1);
    }
  }
  return username === '' || password === '' ? {} : { username, password };
}

function tlsOptions(security: SecurityOptions): TlsOptions | undefined {
  const { cert, key, cacert } = security;
  const tls: TlsOptions = {};
  if ((cert === undefined) !== (key === undefined)) {
    throw new CliError(EXIT_BAD_ARGS, `KeyFile and CertFile must both be present[key: ${key ?? ''}, cert: ${cert ?? ''}]`);
  }
  if (cert !== undefined && key !== undefined) {
    tls.cert = readPem(cert);
    tls.key = readPem(key);
  }
  if (cacert !== undefined) tls.ca = readPem(cacert);
  if (security.insecureSkipTlsVerify === true) tls.insecureSkipVerify = true;
  return Object.keys(tls).length === 0 ? undefined : tls;
}

/** Reads a PEM file; errors worded as Go's (`open PATH: no such file or directory`), exit 128. */
function readPem(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT' ? `open ${path}: no such file or directory`
      : code === 'EACCES' ? `open ${path}: permission denied`
      : code === 'EISDIR' ? `read ${path}: is a directory`
      : `open ${path}: ${error instanceof Error ? error.message : String(error)}`;
    throw new CliError(EXIT_BAD_ARGS, reason);
  }
}
