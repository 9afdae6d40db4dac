/**
 * Go `ExampleKV_put` (client/v3 example_kv_test.go): write one key. Prints nothing.
 * Run: `npx tsx examples/kv-put.ts` (endpoints from ETCD_ENDPOINTS, default http://127.0.0.1:2379).
 */
import { Client } from '../src/index.js';
import { DIAL_TIMEOUT_MS, REQUEST_TIMEOUT_MS, runIfMain } from './run.js';

export async function main(endpoints: string[]): Promise<void> {
  await using client = new Client({ endpoints, dialTimeout: DIAL_TIMEOUT_MS });
  await client.put('sample_key', 'sample_value', { timeout: REQUEST_TIMEOUT_MS });
}

runIfMain(import.meta.url, main);
