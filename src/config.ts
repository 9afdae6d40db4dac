/**
 * Client options from a YAML file in the Go client's format (`go.etcd.io/etcd/client/v3/yaml`
 * `NewConfig`), so one file configures Go programs and etcd-ts alike:
 *
 * ```yaml
 * endpoints: ['https://10.0.0.1:2379', 'https://10.0.0.2:2379']
 * dial-timeout: 5000000000          # Go time.Duration: integer nanoseconds (5 s)
 * dial-keep-alive-time: 10000000000
 * dial-keep-alive-timeout: 3000000000
 * auto-sync-interval: 60000000000
 * username: app
 * password: secret
 * reject-old-cluster: true
 * max-unary-retries: 100           # attempts of one call, the first included
 * backoff-wait-between: 25000000   # Go time.Duration (25 ms)
 * backoff-jitter-fraction: 0.1
 * cert-file: /etc/etcd/client.crt           # read when the client is made
 * key-file: /etc/etcd/client.key
 * trusted-ca-file: /etc/etcd/ca.crt
 * insecure-skip-tls-verify: false
 * insecure-transport: false
 * ```
 */
import { readFile } from 'node:fs/promises';

import type { ClientOptions, TlsOptions } from './client-options.js';
import { describe } from './internal/describe-value.js';
import { InvalidArgumentError } from './errors/index.js';
import { CLIENT_OPTIONS, type ClientOptionName, type YamlKey } from './rpc/options.js';
import { hasScheme } from './transport/index.js';

/** Nanoseconds per millisecond: Go's `time.Duration` counts nanoseconds, the client's options milliseconds. */
const NS_PER_MS = 1e6;

/** The keys of the option table (src/rpc/options.ts) that the Go format has, each with its option. */
const OPTION_KEYS: ReadonlyArray<readonly [key: string, option: ClientOptionName, yaml: YamlKey]> = (
  Object.entries(CLIENT_OPTIONS) as Array<[ClientOptionName, (typeof CLIENT_OPTIONS)[ClientOptionName]]>
).flatMap(([name, spec]) => (spec.yaml === undefined ? [] : [[spec.yaml.key, name, spec.yaml] as const]));

/** Keys of the Go format that make the `tls` option (read in {@link toClientOptions}), or are accepted without effect. */
const TLS_KEYS: readonly string[] = [
  'permit-without-stream',
  'insecure-transport',
  'insecure-skip-tls-verify',
  'cert-file',
  'key-file',
  'trusted-ca-file',
  'ca-file',
];

/** Keys of the Go format that are read, lower-case (Go matches JSON keys case-insensitively). */
const KNOWN_KEYS: readonly string[] = [...OPTION_KEYS.map(([key]) => key), ...TLS_KEYS];

/** Keys of the Go format that etcd-ts does not support, with what to do instead. */
const UNSUPPORTED_KEYS: Readonly<Record<string, string>> = {
  token: 'etcd-ts authenticates with username and password',
};

