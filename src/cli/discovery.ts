/**
 * DNS SRV discovery of the cluster's client endpoints, as etcdctl's `-d/--discovery-srv DOMAIN`:
 * the SRV records `_etcd-client-ssl._tcp.DOMAIN` give `https://target:port` endpoints and
 * `_etcd-client._tcp.DOMAIN` give `http://target:port` ones (with `--discovery-srv-name NAME`:
 * `_etcd-client-ssl-NAME._tcp.DOMAIN` and `_etcd-client-NAME._tcp.DOMAIN`). The lookup fails only
 * when both do. `--insecure-discovery=false` drops the `http://` endpoints (with a note on stderr
 * for each). When discovery gives no endpoint, `--endpoints` applies, as in etcdctl.
 *
 * TLS is never dropped: when TLS is in use (`--cacert`, `--cert`/`--key` or
 * `--insecure-transport=false`, or https records were found) the `http://` endpoints are dropped
 * the same way (they name plaintext ports, which a TLS client cannot use), and when nothing else
 * was found the command fails naming them instead of falling back to plaintext.
 *
 * Records are ordered by priority (lowest first), then weight (highest first); targets are
 * written without the trailing dot Go's resolver keeps. Each flag also comes from its
 * `ETCDCTL_*` variable (`ETCDCTL_DISCOVERY_SRV`, `ETCDCTL_DISCOVERY_SRV_NAME`,
 * `ETCDCTL_INSECURE_DISCOVERY`).
 */
import type { SrvRecord } from 'node:dns';

import { Option, type Command } from 'commander';

import { EtcdError } from '../errors/index.js';
import { Status } from '../transport/types.js';
import { CliError, EXIT_BAD_ARGS, EXIT_ERROR } from './exit.js';
import { ENV_PREFIX, type GlobalOptions } from './global.js';
import { parseGoBool } from './go-syntax.js';
import { wantsTls } from './security.js';

/** The service name etcd clients look up (`_etcd-client._tcp`, etcd's `srv.GetClient("etcd-client", ...)`). */
export const CLIENT_SRV_SERVICE = 'etcd-client';

/** The discovery flags as commander hands them over (undefined when not on the command line). */
export interface DiscoveryFlags {
  /** `-d/--discovery-srv`: the domain whose SRV records name the endpoints. */
  discoverySrv?: string;
  /** `--discovery-srv-name`: suffix of the SRV service name. */
  discoverySrvName?: string;
  /** `--insecure-discovery` (default true) / `--insecure-discovery=false`. */
  insecureDiscovery?: boolean;
}

/** What resolves SRV records: `node:dns`'s promises API or a `dns.promises.Resolver`. */
export interface SrvResolver {
  /** Resolves the SRV records of `name` (rejects when there are none). */
  resolveSrv(name: string): Promise<SrvRecord[]>;
}

/** Adds `-d/--discovery-srv`, `--discovery-srv-name` and `--insecure-discovery` to `program` (global flags). */
export function registerDiscoveryFlags(program: Command): void {
  program
    .option('-d, --discovery-srv <domain>', 'domain name to query for SRV records describing cluster endpoints (env ETCDCTL_DISCOVERY_SRV)')
    .option('--discovery-srv-name <name>', 'service name to query when using DNS discovery (env ETCDCTL_DISCOVERY_SRV_NAME)')
    .option('--insecure-discovery', 'accept insecure SRV records describing cluster endpoints (default true; env ETCDCTL_INSECURE_DISCOVERY)')
    .addOption(new Option('--no-insecure-discovery', 'accept only https SRV records').hideHelp());
}

/**
 * The SRV service names for `scheme`: `etcd-client-ssl` for https, `etcd-client` for http, each
 * followed by `-<serviceName>` when one is given (etcd's `srv.GetSRVService`).
 */
export function srvServiceName(serviceName: string, scheme: 'http' | 'https'): string {
  const base = scheme === 'https' ? `${CLIENT_SRV_SERVICE}-ssl` : CLIENT_SRV_SERVICE;
  return serviceName === '' ? base : `${base}-${serviceName}`;
}

/**
 * The client URLs the SRV records of `domain` name: https ones first, then http ones (etcd's
 * `srv.GetClient`), looked up with `resolver` (default: node:dns).
 *
 * @throws EtcdError (code UNAVAILABLE) `dns lookup errors: <https error> and <http error>` when
 *   both lookups fail; `cause` is an `AggregateError` of the two
 */
export async function srvEndpoints(domain: string, serviceName = '', resolver?: SrvResolver): Promise<string[]> {
  // node:dns is loaded only here: a command without --discovery-srv never looks anything up.
  const srv = resolver ?? (await import('node:dns')).promises;
  const lookup = async (scheme: 'http' | 'https'): Promise<string[]> => {
    const records = await srv.resolveSrv(`_${srvServiceName(serviceName, scheme)}._tcp.${domain}`);
    return [...records]
      .sort((a, b) => a.priority - b.priority || b.weight - a.weight)
      .map((r) => `${scheme}://${hostPort(r.name.replace(/\.$/, ''), r.port)}`);
  };
  const [secure, plain] = await Promise.allSettled([lookup('https'), lookup('http')]);
  if (secure.status === 'rejected' && plain.status === 'rejected') {
    throw new EtcdError(`dns lookup errors: ${message(secure.reason)} and ${message(plain.reason)}`, Status.UNAVAILABLE, undefined, {
      cause: new AggregateError([secure.reason, plain.reason], 'both SRV lookups failed'),
    });
  }
  return [...(secure.status === 'fulfilled' ? secure.value : []), ...(plain.status === 'fulfilled' ? plain.value : [])];
}

