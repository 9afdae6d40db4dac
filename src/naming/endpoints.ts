/**
 * Service discovery in etcd (Go's `clientv3/naming/endpoints`): the endpoints of a service, the
 * *target*, are keys `<target>/<name>` (by convention `<target>/<addr>`), each holding one
 * endpoint as the Go client's JSON (see endpoint-value.ts), usually attached to the lease of the
 * process that serves it. Go programs and etcd-ts programs register and discover each other.
 */
import type { Client } from '../client.js';
import { checkCallOptions, checkOptions, checkOptionsObject } from '../internal/validation.js';
import { describe } from '../internal/describe-value.js';
import { toLeaseId } from '../internal/wire.js';
import { InvalidArgumentError } from '../errors/index.js';
import { op, type Op } from '../kv/op.js';
import type { CallOptions, KeyValue, ResponseHeader } from '../types.js';
import type { Watcher } from '../watch/watch.js';
import { checkEndpoint, decodeEndpoint, encodeEndpoint, type Endpoint } from './endpoint-value.js';

/**
 * What the endpoint manager needs of a client: reads, transactions and watches. A `Client`, or a
 * namespace view of one (`client.namespace(prefix)`: targets then live under the prefix).
 */
export type NamingClient = Pick<Client, 'get' | 'txn' | 'watch'>;

/**
 * Checks that `client` has what the endpoint manager calls.
 * @throws InvalidArgumentError naming `what` when it lacks `get`, `txn` or `watch`
 */
export function checkNamingClient(client: unknown, what: string): void {
  const methods = ['get', 'txn', 'watch'] as const;
  if (typeof client === 'object' && client !== null && methods.every((m) => typeof (client as NamingClient)[m] === 'function')) return;
  throw new InvalidArgumentError(`${what}: client must be a Client or a namespace view of one, got ${describe(client)}`);
}

/** A change of a target's endpoints, as `watch()` delivers it (Go's `endpoints.Update`). */
export type EndpointUpdate =
  /** The key now holds `endpoint` (registered, or registered again with a new value). */
  | { op: 'add'; key: string; endpoint: Endpoint }
  /** The key was deleted (by `deleteEndpoint`, or when its lease ended). */
  | { op: 'delete'; key: string };

/** One change for `manager.update()` (Go's `UpdateWithOpts`). */
export type EndpointUpdateRequest =
  /** Registers `endpoint` under `key`, attached to `lease` when given (a bigint lease ID). */
  | { op: 'add'; key: string; endpoint: Endpoint; lease?: bigint }
  /** Deletes the endpoint under `key`. */
  | { op: 'delete'; key: string };

/** Options of `manager.addEndpoint`. */
export interface AddEndpointOptions extends CallOptions {
  /**
   * Attach the key to this lease (Go's `clientv3.WithLease(id)`): the endpoint disappears when the
   * lease ends, e.g. when the process that keeps it alive dies. Default: no lease.
   */
  lease?: bigint;
}

/** Options of `manager.watch`. */
export interface EndpointWatchOptions {
  /** Aborting it ends the watch: its loop throws `signal.reason`. */
  signal?: AbortSignal;
}

/** What `update`, `addEndpoint` and `deleteEndpoint` resolve to. */
export interface EndpointUpdateResponse {
  /** Header of the transaction's response: its revision is the one the change was made at. */
  header: ResponseHeader;
}

const UPDATE_OPS: readonly string[] = ['add', 'delete'];

/**
 * The endpoints of one target (Go's `endpoints.NewManager(client, target)`).
 *
 * ```ts
 * import { EndpointManager } from 'etcd-ts/naming';
 *
 * const manager = new EndpointManager(client, 'my-service');
 * const { id } = await client.lease.grant(10);
 * await manager.addEndpoint('my-service/10.0.0.5:50051', { addr: '10.0.0.5:50051' }, { lease: id });
 * for await (const _ of client.lease.keepAlive(id)); // registered while this process renews the lease
 * ```
 *
 * Keys are `<target>/<anything>`; by convention (and in Go's examples) `<target>/<addr>`. Reads
 * (`list`, the start of `watch`) are serializable, as Go's: any member answers them, also one
 * without a leader, and they may miss a change made a moment before through another member.
 */
export class EndpointManager {
  /** The service name: every endpoint key starts with `target + '/'`. */
  readonly target: string;
  readonly #client: NamingClient;
  readonly #prefix: string;

