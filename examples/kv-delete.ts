/**
 * Go `ExampleKV_delete`: count the keys with prefix `key`, delete them, compare the counts.
 * Prints `Deleted all keys: true`.
 * Run: `npx tsx examples/kv-delete.ts` (endpoints from ETCD_ENDPOINTS, default http://127.0.0.1:2379).
 */
import { Client } from '../src/index.js';
import { DIAL_TIMEOUT_MS, REQUEST_TIMEOUT_MS, runIfMain } from './run.js';

export async function main(endpoints: string[]): Promise<void> {
  await using client = new Client({ endpoints, dialTimeout: DIAL_TIMEOUT_MS });
  // One deadline for both calls, as the Go example shares one context.
  const signal = AbortSignal.timeout(REQUEST_TIMEOUT_MS);

  // count keys about to be deleted
  const before = await client.get('key', { prefix: true, signal });

  // delete the keys
  const deleted = await client.delete('key', { prefix: true, signal });

  console.log('Deleted all keys:', before.kvs.length === deleted.deleted);
}

runIfMain(import.meta.url, main);
