/**
 * The watch workload's writer process (bench/writer.ts): its prefix per run and how it is started,
 * the same for every watcher (etcd-ts's and etcd3's in bench/lib/watch-run.ts, Go's in go.ts).
 */
import type { WriterJob, WriterResult } from '../writer.js';
import { runChild } from './spawn.js';
import { DATA } from './workloads.js';

/** Longest time the writer may take, ms. */
const WRITER_TIMEOUT_MS = 120_000;

/** How the writer starts: the node arguments before its job, and its core (undefined: no taskset). */
export interface WriterProcess {
  readonly args: readonly string[];
  readonly cpu: number | undefined;
}

/** The fresh prefix run `runId` watches and writes under. */
export function watchRunPrefix(runId: string): string {
  return `${DATA.watchPrefix}${runId}/`;
}

/** Runs the writer with `job` to its end and returns its result; `onSpawn` gets its pid. */
export async function runWriter(writer: WriterProcess, job: WriterJob, onSpawn?: (pid: number) => void): Promise<WriterResult> {
  return (await runChild(process.execPath, [...writer.args, JSON.stringify(job)], writer.cpu, WRITER_TIMEOUT_MS, onSpawn)) as WriterResult;
}
