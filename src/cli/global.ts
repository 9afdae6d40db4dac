/**
 * Global flags of `etcdts` (the ones etcdctl takes before or after any command), their
 * `ETCDCTL_*` environment defaults, and the client and per-call options built from them.
 * A flag given on the command line beats the environment; the environment beats the default.
 */
import type { ClientOptions } from '../client.js';
import { hasScheme } from '../transport/endpoint.js';
import { CliError, EXIT_BAD_ARGS, EXIT_BAD_FEATURE, EXIT_ERROR } from './exit.js';
import { goDuration } from './go-format.js';
import { GoSyntaxError, parseGoBool, parseGoDuration, parseGoInt } from './go-syntax.js';
import { securityClientOptions, wantsTls, type SecurityOptions } from './security.js';

/** Endpoint used when neither `--endpoints` nor `ETCDCTL_ENDPOINTS` is given (etcdctl's default). */
export const DEFAULT_ENDPOINTS: readonly string[] = ['127.0.0.1:2379'];
/** Default `--dial-timeout`, as etcdctl (a Go duration; 2 seconds). */
export const DEFAULT_DIAL_TIMEOUT = '2s';
/** Default `--command-timeout`, as etcdctl (a Go duration; 5 seconds). */
export const DEFAULT_COMMAND_TIMEOUT = '5s';
/** Default `--keepalive-time`, as etcdctl (a Go duration; 2 seconds, raised to {@link MIN_KEEPALIVE_TIME_MS} as grpc-go does). */
export const DEFAULT_KEEPALIVE_TIME = '2s';
/** Default `--keepalive-timeout`, as etcdctl (a Go duration; 6 seconds). */
export const DEFAULT_KEEPALIVE_TIMEOUT = '6s';
/** grpc-go's least keep-alive interval (10 s, in ms): etcdctl's `--keepalive-time` below it is raised to it. */
export const MIN_KEEPALIVE_TIME_MS = 10_000;
/** grpc-go's keep-alive timeout when none is given (`--keepalive-timeout=0`): 20 s, in ms. */
export const DEFAULT_GRPC_KEEPALIVE_TIMEOUT_MS = 20_000;
/** Default `-w/--write-out`. */
export const DEFAULT_WRITE_OUT = 'simple';
/** Prefix of the environment variables that give flag defaults (`ETCDCTL_ENDPOINTS`, ...). */
export const ENV_PREFIX = 'ETCDCTL_';

/** Output formats `etcdts` prints. etcdctl's `protobuf` and `table` are rejected with a clear error. */
export type OutputFormat = 'simple' | 'json' | 'fields';

/** Output formats etcdctl knows but `etcdts` does not print everywhere (`protobuf`: KV and watch only). */
const UNSUPPORTED_FORMATS = ['protobuf', 'table'];

/** The formats of the KV and watch printers: {@link OutputFormat} and etcdctl's `protobuf` (the response's wire encoding). */
export type PrinterFormat = OutputFormat | 'protobuf';

/** Global flags as commander hands them over: raw strings, `undefined` when not on the command line. */
export interface GlobalFlags {
  /** `--endpoints`, already split on commas and accumulated over repeated flags. */
  endpoints?: string[];
  /** `--dial-timeout`, a Go duration. */
  dialTimeout?: string;
  /** `--command-timeout`, a Go duration. */
  commandTimeout?: string;
  /** `-w/--write-out`. */
  writeOut?: string;
  /** `--hex`. */
  hex?: boolean;
  /** `--debug`. */
  debug?: boolean;
  /** `--keepalive-time`, a Go duration. */
  keepaliveTime?: string;
  /** `--keepalive-timeout`, a Go duration. */
  keepaliveTimeout?: string;
  /** `--user` (`name` or `name:password`). */
  user?: string;
  /** `--password`. */
  password?: string;
  /** `--cacert`, `--cert`, `--key`: PEM file paths. */
  cacert?: string;
  cert?: string;
  key?: string;
  /** `--insecure-skip-tls-verify`. */
  insecureSkipTlsVerify?: boolean;
  /** `--insecure-transport` (true) / `--insecure-transport=false` (false). */
  insecureTransport?: boolean;
}

