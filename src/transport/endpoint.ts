/**
 * Parses the endpoints users write (`http://127.0.0.1:2379`, `https://etcd.example:2379`,
 * `127.0.0.1:2379`, `[::1]:2379`, `unix:///run/etcd.sock`, `unixs://localhost:2379`) into the
 * transport's `Endpoint`.
 */
import { isIP, isIPv6 } from 'node:net';
import type { Endpoint } from './types.js';

const EXPECTED_FORMS = 'expected http://host:port, https://host:port, host:port (IPv6 as [addr]:port), unix://<socket path> or unixs://<socket path>';

/**
 * `scheme://` (optional), then `[ipv6]` or a host name / IPv4 address, then `:port`, then an optional
 * trailing `/`. Everything else (paths, queries, user info) is rejected.
 */
const ENDPOINT_PATTERN = /^(?:([A-Za-z][A-Za-z0-9+.-]*):\/\/)?(\[[^\]\s/]*\]|[^\s/:?#@[\]]*)(?::([^/]*))?(\/?)$/;

/** `unix:` or `unixs:` (Unix domain socket endpoints, as clientv3), any case. */
const UNIX_SCHEME_PATTERN = /^(unixs?):/i;

/** Longest Unix socket path Linux takes (`sun_path` is 108 bytes with the closing NUL), in bytes. */
export const MAX_UNIX_SOCKET_PATH_BYTES = 107;

/** DNS name: dot-separated labels of letters, digits, `-` and `_` (no empty labels). */
const HOST_NAME_PATTERN = /^(?=.{1,253}\.?$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\.?$/;

/** Options of {@link parseEndpoint}. */
export interface ParseEndpointOptions {
  /**
   * The client has TLS settings (its `tls` option). Then a bare `host:port` uses TLS, and an
   * `http://` endpoint is refused: TLS settings are never silently dropped (the Go client uses TLS
   * for a schemeless endpoint when it has TLS settings too). Default false.
   */
  tls?: boolean;
}

/**
 * Parses one etcd endpoint.
 *
 * Accepted forms: `http://host:port` (plain HTTP/2), `https://host:port` (HTTP/2 over TLS), a
 * bare `host:port` (TLS when `options.tls`, else plain), and Unix domain sockets as clientv3 3.5
 * reads them: `unix:///abs/path` and `unixs:///abs/path` (absolute), `unix://name` or `unix:name`
 * (relative to the working directory: etcd's own `unix://localhost:2379` listener is a file named
 * `localhost:2379` in etcd's directory). `unixs` is TLS; `unix` is TLS when `options.tls` (as
 * clientv3, which uses its TLS settings on `unix://` endpoints when it has some), else plain. The
 * server name of a socket (TLS SNI and certificate check, HTTP/2 `:authority`) is its file name
 * without a `:port` suffix, as clientv3's: `localhost` for `unixs:///run/etcd/localhost:2379`;
 * `localhost` too when that is no valid host name. A socket path may not exceed 107 bytes. `host` is an IPv4 address, a DNS name, or
 * an IPv6 address in brackets (`[::1]:2379`; one with a zone ID, `[fe80::1%eth0]`, is refused:
 * the HTTP/2 origin cannot carry it); the returned `host` has no brackets. The port is
 * required (1-65535), as in the Go client. A trailing `/` is allowed; paths, queries and user info
 * are not.
 *
 * @param endpoint - the endpoint as the user wrote it; kept unchanged as `Endpoint.url`.
 * @param options - `tls`: the client has TLS settings (see {@link ParseEndpointOptions}).
 * @returns the parsed endpoint.
 * @throws TypeError when `endpoint` is not a string; Error naming the endpoint and the problem when
 *   it is malformed (unknown scheme, no port, bad port, bad host, an empty or too long socket path)
 *   or is `http://` with `options.tls`.
 */
export function parseEndpoint(endpoint: string, options: ParseEndpointOptions = {}): Endpoint {
  if (typeof endpoint !== 'string') {
    throw new TypeError(`etcd endpoint must be a string, got ${typeof endpoint}`);
  }
  const fail = (problem: string): never => {
    throw new Error(`invalid etcd endpoint '${withoutUserInfo(endpoint)}': ${problem}; ${EXPECTED_FORMS}`);
  };
  const unix = UNIX_SCHEME_PATTERN.exec(endpoint);
  if (unix !== null) return parseUnixEndpoint(endpoint, unix[1]!.toLowerCase() === 'unixs' || options.tls === true, fail);
  if (endpoint.includes('@')) return fail('user info (user:password@) is not allowed; use the username and password options');
  const match = ENDPOINT_PATTERN.exec(endpoint);
  if (match === null) return fail('not of the form [scheme://]host:port');
  const [, rawScheme, rawHost, rawPort] = match as unknown as [string, string | undefined, string, string | undefined];

  if (rawPort !== undefined && rawPort.includes(':')) {
    return fail('IPv6 addresses must be written in brackets, e.g. [::1]:2379');
  }

  let tls = options.tls === true;
  if (rawScheme !== undefined) {
    const scheme = rawScheme.toLowerCase();
    if (scheme === 'https') tls = true;
    else if (scheme !== 'http') return fail(`unsupported scheme '${rawScheme}' (only http and https)`);
    else if (tls) {
      throw new Error(
        `etcd endpoint '${endpoint}' is plain http:// but TLS settings are given; write it as https://host:port ` +
          '(or host:port) to use TLS, or remove the TLS settings for plaintext',
      );
    }
  }

  let host: string;
  if (rawHost.startsWith('[')) {
    host = rawHost.slice(1, -1);
    if (host.includes('%')) {
      return fail(`IPv6 zone IDs ('${host.slice(host.indexOf('%'))}') are not supported; use a global or unique-local address, or a host name`);
    }
    if (!isIPv6(host)) return fail(`'${host}' is not an IPv6 address`);
  } else {
    host = rawHost;
    if (host === '') return fail('no host');
    // The pattern first: node's isIP runs its IPv6 regex, which costs ~3 ms the first time in a process.
    if (!HOST_NAME_PATTERN.test(host) && isIP(host) === 0) return fail(`'${host}' is not a valid host name`);
  }

  if (rawPort === undefined || rawPort === '') return fail('no port');
  if (!/^[0-9]{1,5}$/.test(rawPort)) return fail(`port '${rawPort}' is not a number`);
  const port = Number(rawPort);
  if (port < 1 || port > 65535) return fail(`port ${port} is out of range 1-65535`);

  return { url: endpoint, host, port, tls };
}

/**
 * A `unix:` / `unixs:` endpoint: `//` after the colon is dropped (so `unix:///abs` is `/abs` and
 * `unix://name` the relative `name`), as clientv3 3.5's endpoint translation does.
 */
function parseUnixEndpoint(endpoint: string, tls: boolean, fail: (problem: string) => never): Endpoint {
  const rest = endpoint.slice(endpoint.indexOf(':') + 1);
  const path = rest.startsWith('//') ? rest.slice(2) : rest;
  if (path === '') return fail('no socket path');
  if (path.includes('\0')) return fail('the socket path holds a NUL character');
  const bytes = Buffer.byteLength(path);
  if (bytes > MAX_UNIX_SOCKET_PATH_BYTES) {
    return fail(`the socket path is ${bytes} bytes long; Unix sockets take at most ${MAX_UNIX_SOCKET_PATH_BYTES}`);
  }
  return { url: endpoint, host: socketServerName(path), port: 0, tls, path };
}

/**
 * The server name of a socket path, as clientv3's: the last path segment without a `:port`
 * suffix (`[v6]:port` unbracketed), or `localhost` when that is no host name or IP address.
 */
function socketServerName(path: string): string {
  const base = path.replace(/\/+$/, '').split('/').pop() ?? '';
  const bracketed = /^\[([^\]]*)\]:[^:]*$/.exec(base);
  const name = bracketed !== null ? bracketed[1]! : base.split(':').length === 2 ? base.slice(0, base.indexOf(':')) : base;
  // The pattern first, as in parseEndpoint (isIP's IPv6 regex is slow the first time).
  return HOST_NAME_PATTERN.test(name) || isIP(name) !== 0 ? name : 'localhost';
}

/**
 * Whether `endpoint` names its scheme (`scheme://...`, or `unix:` / `unixs:`); a bare `host:port`
 * does not.
 * @param endpoint - an endpoint as the user wrote it.
 */
export function hasScheme(endpoint: string): boolean {
  return /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(endpoint) || UNIX_SCHEME_PATTERN.test(endpoint);
}

/** `endpoint` with any user info (`user:password@`) masked, for error messages. */
function withoutUserInfo(endpoint: string): string {
  return endpoint.replace(/^([^/]*\/\/)?[^/@]*@/, (_, scheme: string | undefined) => `${scheme ?? ''}***@`);
}

/**
 * The HTTP/2 `:authority` of an endpoint: `host:port`, `[v6addr]:port` for IPv6, the server name
 * alone for a Unix socket (as grpc-go sends for clientv3's socket addresses).
 * @param endpoint - a parsed endpoint.
 */
export function endpointAuthority(endpoint: Endpoint): string {
  // Only an IPv6 address holds a ':' (checked first: isIPv6's regex costs ~3 ms the first time in a process).
  const bracketed = endpoint.host.includes(':') && isIPv6(endpoint.host) ? `[${endpoint.host}]` : endpoint.host;
  return endpoint.path !== undefined ? bracketed : `${bracketed}:${endpoint.port}`;
}
