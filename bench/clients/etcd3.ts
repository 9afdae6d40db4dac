/** The `etcd3` npm package (1.1.2) behind the benchmark's `BenchClient`, with its default options. */
import { Etcd3, type Watcher } from 'etcd3';
import { WorkloadUnsupported, type BenchClient } from './types.js';

/** Connects to `endpoint` (one URL) with the package's defaults and checks the connection with one get. */
function ignore(): void {}

export async function connectEtcd3(endpoint: string): Promise<BenchClient> {
  const client = new Etcd3({ hosts: endpoint });
  await client.get('bench/connect').exec();
  const watchers: Watcher[] = [];
  return {
    async put(key, value) {
      await client.put(key).value(value).exec();
    },
    async get(key) {
      const response = await client.get(key).exec();
      const kv = response.kvs[0];
      return kv === undefined ? -1 : kv.value.length;
    },
    async txn(key, value) {
      await client
        .if(key, 'Version', '>', 0)
        .then(client.put(key).value(value))
        .else(client.put(key).value(value))
        .commit();
    },
    async getPrefix(prefix) {
      const response = await client.getAll().prefix(prefix).exec();
      return response.kvs.length;
    },
    async watchPrefix(prefix, onValue) {
      const watcher = await client.watch().prefix(prefix).create();
      watcher.on('data', (response) => {
        let first = true;
        for (const event of response.events) {
          if (event.type !== 'Put') continue;
          onValue(event.kv.value, first);
          first = false;
        }
      });
      return () => watcher.cancel();
    },
    async createWatch(key) {
      // Kept open with a listener for its events (as etcd-ts's createWatch keeps a consumer waiting).
      const watcher = await client.watch().key(key).create();
      watcher.on('put', ignore);
      watchers.push(watcher);
    },
    readSnapshot() {
      return Promise.reject(new WorkloadUnsupported('not measured with etcd3 (the slow-consumer target is about etcd-ts alone)'));
    },
    async close() {
      client.close();
    },
  };
}
