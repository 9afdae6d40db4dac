/**
 * Go `ExampleKV_getSortedPrefix`: write key_0..key_2, read the prefix `key` sorted by key,
 * descending. Prints `key_2 : value`, `key_1 : value`, `key_0 : value`.
 * Run: `npx tsx examples/kv-get-sorted-prefix.ts` (endpoints from ETCD_ENDPOINTS, default http://127.0.0.1:2379).
 */
import { Client } from '../src/index.js';
import { DIAL_TIMEOUT_MS, REQUEST_TIMEOUT_MS, runIfMain } from './run.js';

export async function main(endpoints: string[]): Promise<void> {
  await using client = new Client({ endpoints, dialTimeout: DIAL_TIMEOUT_MS });
  for (let i = 0; i < 3; i++) {
    await client.put(`key_${i}`, 'value', { timeout: REQUEST_TIMEOUT_MS });
  }

  const response = await client.get('key', {
    prefix: true,
    sort: { target: 'key', order: 'descend' },
    timeout: REQUEST_TIMEOUT_MS,
  });
  for (const kv of response.kvs) {
    console.log(`${kv.key} : ${kv.value}`);
  }
}

runIfMain(import.meta.url, main);
