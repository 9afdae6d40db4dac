/**
 * Go `ExampleCluster_memberUpdate` (client/v3 example_cluster_test.go): list the members and give
 * one new peer URLs (`http://localhost:12380`). Prints nothing.
 * Go updates `Members[0]`, whichever that is; this one updates the member whose peer URL is
 * `ETCD_NEW_PEER_URL` (default `http://localhost:32380`) to `ETCD_UPDATED_PEER_URL` (default
 * `http://localhost:12380`), so that a running member keeps the URL its peers reach it at.
 * Run: `npx tsx examples/cluster-member-update.ts` (endpoints from ETCD_ENDPOINTS).
 */
import { Client } from '../src/index.js';
import { DIAL_TIMEOUT_MS, runIfMain } from './run.js';

/** Peer URL of the member the cluster examples add, update and remove (the Go example's by default). */
const newPeerUrl = (): string => process.env['ETCD_NEW_PEER_URL'] ?? 'http://localhost:32380';

export async function main(endpoints: string[]): Promise<void> {
  await using client = new Client({ endpoints, dialTimeout: DIAL_TIMEOUT_MS });
  const { members } = await client.cluster.memberList();
  const target = members.find((m) => m.peerURLs.includes(newPeerUrl()));
  if (target === undefined) throw new Error(`no member with peer URL ${newPeerUrl()}`);
  const peerURLs = [process.env['ETCD_UPDATED_PEER_URL'] ?? 'http://localhost:12380'];
  await client.cluster.memberUpdate(target.id, peerURLs);
}

runIfMain(import.meta.url, main);
