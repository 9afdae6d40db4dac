/**
 * The watch workload, watcher side: one watch on a fresh prefix, then a writer process
 * (bench/writer.ts) puts `job.watchWarmup + job.events` stamped values under it. Counts every
 * event once by its sequence number (so a lost or repeated event shows). The first
 * `job.watchWarmup` events are the watcher's warm-up, as the closed-loop workloads have one (and
 * the Go program the same, `--watch-warmup`): events/s, put-to-event latency, the watcher's CPU per
 * event and etcd's count from the event after them, so none of them holds the writer's start-up,
 * the spawn of its process or the watcher's first, unoptimised passes through its code.
 */
import type { BenchClient } from '../clients/types.js';
import type { WriterJob } from '../writer.js';
import { startProfile } from './cpu-profile.js';
import { cpuWindow, ownCpuSeconds, processCpuSeconds } from './proc.js';
import { LatencyRecorder } from './stats.js';
import { stampClockNs, stampSentNs, stampSequence } from './values.js';
import { runWriter, watchRunPrefix } from './watch-writer.js';
import type { Job, RunResult } from './workloads.js';

/** How long the watcher waits for missing events after the writer finished, ms. */
export const WATCH_DRAIN_MS = 20_000;

/** Runs the watch workload with `client` as the watcher. */
export async function runWatch(job: Job, client: BenchClient): Promise<RunResult> {
  const prefix = watchRunPrefix(job.runId);
  const warmup = job.watchWarmup;
  const n = warmup + job.events;
  const seen = new Uint8Array(n);
  const latencies = new LatencyRecorder();
  let received = 0;
  let repeated = 0;
  let foreign = 0;
  let lastNs = 0;
  /** Send times of the measured events, first and last: the writer's rate over the same events. */
  let firstSentNs = Infinity;
  let lastSentNs = 0;
  let writerPid: number | undefined;
  /** Taken when the measured part starts (the warm-up's last event). */
  let start: { ns: number; cpu: number; writerCpu: number | undefined; window: ReturnType<typeof cpuWindow>; profile: Promise<() => Promise<void>> | undefined } | undefined;
  const begin = (now: number): void => {
    start = {
      ns: now,
      profile: job.cpuProfile === undefined ? undefined : startProfile(job.cpuProfile),
      writerCpu: processCpuSeconds(writerPid),
      window: cpuWindow(job.etcdPid),
      cpu: ownCpuSeconds(),
    };
  };
  let allReceived!: () => void;
  const done = new Promise<void>((resolve) => {
    allReceived = resolve;
  });
  let now = 0;
  const cancel = await client.watchPrefix(prefix, (value, first) => {
    // One clock reading per response, and no allocation per event: the Go program's way.
    if (first) now = stampClockNs();
    const sequence = stampSequence(value);
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
    if (start !== undefined) {
      const sentNs = stampSentNs(value);
      latencies.add((now - sentNs) / 1e6);
      if (sentNs < firstSentNs) firstSentNs = sentNs;
      if (sentNs > lastSentNs) lastSentNs = sentNs;
    } else if (received >= warmup) begin(now);
    if (received === n) allReceived();
  });
  if (warmup === 0) begin(stampClockNs());

  const writerJob: WriterJob = { endpoint: job.endpoint, prefix, events: n, concurrency: job.workload.concurrency };
  const writer = await runWriter(job.writer, writerJob, (pid) => {
    writerPid = pid;
  });
  let drainTimer: NodeJS.Timeout | undefined;
  await Promise.race([done, new Promise<void>((resolve) => (drainTimer = setTimeout(resolve, WATCH_DRAIN_MS)))]);
  clearTimeout(drainTimer);
  if (start === undefined) throw new Error(`watch: only ${received} of ${n} events arrived, not even the ${warmup} of the warm-up`);
  const cpu = ownCpuSeconds() - start.cpu;
  const writerCpu = writer.cpuSeconds - (start.writerCpu ?? 0);
  const { etcdCpuSeconds, foreignCores } = start.window.end(cpu, writerCpu);
  if (start.profile !== undefined) await (await start.profile)();
  await cancel();

  const measured = received - warmup;
  const seconds = (lastNs - start.ns) / 1e9;
  const { p50, p99 } = latencies.summary();
  return {
    client: job.client,
    workload: job.workload.id,
    ops: measured,
    seconds,
    opsPerSec: measured / seconds,
    p50Ms: p50,
    p99Ms: p99,
    clientCpuUsPerOp: (cpu * 1e6) / measured,
    serverCpuUsPerOp: etcdCpuSeconds === undefined ? undefined : (etcdCpuSeconds * 1e6) / measured,
    foreignCores,
    extra: {
      lost: n - received,
      repeated,
      foreign,
      // The writer's rate while it sent the measured events (its whole run includes its start-up).
      writerOpsPerSec: measured > 1 ? (measured - 1) / ((lastSentNs - firstSentNs) / 1e9) : writer.opsPerSec,
      writerP99Ms: writer.p99Ms,
      lastEventDelayMs: (lastNs - Number(writer.endNs)) / 1e6,
    },
  };
}