/** The resolved global options a command runs with. */
export interface GlobalOptions {
  /** Client URLs, each with a scheme (`http://` added when the flag gave `host:port`). */
  endpoints: string[];
  /** Time to wait for a connection, in ms; 0 = no separate limit (the command timeout still applies). */
  dialTimeoutMs: number;
  /** Deadline of each request, in ms (etcdctl's `--command-timeout`). */
  commandTimeoutMs: number;
  /** How responses are printed, as given (checked by `checkOutputFormat` when a printer is made, as etcdctl does after checking the command's arguments). */
  writeOut: string;
  /** Print keys and values as `\xNN` escapes (simple format only, as etcdctl). */
  hex: boolean;
  /** `--keepalive-time` as given, in ms (0: no keep-alive pings). */
  keepAliveTimeMs: number;
  /** `--keepalive-timeout` as given, in ms. */
  keepAliveTimeoutMs: number;
  /**
   * `--debug`: the resolved global flags, as etcdctl's `ETCDCTL_<FLAG>=<value>` lines (secrets
   * hidden), printed on stderr when the client is made; the client's log goes to stderr too.
   * Undefined without `--debug`.
   */
  debug?: string[];
  /** Auth and TLS settings (`--user`, `--cacert`, ...; see security.ts); absent when none is given. */
  security?: SecurityOptions;
  /** The TLS server name of discovered endpoints (the SRV domain with `--insecure-discovery=false`, see discovery.ts). */
  tlsServerName?: string;
}

/** Splits a `--endpoints` value on commas (commander's argument parser; accumulates repeated flags). */
export function collectEndpoints(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), ...value.split(',')];
}

/**
 * Resolves the global options from the flags and the environment (`ETCDCTL_ENDPOINTS`,
 * `ETCDCTL_DIAL_TIMEOUT`, `ETCDCTL_COMMAND_TIMEOUT`, `ETCDCTL_WRITE_OUT`, `ETCDCTL_HEX`; an empty
 * variable counts as unset). Throws `CliError`: a bad duration or boolean (exit 1 for a flag as
 * pflag does, 128 for an environment variable). The output format is checked later, by
 * `checkOutputFormat`.
 */
export function resolveGlobalOptions(flags: GlobalFlags, env: NodeJS.ProcessEnv = process.env): GlobalOptions {
  const fromEnv = (name: string): string | undefined => {
    const v = env[ENV_PREFIX + name];
    return v === undefined || v === '' ? undefined : v;
  };
  const security = resolveSecurity(flags, fromEnv);
  const envEndpoints = fromEnv('ENDPOINTS');
  const rawEndpoints = flags.endpoints ?? (envEndpoints !== undefined ? envEndpoints.split(',') : [...DEFAULT_ENDPOINTS]);
  const scheme = wantsTls(security) ? 'https' : 'http';
  const endpoints = rawEndpoints.map((e) => e.trim()).filter((e) => e !== '').map((e) => normalizeEndpoint(e, scheme));
  if (endpoints.length === 0) throw new CliError(EXIT_BAD_ARGS, 'no endpoints given (--endpoints or ETCDCTL_ENDPOINTS)');

  const dialTimeoutMs = durationSetting('dial-timeout', flags.dialTimeout, fromEnv('DIAL_TIMEOUT'), DEFAULT_DIAL_TIMEOUT);
  const commandTimeoutMs = durationSetting('command-timeout', flags.commandTimeout, fromEnv('COMMAND_TIMEOUT'), DEFAULT_COMMAND_TIMEOUT);

  let hex = flags.hex ?? false;
  const envHex = fromEnv('HEX');
  if (flags.hex === undefined && envHex !== undefined) {
    try {
      hex = parseGoBool(envHex);
    } catch (err) {
      throw envError('HEX', envHex, err);
    }
  }

  const keepAliveTimeMs = durationSetting('keepalive-time', flags.keepaliveTime, fromEnv('KEEPALIVE_TIME'), DEFAULT_KEEPALIVE_TIME);
  const keepAliveTimeoutMs = durationSetting('keepalive-timeout', flags.keepaliveTimeout, fromEnv('KEEPALIVE_TIMEOUT'), DEFAULT_KEEPALIVE_TIMEOUT);
  const debug = boolSetting('DEBUG', flags.debug, fromEnv('DEBUG'));

  const writeOut = flags.writeOut ?? fromEnv('WRITE_OUT') ?? DEFAULT_WRITE_OUT;
  const options: GlobalOptions = { endpoints, dialTimeoutMs, commandTimeoutMs, writeOut, hex, keepAliveTimeMs, keepAliveTimeoutMs };
  if (security !== undefined) options.security = security;
  if (debug) {
    const raw = flags.endpoints ?? (envEndpoints !== undefined ? envEndpoints.split(',') : [...DEFAULT_ENDPOINTS]);
    options.debug = debugLines(options, flags, fromEnv, raw);
  }
  return options;
}

