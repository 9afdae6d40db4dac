/**
 * `Client`: the entry point. Owns the options, the call layer (connections, retries, deadlines),
 * and one object per etcd service; the KV methods sit on the client itself, as in Go's `clientv3`.
 */
import { Auth } from './auth/auth.js';
import { Cluster } from './cluster/cluster.js';
import { ElectionService } from './lock-election/election.js';
import { KV } from './kv/kv.js';
import { Lease } from './lease/lease.js';
import { LockService } from './lock-election/lock.js';
import { Maintenance } from './maintenance/maintenance.js';
import type { Op } from './kv/op.js';
import { loadConfigFile } from './config.js';
import { RpcClient } from './rpc/invoke.js';
import type { Rpc } from './rpc/types.js';
import type { Txn } from './kv/txn.js';
import { Namespace } from './namespace/namespace.js';
import { Watch, type Watcher, type WatchOptions } from './watch/watch.js';
import type { Bytes, CallOptions } from './types.js';
import type { SessionClient } from './service-interfaces.js';
import type {
  CompactOptions,
  CompactResponse,
  DeleteOptions,
  DeleteResponse,
  GetResponse,
  OpResponse,
  PutOptions,
  PutResponse,
  RangeOptions,
} from './kv/types.js';

import { resolveClientOptions, type ClientOptions } from './client-options.js';

export {
  CLIENT_DEFAULTS,
  resolveClientOptions,
  type ClientOptions,
  type Logger,
  type MetricsOptions,
  type TlsOptions,
  type TlsVersion,
  type TracingOptions,
} from './client-options.js';

/**
 * An etcd v3 client.
 *
 * ```ts
 * await using client = new Client({ endpoints: ['http://127.0.0.1:2379'] });
 * await client.put('greeting', 'hello');
 * const { kvs } = await client.get('greeting');
 * console.log(kvs[0]?.value.toString()); // hello
 * ```
 *
 * It connects lazily, on the first call, and is safe to use from any number of concurrent tasks.
 * Every method takes `signal` (an `AbortSignal`; aborting rejects with `signal.reason`) and
 * `timeout` (ms; expiry rejects with `DeadlineExceededError`) in its options object. Bad arguments
 * reject with `InvalidArgumentError` before anything is sent; server errors reject with the
 * matching `EtcdError` subclass; after `close()` calls reject with `ClientClosedError`.
 */
export class Client implements AsyncDisposable, SessionClient {
  /**
   * The call layer of this client (connections, deadlines, retries, typed errors), which every
   * method uses. Internal: not part of the stable API. Its method descriptors are not exported
   * yet; the library's own tests use it for RPCs the client has no method for yet.
   * @internal
   */
  readonly rpc: Rpc;
  /** Leases: grant, revoke, time-to-live, list, keep-alive (etcd `Lease` service). */
  readonly lease: Lease;
  /** Cluster membership: list, add (as learner), remove, update, promote (etcd `Cluster` service). */
  readonly cluster: Cluster;
  /** Maintenance: status, defragment, alarms, hashes, snapshot, move-leader (etcd `Maintenance` service). */
  readonly maintenance: Maintenance;
  /** Auth administration: enable/disable, users, roles, permissions (etcd `Auth` service). */
  readonly auth: Auth;
  /** Server-side distributed locks: lock, unlock (etcd `v3lockpb.Lock` service). */
  readonly lock: LockService;
  /** Server-side leader election: campaign, proclaim, leader, observe, resign (etcd `v3electionpb.Election` service). */
  readonly election: ElectionService;
  readonly #kv: KV;
  readonly #watch: Watch;
  readonly #calls: RpcClient;

