/**
 * Go `ExampleLease_grant`: grant a lease of 5 seconds and attach a key to it; the key is deleted
 * when the lease expires (nobody keeps it alive here). Prints nothing.
 * Run: `npx tsx examples/lease-grant.ts` (endpoints from ETCD_ENDPOINTS, default http://127.0.0.1:2379).
 */
import { Client } from '../src/index.js';
import { DIAL_TIMEOUT_MS, REQUEST_TIMEOUT_MS, runIfMain } from './run.js';

export async function main(endpoints: string[]): Promise<void> {
  await using client = new Client({ endpoints, dialTimeout: DIAL_TIMEOUT_MS });

  // etcd's minimum TTL is a few seconds (1.5 election timeouts): a smaller TTL is raised to it.
  const lease = await client.lease.grant(5, { timeout: REQUEST_TIMEOUT_MS });

  // after 5 seconds, the key 'foo' will be removed
  await client.put('foo', 'bar', { lease: lease.id, timeout: REQUEST_TIMEOUT_MS });
}

runIfMain(import.meta.url, main);
