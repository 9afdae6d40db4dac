/**
 * The writer of the watch workload, in its own process: `events` puts under `prefix` with
 * `concurrency` in flight, through etcd-ts (the same writer whichever client watches, the Go
 * program's watch too; pinned to etcd's core, not the watcher's). Each value carries its send time
 * and sequence number (bench/lib/values.ts). Prints one result line.
 *
 * Usage: node --import tsx bench/writer.ts '{"endpoint":..,"prefix":..,"events":..,"concurrency":..}'
 */
import { Client } from '../src/index.js';
import { LatencyRecorder } from './lib/stats.js';
import { benchValue, stamp, stampClockNs } from './lib/values.js';
import { DATA, keyOf, RESULT_MARK } from './lib/workloads.js';

/** What the writer is asked to do. */
export interface WriterJob {
  endpoint: string;
  prefix: string;
  events: number;
  concurrency: number;
}

/** What the writer reports; times on the stamps' clock (`stampClockNs`, Unix ns, as decimal strings). */
export interface WriterResult {
  startNs: string;
  endNs: string;
  puts: number;
  opsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** CPU seconds of the whole writer process, start-up included. */
  cpuSeconds: number;
}

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2] ?? '') as WriterJob;
  const client = new Client({ endpoints: [job.endpoint] });
  await client.get('bench/connect');
  const template = benchValue(DATA.valueSize);
  const latencies = new LatencyRecorder();
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let seq = next++; seq < job.events; seq = next++) {
      const value = Buffer.from(template);
      const t0 = performance.now();
      stamp(value, seq);
      await client.put(keyOf(job.prefix, seq % DATA.keyspace), value);
      latencies.add(performance.now() - t0);
    }
  };
  const start = stampClockNs();
  const workers: Promise<void>[] = [];
  for (let i = 0; i < job.concurrency; i++) workers.push(worker());
  await Promise.all(workers);
  const end = stampClockNs();
  await client.close();
  const { p50, p99 } = latencies.summary();
  const usage = process.cpuUsage();
  const result: WriterResult = {
    startNs: String(start),
    endNs: String(end),
    puts: job.events,
    opsPerSec: job.events / ((end - start) / 1e9),
    p50Ms: p50,
    p99Ms: p99,
    cpuSeconds: (usage.user + usage.system) / 1e6,
  };
  process.stdout.write(`${RESULT_MARK}${JSON.stringify(result)}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