  /**
   * Makes a client from a configuration file in the Go client's YAML format (endpoints,
   * `dial-timeout` and the other durations in nanoseconds, TLS files, username/password; see
   * {@link loadConfigFile}). `options` are applied over the file's settings (e.g. a `logger` or
   * `metrics`, which a file cannot hold).
   *
   * ```ts
   * await using client = await Client.fromConfigFile('/etc/myapp/etcd.yaml', { logger: console });
   * ```
   *
   * @throws InvalidArgumentError for a malformed file or bad options (the message names the key);
   *   the file system's error when the file or a TLS file it names cannot be read
   */
  static async fromConfigFile(path: string, options: ClientOptions = {}): Promise<Client> {
    return new Client({ ...(await loadConfigFile(path)), ...options });
  }

  /**
   * Makes a client; nothing connects until the first call. Throws `InvalidArgumentError` for bad
   * options (see {@link ClientOptions}; unknown option names too).
   */
  constructor(options: ClientOptions = {}) {
    this.#calls = new RpcClient(resolveClientOptions(options));
    this.rpc = this.#calls;
    this.#kv = new KV(this.rpc);
    this.#watch = new Watch(this.rpc);
    this.lease = new Lease(this.rpc);
    this.cluster = new Cluster(this.rpc);
    this.maintenance = new Maintenance(this.rpc);
    this.auth = new Auth(this.rpc);
    this.lock = new LockService(this.rpc);
    this.election = new ElectionService(this.rpc);
  }

  /**
   * Reads a key, or a range of keys with `prefix` / `rangeEnd` / `fromKey` (etcd `KV.Range`).
   * Linearizable unless `serializable`. Rejects with `CompactedError` for a compacted `revision`,
   * `FutureRevisionError` for one not reached yet. Reads are retried on another endpoint when
   * one is unavailable.
   */
  get(key: Bytes, options?: RangeOptions & CallOptions): Promise<GetResponse> {
    return this.#kv.get(key, options);
  }

  /**
   * Writes a key (etcd `KV.Put`). Rejects with `LeaseNotFoundError` for an unknown `lease`,
   * `KeyNotFoundError` with `ignoreValue`/`ignoreLease` on a missing key. A put that may have
   * reached the server is never retried: the caller gets the error.
   */
  put(key: Bytes, value: Bytes, options?: PutOptions & CallOptions): Promise<PutResponse> {
    return this.#kv.put(key, value, options);
  }

  /**
   * Deletes a key, or a range of keys with `prefix` / `rangeEnd` / `fromKey` (etcd `KV.DeleteRange`);
   * `deleted` counts the keys removed, `prevKvs` holds them with `prevKv`. Like a put, never retried
   * once it may have reached the server.
   */
  delete(key: Bytes, options?: DeleteOptions & CallOptions): Promise<DeleteResponse> {
    return this.#kv.delete(key, options);
  }

  /**
   * Discards the history before `revision` (etcd `KV.Compact`); reads of older revisions then
   * fail with `CompactedError`. `physical`: resolve only once the backend has applied it.
   * Rejects with `CompactedError` when `revision` is already compacted, `FutureRevisionError`
   * when it is beyond the current revision.
   */
  compact(revision: number, options?: CompactOptions & CallOptions): Promise<CompactResponse> {
    return this.#kv.compact(revision, options);
  }

  /**
   * Runs one op made by `op.get/put/delete/txn` (Go `KV.Do`) as its own RPC: etcd `KV.Range`,
   * `KV.Put`, `KV.DeleteRange` or `KV.Txn`. The response is tagged with the op's `type`; errors and
   * retries are those of the matching method (a txn op that only reads is retried like a read).
   * `options` holds only the call options: `signal`, `timeout` (ms) and `requireLeader`.
   */
  do(op: Op, options?: CallOptions): Promise<OpResponse> {
    return this.#kv.do(op, options);
  }