/**
 * The security settings from `--user`, `--password`, `--cacert`, `--cert`, `--key`,
 * `--insecure-skip-tls-verify`, `--insecure-transport` and their `ETCDCTL_*` variables; undefined
 * when none is set. Throws `CliError` (exit 128) for a variable that is not a boolean.
 */
function resolveSecurity(flags: GlobalFlags, fromEnv: (name: string) => string | undefined): SecurityOptions | undefined {
  const security: SecurityOptions = {};
  const text = (value: string | undefined, env: string, name: 'user' | 'password' | 'cacert' | 'cert' | 'key'): void => {
    const v = value ?? fromEnv(env);
    if (v !== undefined) security[name] = v;
  };
  const bool = (value: boolean | undefined, env: string, name: 'insecureSkipTlsVerify' | 'insecureTransport'): void => {
    if (value !== undefined) {
      security[name] = value;
      return;
    }
    const v = fromEnv(env);
    if (v === undefined) return;
    try {
      security[name] = parseGoBool(v);
    } catch (err) {
      throw envError(env, v, err);
    }
  };
  text(flags.user, 'USER', 'user');
  text(flags.password, 'PASSWORD', 'password');
  text(flags.cacert, 'CACERT', 'cacert');
  text(flags.cert, 'CERT', 'cert');
  text(flags.key, 'KEY', 'key');
  bool(flags.insecureSkipTlsVerify, 'INSECURE_SKIP_TLS_VERIFY', 'insecureSkipTlsVerify');
  bool(flags.insecureTransport, 'INSECURE_TRANSPORT', 'insecureTransport');
  return Object.keys(security).length === 0 ? undefined : security;
}

/** The output format named `name`, or a `CliError` (exit 4) as etcdctl gives for an unknown or unsupported one. */
export function checkOutputFormat(name: string): OutputFormat {
  if (name === 'simple' || name === 'json' || name === 'fields') return name;
  if (UNSUPPORTED_FORMATS.includes(name)) throw new CliError(EXIT_BAD_FEATURE, `${name} not supported as output format`);
  throw new CliError(EXIT_BAD_FEATURE, 'unsupported output format');
}

/** Like {@link checkOutputFormat}, also accepting `protobuf` (for the KV and watch commands, as etcdctl prints their responses). */
export function checkPrinterFormat(name: string): PrinterFormat {
  return name === 'protobuf' ? name : checkOutputFormat(name);
}

function boolSetting(env: string, flagValue: boolean | undefined, envValue: string | undefined): boolean {
  if (flagValue !== undefined) return flagValue;
  if (envValue === undefined) return false;
  try {
    return parseGoBool(envValue);
  } catch (err) {
    throw envError(env, envValue, err);
  }
}

