// What the CLI tests that compare etcdts with etcdctl share: a side (etcdctl runs on one cluster,
// etcdts on another), the IDs a side's output carries (replaced by placeholders before comparing),
// the `Error:` line, and running steps a few at a time.
import assert from 'node:assert/strict';

import { EtcdCluster } from '../../src/testing/index.js';
import { etcdctl } from './etcdts.js';

/** One single-member cluster of a side-by-side test, and the IDs in its output with their placeholders. */
export interface Side {
  cluster: EtcdCluster;
  endpoint: string;
  /** ID text (decimal, hex) -> placeholder, e.g. `<CLUSTER_ID>`; a test may add its own (lease IDs). */
  ids: Map<string, string>;
}

/** Starts a side with etcd's extra `args`; its cluster and member IDs are known as `<CLUSTER_ID>`, `<MEMBER_ID>`. */
export async function startSide(args: readonly string[] = []): Promise<Side> {
  const cluster = await EtcdCluster.start({ size: 1, args: [...args] });
  const endpoint = cluster.endpoints[0]!;
  const { clusterId, memberId } = await headerIds(endpoint);
  return { cluster, endpoint, ids: new Map([[clusterId, '<CLUSTER_ID>'], [memberId, '<MEMBER_ID>']]) };
}

/** `out` (as latin1, byte for byte) with the side's IDs replaced by their placeholders. */
export function normalize(side: Side, out: Buffer): string {
  let text = out.toString('latin1');
  for (const [id, name] of side.ids) text = text.replaceAll(id, name);
  return text;
}

/** The `Error: ...` line etcdctl ends with (after its log lines), or ''. */
export function errorLine(stderr: string): string {
  return stderr.split('\n').filter((l) => l.startsWith('Error: ')).pop() ?? '';
}

/** The cluster and member ID (decimal) in the header etcdctl prints for the member at `endpoint`. */
export async function headerIds(endpoint: string): Promise<{ clusterId: string; memberId: string }> {
  const r = await etcdctl(['--endpoints', endpoint, 'get', 'x', '-w', 'json']);
  const out = r.stdout.toString();
  const clusterId = /"cluster_id":(\d+)/.exec(out)?.[1];
  const memberId = /"member_id":(\d+)/.exec(out)?.[1];
  assert.ok(clusterId && memberId, `no header in ${out} ${r.stderr}`);
  return { clusterId, memberId };
}

/** Runs `run` on every item, `width` at a time (the machine has 2 cores), in the items' order. */
export async function inParallel<T>(items: readonly T[], width: number, run: (item: T) => Promise<unknown>): Promise<void> {
  const queue = [...items];
  const worker = async (): Promise<void> => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await run(item);
  };
  await Promise.all(Array.from({ length: width }, worker));
}
