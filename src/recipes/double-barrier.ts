/**
 * `DoubleBarrier`: processes enter until `count` have entered, then all go on; they leave until
 * all have left (Go `recipe.DoubleBarrier`).
 */
import type { Client } from '../client.js';
import type { Session } from '../concurrency/index.js';
import { toBytes } from '../internal/wire.js';
import { InvalidArgumentError, NotHeldError, TooManyClientsError } from '../errors/index.js';
import { describe } from '../internal/describe-value.js';
import type { SessionClient } from '../service-interfaces.js';
import type { Bytes, CallOptions, KeyValue } from '../types.js';
import { putUniqueKey, type CreatedKey } from './keys.js';
import { inScope, waitEvent } from './wait.js';

const WAITERS = '/waiters';
const READY = '/ready';

/**
 * A double barrier for `count` processes, with Go's keys: each entered process holds
 * `<key>/waiters/<Unix nanoseconds>` under its session's lease; the one that completes the count
 * writes `<key>/ready`, which lets everyone in. A process that dies while inside loses its key with
 * its session, so the others are not blocked forever on leaving.
 *
 * ```ts
 * await using session = await Session.create(client, { ttl: 10 });
 * const barrier = new DoubleBarrier(session, 'jobs/phase-1', 3);
 * await barrier.enter(); // resolves once 3 processes have entered
 * // ... work ...
 * await barrier.leave(); // resolves once all 3 have left
 * ```
 *
 * One `DoubleBarrier` object stands for one process: call `enter()` then `leave()` on it.
 */
export class DoubleBarrier<C extends SessionClient = Client> {
  /** The session whose lease holds this process's waiter key. */
  readonly session: Session<C>;
  /** The barrier's key (its keys are under `<key>/`). */
  readonly key: Buffer;
  /** How many processes the barrier waits for. */
  readonly count: number;
  readonly #waiters: Buffer;
  readonly #ready: Buffer;
  #mine: CreatedKey | undefined;

  /**
   * @param session the session of this process (`Session.create` of `etcd-ts/concurrency`; on a
   *   namespace view, the barrier's keys are inside the namespace)
   * @param key the barrier's key
   * @param count the number of processes, a positive integer
   * @throws InvalidArgumentError for a bad key or count
   */
  constructor(session: Session<C>, key: Bytes, count: number) {
    if (!(typeof count === 'number' && Number.isSafeInteger(count) && count > 0)) {
      throw new InvalidArgumentError(`double barrier count must be a positive integer, got ${describe(count)}`);
    }
    this.session = session;
    this.key = Buffer.from(toBytes(key, 'double barrier key'));
    this.count = count;
    this.#waiters = Buffer.concat([this.key, Buffer.from(WAITERS)]);
    this.#ready = Buffer.concat([this.key, Buffer.from(READY)]);
  }

  /** The waiter keys, oldest first (etcd `KV.Range`). */
  async #entered(signal: AbortSignal): Promise<{ kvs: KeyValue[] }> {
    return this.session.client.get(this.#waiters, { prefix: true, sort: { target: 'createRevision', order: 'ascend' }, signal });
  }

  /**
   * Enters the barrier and resolves once `count` processes have entered (etcd `KV.Range`,
   * `KV.Txn`, `KV.Put` of the ready key by the last one in, else `Watch.Watch` of it).
   *
   * Rejects with `TooManyClientsError` when `count` processes are already in (its own key is then
   * removed), `SessionExpiredError` when the session ends first, `DeadlineExceededError` past
   * `timeout` (ms), `signal.reason` when aborted. After a rejection other than
   * `TooManyClientsError` the process may still count as entered until its session ends.
   */
  async enter(options?: CallOptions): Promise<void> {
    const client = this.session.client;
    await inScope(options, 'double barrier enter', this.session, async (signal) => {
      if ((await this.#entered(signal)).kvs.length >= this.count) throw new TooManyClientsError();
      const mine = await putUniqueKey(client, this.#waiters, '', this.session.lease, signal);
      this.#mine = mine;
      const entered = (await this.#entered(signal)).kvs;
      if (entered.length >= this.count) {
        const last = entered[this.count - 1]!;
        if (mine.revision > last.createRevision) {
          // Came in after the barrier filled up: leave at once rather than block the others until the lease ends.
          this.#mine = undefined;
          await client.delete(mine.key, { signal }).catch(() => undefined);
          throw new TooManyClientsError();
        }
        if (mine.revision === last.createRevision) {
          await client.put(this.#ready, '', { signal });
          return;
        }
      }
      await waitEvent(client, this.#ready, 'put', mine.revision, signal);
    });
  }

  /**
   * Leaves the barrier and resolves once every process has left (etcd `KV.Range`, `KV.DeleteRange`,
   * `Watch.Watch`). The oldest process leaves last, after the newest is gone; the others delete
   * their key and wait for the oldest's. The last one out deletes the ready key.
   *
   * Rejects with `NotHeldError` when this object did not enter, `SessionExpiredError` when the
   * session ends first, `DeadlineExceededError` past `timeout` (ms), `signal.reason` when aborted.
   */
  async leave(options?: CallOptions): Promise<void> {
    const mine = this.#mine;
    if (mine === undefined) throw new NotHeldError('double barrier: leave() without enter()');
    const client = this.session.client;
    await inScope(options, 'double barrier leave', this.session, async (signal) => {
      let deleted = false;
      for (;;) {
        const { kvs } = await client.get(this.#waiters, { prefix: true, signal });
        if (kvs.length === 0) break;
        let lowest = kvs[0]!;
        let highest = kvs[0]!;
        for (const kv of kvs) {
          if (kv.modRevision < lowest.modRevision) lowest = kv;
          if (kv.modRevision > highest.modRevision) highest = kv;
        }
        const isLowest = lowest.key.equals(mine.key);
        if (kvs.length === 1 && isLowest) {
          await client.delete(this.#ready, { signal });
          await client.delete(mine.key, { signal });
          break;
        }
        if (isLowest) {
          // The oldest goes last: wait for the newest to leave, then look again.
          await waitEvent(client, highest.key, 'delete', highest.modRevision, signal);
          continue;
        }
        if (!deleted) {
          await client.delete(mine.key, { signal });
          deleted = true;
        }
        await waitEvent(client, lowest.key, 'delete', lowest.modRevision, signal);
      }
      this.#mine = undefined;
    });
  }
}
