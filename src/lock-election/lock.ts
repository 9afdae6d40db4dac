/**
 * The Lock service: etcd's server-side distributed lock (`v3lockpb.Lock`), as `client.lock`.
 *
 * The server runs the same algorithm as the client-side `Mutex` of `etcd-ts/concurrency` (and Go's
 * `concurrency.Mutex`) on the caller's behalf: the lock `name` is a key prefix, the owner key is
 * `<name>/<lease ID in hex>` attached to the caller's lease, and waiters are served in the order
 * they arrived. The lock is held until `unlock(key)` or until the lease ends (expired or revoked),
 * so the caller keeps the lease alive (`client.lease.keepAlive`) while it holds the lock. Locks
 * taken here and client-side `Mutex`es with the same name exclude each other.
 */
import { checkCallOptions, nonEmptyBytes, requiredLease } from '../internal/validation.js';
import { responseHeader, toBuffer, toBytes } from '../internal/wire.js';
import { Lock as LockMethods } from '../proto/index.js';
import type { Rpc } from '../rpc/types.js';
import type { Bytes, CallOptions, ResponseHeader } from '../types.js';

/** Response of `client.lock.lock` (etcd `LockResponse`). */
export interface LockResponse {
  /** The header of etcd's response (its `revision` is the store's revision then). */
  header: ResponseHeader;
  /**
   * The owner key, `<name>/<lease ID in hex>`: holding the lock means this key exists. Pass it to
   * `unlock`; it can also guard a transaction (`compare.version(key, '>', 0)`).
   */
  key: Buffer;
}

/** Response of `client.lock.unlock` (etcd `UnlockResponse`). */
export interface UnlockResponse {
  /** The header of etcd's response (its `revision` is the store's revision then). */
  header: ResponseHeader;
}

/** The Lock service of one client (`client.lock`). */
export class LockService {
  readonly #rpc: Rpc;

  /** `rpc`: the client's call layer. */
  constructor(rpc: Rpc) {
    this.#rpc = rpc;
  }

  /**
   * Acquires the lock `name` for `lease` (etcd `Lock.Lock`), waiting as long as it takes (bound
   * the wait with `timeout` in ms or `signal`). Resolves with the owner key once held.
   *
   * - `name`: the lock's name, a key prefix (string or bytes); the owner key is `<name>/<lease hex>`.
   * - `lease`: a granted lease ID (`client.lease.grant`); the lock is released when it ends. Not 0n.
   *
   * Rejects with `InvalidArgumentError` (before sending) for a bad name or lease,
   * `LeaseNotFoundError` for an unknown lease, `DeadlineExceededError` / `signal.reason` when the
   * wait is cut short. Not retried by the client once sent: on an ambiguous failure the owner key
   * may exist; delete it with `unlock(name + '/' + lease.toString(16))` or let the lease end.
   */
  async lock(name: Bytes, lease: bigint, options?: CallOptions): Promise<LockResponse> {
    const request = { name: toBytes(name, 'lock name'), lease: requiredLease(lease, 'lock lease') };
    checkCallOptions(options, 'lock');
    const response = await this.#rpc.unary(LockMethods.lock, request, options);
    return { header: responseHeader(response.header), key: toBuffer(response.key) };
  }

  /**
   * Releases a lock by deleting its owner `key` as returned by `lock` (etcd `Lock.Unlock`). Deleting
   * a key that does not exist is not an error. Rejects with `InvalidArgumentError` for an empty
   * key, `DeadlineExceededError` / `signal.reason`.
   */
  async unlock(key: Bytes, options?: CallOptions): Promise<UnlockResponse> {
    const request = { key: nonEmptyBytes(key, 'unlock key') };
    checkCallOptions(options, 'unlock');
    const response = await this.#rpc.unary(LockMethods.unlock, request, options);
    return { header: responseHeader(response.header) };
  }
}

/**
 * The former name of {@link LockService}, the type of `client.lock`.
 * @deprecated Use `LockService` (named like {@link ElectionService}). This alias will be removed
 *   in the next release.
 */
export type Lock = LockService;
