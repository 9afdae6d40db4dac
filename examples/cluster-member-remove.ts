/**
 * Go `ExampleCluster_memberRemove` (client/v3 example_cluster_test.go): list the members and
 * remove one by its ID. Prints nothing.
 * Go removes `Members[0]`, whichever that is; this one removes the member whose peer URL is
 * `ETCD_NEW_PEER_URL` (default `http://localhost:32380`): the one the memberAdd example added, so
 * that running the examples in turn leaves the cluster's own members alone.
 * Run: `npx tsx examples/cluster-member-remove.ts` (endpoints from ETCD_ENDPOINTS).
 */
import { Client } from '../src/index.js';
import { DIAL_TIMEOUT_MS, runIfMain } from './run.js';

/** Peer URL of the member the cluster examples add, update and remove (the Go example's by default). */
const newPeerUrl = (): string => process.env['ETCD_NEW_PEER_URL'] ?? 'http://localhost:32380';

export async function main(endpoints: string[]): Promise<void> {
  await using client = new Client({ endpoints: endpoints.slice(1), dialTimeout: DIAL_TIMEOUT_MS });
  const { members } = await client.cluster.memberList();
  const target = members.find((m) => m.peerURLs.includes(newPeerUrl()));
  if (target === undefined) throw new Error(`no member with peer URL ${newPeerUrl()}`);
  await client.cluster.memberRemove(target.id);
}

runIfMain(import.meta.url, main);