/**
 * The global options with the endpoints found by DNS SRV discovery, when `--discovery-srv` (or
 * `ETCDCTL_DISCOVERY_SRV`) is set; `options` unchanged otherwise, or when discovery found none.
 *
 * @throws CliError exit 1 when the lookups fail (etcdctl's ExitError), exit 128 for an
 *   `ETCDCTL_INSECURE_DISCOVERY` that is not a boolean or when TLS is configured and discovery
 *   found only `http://` endpoints
 */
export async function withDiscoveredEndpoints(
  options: GlobalOptions,
  flags: DiscoveryFlags,
  env: NodeJS.ProcessEnv = process.env,
  resolver?: SrvResolver,
): Promise<GlobalOptions> {
  const { domain, serviceName, insecure } = discoverySettings(flags, env);
  if (domain === '') return options;
  let endpoints: string[];
  try {
    endpoints = await srvEndpoints(domain, serviceName, resolver);
  } catch (err) {
    throw new CliError(EXIT_ERROR, message(err));
  }
  const plain = endpoints.filter((endpoint) => endpoint.startsWith('http://'));
  const tls = wantsTls(options.security) || plain.length < endpoints.length;
  if (!insecure || tls) {
    for (const endpoint of plain) process.stderr.write(`ignoring discovered insecure endpoint ${JSON.stringify(endpoint)}\n`);
    endpoints = endpoints.filter((endpoint) => !endpoint.startsWith('http://'));
    if (tls && endpoints.length === 0 && plain.length > 0) {
      throw new CliError(
        EXIT_BAD_ARGS,
        `discovery found only plain http:// endpoints (${plain.join(', ')}) but TLS is configured; TLS is never dropped`,
      );
    }
  }
  return endpoints.length === 0 ? options : { ...options, endpoints };
}

/** `host:port`, with an IPv6 host in brackets. */
function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * The discovery settings from the flags, else their `ETCDCTL_*` variables: the domain ('' for no
 * discovery), the service name suffix, and whether `http://` records are accepted (default true).
 * Throws `CliError` (exit 128) for an `ETCDCTL_INSECURE_DISCOVERY` that is not a boolean.
 */
function discoverySettings(flags: DiscoveryFlags, env: NodeJS.ProcessEnv): { domain: string; serviceName: string; insecure: boolean } {
  const fromEnv = (name: string): string | undefined => {
    const value = env[ENV_PREFIX + name];
    return value === undefined || value === '' ? undefined : value;
  };
  const domain = flags.discoverySrv ?? fromEnv('DISCOVERY_SRV') ?? '';
  const serviceName = flags.discoverySrvName ?? fromEnv('DISCOVERY_SRV_NAME') ?? '';
  let insecure = flags.insecureDiscovery;
  if (insecure === undefined) {
    const value = fromEnv('INSECURE_DISCOVERY');
    try {
      insecure = value === undefined ? true : parseGoBool(value);
    } catch (err) {
      throw new CliError(EXIT_BAD_ARGS, `invalid value ${JSON.stringify(value)} for ${ENV_PREFIX}INSECURE_DISCOVERY: ${message(err)}`);
    }
  }
  return { domain, serviceName, insecure };
}

/**
 * The TLS server name for endpoints found by discovery, as etcdctl 3.5 sets it: with
 * `--insecure-discovery=false` the SRV domain itself, so each member's certificate is checked
 * against the domain the user named rather than against the targets DNS returned (which whoever
 * answers DNS chooses); undefined with insecure discovery (the default) or without
 * `--discovery-srv`. Throws `CliError` (exit 128) for an `ETCDCTL_INSECURE_DISCOVERY` that is not a boolean.
 */
export function discoveryServerName(flags: DiscoveryFlags, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const { domain, insecure } = discoverySettings(flags, env);
  return domain === '' || insecure ? undefined : domain;
}

/**
 * The global options a command runs with after DNS discovery: {@link withDiscoveredEndpoints},
 * and for endpoints discovery found (not the `--endpoints` fallback) the TLS server name of
 * {@link discoveryServerName}. Throws as those do.
 */
export async function discoveredOptions(
  given: GlobalOptions,
  flags: DiscoveryFlags,
  env: NodeJS.ProcessEnv = process.env,
  resolver?: SrvResolver,
): Promise<GlobalOptions> {
  const options = await withDiscoveredEndpoints(given, flags, env, resolver);
  const serverName = discoveryServerName(flags, env);
  return serverName !== undefined && options.endpoints !== given.endpoints ? { ...options, tlsServerName: serverName } : options;
}
