/**
 * `Mutex`: a distributed lock over etcd, the Go client's algorithm and key layout
 * (`concurrency.Mutex`), so it excludes `etcdctl lock`, Go programs and etcd's Lock service on the
 * same name.
 *
 * Each session that wants the lock creates its key `<name>/<lease hex>` (in a transaction that
 * only creates it if absent); the key with the lowest create revision holds the lock. A waiter
 * watches only the key created just before its own and waits for its deletion, so waiters are
 * served in the order they arrived (FIFO) and a release wakes one waiter. The key is attached to
 * the session's lease: when the session ends, the lock is released.
 */
import { compare, type Compare } from '../kv/compare.js';
import { firstCreate } from '../kv/range.js';
import { op } from '../kv/op.js';
import type { Bytes, CallOptions, ResponseHeader } from '../types.js';
import type { TxnResponse } from '../kv/types.js';
import { LockedError, LockReleasedError, SessionExpiredError } from '../errors/index.js';
import { keyPrefix, sessionKey } from './keys.js';
import type { Client } from '../client.js';
import type { SessionClient } from '../service-interfaces.js';
import type { Session } from './session.js';
import { CLEANUP_TIMEOUT_MS, callOptions, waitDeletes, waitScope } from './wait.js';

/**
 * A lock named `name`, taken by `session`.
 *
 * ```ts
 * await using session = await Session.create(client);
 * const mutex = new Mutex(session, 'my-lock');
 * await mutex.lock();
 * try {
 *   // only one holder of 'my-lock' at a time, cluster-wide; guard writes with mutex.isOwner():
 *   await client.txn().if(mutex.isOwner()).then(op.put('counter', '1')).commit();
 * } finally {
 *   await mutex.unlock();
 * }
 * ```
 *
 * On a session of a namespace view (`Session.create(client.namespace('app/'))`) the lock's keys are
 * under the namespace: it is the lock `app/my-lock` of `etcdctl lock`, Go programs and etcd's Lock
 * service.
 *
 * One session holds one key per lock name: two `Mutex`es of the same session and name share it
 * (both believe they hold the lock), so give each concurrent task its own session. A `Mutex` is
 * not safe for concurrent `lock()` calls on itself.
 */
export class Mutex<C extends SessionClient = Client> {
  /** The session the lock is held under. */
  readonly session: Session<C>;
  /** The prefix of the lock's keys, `name + '/'`. */
  readonly prefix: Buffer;
  /** This session's key under the lock, `<name>/<lease hex>`; it exists while the lock is held or awaited. */
  readonly key: Buffer;
  #rev = 0;
  #header: ResponseHeader | undefined;

  /**
   * @param session the session to hold the lock under (its client, or namespace view, holds the keys)
   * @param name the lock's name (string or bytes), e.g. `'my-lock'`: its keys are under `name + '/'`
   * @throws InvalidArgumentError when `name` is not a string or Uint8Array
   */
  constructor(session: Session<C>, name: Bytes) {
    this.session = session;
    this.prefix = keyPrefix(name, 'mutex name');
    this.key = sessionKey(this.prefix, session.lease);
  }

  /** The create revision of {@link key} while the lock is held (or being acquired); 0 otherwise. */
  get rev(): number {
    return this.#rev;
  }

  /**
   * The header of the response that confirmed the lock (its `revision` is when the lock was held:
   * etcdctl's `ETCD_LOCK_REV`); undefined before the first lock.
   */
  get header(): ResponseHeader | undefined {
    return this.#header;
  }

