/**
 * The endpoint list and the choice of endpoint for each call.
 *
 * Policy (deliberately simple for now): one *pinned* endpoint serves every call while it works; when
 * its connection fails (connect error, broken connection, keep-alive timeout, or a retried call),
 * the next endpoint in the list is pinned (round robin). Each endpoint's last error is remembered so
 * `NoAvailableEndpointsError` can name them all. One `Connection` per endpoint, created on first use.
 *
 * Later work plugs in here without changing callers: health tracking from `Connection.onStateChange`
 * (subscribe where `#connectionAt` creates a connection), backoff with jitter per endpoint,
 * `setEndpoints` (replace `#endpoints` and close the dropped connections), and autoSync (which calls
 * `setEndpoints`).
 */
import { ClientClosedError, InvalidArgumentError, NoAvailableEndpointsError, type EndpointFailure } from '../errors.js';
import { parseEndpoint } from '../transport/index.js';
import type { Connection, Endpoint } from '../transport/types.js';
import { ENDPOINT_ROUND_PAUSE_MS, MIN_ENDPOINT_CONNECT_MS } from './defaults.js';
import { describe } from '../describe.js';
import { toEtcdError } from './errors.js';
import type { Logger } from './logger.js';
import { pause } from './retry.js';

/**
 * Parses the user's endpoint list: an array of URLs, or one string of comma-separated URLs (as
 * etcdctl's `--endpoints`). Each is `http://host:port`, `https://host:port` or `host:port` (parsed by
 * the transport's `parseEndpoint`).
 *
 * @throws InvalidArgumentError when the list is empty or not strings, when an endpoint is malformed
 *   (the message names it), or when the list mixes http and https.
 */
export function parseEndpoints(input: string | readonly string[]): Endpoint[] {
  let urls: readonly unknown[];
  if (typeof input === 'string') urls = input.split(',').map((s) => s.trim()).filter((s) => s !== '');
  else if (Array.isArray(input)) urls = input;
  else throw new InvalidArgumentError(`endpoints must be an array of URLs or a comma-separated string, got ${describe(input)}`);
  if (urls.length === 0) {
    throw new InvalidArgumentError("endpoints must name at least one endpoint, e.g. ['http://127.0.0.1:2379']");
  }
  const endpoints: Endpoint[] = [];
  for (const url of urls) {
    if (typeof url !== 'string' || url.trim() === '') {
      throw new InvalidArgumentError(`endpoints must be non-empty strings, got ${describe(url)}`);
    }
    try {
      endpoints.push(parseEndpoint(url.trim()));
    } catch (error) {
      // parseEndpoint's message names the endpoint and the problem.
      throw new InvalidArgumentError((error as Error).message, { cause: error });
    }
  }
  const secure = endpoints.filter((e) => e.tls);
  if (secure.length > 0 && secure.length < endpoints.length) {
    const plain = endpoints.filter((e) => !e.tls).map((e) => e.url);
    throw new InvalidArgumentError(
      `endpoints mix https (${secure.map((e) => e.url).join(', ')}) and http (${plain.join(', ')}); use one scheme for all`,
    );
  }
  return endpoints;
}

/** Options of an {@link EndpointPicker}. */
export interface EndpointPickerOptions {
  /** The client's dial timeout in milliseconds: splits the wait between endpoints. */
  dialTimeout: number;
  logger?: Logger;
}

/**
 * Chooses the endpoint (and its connection) for each call: the pinned one while it works, the next
 * one after a failure. Safe for any number of concurrent calls.
 */
export class EndpointPicker {
  readonly #endpoints: readonly Endpoint[];
  readonly #connect: (endpoint: Endpoint) => Connection;
  readonly #connections: Array<Connection | undefined>;
  readonly #errors: Array<Error | undefined>;
  readonly #options: EndpointPickerOptions;
  #pinned = 0;
  #closed = false;

