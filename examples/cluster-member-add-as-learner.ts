/**
 * Go `ExampleCluster_memberAddAsLearner` (client/v3 example_cluster_test.go): announce a new
 * non-voting learner by its peer URL. Prints `added member.PeerURLs: [http://localhost:32380]` and
 * `added member.IsLearner: true`.
 * The peer URL is `ETCD_NEW_PEER_URL` (default `http://localhost:32380`, the Go example's).
 * Run: `npx tsx examples/cluster-member-add-as-learner.ts` (endpoints from ETCD_ENDPOINTS).
 */
import { Client } from '../src/index.js';
import { DIAL_TIMEOUT_MS, runIfMain } from './run.js';

/** Peer URL of the member the cluster examples add, update and remove (the Go example's by default). */
const newPeerUrl = (): string => process.env['ETCD_NEW_PEER_URL'] ?? 'http://localhost:32380';

export async function main(endpoints: string[]): Promise<void> {
  await using client = new Client({ endpoints: endpoints.slice(0, 2), dialTimeout: DIAL_TIMEOUT_MS });
  const { member } = await client.cluster.memberAddAsLearner([newPeerUrl()]);
  console.log(`added member.PeerURLs: [${member.peerURLs.join(' ')}]`);
  console.log(`added member.IsLearner: ${member.isLearner}`);
}

runIfMain(import.meta.url, main);
