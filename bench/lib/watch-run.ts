/**
 * The watch workload, watcher side: one watch on a fresh prefix, then a writer process
 * (bench/writer.ts) puts `job.events` stamped values under it. Counts every event once by its
 * sequence number (so a lost or repeated event shows), and measures events/s, put-to-event latency
 * and the watcher's CPU per event.
 */
import type { BenchClient } from '../clients/types.js';
import type { WriterJob, WriterResult } from '../writer.js';
import { startProfile } from './cpu-profile.js';
import { cpuWindow, ownCpuSeconds } from './proc.js';
import { runChild } from './spawn.js';
import { LatencyRecorder } from './stats.js';
import { readStamp } from './values.js';
import { DATA, type Job, type RunResult } from './workloads.js';

/** How long the watcher waits for missing events after the writer finished, ms. */
export const WATCH_DRAIN_MS = 20_000;
/** Longest time the writer may take, ms. */
const WRITER_TIMEOUT_MS = 120_000;

/** Runs the watch workload with `client` as the watcher. */
export async function runWatch(job: Job, client: BenchClient): Promise<RunResult> {
  const prefix = `${DATA.watchPrefix}${job.runId}/`;
  const n = job.events;
  const seen = new Uint8Array(n);
  const latencies = new LatencyRecorder();
  let received = 0;
  let repeated = 0;
  let foreign = 0;
  let lastNs = 0n;
  let allReceived!: () => void;
  const done = new Promise<void>((resolve) => {
    allReceived = resolve;
  });
  const cancel = await client.watchPrefix(prefix, (value) => {
    const now = process.hrtime.bigint();
    const { sentNs, sequence } = readStamp(value);
    if (sequence >= n) {
      foreign++;
      return;
    }
    if (seen[sequence] === 1) {
      repeated++;
      return;
    }
    seen[sequence] = 1;
    received++;
    lastNs = now;
    latencies.add(Number(now - sentNs) / 1e6);
    if (received === n) allReceived();
  });

  const stopProfile = job.cpuProfile === undefined ? undefined : await startProfile(job.cpuProfile);
  const window = cpuWindow(job.etcdPid);
  const cpu0 = ownCpuSeconds();
  const writerJob: WriterJob = { endpoint: job.endpoint, prefix, events: n, concurrency: job.workload.concurrency };
  const writer = (await runChild(process.execPath, [...job.writerArgs, JSON.stringify(writerJob)], job.writerCpu, WRITER_TIMEOUT_MS)) as WriterResult;
  let drainTimer: NodeJS.Timeout | undefined;
  await Promise.race([done, new Promise<void>((resolve) => (drainTimer = setTimeout(resolve, WATCH_DRAIN_MS)))]);
  clearTimeout(drainTimer);
  const cpu = ownCpuSeconds() - cpu0;
  const { etcdCpuSeconds, foreignCores } = window.end(cpu, writer.cpuSeconds);
  await stopProfile?.();
  await cancel();

  const seconds = Number(lastNs - BigInt(writer.startNs)) / 1e9;
  const { p50, p99 } = latencies.summary();
  return {
    client: job.client,
    workload: job.workload.id,
    ops: received,
    seconds,
    opsPerSec: received / seconds,
    p50Ms: p50,
    p99Ms: p99,
    clientCpuUsPerOp: (cpu * 1e6) / received,
    serverCpuUsPerOp: etcdCpuSeconds === undefined ? undefined : (etcdCpuSeconds * 1e6) / received,
    foreignCores,
    extra: {
      lost: n - received,
      repeated,
      foreign,
      writerOpsPerSec: writer.opsPerSec,
      writerP99Ms: writer.p99Ms,
      lastEventDelayMs: Number(lastNs - BigInt(writer.endNs)) / 1e6,
    },
  };
}