/** A secret as `--debug` shows it: empty stays empty, anything else is hidden. */
const hidden = (secret: string | undefined): string => (secret === undefined || secret === '' ? '' : '<hidden>');

/**
 * etcdctl's `--debug` listing: `ETCDCTL_<FLAG>=<value>` for every global flag, sorted by name,
 * values as pflag prints them (durations as Go's, lists as `[a,b]`). Unlike etcdctl, the password
 * (in `--password`, or after the `:` of `--user`) shows as `<hidden>`.
 */
function debugLines(
  o: GlobalOptions,
  flags: GlobalFlags & { discoverySrv?: string; discoverySrvName?: string; insecureDiscovery?: boolean },
  fromEnv: (name: string) => string | undefined,
  endpoints: readonly string[],
): string[] {
  const sec = o.security ?? {};
  const ms = (v: number): string => goDuration(BigInt(Math.round(v * 1e6)));
  const user = sec.user ?? '';
  const colon = user.indexOf(':');
  const values: Record<string, string> = {
    cacert: sec.cacert ?? '',
    cert: sec.cert ?? '',
    'command-timeout': ms(o.commandTimeoutMs),
    debug: 'true',
    'dial-timeout': ms(o.dialTimeoutMs),
    'discovery-srv': flags.discoverySrv ?? fromEnv('DISCOVERY_SRV') ?? '',
    'discovery-srv-name': flags.discoverySrvName ?? fromEnv('DISCOVERY_SRV_NAME') ?? '',
    endpoints: `[${endpoints.join(',')}]`,
    hex: String(o.hex),
    'insecure-discovery': String(flags.insecureDiscovery ?? (fromEnv('INSECURE_DISCOVERY') ?? 'true')),
    'insecure-skip-tls-verify': String(sec.insecureSkipTlsVerify ?? false),
    'insecure-transport': String(sec.insecureTransport ?? true),
    'keepalive-time': ms(o.keepAliveTimeMs),
    'keepalive-timeout': ms(o.keepAliveTimeoutMs),
    key: sec.key ?? '',
    password: hidden(sec.password),
    user: colon < 0 ? user : `${user.slice(0, colon)}:${hidden(user.slice(colon + 1))}`,
    'write-out': o.writeOut,
  };
  return Object.keys(values)
    .sort()
    .map((name) => `${ENV_PREFIX}${name.toUpperCase().replaceAll('-', '_')}=${values[name]}`);
}

/**
 * `tls.servername` for `tlsServerName` (discovery with `--insecure-discovery=false`), merged into
 * the TLS options of `base`; `base` unchanged without one.
 */
export function withTlsServerName(base: ClientOptions, options: GlobalOptions): ClientOptions {
  if (options.tlsServerName === undefined) return base;
  return { ...base, tls: { ...(base.tls ?? {}), servername: options.tlsServerName } };
}

/**
 * The keep-alive options of the command's clients, as grpc-go applies etcdctl's flags: an
 * interval below 10 s is raised to 10 s, 0 turns pings off; a timeout of 0 means 20 s.
 */
export function keepAliveClientOptions(options: GlobalOptions): Pick<ClientOptions, 'keepAliveTime' | 'keepAliveTimeout'> {
  const time = options.keepAliveTimeMs <= 0 ? 0 : Math.max(MIN_KEEPALIVE_TIME_MS, Math.ceil(options.keepAliveTimeMs));
  const timeout = options.keepAliveTimeoutMs <= 0 ? DEFAULT_GRPC_KEEPALIVE_TIMEOUT_MS : Math.max(1, Math.ceil(options.keepAliveTimeoutMs));
  return { keepAliveTime: time, keepAliveTimeout: timeout };
}

