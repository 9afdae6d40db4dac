/**
 * The etcd of a benchmark: one member started with etcd-ts/testing (127.0.0.1, free ports, data on
 * /dev/shm), pinned to its own core, with the data the read workloads need.
 */
import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import type { Client } from '../../src/index.js';
import { EtcdCluster } from '../../src/testing/index.js';
import { benchValue } from './values.js';
import { DATA, keyOf, type Workload, type WorkloadKind } from './workloads.js';

/** Cores: etcd on SERVER_CPU, every client process on CLIENT_CPU. */
export const SERVER_CPU = 0;
export const CLIENT_CPU = 1;
/** etcd's backend quota for the benchmark, bytes (8 GiB: the runs write a lot of history). */
const QUOTA_BACKEND_BYTES = 8 * 1024 ** 3;
/** Puts in flight while writing the data. */
const WRITE_CONCURRENCY = 64;

/** A running benchmark etcd. */
export interface BenchEtcd {
  readonly cluster: EtcdCluster;
  readonly endpoint: string;
  readonly pid: number | undefined;
  readonly version: string;
  /** True when etcd runs on SERVER_CPU and the clients should run on CLIENT_CPU. */
  readonly pinned: boolean;
  /** A client for setup and compaction (not measured). */
  readonly admin: Client;
}

function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts etcd, pins it (every thread, `taskset -a -p`) when `pin` and the machine allows, and
 * writes the data the `workloads` read (all of it when not given). Close it with `cluster.close()`.
 */
export async function startBenchEtcd(pin: boolean, workloads?: readonly Workload[]): Promise<BenchEtcd> {
  const pinned = pin && hasTaskset() && availableParallelism() >= 2;
  const cluster = await EtcdCluster.start({ size: 1, args: [`--quota-backend-bytes=${QUOTA_BACKEND_BYTES}`] });
  try {
    const member = cluster.members[0]!;
    const pid = member.pid;
    if (pinned && pid !== undefined) execFileSync('taskset', ['-a', '-p', '-c', String(SERVER_CPU), String(pid)], { stdio: 'ignore' });
    const admin = cluster.client();
    const needs = (kind: WorkloadKind): boolean => workloads === undefined || workloads.some((w) => w.kind === kind);
    await writeData(admin, { keyspace: needs('get'), range: needs('range'), large: needs('get-large'), fill: needs('snapshot-slow') });
    await compact(admin);
    return { cluster, endpoint: member.clientUrl, pid, version: cluster.etcdVersion, pinned, admin };
  } catch (error) {
    await cluster.close();
    throw error;
  }
}

/** Writes what the reads need: the keyspace (get), the 1,000 range keys, the 1 MiB value, the snapshot's bulk. */
async function writeData(client: Client, what: { keyspace: boolean; range: boolean; large: boolean; fill: boolean }): Promise<void> {
  const value = benchValue(DATA.valueSize);
  const keys: string[] = [];
  if (what.keyspace) for (let i = 0; i < DATA.keyspace; i++) keys.push(keyOf(DATA.kvPrefix, i));
  if (what.range) for (let i = 0; i < DATA.rangeKeys; i++) keys.push(`${DATA.rangePrefix}${String(i).padStart(4, '0')}`);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < keys.length) await client.put(keys[next++]!, value);
  };
  await Promise.all(Array.from({ length: WRITE_CONCURRENCY }, worker));
  if (what.large) await client.put(DATA.largeKey, benchValue(DATA.largeSize));
  if (what.fill) for (let i = 0; i < DATA.snapshotFillKeys; i++) await client.put(`${DATA.snapshotFillPrefix}${i}`, benchValue(DATA.largeSize));
}

/** Compacts away the history the writes left (physically), so every run sees a small store. */
export async function compact(client: Client): Promise<void> {
  const { header } = await client.get('bench/connect');
  await client.compact(header.revision, { physical: true });
}
