/**
 * Go `ExampleLease_keepAlive`: keep a lease alive, so the key attached to it stays, and print the
 * TTL of the first renewal. Prints `ttl: 5`.
 *
 * `keepAlive` renews the lease every TTL/3 until its iterable is closed or its loop left; the loop
 * throws `LeaseNotFoundError` or `LeaseKeepAliveHaltedError` if the lease is lost.
 * Run: `npx tsx examples/lease-keep-alive.ts` (endpoints from ETCD_ENDPOINTS, default http://127.0.0.1:2379).
 */
import { Client } from '../src/index.js';
import { DIAL_TIMEOUT_MS, REQUEST_TIMEOUT_MS, runIfMain } from './run.js';

export async function main(endpoints: string[]): Promise<void> {
  await using client = new Client({ endpoints, dialTimeout: DIAL_TIMEOUT_MS });

  const lease = await client.lease.grant(5, { timeout: REQUEST_TIMEOUT_MS });
  await client.put('foo', 'bar', { lease: lease.id, timeout: REQUEST_TIMEOUT_MS });

  // the key 'foo' is kept as long as the keep-alive runs
  for await (const response of client.lease.keepAlive(lease.id)) {
    console.log(`ttl: ${response.ttl}`);
    break; // leaving the loop stops the keep-alive (the lease then expires after its TTL)
  }
}

runIfMain(import.meta.url, main);