  /**
   * @param endpoints parsed endpoints, at least one
   * @param connect creates the connection of one endpoint (called once per endpoint, on first use)
   */
  constructor(endpoints: readonly Endpoint[], connect: (endpoint: Endpoint) => Connection, options: EndpointPickerOptions) {
    if (endpoints.length === 0) throw new InvalidArgumentError('endpoints must name at least one endpoint');
    this.#endpoints = Object.freeze([...endpoints]);
    this.#connect = connect;
    this.#connections = new Array<Connection | undefined>(endpoints.length).fill(undefined);
    this.#errors = new Array<Error | undefined>(endpoints.length).fill(undefined);
    this.#options = options;
  }

  /** The configured endpoints, in order. */
  get endpoints(): readonly Endpoint[] {
    return this.#endpoints;
  }

  /** The endpoint calls go to now. */
  get pinned(): Endpoint {
    return this.#endpoints[this.#pinned]!;
  }

  /** The pinned endpoint's connection if it is ready now, else undefined (the fast path of a call). */
  readyConnection(): Connection | undefined {
    const connection = this.#connections[this.#pinned];
    return connection !== undefined && connection.state === 'ready' ? connection : undefined;
  }

  /**
   * Waits for a ready connection: the pinned endpoint first, then the others in turn, pausing
   * {@link ENDPOINT_ROUND_PAUSE_MS} after each full round of failures, until `deadline`.
   *
   * @param deadline absolute time (`Date.now()` ms) to give up
   * @param signal aborting rejects with `signal.reason`
   * @throws NoAvailableEndpointsError naming each endpoint's last error when `deadline` passes
   */
  async connection(deadline: number, signal?: AbortSignal): Promise<Connection> {
    const started = Date.now();
    const count = this.#endpoints.length;
    const slice = count === 1 ? Infinity : Math.max(MIN_ENDPOINT_CONNECT_MS, this.#options.dialTimeout / count);
    let failuresThisRound = 0;
    for (;;) {
      if (this.#closed) throw new ClientClosedError();
      const index = this.#pinned;
      const connection = this.#connectionAt(index);
      if (connection.state === 'ready') return connection;
      const now = Date.now();
      if (now >= deadline) throw new NoAvailableEndpointsError(this.failures(), now - started);
      try {
        await connection.ready(Math.min(deadline, now + slice), signal);
        this.#errors[index] = undefined;
        return connection;
      } catch (error) {
        if (signal?.aborted === true) throw signal.reason;
        this.#fail(index, toEtcdError(error, { endpoint: this.#endpoints[index]!.url }));
        if (++failuresThisRound >= count) {
          failuresThisRound = 0;
          const wait = Math.min(ENDPOINT_ROUND_PAUSE_MS, deadline - Date.now());
          if (wait > 0) await pause(wait, signal);
        }
      }
    }
  }

  /**
   * A call on `connection` failed in a way that says the endpoint is not usable now (a broken
   * connection, or an error the retry policy retries elsewhere): remember the error and, if that
   * endpoint is still pinned, pin the next one.
   */
  reportFailure(connection: Connection, error: Error): void {
    const index = this.#connections.indexOf(connection);
    if (index >= 0) this.#fail(index, error);
  }

  /** Every endpoint with its last error (undefined when it has not failed or not been tried). */
  failures(): EndpointFailure[] {
    return this.#endpoints.map((e, i) => ({ endpoint: e.url, error: this.#errors[i] }));
  }

  /** Closes every connection; later waits fail. */
  async close(): Promise<void> {
    this.#closed = true;
    const open = this.#connections.filter((c): c is Connection => c !== undefined);
    this.#connections.fill(undefined);
    await Promise.allSettled(open.map((c) => c.close()));
  }

  #connectionAt(index: number): Connection {
    let connection = this.#connections[index];
    if (connection === undefined) {
      connection = this.#connect(this.#endpoints[index]!);
      this.#connections[index] = connection;
    }
    return connection;
  }

  /** Records the error of endpoint `index` and moves the pin past it (only if it is still pinned). */
  #fail(index: number, error: Error): void {
    this.#errors[index] = error;
    if (this.#pinned !== index) return;
    this.#pinned = (index + 1) % this.#endpoints.length;
    if (this.#endpoints.length > 1) {
      this.#options.logger?.warn('etcd endpoint failed; switching endpoint', {
        endpoint: this.#endpoints[index]!.url,
        next: this.#endpoints[this.#pinned]!.url,
        error: error.message,
      });
    }
  }
}
