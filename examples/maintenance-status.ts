/**
 * Go `ExampleMaintenance_status` (client/v3 example_maintenance_test.go): ask each endpoint for its
 * status, through a client of its own, and say which one leads. Prints one line per endpoint, e.g.
 * `endpoint: localhost:2379 / Leader: false`.
 * Run: `npx tsx examples/maintenance-status.ts` (endpoints from ETCD_ENDPOINTS).
 */
import { Client } from '../src/index.js';
import { DIAL_TIMEOUT_MS, runIfMain } from './run.js';

export async function main(endpoints: string[]): Promise<void> {
  for (const endpoint of endpoints) {
    await using client = new Client({ endpoints: [endpoint], dialTimeout: DIAL_TIMEOUT_MS });
    const status = await client.maintenance.status(endpoint);
    console.log(`endpoint: ${endpoint} / Leader: ${status.header.memberId === status.leader}`);
  }
}

runIfMain(import.meta.url, main);
