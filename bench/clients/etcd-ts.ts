/**
 * etcd-ts (this project, from src/) behind the benchmark's `BenchClient`, with its default options.
 * Watches follow the contract of src/watch/watch.ts: `client.watch(key, options)` is an async iterable of
 * `WatchResponse`s, the first one of a watch with `created: true`.
 */
import { Client, compare, NotSupportedError, op } from '../../src/index.js';
import type { Watcher, WatchResponse } from '../../src/watch/watch.js';
import { WorkloadUnsupported, type BenchClient } from './types.js';

/**
 * Starts consuming `watcher` in the background; resolves once etcd confirmed the watch, then hands
 * every later response to `onResponse`. Rejects if the watch ends before it is created.
 */
function consume(watcher: Watcher, onResponse: (response: WatchResponse) => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let created = false;
    void (async () => {
      try {
        for await (const response of watcher) {
          if (!created) {
            created = true;
            resolve();
            if (response.created) continue;
          }
          onResponse(response);
        }
        if (!created) reject(new Error('the watch ended before etcd confirmed it'));
      } catch (error) {
        if (!created) reject(error);
      }
    })();
  });
}

function ignore(): void {}

/** Starts a watch, turning "not implemented yet" into `WorkloadUnsupported`. */
function startWatch(client: Client, key: string, prefix: boolean): Watcher {
  try {
    return client.watch(key, prefix ? { prefix: true } : undefined);
  } catch (error) {
    if (error instanceof NotSupportedError) {
      throw new WorkloadUnsupported(`etcd-ts client.watch is not available yet (${error.message})`);
    }
    throw error;
  }
}

/** Connects to `endpoint` with etcd-ts's defaults and checks the connection with one get. */
export async function connectEtcdTs(endpoint: string): Promise<BenchClient> {
  const client = new Client({ endpoints: [endpoint] });
  await client.get('bench/connect');
  const watchers: Watcher[] = [];
  return {
    async put(key, value) {
      await client.put(key, value);
    },
    async get(key) {
      const { kvs } = await client.get(key);
      const kv = kvs[0];
      return kv === undefined ? -1 : kv.value.length;
    },
    async txn(key, value) {
      await client
        .txn()
        .if(compare.version(key, '>', 0))
        .then(op.put(key, value))
        .else(op.put(key, value))
        .commit();
    },
    async getPrefix(prefix) {
      const { kvs } = await client.get(prefix, { prefix: true });
      return kvs.length;
    },
    async watchPrefix(prefix, onValue) {
      const watcher = startWatch(client, prefix, true);
      await consume(watcher, (response) => {
        let first = true;
        for (const event of response.events) {
          if (event.type !== 'put') continue;
          onValue(event.kv.value, first);
          first = false;
        }
      });
      return () => watcher.cancel();
    },
    async createWatch(key) {
      // As etcd3's createWatch: the watch kept open with a consumer waiting for its next response
      // (one pending next(), as a `for await` loop has), without a loop of the benchmark's own.
      const watcher = startWatch(client, key, false);
      watchers.push(watcher);
      const responses = watcher[Symbol.asyncIterator]();
      const first = await responses.next();
      if (first.done === true || !first.value.created) throw new Error(`watch of ${key}: the first response is not its creation`);
      responses.next().then(ignore, ignore);
    },
    async readSnapshot(consume) {
      for await (const chunk of client.maintenance.snapshot()) if (!(await consume(chunk))) break;
    },
    async close() {
      await client.close();
    },
  };
}
