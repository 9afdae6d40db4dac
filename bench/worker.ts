/**
 * One benchmark run in its own process (started by bench/run.ts, pinned to the client core):
 * connects one client, runs one workload, prints one `RESULT_MARK` line of JSON (`RunResult`).
 *
 * Usage: node --import tsx --expose-gc bench/worker.ts '<Job as JSON>'
 */
import { WorkloadUnsupported, type BenchClient } from './clients/types.js';
import { startProfile } from './lib/cpu-profile.js';
import { cpuWindow, ownCpuSeconds } from './lib/proc.js';
import { LatencyRecorder } from './lib/stats.js';
import { benchValue } from './lib/values.js';
import { runWatch } from './lib/watch-run.js';
import { DATA, keyOf, RESULT_MARK, type Job, type RunResult } from './lib/workloads.js';

const MIB = 1024 * 1024;

/** Runs `op` with `concurrency` calls in flight: a warm-up, then the measured window. */
async function closedLoop(job: Job, op: () => Promise<void>, extra?: (ops: number, seconds: number) => Record<string, number>): Promise<RunResult> {
  const latencies = new LatencyRecorder();
  let measuring = false;
  let stopped = false;
  let ops = 0;
  let failure: unknown;
  const worker = async (): Promise<void> => {
    while (!stopped) {
      const t0 = performance.now();
      try {
        await op();
      } catch (error) {
        failure ??= error;
        stopped = true;
        return;
      }
      if (measuring) {
        ops++;
        latencies.add(performance.now() - t0);
      }
    }
  };
  const workers: Promise<void>[] = [];
  for (let i = 0; i < job.workload.concurrency; i++) workers.push(worker());
  await sleep(job.warmupMs);
  global.gc?.();
  const stopProfile = job.cpuProfile === undefined ? undefined : await startProfile(job.cpuProfile);
  measuring = true;
  const window = cpuWindow(job.etcdPid);
  const cpu0 = ownCpuSeconds();
  await sleep(job.windowMs);
  const counted = ops;
  const cpu = ownCpuSeconds() - cpu0;
  const { seconds, etcdCpuSeconds, foreignCores } = window.end(cpu);
  await stopProfile?.();
  const { p50, p99 } = latencies.summary();
  measuring = false;
  stopped = true;
  await Promise.all(workers);
  if (failure !== undefined) throw failure;
  return {
    client: job.client,
    workload: job.workload.id,
    ops: counted,
    seconds,
    opsPerSec: counted / seconds,
    p50Ms: p50,
    p99Ms: p99,
    clientCpuUsPerOp: (cpu * 1e6) / counted,
    serverCpuUsPerOp: etcdCpuSeconds === undefined ? undefined : (etcdCpuSeconds * 1e6) / counted,
    foreignCores,
    extra: extra?.(counted, seconds) ?? {},
  };
}

/** Creates `DATA.manyWatches` watches at once; reports creation time and memory. */
async function watchMany(job: Job, client: BenchClient): Promise<RunResult> {
  const keys: string[] = [];
  for (let i = 0; i < DATA.manyWatches; i++) keys.push(keyOf(DATA.manyWatchPrefix, i));
  global.gc?.();
  const m0 = process.memoryUsage();
  const window = cpuWindow(job.etcdPid);
  const cpu0 = ownCpuSeconds();
  const t0 = performance.now();
  await Promise.all(keys.map((key) => client.createWatch(key)));
  const createMs = performance.now() - t0;
  const cpu = ownCpuSeconds() - cpu0;
  const { etcdCpuSeconds, foreignCores } = window.end(cpu);
  global.gc?.();
  const m1 = process.memoryUsage();
  const n = keys.length;
  return {
    client: job.client,
    workload: job.workload.id,
    ops: n,
    seconds: createMs / 1000,
    opsPerSec: n / (createMs / 1000),
    p50Ms: NaN,
    p99Ms: NaN,
    clientCpuUsPerOp: (cpu * 1e6) / n,
    serverCpuUsPerOp: etcdCpuSeconds === undefined ? undefined : (etcdCpuSeconds * 1e6) / n,
    foreignCores,
    extra: {
      createSeconds: createMs / 1000,
      rssMiB: (m1.rss - m0.rss) / MIB,
      heapMiB: (m1.heapUsed - m0.heapUsed) / MIB,
    },
  };
}

/**
 * Reads a snapshot at `DATA.snapshotRate` bytes/s for `DATA.snapshotReadMs`, sampling RSS: with
 * backpressure the client holds at most a stream window of the snapshot, without it all of it.
 */