/**
 * Reads a client configuration file in the Go client's YAML format (see the file comment) and
 * returns the equivalent {@link ClientOptions}.
 *
 * - `endpoints`: a list of URLs. Durations (`dial-timeout`, `dial-keep-alive-time`,
 *   `dial-keep-alive-timeout`, `auto-sync-interval`, `backoff-wait-between`) are Go
 *   `time.Duration` values: integer nanoseconds, converted to milliseconds; a zero `dial-timeout`,
 *   `dial-keep-alive-timeout` or `backoff-wait-between` means the client's default, a zero
 *   keep-alive time or auto-sync interval turns it off.
 * - The retry policy, as clientv3's `Config` (0 = the default, as in Go): `max-unary-retries`
 *   (`maxUnaryRetries`, a non-negative integer), `backoff-wait-between` (`backoffWaitBetween`),
 *   `backoff-jitter-fraction` (`backoffJitterFraction`, a number from 0 to 1).
 * - TLS, unless `insecure-transport: true`: `cert-file` and `key-file` (both or neither),
 *   `trusted-ca-file` (or the older `ca-file`) become the `tls` option's `certFile`, `keyFile` and
 *   `caFile`, PEM files read when the client is made (relative paths from the current directory,
 *   as Go does); `insecure-skip-tls-verify: true` is `insecureSkipVerify: true`. As in
 *   Go, endpoints written as `host:port` then use TLS (with the system's root CAs when no CA file
 *   is named, also when the file has no TLS key at all); `https://` endpoints always do. An
 *   `http://` endpoint together with TLS settings is refused by the client's constructor
 *   (`InvalidArgumentError` naming it); Go would drop TLS for it silently.
 * - `password`: never shown in an error, whatever its YAML type.
 * - `permit-without-stream` is accepted and has no effect (the client pings while it has
 *   connections in use). Keys are matched case-insensitively, as Go's decoder does; booleans follow
 *   YAML 1.1 (`yes`/`no` too), as the Go client's YAML library does.
 *
 * @param path the YAML file
 * @throws InvalidArgumentError naming the key for a malformed file, an unknown or unsupported key,
 *   a value of the wrong type, or `cert-file` without `key-file`; the file system's error when the
 *   file cannot be read (a TLS file it names that cannot be read fails `new Client` with an
 *   `InvalidArgumentError` naming `tls.certFile`, `tls.keyFile` or `tls.caFile`)
 */
export async function loadConfigFile(path: string): Promise<ClientOptions> {
  if (typeof path !== 'string' || path === '') {
    throw new InvalidArgumentError(`config file path must be a non-empty string, got ${describe(path)}`);
  }
  const text = await readFile(path, 'utf8');
  // Loaded here, not at the top: only users of config files pay for it, and a bundle of the
  // library does not run the YAML library's CommonJS code until a file is read.
  const { parse } = await import('yaml');
  let document: unknown;
  try {
    document = parse(text, { schema: 'yaml-1.1' });
  } catch (error) {
    // Only the first line: the parser's message goes on with the offending source line, which
    // may hold a password. The cause keeps the parser's full error for debugging.
    const reason = String((error as Error).message).split('\n')[0]!.replace(/:$/, '');
    throw new InvalidArgumentError(`${path} is not valid YAML: ${reason}`, { cause: error });
  }
  if (document === null || document === undefined) return {};
  if (typeof document !== 'object' || Array.isArray(document)) {
    throw new InvalidArgumentError(`${path} must hold a YAML mapping of client settings, got ${describe(document)}`);
  }
  const config = new Map<string, unknown>();
  for (const [key, value] of Object.entries(document)) {
    const name = key.toLowerCase();
    if (UNSUPPORTED_KEYS[name] !== undefined) {
      throw new InvalidArgumentError(`${path}: ${key} is not supported: ${UNSUPPORTED_KEYS[name]}`);
    }
    if (!KNOWN_KEYS.includes(name)) {
      throw new InvalidArgumentError(`${path}: unknown key ${JSON.stringify(key)}; known keys: ${KNOWN_KEYS.join(', ')}`);
    }
    if (value !== null && value !== undefined) config.set(name, value);
  }
  return toClientOptions(path, config);
}

