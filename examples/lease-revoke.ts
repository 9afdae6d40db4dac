/**
 * Go `ExampleLease_revoke`: revoking a lease deletes the keys attached to it at once.
 * Prints `number of keys: 0`.
 * Run: `npx tsx examples/lease-revoke.ts` (endpoints from ETCD_ENDPOINTS, default http://127.0.0.1:2379).
 */
import { Client } from '../src/index.js';
import { DIAL_TIMEOUT_MS, REQUEST_TIMEOUT_MS, runIfMain } from './run.js';

export async function main(endpoints: string[]): Promise<void> {
  await using client = new Client({ endpoints, dialTimeout: DIAL_TIMEOUT_MS });
  const call = { timeout: REQUEST_TIMEOUT_MS };

  const lease = await client.lease.grant(5, call);
  await client.put('foo', 'bar', { lease: lease.id, ...call });

  // revoking the lease deletes the key attached to it
  await client.lease.revoke(lease.id, call);

  const response = await client.get('foo', call);
  console.log(`number of keys: ${response.kvs.length}`);
}

runIfMain(import.meta.url, main);
