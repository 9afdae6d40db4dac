/**
 * `PriorityQueue`: a multi-producer, multi-consumer queue whose items come out by priority, then
 * in the order they were put (Go `recipe.PriorityQueue`).
 */
import type { Client } from '../client.js';
import { toBytes } from '../internal/wire.js';
import { describe } from '../internal/describe-value.js';
import { InvalidArgumentError } from '../errors/index.js';
import { firstKey } from '../kv/range.js';
import type { KVService, WatchService } from '../service-interfaces.js';
import type { Bytes, CallOptions } from '../types.js';
import { dequeue } from './dequeue.js';
import { putSequentialKey } from './keys.js';
import { inScope } from './wait.js';

/** Digits of the priority in an item's key (Go `%05d`: a uint16 fits in 5). */
export const PRIORITY_DIGITS = 5;
/** Largest priority (uint16). */
export const MAX_PRIORITY = 0xffff;

/**
 * A priority queue with Go's layout: an item of priority `p` is the key
 * `<name>/<p, 5 digits>/<sequence, 16 digits>` (sequence numbers per priority, allocated with the
 * bookkeeping key `__<name>/<p, 5 digits>`). Items come out in key order: the lowest priority number
 * first, and within one priority first in, first out.
 *
 * ```ts
 * const queue = new PriorityQueue(client, 'tasks');
 * await queue.enqueue('urgent', 0);
 * await queue.enqueue('later', 10);
 * (await queue.dequeue()).toString(); // 'urgent'
 * ```
 */
export class PriorityQueue<C extends KVService & WatchService = Client> {
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
    this.name = Buffer.from(toBytes(name, 'priority queue name'));
    this.#prefix = Buffer.concat([this.name, Buffer.from('/')]);
  }

  /**
   * Adds an item of priority `priority` (an integer in [0, 65535]; lower comes out first) after the
   * items of that priority (etcd `KV.Range` of the last key, then `KV.Txn`, retried on a race).
   * Throws `InvalidArgumentError` for a bad priority or value.
   */
  async enqueue(value: Bytes, priority: number, options?: CallOptions): Promise<void> {
    if (!(typeof priority === 'number' && Number.isInteger(priority) && priority >= 0 && priority <= MAX_PRIORITY)) {
      throw new InvalidArgumentError(`priority must be an integer in [0, ${MAX_PRIORITY}], got ${describe(priority)}`);
    }
    const v = Buffer.from(toBytes(value, 'priority queue value'));
    const prefix = Buffer.concat([this.#prefix, Buffer.from(String(priority).padStart(PRIORITY_DIGITS, '0'))]);
    await inScope(options, 'priority queue enqueue', undefined, (signal) => putSequentialKey(this.client, prefix, v, signal));
  }

  /**
   * Takes the first item (lowest priority number, then oldest) and resolves with its value; while
   * the queue is empty, waits for one (etcd `KV.Range`, `KV.Txn`, `Watch.Watch`). Rejects with
   * `DeadlineExceededError` past `timeout` (ms), `signal.reason` when aborted, or the calls' errors.
   */
  dequeue(options?: CallOptions): Promise<Buffer> {
    return inScope(options, 'priority queue dequeue', undefined, (signal) => dequeue(this.client, this.#prefix, firstKey(), signal));
  }
}
