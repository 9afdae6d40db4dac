/**
 * `Queue`: a multi-producer, multi-consumer FIFO queue in etcd (Go `recipe.Queue`).
 */
import type { Client } from '../client.js';
import { toBytes } from '../internal/wire.js';
import { firstRev } from '../kv/range.js';
import type { KVService, WatchService } from '../service-interfaces.js';
import type { Bytes, CallOptions } from '../types.js';
import { dequeue } from './dequeue.js';
import { putUniqueKey } from './keys.js';
import { inScope } from './wait.js';

/**
 * A FIFO queue with Go's layout: each item is the key `<name>/<Unix nanoseconds>` holding the
 * value; items are taken in the order they were put (lowest revision first), each by exactly one
 * consumer (a delete guarded by the item's revision).
 *
 * ```ts
 * const queue = new Queue(client, 'jobs');
 * await queue.enqueue('job-1');
 * const value = await queue.dequeue(); // Buffer 'job-1'; waits while the queue is empty
 * ```
 *
 * Unlike Go's, which reads every key starting with the name, reads and watches cover `<name>/`
 * only, so queue `jobs` does not take items of queue `jobs2`. Items written by Go's `Queue` are
 * read and vice versa.
 */
export class Queue<C extends KVService & WatchService = Client> {
  /** The client (or namespace view) the queue's calls go through, as given to the constructor. */
  readonly client: C;
  /** The queue's name: its items are the keys under `<name>/`. */
  readonly name: Buffer;
  readonly #prefix: Buffer;

  /**
   * @param client a `Client`, or a namespace view of one (`client.namespace('app/')`: the items
   *   are then inside it); anything with KV calls and watches
   * @param name the queue's name
   * @throws InvalidArgumentError for a name that is not a string or Uint8Array
   */
  constructor(client: C, name: Bytes) {
    this.client = client;
    this.name = Buffer.from(toBytes(name, 'queue name'));
    this.#prefix = Buffer.concat([this.name, Buffer.from('/')]);
  }

  /** Adds an item at the end of the queue (etcd `KV.Txn`: a put of a new unique key). */
  async enqueue(value: Bytes, options?: CallOptions): Promise<void> {
    const v = Buffer.from(toBytes(value, 'queue value'));
    await inScope(options, 'queue enqueue', undefined, (signal) => putUniqueKey(this.client, this.name, v, 0n, signal));
  }

  /**
   * Takes the oldest item and resolves with its value; while the queue is empty, waits for one
   * (etcd `KV.Range`, `KV.Txn`, `Watch.Watch`). Rejects with `DeadlineExceededError` past `timeout`
   * (ms), `signal.reason` when aborted, or the calls' errors; no item is taken then.
   */
  dequeue(options?: CallOptions): Promise<Buffer> {
    return inScope(options, 'queue dequeue', undefined, (signal) => dequeue(this.client, this.#prefix, firstRev(), signal));
  }
}
