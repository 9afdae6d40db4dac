/**
 * The dequeue loop shared by `Queue` and `PriorityQueue` (Go's `Queue.Dequeue` and
 * `PriorityQueue.Dequeue`): read the first item, claim it by deleting it at its revision; when the
 * queue is empty, wait for the next item put and claim that; start again whenever another
 * consumer got there first.
 */
import type { RangeOptions } from '../kv/types.js';
import type { KVService, WatchService } from '../service-interfaces.js';
import { claimFirst, deleteAtRevision } from './keys.js';
import { waitEvent } from './wait.js';

/**
 * Takes one item under `prefix`, the first in the order `first` reads (etcd `KV.Range`, `KV.Txn`,
 * and `Watch.Watch` while empty). Resolves with its value.
 */
export async function dequeue(client: KVService & WatchService, prefix: Buffer, first: RangeOptions, signal: AbortSignal): Promise<Buffer> {
  for (;;) {
    const response = await client.get(prefix, { ...first, signal });
    const claimed = await claimFirst(client, response.kvs, signal);
    if (claimed !== undefined) return claimed.value;
    if (response.more) continue; // another consumer took the first; read the next
    const event = await waitEvent(client, prefix, 'put', response.header.revision + 1, signal, true);
    if (await deleteAtRevision(client, event.kv.key, event.kv.modRevision, signal)) return event.kv.value;
  }
}
