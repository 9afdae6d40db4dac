/**
 * Go `ExampleMaintenance_defragment` (client/v3 example_maintenance_test.go): defragment each
 * endpoint's backend in turn, through a client of its own. Prints nothing.
 * Run: `npx tsx examples/maintenance-defragment.ts` (endpoints from ETCD_ENDPOINTS).
 */
import { Client } from '../src/index.js';
import { DIAL_TIMEOUT_MS, runIfMain } from './run.js';

export async function main(endpoints: string[]): Promise<void> {
  for (const endpoint of endpoints) {
    await using client = new Client({ endpoints: [endpoint], dialTimeout: DIAL_TIMEOUT_MS });
    await client.maintenance.defragment(endpoint);
  }
}

runIfMain(import.meta.url, main);
