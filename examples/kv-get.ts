/**
 * Go `ExampleKV_get`: write a key, read it back. Prints `foo : bar`.
 * Run: `npx tsx examples/kv-get.ts` (endpoints from ETCD_ENDPOINTS, default http://127.0.0.1:2379).
 */
import { Client } from '../src/index.js';
import { DIAL_TIMEOUT_MS, REQUEST_TIMEOUT_MS, runIfMain } from './run.js';

export async function main(endpoints: string[]): Promise<void> {
  await using client = new Client({ endpoints, dialTimeout: DIAL_TIMEOUT_MS });
  await client.put('foo', 'bar');

  const response = await client.get('foo', { timeout: REQUEST_TIMEOUT_MS });
  for (const kv of response.kvs) {
    console.log(`${kv.key} : ${kv.value}`);
  }
}

runIfMain(import.meta.url, main);
