/**
 * Go `ExampleKV_getWithRev`: write a key twice, read it as of the first write's revision.
 * Prints `foo : bar1`.
 * Run: `npx tsx examples/kv-get-with-rev.ts` (endpoints from ETCD_ENDPOINTS, default http://127.0.0.1:2379).
 */
import { Client } from '../src/index.js';
import { DIAL_TIMEOUT_MS, REQUEST_TIMEOUT_MS, runIfMain } from './run.js';

export async function main(endpoints: string[]): Promise<void> {
  await using client = new Client({ endpoints, dialTimeout: DIAL_TIMEOUT_MS });
  const first = await client.put('foo', 'bar1');
  await client.put('foo', 'bar2');

  const response = await client.get('foo', { revision: first.header.revision, timeout: REQUEST_TIMEOUT_MS });
  for (const kv of response.kvs) {
    console.log(`${kv.key} : ${kv.value}`);
  }
}

runIfMain(import.meta.url, main);