  /**
   * Watches a key, or a range with `prefix` / `rangeEnd` / `fromKey` (etcd `Watch.Watch`), and
   * returns at once an async iterable of watch responses: first `created`, then events in revision
   * order (a transaction's events in one response), each exactly once across reconnections and
   * failovers. All watches of the client share one stream. Leaving the `for await` loop cancels the
   * watch; the loop throws `CompactedError` when the start (or resume) revision is compacted,
   * `WatchOverflowError` when the loop fell behind by more than `maxBufferedBytes`, `signal.reason`
   * when aborted, `ClientClosedError` after `close()`. Throws `EmptyKeyError` / `InvalidArgumentError`
   * at once for bad arguments. See {@link Watcher} and {@link WatchOptions}.
   */
  watch(key: Bytes, options?: WatchOptions): Watcher {
    return this.#watch.watch(key, options);
  }

  /**
   * Cancels every watch of this client at once (Go's `Watcher.Close`): each is cancelled as by its
   * own `cancel()` (etcd `WatchCancelRequest` on the shared `Watch.Watch` stream), so every
   * `for await` loop over one ends normally and responses not yet taken are dropped. Resolves once
   * etcd confirmed every cancellation (or the stream is gone); the idle stream is then closed.
   * Watches of namespace views of this client are cancelled too (they share the stream). Unlike
   * Go's, the client stays usable: a later `watch()` opens a new stream. Never rejects.
   */
  cancelWatches(): Promise<void> {
    return this.#watch.cancelAll();
  }

  /**
   * Starts a transaction: `client.txn().if(...compares).then(...ops).else(...ops).commit()`
   * (etcd `KV.Txn`). See {@link Txn}.
   */
  txn(): Txn {
    return this.#kv.txn();
  }

  /**
   * A view of this client in which every key lives under `prefix` (Go's `clientv3/namespace`):
   * KV calls, transactions (comparisons and nested ops too), watches and `lease.timeToLive` keys
   * add the prefix to keys and range ends and take it off returned keys. It shares this client's
   * connections and streams and needs no closing. See {@link Namespace}.
   *
   * @param prefix the key prefix, e.g. `'app/'`
   * @throws InvalidArgumentError for a prefix that is not a string or Uint8Array
   */
  namespace(prefix: Bytes): Namespace {
    return new Namespace(this.rpc, this.#watch, this.lease, prefix);
  }

  /**
   * Replaces the endpoint list (Go's `Client.SetEndpoints`), e.g. after members were added or
   * removed. Endpoints in both lists keep their connection; calls use the new list from their next
   * attempt; connections to dropped endpoints close once the calls running on them end. See also
   * the `autoSyncInterval` option, which does this from `Cluster.MemberList` periodically.
   *
   * @param endpoints client URLs as for the `endpoints` option, e.g. `['http://10.0.0.1:2379']`
   * @throws InvalidArgumentError for an empty or malformed list (nothing changes then);
   *   ClientClosedError after `close()`
   */
  setEndpoints(endpoints: readonly string[]): void {
    this.#calls.setEndpoints(endpoints);
  }

  /**
   * Refreshes the endpoint list once from the cluster's members (etcd `Cluster.MemberList`, Go's
   * `Client.Sync`): the client URLs of every started, voting member.
   *
   * @param options `timeout` (ms, default 5000) and `signal`
   * @returns the new endpoint list, or undefined when the members named no client URL (unchanged)
   * @throws the MemberList call's typed error (e.g. `DeadlineExceededError`)
   */
  sync(options?: CallOptions): Promise<string[] | undefined> {
    return this.#calls.sync(options);
  }

  /** The endpoint list in use (as `setEndpoints` or autoSync last set it), as URLs. */
  get endpoints(): string[] {
    return this.#calls.endpoints.map((e) => e.url);
  }

  /**
   * Closes every connection of this client; calls in flight fail and later calls reject with
   * `ClientClosedError`. Everything built on the client ends with it: watches end with
   * `ClientClosedError`, sessions end (`session.done` resolves with it), waiting locks, elections
   * and recipes reject with it, a `LeasingKV` closes itself, and the per-endpoint call layers of
   * `maintenance` calls aimed at one member are closed. Resolves once the connections are closed;
   * no socket or timer of the client is left. Safe to call more than once.
   */
  close(): Promise<void> {
    return this.rpc.close();
  }

  /** `await using client = new Client(...)` closes it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
