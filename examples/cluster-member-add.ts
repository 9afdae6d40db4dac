/**
 * Go `ExampleCluster_memberAdd` (client/v3 example_cluster_test.go): announce a new voting member
 * by its peer URL (start it afterwards with `--initial-cluster-state existing`). Prints
 * `added member.PeerURLs: [http://localhost:32380]`.
 * The peer URL is `ETCD_NEW_PEER_URL` (default `http://localhost:32380`, the Go example's).
 * Run: `npx tsx examples/cluster-member-add.ts` (endpoints from ETCD_ENDPOINTS).
 */
import { Client } from '../src/index.js';
import { DIAL_TIMEOUT_MS, runIfMain } from './run.js';

/** Peer URL of the member the cluster examples add, update and remove (the Go example's by default). */
const newPeerUrl = (): string => process.env['ETCD_NEW_PEER_URL'] ?? 'http://localhost:32380';

export async function main(endpoints: string[]): Promise<void> {
  // Go uses the first two endpoints; a member not named here may be the one the others wait for.
  await using client = new Client({ endpoints: endpoints.slice(0, 2), dialTimeout: DIAL_TIMEOUT_MS });
  const { member } = await client.cluster.memberAdd([newPeerUrl()]);
  console.log(`added member.PeerURLs: [${member.peerURLs.join(' ')}]`);
}

runIfMain(import.meta.url, main);
