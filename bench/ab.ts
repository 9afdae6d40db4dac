/**
 * A/B comparison of two versions of etcd-ts on the same etcd: this tree ("new") against a copy of
 * another tree ("base", e.g. a copy of src/ and bench/ made before a change). Runs alternate
 * (base, new, new, base, ...), each in a fresh process pinned like `npm run bench`, and the report
 * gives the median of the per-pair ratios new / base. This is how docs/design/performance.md
 * measured what each optimisation bought.
 *
 * Usage: node --import tsx bench/ab.ts --base DIR [--only put-c16,get-c16] [--reps 6] [--window MS] [--warmup MS]
 *   DIR holds `src/` and `bench/` of the base version (cp -r src bench DIR before changing them).
 */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import Table from 'cli-table3';
import { buildChildren, BUILD_DIR } from './lib/build.js';
import { CLIENT_CPU, compact, startBenchEtcd } from './lib/etcd.js';
import { busyCores } from './lib/proc.js';
import { runChild } from './lib/spawn.js';
import { median } from './lib/stats.js';
import { WORKLOADS, type Job, type RunResult } from './lib/workloads.js';

/** Longest time one run may take, ms. */
const RUN_TIMEOUT_MS = 180_000;
/** Longest wait for a quieter machine before each run, ms. */
const QUIET_WAIT_MS = 2000;
/** Busy cores under which a run starts at once. */
const QUIET_CORES = 0.3;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      base: { type: 'string' },
      only: { type: 'string', default: 'put-c16,get-c16' },
      reps: { type: 'string', default: '6' },
      window: { type: 'string', default: '3000' },
      warmup: { type: 'string', default: '1000' },
    },
  });
  if (values.base === undefined) throw new Error('--base DIR is required (a copy of src/ and bench/ of the base version)');
  const workloads = values.only.split(',').map((id) => {
    const w = WORKLOADS.find((x) => x.id === id);
    if (w === undefined) throw new Error(`unknown workload '${id}'`);
    return w;
  });
  const reps = Number(values.reps);
  const programs = {
    base: await buildChildren(resolve(values.base), join(BUILD_DIR, '..', 'bench-base')),
    new: await buildChildren(),
  };
  const etcd = await startBenchEtcd(true, workloads);
  const cpu = etcd.pinned ? CLIENT_CPU : undefined;
  const rows: string[][] = [];
  try {
    for (const workload of workloads) {
      const runs: Record<'base' | 'new', RunResult[]> = { base: [], new: [] };
      for (let rep = 0; rep < reps; rep++) {
        const order = rep % 2 === 0 ? (['base', 'new'] as const) : (['new', 'base'] as const);
        for (const version of order) {
          const t0 = performance.now();
          while (performance.now() - t0 < QUIET_WAIT_MS && ((await busyCores(200)) ?? 0) > QUIET_CORES) {
            // wait for a quieter machine
          }
          const job: Job = {
            workload,
            client: 'etcd-ts',
            endpoint: etcd.endpoint,
            etcdPid: etcd.pid,
            warmupMs: Number(values.warmup),
            windowMs: Number(values.window),
            events: 10_000,
            watchWarmup: 5_000,
            runId: `ab-${process.pid}-${workload.id}-${rep}-${version}`,
            writer: { args: programs[version].writer.nodeArgs, cpu },
            cpuProfile: undefined,
          };
          const r = (await runChild(process.execPath, ['--expose-gc', ...programs[version].worker.nodeArgs, JSON.stringify(job)], cpu, RUN_TIMEOUT_MS)) as RunResult;
          runs[version].push(r);
          console.error(`  ${workload.id} rep ${rep + 1} ${version}: ${r.opsPerSec.toFixed(0)} ops/s, ${r.clientCpuUsPerOp.toFixed(1)} µs/op, other load ${(r.foreignCores ?? NaN).toFixed(2)}`);
          if (workload.kind === 'put' || workload.kind === 'txn' || workload.kind === 'watch') await compact(etcd.admin);
        }
      }
      const ratio = (f: (r: RunResult) => number): number => median(runs.new.map((r, i) => f(r) / f(runs.base[i]!)));
      rows.push([
        workload.id,
        median(runs.base.map((r) => r.opsPerSec)).toFixed(0),
        median(runs.new.map((r) => r.opsPerSec)).toFixed(0),
        `${ratio((r) => r.opsPerSec).toFixed(3)}x`,
        median(runs.base.map((r) => r.clientCpuUsPerOp)).toFixed(1),
        median(runs.new.map((r) => r.clientCpuUsPerOp)).toFixed(1),
        `${ratio((r) => r.clientCpuUsPerOp).toFixed(3)}x`,
        Math.max(...[...runs.base, ...runs.new].map((r) => r.foreignCores ?? 0)).toFixed(2),
      ]);
    }
  } finally {
    await etcd.cluster.close();
  }
  const table = new Table({
    head: ['workload', 'base ops/s', 'new ops/s', 'new/base', 'base µs/op', 'new µs/op', 'new/base', 'max other load'],
    style: { head: [], border: [] },
  });
  table.push(...rows);
  console.log(table.toString());
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
