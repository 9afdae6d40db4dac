/**
 * Go `ExampleCluster_memberList` (client/v3 example_cluster_test.go): count the members.
 * Prints `members: 3` on a 3-member cluster, as the Go example's `// Output:`.
 * Run: `npx tsx examples/cluster-member-list.ts` (endpoints from ETCD_ENDPOINTS, default http://127.0.0.1:2379).
 */
import { Client } from '../src/index.js';
import { DIAL_TIMEOUT_MS, runIfMain } from './run.js';

export async function main(endpoints: string[]): Promise<void> {
  await using client = new Client({ endpoints, dialTimeout: DIAL_TIMEOUT_MS });
  const { members } = await client.cluster.memberList();
  console.log('members:', members.length);
}

runIfMain(import.meta.url, main);
