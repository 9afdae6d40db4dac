/**
 * Opening the byte stream of a connection: endpoint and options in, a socket out. Plain TCP
 * (`node:net`) for http endpoints, TLS (`node:tls`, ALPN `h2`) for https ones, and the same two
 * over a Unix domain socket for `unix://` / `unixs://` endpoints. Only this file knows how; it also
 * turns the socket's connect and TLS failures into the words of the connection error. node:tls is
 * loaded on the first TLS dial (internal/node-tls.ts), not with this module.
 */
import net from 'node:net';
import type { ConnectionOptions as TlsConnectionOptions, PeerCertificate, TLSSocket } from 'node:tls';

import { nodeTls } from '../internal/node-tls.js';
import type { ConnectionOptions, Endpoint, TlsSettings } from './types.js';

/**
 * Bytes of a connection's read buffer. The socket reads into this one buffer again and again
 * (`onread`), so reading allocates nothing: a fresh buffer per read was most of the garbage of a
 * large response, and V8 counts such buffers against the heap's limit until a GC finds them dead.
 */
const READ_BUFFER_SIZE = 64 * 1024;

/**
 * Receives what the socket read: `buffer[0, length)`, valid until the callback returns (the next
 * read overwrites it).
 */
export type Receive = (buffer: Buffer, length: number) => void;

/** A socket being opened, and the event that says it is ready for HTTP/2. */
export interface Dialed {
  readonly socket: net.Socket;
  /** `connect` for TCP, `secureConnect` for TLS (after the handshake and certificate checks). */
  readonly readyEvent: 'connect' | 'secureConnect';
}

/**
 * Starts connecting to `endpoint`. Errors (refused, TLS verification, TLS options node:tls
 * refuses) arrive as the socket's `error` event, never as a throw. What the socket reads goes to
 * `receive`, out of one read buffer per connection (Node, Bun and Deno all honour `onread`; the
 * socket emits no `data` events).
 * @param endpoint - host and port or socket path, and whether to use TLS.
 * @param options - the `tls` settings (see {@link TlsSettings}).
 * @param receive - called with each read's bytes.
 */
export function dial(endpoint: Endpoint, options: ConnectionOptions, receive: Receive): Dialed {
  const address = endpoint.path !== undefined ? { path: endpoint.path } : { host: endpoint.host, port: endpoint.port };
  const buffer = Buffer.allocUnsafe(READ_BUFFER_SIZE);
  const onread = {
    buffer,
    callback: (length: number): boolean => {
      receive(buffer, length);
      return true;
    },
  };
  if (!endpoint.tls) {
    const socket = net.connect({ ...address, noDelay: true, onread });
    return { socket, readyEvent: 'connect' };
  }
  const settings = options.tls ?? {};
  // node:tls takes `onread` as net.connect does (its types leave it out).
  const tlsOptions: TlsConnectionOptions & Pick<net.TcpSocketConnectOpts, 'onread'> = {
    ...address,
    // The name certificates are checked against (also for a socket path, whose host is its server name).
    host: endpoint.host,
    ALPNProtocols: ['h2'],
    servername: serverName(endpoint, settings),
    onread,
  };
  for (const name of PASSED_SETTINGS) {
    if (settings[name] !== undefined) (tlsOptions as Record<string, unknown>)[name] = settings[name];
  }
  const check = settings.checkServerIdentity;
  if (settings.rejectUnauthorized === false) {
    // Unverified: node:tls would ignore any answer; readyProblem runs the user's check once, itself.
    tlsOptions.checkServerIdentity = () => undefined;
  } else if (check !== undefined) {
    tlsOptions.checkServerIdentity = (hostname, cert) => runIdentityCheck(check, hostname, cert);
  }
  let socket: TLSSocket;
  try {
    socket = nodeTls().connect(tlsOptions);
  } catch (error) {
    // node:tls checks some settings synchronously; the connection fails the usual way.
    const failed = new net.Socket();
    process.nextTick(() => failed.destroy(error instanceof Error ? error : new Error(String(error))));
    return { socket: failed, readyEvent: 'secureConnect' };
  }
  socket.setNoDelay(true);
  return { socket, readyEvent: 'secureConnect' };
}

/** Settings passed to `tls.connect` as they are (the rest are set by {@link dial} itself). */
const PASSED_SETTINGS = [
  'ca', 'cert', 'key', 'passphrase', 'pfx', 'crl', 'ciphers', 'minVersion', 'maxVersion', 'rejectUnauthorized',
] as const satisfies ReadonlyArray<keyof TlsSettings>;

