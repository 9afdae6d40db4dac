/**
 * `RWMutex`: a readers-writer lock over a session (Go `recipe.RWMutex`).
 */
import type { Client } from '../client.js';
import type { Session } from '../concurrency/index.js';
import { toBytes } from '../internal/wire.js';
import { lastRev } from '../kv/range.js';
import type { SessionClient } from '../service-interfaces.js';
import type { Bytes, CallOptions } from '../types.js';
import { NotHeldError } from '../errors/index.js';
import { putUniqueKey, type CreatedKey } from './keys.js';
import { CLEANUP_TIMEOUT_MS } from '../concurrency/wait.js';
import { inScope, waitEvent } from './wait.js';

/**
 * A readers-writer lock with Go's keys: a reader holds `<prefix>/read/<Unix nanoseconds>`, a writer
 * `<prefix>/write/<Unix nanoseconds>`, both under the session's lease. Requests are served in the
 * order of their keys' revisions: a reader waits until no writer key older than its own is left,
 * a writer until no key at all older than its own is left (each waits on the newest such key, as
 * in Go). A holder whose session ends releases the lock.
 *
 * ```ts
 * await using session = await Session.create(client, { ttl: 10 });
 * const rw = new RWMutex(session, 'config-lock');
 * await rw.rLock();  // many readers at once ...
 * await rw.rUnlock();
 * await rw.lock();   // ... or one writer
 * await rw.unlock();
 * ```
 *
 * One `RWMutex` object holds at most one lock (read or write) at a time, as Go's.
 */
export class RWMutex<C extends SessionClient = Client> {
  /** The session whose lease holds the lock keys. */
  readonly session: Session<C>;
  /** The lock's prefix (its keys are under `<prefix>/`). */
  readonly prefix: Buffer;
  readonly #pfx: Buffer;
  #mine: CreatedKey | undefined;

  /**
   * @param session the session whose lease holds the lock keys (on a namespace view, they are
   *   inside the namespace)
   * @param prefix the lock's prefix
   * @throws InvalidArgumentError for a prefix that is not a string or Uint8Array
   */
  constructor(session: Session<C>, prefix: Bytes) {
    this.session = session;
    this.prefix = Buffer.from(toBytes(prefix, 'rwmutex prefix'));
    this.#pfx = Buffer.concat([this.prefix, Buffer.from('/')]);
  }

  /** The key this object holds (or waits with), if any. */
  get key(): Buffer | undefined {
    return this.#mine?.key;
  }

  /**
   * Takes the lock for reading: resolves once no writer that asked earlier holds or waits for it
   * (etcd `KV.Txn`, `KV.Range`, `Watch.Watch`). Rejects with `SessionExpiredError` when the session
   * ends first, `DeadlineExceededError` past `timeout` (ms), `signal.reason` when aborted; the
   * request's key is deleted then.
   */
  rLock(options?: CallOptions): Promise<void> {
    return this.#acquire('read', Buffer.concat([this.#pfx, Buffer.from('write')]), options);
  }

  /**
   * Takes the lock for writing: resolves once every reader and writer that asked earlier has
   * released it (etcd `KV.Txn`, `KV.Range`, `Watch.Watch`). Rejects as `rLock`.
   */
  lock(options?: CallOptions): Promise<void> {
    return this.#acquire('write', this.#pfx, options);
  }

  /** Releases a read lock (etcd `KV.DeleteRange`). Rejects with `NotHeldError` when none is held. */
  rUnlock(options?: CallOptions): Promise<void> {
    return this.#release('rwmutex: rUnlock() without rLock()', options);
  }

  /** Releases a write lock (etcd `KV.DeleteRange`). Rejects with `NotHeldError` when none is held. */
  unlock(options?: CallOptions): Promise<void> {
    return this.#release('rwmutex: unlock() without lock()', options);
  }

  async #acquire(kind: 'read' | 'write', blockers: Buffer, options: CallOptions | undefined): Promise<void> {
    const client = this.session.client;
    await inScope(options, `rwmutex ${kind} lock`, this.session, async (signal) => {
      const mine = await putUniqueKey(client, Buffer.concat([this.#pfx, Buffer.from(kind)]), '', this.session.lease, signal);
      this.#mine = mine;
      try {
        for (;;) {
          // The newest key older than ours that blocks us; none left means the lock is ours.
          const last = await client.get(blockers, { ...lastRev(), maxModRevision: mine.revision - 1, signal });
          const blocker = last.kvs[0];
          if (blocker === undefined) return;
          await waitEvent(client, blocker.key, 'delete', mine.revision, signal);
        }
      } catch (error) {
        this.#mine = undefined;
        await client.delete(mine.key, { timeout: CLEANUP_TIMEOUT_MS }).catch(() => undefined);
        throw error;
      }
    });
  }

  async #release(misuse: string, options: CallOptions | undefined): Promise<void> {
    const mine = this.#mine;
    if (mine === undefined) throw new NotHeldError(misuse);
    this.#mine = undefined;
    await this.session.client.delete(mine.key, options);
  }
}
