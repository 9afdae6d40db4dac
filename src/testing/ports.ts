/**
 * Free TCP ports on 127.0.0.1 for the etcd members `etcd-ts/testing` starts.
 *
 * A port is found by listening on port 0 and closing again. The process remembers every port it
 * handed out and never hands one out twice, so members started by one process cannot collide.
 * Another process may still take a port between the probe and etcd's bind; the cluster launcher
 * retries a start that failed with "address already in use".
 */
import { createServer } from 'node:net';

import { InvalidArgumentError } from '../errors/client.js';
import { EtcdLaunchError } from '../errors/launcher.js';
import { Status } from '../transport/types.js';

/** The address every port is probed on and every member listens on. */
export const LOOPBACK_HOST = '127.0.0.1';

/** How many probes {@link freePort} makes before giving up. */
export const MAX_PORT_PROBES = 100;

const handedOut = new Set<number>();

function probePort(): Promise<number> {
  return new Promise<number>((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', (error) => {
      reject(new EtcdLaunchError(`cannot listen on ${LOOPBACK_HOST} to find a free port: ${error.message}`, Status.UNAVAILABLE, { cause: error }));
    });
    server.listen({ host: LOOPBACK_HOST, port: 0, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/**
 * Returns a TCP port on 127.0.0.1 that was free a moment ago and that this process has not
 * handed out before.
 *
 * @throws EtcdLaunchError RESOURCE_EXHAUSTED when 100 probes gave only ports already handed out;
 *   UNAVAILABLE when listening on 127.0.0.1 fails (`cause`: the listen error).
 */
export async function freePort(): Promise<number> {
  for (let i = 0; i < MAX_PORT_PROBES; i++) {
    const port = await probePort();
    if (port > 0 && !handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new EtcdLaunchError(`no free TCP port on ${LOOPBACK_HOST} after ${MAX_PORT_PROBES} probes`, Status.RESOURCE_EXHAUSTED);
}

/**
 * Returns `count` distinct free ports (see {@link freePort}).
 *
 * @param count how many ports, a non-negative integer.
 * @throws InvalidArgumentError when `count` is not a non-negative integer; EtcdLaunchError as
 *   {@link freePort}.
 */
export async function freePorts(count: number): Promise<number[]> {
  if (!Number.isInteger(count) || count < 0) {
    throw new InvalidArgumentError(`freePorts: count must be a non-negative integer, got ${count}`);
  }
  const ports: number[] = [];
  for (let i = 0; i < count; i++) ports.push(await freePort());
  return ports;
}
