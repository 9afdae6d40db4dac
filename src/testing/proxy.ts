/**
 * `TcpProxy`: a loopback TCP proxy for fault tests, put in front of an etcd member's client port by
 * `EtcdCluster.start({ proxy: true })`. Bytes pass through unchanged (plain or TLS alike); the
 * controls change how:
 *
 * - `delay(ms)`: every reply (bytes from the member to the client) is held `ms` milliseconds,
 *   in order: a slow link, or a server slower than the client's deadline;
 * - `blackhole()`: nothing is forwarded in either direction and nothing is closed, like a route
 *   that silently drops packets (the bytes are held, as TCP would retransmit them, and delivered
 *   on `heal()`); new connections are accepted and held too;
 * - `cut()`: every current connection is reset (RST), like a broken link; new connections work;
 * - `heal()`: back to plain forwarding (no delay, no black hole).
 *
 * No root, no network namespaces: 127.0.0.1 only. Imports only node: modules.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

import { InvalidArgumentError } from '../errors/client.js';
import { EtcdLaunchError } from '../errors/launcher.js';
import { Status } from '../transport/types.js';
import { LOOPBACK_HOST } from './ports.js';

/** Options of {@link TcpProxy.start}. */
export interface TcpProxyOptions {
  /** Port the proxy forwards to (on {@link targetHost}). */
  targetPort: number;
  /** Host the proxy forwards to. Default `127.0.0.1`. */
  targetHost?: string;
  /** Port the proxy listens on, on 127.0.0.1. Default 0: a free port chosen by the kernel. */
  port?: number;
}

/** Bytes waiting in one direction of one connection, each with the time it may go. */
class Lane {
  readonly #queue: Array<{ due: number; chunk: Buffer }> = [];
  #head = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(private readonly to: Socket) {}

  /** Queues `chunk` to go at `due` (`Date.now()` ms), after everything queued before it. */
  push(chunk: Buffer, due: number): void {
    this.#queue.push({ due, chunk });
    this.flush();
  }

  /** Number of chunks held. */
  get held(): number {
    return this.#queue.length - this.#head;
  }