function durationSetting(flag: string, flagValue: string | undefined, envValue: string | undefined, fallback: string): number {
  if (flagValue !== undefined) {
    try {
      return parseGoDuration(flagValue);
    } catch (err) {
      throw flagError(flag, flagValue, err);
    }
  }
  if (envValue !== undefined) {
    try {
      return parseGoDuration(envValue);
    } catch (err) {
      throw envError(flag.toUpperCase().replaceAll('-', '_'), envValue, err);
    }
  }
  return parseGoDuration(fallback);
}

function reason(err: unknown): string {
  return err instanceof GoSyntaxError ? err.message : String(err);
}

function envError(name: string, value: string, err: unknown): CliError {
  return new CliError(EXIT_BAD_ARGS, `invalid value ${JSON.stringify(value)} for ${ENV_PREFIX}${name}: ${reason(err)}`);
}

/**
 * pflag's error for a flag value that does not parse, as a `CliError` (exit 1):
 * `invalid argument "x" for "--flag" flag: <err's message>`.
 */
export function flagError(flag: string, value: string, err: unknown): CliError {
  return new CliError(EXIT_ERROR, `invalid argument ${JSON.stringify(value)} for "--${flag}" flag: ${reason(err)}`);
}

/**
 * A commander option parser for a Go int64 flag `--<flag>` (pflag's syntax: decimal, `0x..`,
 * `0o..`, `0b..`). Throws `CliError` (exit 1) with pflag's message for a bad value.
 */
export function int64Flag(flag: string): (value: string) => bigint {
  return (value) => {
    try {
      return parseGoInt(value, 0);
    } catch (err) {
      throw flagError(flag, value, err);
    }
  };
}

/**
 * `host:port` as `http://host:port` (etcdctl's default insecure transport), or `https://host:port`
 * with `scheme` 'https' (TLS flags given); URLs with a scheme (also `unix:`/`unixs:` sockets) unchanged.
 */
export function normalizeEndpoint(endpoint: string, scheme: 'http' | 'https' = 'http'): string {
  return hasScheme(endpoint) ? endpoint : `${scheme}://${endpoint}`;
}

/**
 * The options of the command's `Client`: `endpoints` (default: the resolved `--endpoints`),
 * when `--dial-timeout` is positive `dialTimeout` in whole milliseconds (at least 1), and the
 * `username`/`password`/`tls` of the security flags (see security.ts: the first call may prompt
 * for the password, and throws `CliError` for unreadable TLS files).
 */
export function clientOptions(options: GlobalOptions, endpoints: readonly string[] = options.endpoints): ClientOptions {
  const dial = options.dialTimeoutMs;
  const base: ClientOptions = dial > 0 ? { endpoints, dialTimeout: Math.max(1, Math.ceil(dial)) } : { endpoints };
  if (options.security === undefined) return base;
  const security = securityClientOptions(options.security);
  // `--insecure-skip-tls-verify` alone asks for no TLS (in etcdctl it only relaxes a TLS config the
  // other flags made): plain http:// (and unix://) endpoints stay plaintext instead of being
  // refused (or, for sockets, dialled with TLS) by the client, which never drops TLS settings.
  const onlySkipVerify = security.tls !== undefined && Object.keys(security.tls).every((k) => k === 'insecureSkipVerify');
  if (onlySkipVerify && endpoints.every((e) => /^(?:http:\/\/|unix:)/i.test(e))) {
    const { tls: _skipVerify, ...rest } = security;
    return { ...base, ...rest };
  }
  return { ...base, ...security };
}

/**
 * The per-request deadline in whole milliseconds for the library's `timeout` option.
 * Throws `CliError('context deadline exceeded')` for a zero or negative timeout, which in Go
 * is a context that has already expired.
 */
export function requestTimeoutMs(options: GlobalOptions): number {
  if (options.commandTimeoutMs <= 0) throw new CliError(EXIT_ERROR, 'context deadline exceeded');
  return Math.max(1, Math.ceil(options.commandTimeoutMs));
}