async function toClientOptions(path: string, config: Map<string, unknown>): Promise<ClientOptions> {
  const options: Record<string, unknown> = {};
  for (const [, name, yaml] of OPTION_KEYS) {
    const value = read(path, config, yaml);
    // 0, '' and false mean the client's default, as in Go, unless the table says the zero is a value (0 = off).
    if (value === undefined || (yaml.zero !== 'value' && (value === 0 || value === '' || value === false))) continue;
    options[name] = value;
  }
  flag(path, config, 'permit-without-stream');

  const certFile = text(path, config, 'cert-file');
  const keyFile = text(path, config, 'key-file');
  const caFile = text(path, config, 'trusted-ca-file') ?? text(path, config, 'ca-file');
  const skipVerify = flag(path, config, 'insecure-skip-tls-verify');
  // As Go's yaml.NewConfig: insecure-transport turns TLS off whatever else the file says.
  if (flag(path, config, 'insecure-transport')) return options as ClientOptions;
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw new InvalidArgumentError(`${path}: cert-file and key-file must be given together`);
  }
  // The files are read by the client when it is made (the tls option's caFile, certFile, keyFile).
  const tls: TlsOptions = {};
  if (certFile !== undefined && keyFile !== undefined) Object.assign(tls, { certFile, keyFile });
  if (caFile !== undefined) tls.caFile = caFile;
  if (skipVerify) tls.insecureSkipVerify = true;
  // Go sets TLS whenever insecure-transport is off, and uses it for every endpoint written without
  // a scheme (system root CAs when no CA file is named); it drops TLS for http:// endpoints. Here:
  // TLS whenever the file has a TLS setting or a schemeless endpoint, and an http:// endpoint
  // together with TLS settings is refused by the client (never dropped silently). A file without
  // TLS settings whose endpoints are all http:// is plaintext, as in Go.
  const schemeless = ((options.endpoints as string[] | undefined) ?? []).some((e) => !hasScheme(e.trim()));
  if (Object.keys(tls).length > 0 || schemeless) options.tls = tls;
  return options as ClientOptions;
}

/** The value of an option's key, read as its kind says, or undefined when absent. */
function read(path: string, config: Map<string, unknown>, yaml: YamlKey): unknown {
  switch (yaml.kind) {
    case 'duration':
      return duration(path, config, yaml.key);
    case 'count':
      return count(path, config, yaml.key);
    case 'fraction':
      return jitter(path, config, yaml.key);
    case 'string':
      return text(path, config, yaml.key);
    case 'secret':
      return text(path, config, yaml.key, { secret: true });
    case 'flag':
      return config.has(yaml.key) ? flag(path, config, yaml.key) : undefined;
    case 'list': {
      const value = config.get(yaml.key);
      if (value !== undefined && (!Array.isArray(value) || value.some((e) => typeof e !== 'string'))) {
        throw new InvalidArgumentError(`${path}: ${yaml.key} must be a list of URLs, got ${describe(value)}`);
      }
      return value;
    }
  }
}

/** A Go `time.Duration` (integer nanoseconds) in milliseconds, or undefined when absent. */
function duration(path: string, config: Map<string, unknown>, key: string): number | undefined {
  const value = config.get(key);
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new InvalidArgumentError(
      `${path}: ${key} must be a Go time.Duration, a non-negative integer of nanoseconds (e.g. 5000000000 for 5 s), got ${describe(value)}`,
    );
  }
  return value / NS_PER_MS;
}

/** A Go `uint` (a non-negative integer), or undefined when absent. */
function count(path: string, config: Map<string, unknown>, key: string): number | undefined {
  const value = config.get(key);
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new InvalidArgumentError(`${path}: ${key} must be a non-negative integer, got ${describe(value)}`);
  }
  return value;
}

/** A Go `float64` fraction from 0 to 1, or undefined when absent. */
function jitter(path: string, config: Map<string, unknown>, key: string): number | undefined {
  const value = config.get(key);
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
    throw new InvalidArgumentError(`${path}: ${key} must be a number from 0 to 1 (0.1 = +-10%), got ${describe(value)}`);
  }
  return value;
}

/**
 * A string setting. For a `secret` (the password) a wrong value is never shown: the message names
 * the key and the expected type only (`password: 12345678` is a YAML integer, and the digits are
 * the password).
 */
function text(path: string, config: Map<string, unknown>, key: string, options: { secret?: boolean } = {}): string | undefined {
  const value = config.get(key);
  if (value === undefined) return undefined;
  if (typeof value !== 'string') {
    if (options.secret === true) {
      throw new InvalidArgumentError(`${path}: ${key} must be a string (quote it in YAML, e.g. ${key}: "..."); the value is not shown`);
    }
    throw new InvalidArgumentError(`${path}: ${key} must be a string, got ${describe(value)}`);
  }
  return value;
}

function flag(path: string, config: Map<string, unknown>, key: string): boolean {
  const value = config.get(key);
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw new InvalidArgumentError(`${path}: ${key} must be true or false, got ${describe(value)}`);
  return value;
}