async function snapshotSlow(job: Job, client: BenchClient): Promise<RunResult> {
  global.gc?.();
  const rss0 = process.memoryUsage().rss;
  let peak = rss0;
  let bytes = 0;
  const t0 = performance.now();
  const cpu0 = ownCpuSeconds();
  await client.readSnapshot(async (chunk) => {
    bytes += chunk.length;
    peak = Math.max(peak, process.memoryUsage().rss);
    const due = t0 + (bytes / DATA.snapshotRate) * 1000;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    return performance.now() - t0 < DATA.snapshotReadMs;
  });
  const seconds = (performance.now() - t0) / 1000;
  const cpu = ownCpuSeconds() - cpu0;
  return {
    client: job.client,
    workload: job.workload.id,
    ops: bytes,
    seconds,
    opsPerSec: bytes / seconds,
    p50Ms: NaN,
    p99Ms: NaN,
    clientCpuUsPerOp: (cpu * 1e6) / (bytes / MIB),
    serverCpuUsPerOp: undefined,
    foreignCores: undefined,
    extra: { rssGrowthMiB: (peak - rss0) / MIB, mibRead: bytes / MIB },
  };
}

async function run(job: Job, client: BenchClient): Promise<RunResult> {
  const value = benchValue(DATA.valueSize);
  const keys: string[] = [];
  for (let i = 0; i < DATA.keyspace; i++) keys.push(keyOf(DATA.kvPrefix, i));
  const randomKey = (): string => keys[(Math.random() * keys.length) | 0]!;
  switch (job.workload.kind) {
    case 'put':
      return closedLoop(job, () => client.put(randomKey(), value));
    case 'get':
      return closedLoop(job, async () => {
        const key = randomKey();
        const length = await client.get(key);
        if (length !== DATA.valueSize) throw new Error(`get ${key}: value of ${length} bytes, expected ${DATA.valueSize}`);
      });
    case 'txn':
      return closedLoop(job, () => client.txn(randomKey(), value));
    case 'get-large':
      return closedLoop(
        job,
        async () => {
          const length = await client.get(DATA.largeKey);
          if (length !== DATA.largeSize) throw new Error(`get ${DATA.largeKey}: ${length} bytes, expected ${DATA.largeSize}`);
        },
        (ops, seconds) => ({ mibPerSec: (ops * DATA.largeSize) / MIB / seconds }),
      );
    case 'range':
      return closedLoop(job, async () => {
        const count = await client.getPrefix(DATA.rangePrefix);
        if (count !== DATA.rangeKeys) throw new Error(`prefix get: ${count} keys, expected ${DATA.rangeKeys}`);
      });
    case 'watch':
      return runWatch(job, client);
    case 'watch-many':
      return watchMany(job, client);
    case 'snapshot-slow':
      return snapshotSlow(job, client);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function skipped(job: Job, reason: string): RunResult {
  return {
    client: job.client,
    workload: job.workload.id,
    ops: 0,
    seconds: 0,
    opsPerSec: NaN,
    p50Ms: NaN,
    p99Ms: NaN,
    clientCpuUsPerOp: NaN,
    serverCpuUsPerOp: undefined,
    foreignCores: undefined,
    extra: {},
    skipped: reason,
  };
}

/**
 * The client under test, its library loaded alone (a dynamic import, a chunk of its own in the
 * bundle): a run's process holds only the library it measures, as an application's would, so
 * neither library's heap (and the cost of each full GC over it) holds the other's modules.
 */
async function connect(job: Job): Promise<BenchClient> {
  if (job.client === 'etcd3') return (await import('./clients/etcd3.js')).connectEtcd3(job.endpoint);
  return (await import('./clients/etcd-ts.js')).connectEtcdTs(job.endpoint);
}

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2] ?? '') as Job;
  const client = await connect(job);
  let result: RunResult;
  // Closed-loop workloads and the watch profile their measured window only; the others their whole run.
  const windowedKinds = ['put', 'get', 'txn', 'get-large', 'range', 'watch'];
  const stopProfile = job.cpuProfile !== undefined && !windowedKinds.includes(job.workload.kind) ? await startProfile(job.cpuProfile) : undefined;
  try {
    result = await run(job, client);
    await stopProfile?.();
  } catch (error) {
    if (!(error instanceof WorkloadUnsupported)) throw error;
    result = skipped(job, error.message);
  }
  process.stdout.write(`${RESULT_MARK}${JSON.stringify(result)}\n`);
  // Closing 10,000 watches one by one says nothing about the client; the process is done.
  if (job.workload.kind !== 'watch-many' && job.workload.kind !== 'snapshot-slow') await client.close();
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