  /**
   * @param client a `Client` or a namespace view of one
   * @param target the service name, a non-empty string (e.g. `my-service`)
   * @throws InvalidArgumentError for an empty or non-string `target`, or a `client` without
   *   `get`, `txn` and `watch`
   */
  constructor(client: NamingClient, target: string) {
    checkNamingClient(client, 'EndpointManager');
    if (typeof target !== 'string' || target === '') {
      throw new InvalidArgumentError(`EndpointManager: target must be a non-empty string (the service name), got ${describe(target)}`);
    }
    this.#client = client;
    this.target = target;
    this.#prefix = `${target}/`;
  }

  /**
   * Applies several changes atomically, in one transaction (etcd `KV.Txn`; Go's `Update`). Every
   * change is checked before anything is sent. Like any write, not retried once it may have
   * reached the server.
   *
   * @throws InvalidArgumentError for a key outside `<target>/`, an unknown `op`, a bad endpoint
   *   (see {@link addEndpoint}) or lease ID; `LeaseNotFoundError` for a lease that does not exist
   */
  async update(updates: readonly EndpointUpdateRequest[], options?: CallOptions): Promise<EndpointUpdateResponse> {
    if (!Array.isArray(updates)) throw new InvalidArgumentError(`update: updates must be an array, got ${describe(updates)}`);
    checkCallOptions(options, 'update');
    const ops = updates.map((u, i) => this.#op(u, `update: updates[${i}]`));
    const response = await this.#client.txn().then(...ops).commit(options);
    return { header: response.header };
  }

  /**
   * Registers `endpoint` under `key` (etcd `KV.Txn` with one put; Go's `AddEndpoint`), replacing
   * what the key held.
   *
   * @param key `<target>/<name>`, by convention `<target>/<addr>`
   * @param endpoint `{ addr, metadata? }`: `addr` a non-empty `host:port` string, `metadata`
   *   anything JSON can hold
   * @param options `lease` (the key ends with it), `signal`, `timeout` (ms)
   * @throws InvalidArgumentError for a key outside `<target>/`, an `addr` that is not a non-empty
   *   string, an unknown endpoint field, metadata JSON cannot hold, a bad lease ID;
   *   `LeaseNotFoundError` for a lease that does not exist
   */
  async addEndpoint(key: string, endpoint: Endpoint, options?: AddEndpointOptions): Promise<EndpointUpdateResponse> {
    checkOptionsObject(options, 'addEndpoint options');
    const { lease, ...call } = options ?? {};
    return this.#single({ op: 'add', key, endpoint, lease }, call, 'addEndpoint');
  }

  /**
   * Deletes the endpoint under `key` (etcd `KV.Txn` with one delete; Go's `DeleteEndpoint`).
   * Deleting a key that holds nothing is not an error.
   *
   * @throws InvalidArgumentError for a key outside `<target>/`
   */
  async deleteEndpoint(key: string, options?: CallOptions): Promise<EndpointUpdateResponse> {
    return this.#single({ op: 'delete', key }, options, 'deleteEndpoint');
  }

  /**
   * Every endpoint of the target, by key in key order (etcd `KV.Range` of `<target>/`,
   * serializable; Go's `List`). Keys whose value is not an endpoint are left out, as in Go.
   */
  async list(options?: CallOptions): Promise<Map<string, Endpoint>> {
    checkCallOptions(options, 'list');
    const { kvs } = await this.#client.get(this.#prefix, { ...options, prefix: true, serializable: true });
    const endpoints = new Map<string, Endpoint>();
    for (const kv of kvs) {
      const endpoint = decodeEndpoint(kv.value);
      if (endpoint !== undefined) endpoints.set(kv.key.toString(), endpoint);
    }
    return endpoints;
  }

  /**
   * The target's endpoints and their changes (Go's `NewWatchChannel`): an async iterable of
   * batches of {@link EndpointUpdate}. The first batch lists every endpoint registered when the
   * loop starts, each as an `add` (empty when there are none: unlike Go, it is always delivered);
   * then each batch holds the changes of one watch response (one revision, or several), in order,
   * none missed or repeated across reconnections (etcd `KV.Range`, serializable, then
   * `Watch.Watch` from the revision after it, on the client's shared watch stream).
   *
   * Values that are not endpoints are skipped, as in Go. Leaving the loop or `cancel()` ends it;
   * the loop throws what a watch throws (`CompactedError`, `ClientClosedError`, `signal.reason`
   * ...), where Go's channel just closes.
   *
   * @throws InvalidArgumentError (at once) for bad options
   */
  watch(options?: EndpointWatchOptions): EndpointWatch {
    checkOptions(options, 'watch');
    if ((options as CallOptions | undefined)?.timeout !== undefined) throw new InvalidArgumentError('watch: a watch has no timeout; abort its signal instead');
    return new EndpointWatch(this.#client, this.#prefix, options?.signal);
  }

  async #single(update: EndpointUpdateRequest, options: CallOptions | undefined, operation: string): Promise<EndpointUpdateResponse> {
    checkCallOptions(options, operation);
    const response = await this.#client.txn().then(this.#op(update, operation)).commit(options);
    return { header: response.header };
  }

  /** The op of one change, checked. */
  #op(update: EndpointUpdateRequest, what: string): Op {
    if (typeof update !== 'object' || update === null) throw new InvalidArgumentError(`${what} must be { op, key, ... }, got ${describe(update)}`);
    const { key } = update;
    if (typeof key !== 'string' || !key.startsWith(this.#prefix)) {
      throw new InvalidArgumentError(`${what}: key must start with '${this.#prefix}' (the target and a slash), got ${describe(key)}`);
    }
    switch (update.op) {
      case 'add': {
        const endpoint = checkEndpoint(update.endpoint, `${what}: endpoint`);
        const lease = update.lease === undefined ? undefined : toLeaseId(update.lease, `${what}: lease`, 1n);
        return op.put(key, encodeEndpoint(endpoint, `${what}: endpoint`), lease === undefined ? undefined : { lease });
      }
      case 'delete':
        return op.delete(key);
      default:
        throw new InvalidArgumentError(`${what}: op must be one of ${UPDATE_OPS.join(', ')}, got ${describe((update as { op: unknown }).op)}`);
    }
  }
}

/** The `add` update of a stored key-value, or undefined when its value is not an endpoint. */
function addUpdate(kv: KeyValue): EndpointUpdate | undefined {
  const endpoint = decodeEndpoint(kv.value);
  return endpoint === undefined ? undefined : { op: 'add', key: kv.key.toString(), endpoint };
}

/**
 * What `manager.watch()` returns: an async iterable of batches of endpoint updates, for one
 * `for await` loop. See `EndpointManager.watch`.
 */
export class EndpointWatch implements AsyncIterable<EndpointUpdate[]> {
  readonly #updates: AsyncGenerator<EndpointUpdate[], void, undefined>;
  #watcher: Watcher | undefined;
  #cancelled = false;