/** SNI and certificate-check name: `servername`, else the host (SNI takes a host name only, never an IP address). */
function serverName(endpoint: Endpoint, settings: TlsSettings): string | undefined {
  return settings.servername ?? (net.isIP(endpoint.host) === 0 ? endpoint.host : undefined);
}

/** The user's `checkServerIdentity`, its refusal (returned or thrown) worded as one. */
function runIdentityCheck(check: NonNullable<TlsSettings['checkServerIdentity']>, hostname: string, cert: PeerCertificate): Error | undefined {
  let refusal: unknown;
  try {
    refusal = check(hostname, cert);
  } catch (error) {
    // Whatever it threw refuses the server, even `undefined`.
    refusal = error ?? new Error('it threw undefined');
  }
  if (refusal === undefined || refusal === null) return undefined;
  const reason = refusal instanceof Error ? refusal.message : String(refusal);
  return new Error(`tls.checkServerIdentity refused the server's certificate: ${reason}`, { cause: refusal });
}

/**
 * Why a ready socket cannot carry HTTP/2, or undefined when it can: the server chose another ALPN
 * protocol (e.g. `http/1.1`; no ALPN answer is fine: etcd and grpc-go speak h2 anyway), or
 * verification is off (`rejectUnauthorized: false`) and the user's `checkServerIdentity` refuses
 * the certificate (node:tls calls it only after a verified chain, and then ignores its answer).
 */
export function readyProblem(socket: net.Socket, endpoint: Endpoint, settings: TlsSettings | undefined): string | undefined {
  const protocol = (socket as TLSSocket).alpnProtocol;
  if (typeof protocol === 'string' && protocol !== '' && protocol !== 'h2') {
    return `the server chose ALPN protocol '${protocol}', not h2`;
  }
  const check = settings?.checkServerIdentity;
  if (settings?.rejectUnauthorized === false && check !== undefined && socket instanceof nodeTls().TLSSocket) {
    const hostname = serverName(endpoint, settings) ?? endpoint.host;
    return runIdentityCheck(check, hostname, socket.getPeerCertificate(true))?.message;
  }
  return undefined;
}

/** node:tls error codes of a handshake that found no TLS version both sides allow. */
const VERSION_CODES = new Set(['ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION', 'ERR_SSL_UNSUPPORTED_PROTOCOL', 'ERR_SSL_NO_PROTOCOLS_AVAILABLE', 'ERR_SSL_WRONG_SSL_VERSION']);

/**
 * Why a connection attempt failed, in words for the connection error: the socket's error message
 * (OpenSSL's file and line noise dropped), with what the TLS settings have to do with it when they
 * are the likely cause (versions, ciphers, a revoking CRL).
 * @param error - the socket's `error` event.
 * @param settings - the connection's TLS settings.
 */
export function connectFailure(error: Error, settings: TlsSettings | undefined): string {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  const reason = openSslReason(error.message);
  if (VERSION_CODES.has(code)) {
    const range = `${settings?.minVersion ?? nodeTls().DEFAULT_MIN_VERSION ?? 'TLSv1.2'} to ${settings?.maxVersion ?? nodeTls().DEFAULT_MAX_VERSION ?? 'TLSv1.3'}`;
    return `no TLS version in common with the server (${reason}); this client offers ${range} (tls.minVersion, tls.maxVersion)`;
  }
  if (code === 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE' && settings?.ciphers !== undefined) {
    return `the server refused the TLS handshake (${reason}): no cipher suite in common with tls.ciphers '${settings.ciphers}'?`;
  }
  if (code === 'CERT_REVOKED') return `${reason}: tls.crl lists the server's certificate as revoked`;
  return reason;
}

/**
 * OpenSSL 3's `<thread>:error:<code>:<library>:<function>:<reason>:<file>:<line>:<data>` as
 * `<reason> (<data>)`; other messages trimmed.
 */
function openSslReason(message: string): string {
  const match = /error:[0-9A-Fa-f]+:[^:]*:[^:]*:([^:\n]+)(?::[^:\n]*\.c:\d+:([^\n]*))?/.exec(message);
  if (match === null) return message.trim();
  const data = match[2]?.trim();
  return data === undefined || data === '' ? match[1]!.trim() : `${match[1]!.trim()} (${data})`;
}