  /** Sends every chunk due by `now`; arms a timer for the next one (none for chunks held without a time). */
  flush(now: number = Date.now()): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    while (this.#head < this.#queue.length) {
      const next = this.#queue[this.#head]!;
      if (next.due > now) {
        if (next.due === Infinity) return; // held until release()
        this.#timer = setTimeout(() => {
          this.#timer = undefined;
          this.flush();
        }, next.due - Date.now());
        return;
      }
      this.#queue[this.#head++] = undefined as never;
      if (!this.to.destroyed) this.to.write(next.chunk);
    }
    this.#queue.length = 0;
    this.#head = 0;
  }

  /** Holds every queued chunk until {@link release}. */
  hold(): void {
    for (let i = this.#head; i < this.#queue.length; i++) this.#queue[i]!.due = Infinity;
    this.flush();
  }

  /** Makes every held chunk due now. */
  release(): void {
    for (let i = this.#head; i < this.#queue.length; i++) this.#queue[i]!.due = 0;
    this.flush();
  }

  /** Drops everything held. */
  clear(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#queue.length = 0;
    this.#head = 0;
  }
}

/** One proxied connection: the client's socket, the member's socket, and a lane each way. */
class Pipe {
  readonly toClient: Lane;
  readonly toServer: Lane;
  #closed = false;

  constructor(
    private readonly proxy: TcpProxy,
    readonly client: Socket,
    readonly server: Socket,
  ) {
    this.toClient = new Lane(client);
    this.toServer = new Lane(server);
    client.on('data', (chunk: Buffer) => proxy.forward(this, 'request', chunk));
    server.on('data', (chunk: Buffer) => proxy.forward(this, 'reply', chunk));
    // A half-close travels on once what is queued is out (never while black-holed).
    client.on('end', () => this.#endLater(this.toServer, server));
    server.on('end', () => this.#endLater(this.toClient, client));
    client.on('error', () => this.destroy(false));
    client.on('close', () => this.destroy(false));
    // The member refused, reset or died: the client sees its connection reset, as with a dead member.
    server.on('error', () => this.destroy(true));
    // The member closed cleanly: the client gets what is still queued, then a FIN.
    server.on('close', () => this.#endLater(this.toClient, client));
  }

  #endLater(lane: Lane, to: Socket): void {
    const tryEnd = (): void => {
      if (this.#closed || to.destroyed) return;
      if (lane.held > 0 || this.proxy.blackholed) {
        setTimeout(tryEnd, 10);
        return;
      }
      to.end();
    };
    tryEnd();
  }

  /** Stops or resumes reading both sockets (a black hole applies back-pressure, as a dead link would). */
  setPaused(paused: boolean): void {
    for (const socket of [this.client, this.server]) {
      if (paused) socket.pause();
      else socket.resume();
    }
  }

  /** Closes both sockets; `reset` sends RST to the client (a cut link) instead of a FIN. */
  destroy(reset: boolean): void {
    if (this.#closed) return;
    this.#closed = true;
    this.toClient.clear();
    this.toServer.clear();
    if (reset && typeof this.client.resetAndDestroy === 'function' && !this.client.destroyed) this.client.resetAndDestroy();
    else this.client.destroy();
    this.server.destroy();
    this.proxy.removed(this);
  }
}

/**
 * A TCP proxy on 127.0.0.1 with fault controls (see the file comment). Create it with
 * {@link TcpProxy.start}; `close()` (or `await using`) stops it and closes its connections.
 */
export class TcpProxy implements AsyncDisposable {
  /** Port the proxy listens on, on 127.0.0.1. */
  readonly port: number;
  /** Where it forwards to. */
  readonly target: { readonly host: string; readonly port: number };
  readonly #server: Server;
  readonly #pipes = new Set<Pipe>();
  #delayMs = 0;
  #blackholed = false;
  #closing: Promise<void> | undefined;

  private constructor(server: Server, port: number, target: { host: string; port: number }) {
    this.#server = server;
    this.port = port;
    this.target = Object.freeze({ ...target });
    server.on('connection', (client) => this.#accept(client));
  }

  /**
   * Starts a proxy listening on 127.0.0.1 and forwarding to `targetHost:targetPort`. The target
   * need not be up: a connection the target refuses is closed at once (the client sees a reset).
   *
   * @throws InvalidArgumentError for a bad port; EtcdLaunchError (UNAVAILABLE) when `port` cannot
   *   be listened on (taken: the `EADDRINUSE` listen error is the `cause`)
   */
  static async start(options: TcpProxyOptions): Promise<TcpProxy> {
    const { targetPort, targetHost = LOOPBACK_HOST, port = 0 } = options;
    for (const [name, value] of [['targetPort', targetPort], ['port', port]] as const) {
      if (!Number.isInteger(value) || value < 0 || value > 65535 || (name === 'targetPort' && value === 0)) {
        throw new InvalidArgumentError(`TcpProxy.start: ${name} must be a TCP port, got ${String(value)}`);
      }
    }
    const server = createServer({ noDelay: true });
    await new Promise<void>((resolve, reject) => {
      const fail = (error: Error): void => {
        reject(new EtcdLaunchError(`TcpProxy.start: cannot listen on ${LOOPBACK_HOST}:${port}: ${error.message}`, Status.UNAVAILABLE, { cause: error }));
      };
      server.once('error', fail);
      server.listen(port, LOOPBACK_HOST, () => {
        server.off('error', fail);
        resolve();
      });
    });
    server.unref();
    const address = server.address();
    if (address === null || typeof address === 'string') {
      server.close();
      throw new EtcdLaunchError('TcpProxy: no TCP address after listen', Status.INTERNAL);
    }
    return new TcpProxy(server, address.port, { host: targetHost, port: targetPort });
  }

  /** `http://127.0.0.1:<port>`: the proxy as a plain etcd endpoint (see {@link urlFor} for https). */
  get url(): string {
    return this.urlFor('http');
  }

  /** The proxy's URL with the given scheme, e.g. `https://127.0.0.1:<port>`. */
  urlFor(scheme: 'http' | 'https'): string {
    return `${scheme}://${LOOPBACK_HOST}:${this.port}`;
  }

  /** Number of client connections open through the proxy now. */
  get connections(): number {
    return this.#pipes.size;
  }

  /** Current reply delay in ms (0 = none). */
  get delayMs(): number {
    return this.#delayMs;
  }

  /** Whether traffic is black-holed now. */
  get blackholed(): boolean {
    return this.#blackholed;
  }

  /**
   * Holds every reply (member to client) `ms` milliseconds from now on, keeping their order; bytes
   * already held keep their time. `delay(0)` stops delaying (held bytes still go at their time).
   *
   * @throws InvalidArgumentError unless `ms` is a non-negative finite number
   */
  delay(ms: number): void {
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
      throw new InvalidArgumentError(`TcpProxy.delay: ms must be a non-negative number of milliseconds, got ${String(ms)}`);
    }
    this.#delayMs = ms;
  }

  /**
   * Stops forwarding in both directions without closing anything: the peers see silence (their
   * writes pile up, no FIN, no RST), as with a route that drops packets. New connections are
   * accepted and held the same way. `heal()` delivers what was held.
   */
  blackhole(): void {
    if (this.#blackholed) return;
    this.#blackholed = true;
    for (const pipe of this.#pipes) {
      pipe.setPaused(true);
      pipe.toServer.hold();
      pipe.toClient.hold();
    }
  }

  /** Resets every current connection (RST to the client, close to the member). Later connections work. */
  cut(): void {
    for (const pipe of [...this.#pipes]) pipe.destroy(true);
  }

  /** Back to plain forwarding: no delay, no black hole; held bytes are delivered now, in order. */
  heal(): void {
    this.#delayMs = 0;
    const wasBlackholed = this.#blackholed;
    this.#blackholed = false;
    for (const pipe of this.#pipes) {
      if (wasBlackholed) pipe.setPaused(false);
      pipe.toServer.release();
      pipe.toClient.release();
    }
  }

  /** Stops listening and closes every connection. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      for (const pipe of [...this.#pipes]) pipe.destroy(false);
    });
    return this.#closing;
  }

  /** Same as {@link close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** @internal One chunk read from either side. */
  forward(pipe: Pipe, direction: 'request' | 'reply', chunk: Buffer): void {
    if (direction === 'request') {
      // Held while black-holed (the socket is paused, so only chunks already read get here).
      pipe.toServer.push(chunk, this.#blackholed ? Infinity : 0);
    } else {
      pipe.toClient.push(chunk, this.#blackholed ? Infinity : Date.now() + this.#delayMs);
    }
  }

  /** @internal A pipe closed. */
  removed(pipe: Pipe): void {
    this.#pipes.delete(pipe);
  }

  #accept(client: Socket): void {
    if (this.#closing !== undefined) {
      client.destroy();
      return;
    }
    client.setNoDelay(true);
    const server = connect({ host: this.target.host, port: this.target.port, noDelay: true });
    const pipe = new Pipe(this, client, server);
    this.#pipes.add(pipe);
    if (this.#blackholed) pipe.setPaused(true);
  }
}