  /** @internal Made by `EndpointManager.watch`. */
  constructor(client: NamingClient, prefix: string, signal: AbortSignal | undefined) {
    this.#updates = this.#run(client, prefix, signal);
  }

  /**
   * Ends the watch (its etcd watch is cancelled); a loop over it ends normally. Resolves once etcd
   * confirmed. Never rejects.
   */
  async cancel(): Promise<void> {
    this.#cancelled = true;
    await this.#watcher?.cancel();
  }

  /** The loop's iterator (one loop at a time). */
  [Symbol.asyncIterator](): AsyncIterator<EndpointUpdate[]> {
    return this.#updates;
  }

  async *#run(client: NamingClient, prefix: string, signal: AbortSignal | undefined): AsyncGenerator<EndpointUpdate[], void, undefined> {
    const listed = await client.get(prefix, { prefix: true, serializable: true, signal });
    if (this.#cancelled) return;
    yield listed.kvs.map(addUpdate).filter((u) => u !== undefined);
    if (this.#cancelled) return;
    const watcher = client.watch(prefix, { prefix: true, startRevision: listed.header.revision + 1, signal });
    this.#watcher = watcher;
    for await (const response of watcher) {
      const batch: EndpointUpdate[] = [];
      for (const event of response.events) {
        const update: EndpointUpdate | undefined =
          event.type === 'delete' ? { op: 'delete', key: event.kv.key.toString() } : addUpdate(event.kv);
        if (update !== undefined) batch.push(update);
      }
      if (batch.length > 0) yield batch;
    }
  }
}