  /**
   * Acquires the lock, waiting in FIFO order behind the sessions that asked before (etcd `KV.Txn`,
   * then read-only `KV.Txn`s and `Watch.Watch` while waiting). Resolves once held; if this session already
   * holds it, at once. `timeout` (ms) and `signal` bound the wait.
   *
   * Rejects with `SessionExpiredError` when the session ends before the lock is acquired,
   * `DeadlineExceededError` past `timeout`, `signal.reason` when aborted, or a call's error. On
   * any failure the session's key is deleted (best effort), so it does not keep its place in line.
   */
  async lock(options?: CallOptions): Promise<void> {
    const scope = waitScope(this.session, options, 'lock');
    const heldBefore = this.#rev > 0;
    try {
      const response = await this.#tryAcquire(scope.signal);
      if (this.#isOwner(response)) {
        this.#header = response.header;
        return;
      }
      const waited = await waitDeletes(this.session.client, this.prefix, this.#rev - 1, this.key, scope.signal);
      // Our key may have gone with the session while we waited.
      if (waited.own?.createRevision !== this.#rev) {
        this.#rev = 0;
        throw new SessionExpiredError();
      }
      this.#header = waited.header;
    } catch (error) {
      if (!heldBefore) await this.#release();
      throw scope.failure(error, SessionExpiredError.text);
    } finally {
      scope.dispose();
    }
  }

  /**
   * Acquires the lock if nobody else holds it, without waiting (etcd `KV.Txn`, and `KV.DeleteRange`
   * to leave the line when it is held). Rejects with `LockedError` when another session holds it,
   * `SessionExpiredError` when the session has ended, or a call's error.
   */
  async tryLock(options?: CallOptions): Promise<void> {
    const scope = waitScope(this.session, options, 'tryLock');
    const heldBefore = this.#rev > 0;
    try {
      const response = await this.#tryAcquire(scope.signal);
      if (this.#isOwner(response)) {
        this.#header = response.header;
        return;
      }
    } catch (error) {
      if (!heldBefore) await this.#release();
      throw scope.failure(error, SessionExpiredError.text);
    } finally {
      scope.dispose();
    }
    await this.session.client.delete(this.key, callOptions(options, 'tryLock'));
    this.#rev = 0;
    throw new LockedError();
  }

  /**
   * Releases the lock: deletes this session's key (etcd `KV.DeleteRange`), which wakes the next
   * waiter. Rejects with `LockReleasedError` when this mutex does not hold the lock, or the
   * delete's error (the lock is then still held; try again, or end the session).
   */
  async unlock(options?: CallOptions): Promise<void> {
    const checked = callOptions(options, 'unlock');
    if (this.#rev <= 0) throw new LockReleasedError();
    await this.session.client.delete(this.key, checked);
    this.#rev = 0;
  }

  /**
   * A compare that holds only while this mutex holds the lock (Go `Mutex.IsOwner`): `createRevision`
   * of its key equals the revision it was created at. Guard writes with it so that a holder that
   * lost the lock (its session expired) cannot write:
   * `client.txn().if(mutex.isOwner()).then(...)`. When the mutex does not hold the lock, a compare
   * that never holds.
   */
  isOwner(): Compare {
    if (this.#rev > 0) return compare.createRevision(this.key, '=', this.#rev);
    return compare.createRevision(this.key, '<', 0);
  }

  /**
   * One transaction: creates our key if absent (else reads it, to reuse it), and reads the key with
   * the lowest create revision under the prefix: the holder. Sets `#rev` to our key's create revision.
   */
  async #tryAcquire(signal: AbortSignal): Promise<TxnResponse> {
    const getOwner = op.get(this.prefix, firstCreate());
    const response = await this.session.client
      .txn()
      .if(compare.createRevision(this.key, '=', 0))
      .then(op.put(this.key, '', { lease: this.session.lease }), getOwner)
      .else(op.get(this.key), getOwner)
      .commit({ signal });
    this.#rev = response.header.revision;
    if (!response.succeeded) {
      const own = response.responses[0];
      if (own?.type === 'get' && own.kvs[0] !== undefined) this.#rev = own.kvs[0].createRevision;
    }
    return response;
  }

  /** Whether the holder read by `#tryAcquire` is us (or nobody). */
  #isOwner(response: TxnResponse): boolean {
    const owner = response.responses[1];
    if (owner?.type !== 'get') return false;
    const holder = owner.kvs[0];
    return holder === undefined || holder.createRevision === this.#rev;
  }

  /** Deletes our key after a failed lock, best effort (errors ignored, bounded in time). */
  async #release(): Promise<void> {
    this.#rev = 0;
    await this.session.client.delete(this.key, { timeout: CLEANUP_TIMEOUT_MS }).catch(() => undefined);
  }
}
