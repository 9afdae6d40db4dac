/**
 * `Barrier`: a key that blocks processes until it is deleted (Go `recipe.Barrier`).
 */
import type { Client } from '../client.js';
import { toBytes } from '../internal/wire.js';
import type { KVService, WatchService } from '../service-interfaces.js';
import type { Bytes, CallOptions } from '../types.js';
import { putNewKey } from './keys.js';
import { inScope, waitEvent } from './wait.js';

/**
 * A barrier: while its key exists, `wait()` blocks; deleting it (`release()`) lets every waiter go.
 * The key holds an empty value and no lease (it outlives the holder, as in Go).
 *
 * ```ts
 * const barrier = new Barrier(client, 'jobs/start');
 * await barrier.hold();            // coordinator
 * await barrier.wait();            // workers block here ...
 * await barrier.release();         // ... until the coordinator releases them
 * ```
 */
export class Barrier<C extends KVService & WatchService = Client> {
  /** The client (or namespace view) the barrier's calls go through, as given to the constructor. */
  readonly client: C;
  /** The barrier key. */
  readonly key: Buffer;

  /**
   * @param client a `Client`, or a namespace view of one (`client.namespace('app/')`: the key is
   *   then inside it); anything with KV calls and watches
   * @param key the barrier key (the same as Go's `NewBarrier(client, key)`)
   * @throws InvalidArgumentError for a key that is not a string or Uint8Array
   */
  constructor(client: C, key: Bytes) {
    this.client = client;
    this.key = Buffer.from(toBytes(key, 'barrier key'));
  }

  /**
   * Creates the barrier key, so that `wait()` blocks (etcd `KV.Txn`: put if absent).
   * Rejects with `KeyExistsError` when the barrier is already held, or the call's error.
   */
  async hold(options?: CallOptions): Promise<void> {
    await inScope(options, 'barrier hold', undefined, (signal) => putNewKey(this.client, this.key, '', 0n, signal));
  }

  /** Deletes the barrier key, letting every waiter go (etcd `KV.DeleteRange`). Resolves also when it is not held. */
  async release(options?: CallOptions): Promise<void> {
    await this.client.delete(this.key, options);
  }

  /**
   * Resolves once the barrier key is deleted, at once when it does not exist (etcd `KV.Range`, then
   * `Watch.Watch` from the revision after the read). Rejects with `DeadlineExceededError` past
   * `timeout` (ms), `signal.reason` when aborted, or the calls' errors.
   */
  async wait(options?: CallOptions): Promise<void> {
    await inScope(options, 'barrier wait', undefined, async (signal) => {
      const response = await this.client.get(this.key, { signal });
      if (response.kvs.length === 0) return;
      await waitEvent(this.client, this.key, 'delete', response.header.revision + 1, signal);
    });
  }
}
