/**
 * Go `ExampleLease_keepAliveOnce`: renew a lease once. Prints `ttl: 5`.
 * Run: `npx tsx examples/lease-keep-alive-once.ts` (endpoints from ETCD_ENDPOINTS, default http://127.0.0.1:2379).
 */
import { Client } from '../src/index.js';
import { DIAL_TIMEOUT_MS, REQUEST_TIMEOUT_MS, runIfMain } from './run.js';

export async function main(endpoints: string[]): Promise<void> {
  await using client = new Client({ endpoints, dialTimeout: DIAL_TIMEOUT_MS });

  const lease = await client.lease.grant(5, { timeout: REQUEST_TIMEOUT_MS });
  await client.put('foo', 'bar', { lease: lease.id, timeout: REQUEST_TIMEOUT_MS });

  // to renew the lease only once
  const response = await client.lease.keepAliveOnce(lease.id, { timeout: REQUEST_TIMEOUT_MS });
  console.log(`ttl: ${response.ttl}`);
}

runIfMain(import.meta.url, main);
