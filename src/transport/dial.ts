/**
 * Opening the byte stream of a connection: endpoint and options in, a socket out. Plain TCP
 * (`node:net`) for http endpoints, TLS (`node:tls`, ALPN `h2`) for https ones. Only this file knows
 * how; new kinds of endpoints (unix sockets) and TLS options are added here.
 */
import { createRequire } from 'node:module';
import net from 'node:net';
import type { ConnectionOptions as TlsConnectionOptions, TLSSocket } from 'node:tls';
import type { ConnectionOptions, Endpoint } from './types.js';

/**
 * node:tls, loaded on the first TLS dial: it brings most of node:crypto with it, which a process
 * that only dials plaintext (a short-lived CLI command, most of all) never needs to load.
 */
let tlsModule: typeof import('node:tls') | undefined;
function tls(): typeof import('node:tls') {
  tlsModule ??= createRequire(import.meta.url || 'file:///')('node:tls') as typeof import('node:tls');
  return tlsModule;
}

/** A socket being opened, and the event that says it is ready for HTTP/2. */
export interface Dialed {
  readonly socket: net.Socket;
  /** `connect` for TCP, `secureConnect` for TLS (after the handshake and certificate checks). */
  readonly readyEvent: 'connect' | 'secureConnect';
}

/**
 * Starts connecting to `endpoint`. Errors (refused, TLS verification) arrive as the socket's
 * `error` event.
 * @param endpoint - host, port and whether to use TLS.
 * @param options - the `tls` settings (CA, client certificate and key, server name, verification).
 */
export function dial(endpoint: Endpoint, options: ConnectionOptions): Dialed {
  if (!endpoint.tls) {
    const socket = net.connect({ host: endpoint.host, port: endpoint.port, noDelay: true });
    return { socket, readyEvent: 'connect' };
  }
  const settings = options.tls;
  const tlsOptions: TlsConnectionOptions = {
    host: endpoint.host,
    port: endpoint.port,
    ALPNProtocols: ['h2'],
    // SNI takes a host name only, never an IP address.
    servername: settings?.servername ?? (net.isIP(endpoint.host) === 0 ? endpoint.host : undefined),
  };
  if (settings !== undefined) {
    if (settings.ca !== undefined) tlsOptions.ca = settings.ca;
    if (settings.cert !== undefined) tlsOptions.cert = settings.cert;
    if (settings.key !== undefined) tlsOptions.key = settings.key;
    if (settings.rejectUnauthorized !== undefined) tlsOptions.rejectUnauthorized = settings.rejectUnauthorized;
  }
  const socket = tls().connect(tlsOptions);
  socket.setNoDelay(true);
  return { socket, readyEvent: 'secureConnect' };
}

/**
 * Why a ready TLS socket cannot carry HTTP/2: the server chose another ALPN protocol (e.g.
 * `http/1.1`). Undefined when it is fine (h2, or no ALPN answer: etcd and grpc-go speak h2 anyway).
 */
export function alpnProblem(socket: net.Socket): string | undefined {
  const protocol = (socket as TLSSocket).alpnProtocol;
  if (typeof protocol === 'string' && protocol !== '' && protocol !== 'h2') {
    return `the server chose ALPN protocol '${protocol}', not h2`;
  }
  return undefined;
}
