/**
 * Go `ExampleKV_compact`: compact the history at the current revision. Prints nothing.
 * Run: `npx tsx examples/kv-compact.ts` (endpoints from ETCD_ENDPOINTS, default http://127.0.0.1:2379).
 */
import { Client } from '../src/index.js';
import { DIAL_TIMEOUT_MS, REQUEST_TIMEOUT_MS, runIfMain } from './run.js';

export async function main(endpoints: string[]): Promise<void> {
  await using client = new Client({ endpoints, dialTimeout: DIAL_TIMEOUT_MS });
  const response = await client.get('foo', { timeout: REQUEST_TIMEOUT_MS });
  const compactRevision = response.header.revision; // specify compact revision of your choice

  await client.compact(compactRevision, { timeout: REQUEST_TIMEOUT_MS });
}

runIfMain(import.meta.url, main);
