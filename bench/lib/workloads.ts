/**
 * The benchmark's workloads and the messages between the launcher (bench/run.ts) and the worker
 * processes (bench/worker.ts): what one run is asked to do (`Job`) and what it reports (`RunResult`).
 */
import type { WriterProcess } from './watch-writer.js';

/** The clients compared. `go` is the Go client's program (bench/go-clientv3), when it can be built. */
export type ClientName = 'etcd-ts' | 'etcd3' | 'go';

/** What a workload does. */
export type WorkloadKind = 'put' | 'get' | 'txn' | 'watch' | 'watch-many' | 'get-large' | 'range' | 'snapshot-slow';

/** One row of the report. */
export interface Workload {
  /** Short id, used by `--only` (e.g. `put-c16`). */
  readonly id: string;
  readonly kind: WorkloadKind;
  /** Calls in flight (watch: the writer's puts in flight). */
  readonly concurrency: number;
  /** What a row measures, for the table. */
  readonly label: string;
  /**
   * For the Go client: the op it runs, and its expected ops/s (the Go program runs a fixed number
   * of ops, sized from this rate so its run lasts about one measurement window). Absent: no Go row.
   */
  readonly go?: { op: 'put' | 'get' | 'txn' | 'watch'; expectedRate: number; largeValue?: boolean };
}

/** Every workload, in report order. */
export const WORKLOADS: readonly Workload[] = [
  { id: 'put-c1', kind: 'put', concurrency: 1, label: 'put 256 B, 1 in flight', go: { op: 'put', expectedRate: 4000 } },
  { id: 'put-c16', kind: 'put', concurrency: 16, label: 'put 256 B, 16 in flight', go: { op: 'put', expectedRate: 15000 } },
  { id: 'put-c256', kind: 'put', concurrency: 256, label: 'put 256 B, 256 in flight', go: { op: 'put', expectedRate: 18000 } },
  { id: 'get-c1', kind: 'get', concurrency: 1, label: 'linearizable get, 1 in flight', go: { op: 'get', expectedRate: 3000 } },
  { id: 'get-c16', kind: 'get', concurrency: 16, label: 'linearizable get, 16 in flight', go: { op: 'get', expectedRate: 9000 } },
  { id: 'get-c256', kind: 'get', concurrency: 256, label: 'linearizable get, 256 in flight', go: { op: 'get', expectedRate: 9000 } },
  { id: 'txn-c16', kind: 'txn', concurrency: 16, label: 'txn (version > 0 ? put : put), 16 in flight', go: { op: 'txn', expectedRate: 12000 } },
  { id: 'watch', kind: 'watch', concurrency: 64, label: 'watch a prefix, writer at 64 in flight (per event)', go: { op: 'watch', expectedRate: 10000 } },
  { id: 'watch-10k', kind: 'watch-many', concurrency: 1, label: '10,000 watches on one client' },
  { id: 'get-1mib', kind: 'get-large', concurrency: 1, label: 'get of a 1 MiB value, 1 in flight', go: { op: 'get', expectedRate: 150, largeValue: true } },
  { id: 'range-1000', kind: 'range', concurrency: 1, label: 'prefix get of 1,000 keys (256 B), 1 in flight' },
  { id: 'snapshot-slow', kind: 'snapshot-slow', concurrency: 1, label: 'snapshot read at 1 MiB/s by a slow consumer (RSS growth)' },
];

/** Keys and data the launcher writes before the runs. */
export const DATA = Object.freeze({
  /** Prefix of the keyspace of put, get and txn (keys are padded to `keySize`, as the Go program does). */
  kvPrefix: 'bench/kv/',
  /** Distinct keys of put, get and txn; each op picks one at random. */
  keyspace: 10_000,
  /** Key length in bytes (prefix + zero-padded index), the Go program's default. */
  keySize: 32,
  /** Value size of put, get, txn and watch, bytes. */
  valueSize: 256,
  /** Key of the 1 MiB value. */
  largeKey: 'bench/large',
  /** Size of the large value, bytes. */
  largeSize: 1024 * 1024,
  /** Prefix of the Go program's own 1 MiB key (it writes it in its key format). */
  goLargePrefix: 'bench/golarge/',
  /** Keys of 1 MiB written so the snapshot is larger than what a slow consumer reads in its window. */
  snapshotFillKeys: 48,
  /** Prefix of those keys. */
  snapshotFillPrefix: 'bench/fill/',
  /** How long the slow consumer reads, ms, and at what rate, bytes/s. */
  snapshotReadMs: 8000,
  snapshotRate: 1024 * 1024,
  /** Prefix of the 1,000 keys of the range workload. */
  rangePrefix: 'bench/range/',
  /** Keys under `rangePrefix`. */
  rangeKeys: 1000,
  /** Prefix under which each watch run writes (a fresh sub-prefix per run). */
  watchPrefix: 'bench/watch/',
  /** Prefix of the keys of the 10,000-watches workload. */
  manyWatchPrefix: 'bench/many/',
  /** Watches created by `watch-many`. */
  manyWatches: 10_000,
});

/** Key number `i` of `prefix`, zero-padded to `DATA.keySize` bytes (the Go program's `makeKeys`). */
export function keyOf(prefix: string, i: number): string {
  const width = Math.max(DATA.keySize - prefix.length, String(DATA.keyspace - 1).length);
  return prefix + String(i).padStart(width, '0');
}

/** What one worker process runs. */
export interface Job {
  readonly workload: Workload;
  readonly client: Exclude<ClientName, 'go'>;
  /** etcd client URL. */
  readonly endpoint: string;
  /** etcd's pid, for its CPU time (undefined: not readable). */
  readonly etcdPid: number | undefined;
  /** Unmeasured time before the window, ms. */
  readonly warmupMs: number;
  /** Measured window of closed-loop workloads, ms. */
  readonly windowMs: number;
  /** watch: events measured. */
  readonly events: number;
  /** watch: events delivered before the measured ones (the watcher's warm-up; the writer writes both). */
  readonly watchWarmup: number;
  /** A unique string per run (fresh watch prefixes). */
  readonly runId: string;
  /** How the watch's writer (bench/writer.ts) starts. */
  readonly writer: WriterProcess;
  /** Write a V8 CPU profile of the measured window to this file (`.cpuprofile`). */
  readonly cpuProfile: string | undefined;
}

/** What one run reports (the worker prints it as one JSON line). */
export interface RunResult {
  readonly client: ClientName;
  readonly workload: string;
  /** Operations (or events, or watches) counted in the window. */
  readonly ops: number;
  readonly seconds: number;
  readonly opsPerSec: number;
  /** Latency percentiles of one op, ms (watch: put-to-event latency). */
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** This client process's CPU per op (user + system), µs. */
  readonly clientCpuUsPerOp: number;
  /** etcd's CPU per op, µs (undefined when /proc cannot be read). */
  readonly serverCpuUsPerOp: number | undefined;
  /** Cores used by other processes during the window (undefined when /proc cannot be read). */
  readonly foreignCores: number | undefined;
  /** Workload-specific figures: MB/s, writer put p99, events lost/repeated, creation time, memory. */
  readonly extra: Readonly<Record<string, number>>;
  /** Why the run could not be made (the row then says so). */
  readonly skipped?: string;
}

/** Prefix of the worker's result line on stdout. */
export const RESULT_MARK = '@@bench-result ';
