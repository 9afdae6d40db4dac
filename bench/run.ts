/**
 * `npm run bench`: etcd-ts side by side with the `etcd3` npm package (and the Go client when it can
 * be built) against one real etcd.
 *
 * Starts one etcd with etcd-ts/testing (data on /dev/shm), pins it to core 0 and every client
 * process to core 1 with `taskset` (when there is a taskset and 2+ cores), writes the data the
 * reads need, then runs each workload with each client in a fresh process, back to back,
 * alternating the order between repetitions, and prints the medians, the ratios and the issue's
 * targets. Every run also reports etcd's CPU and the other load of the machine during its window;
 * a run on a busy machine is flagged BUSY. Compare ratios, not absolute numbers.
 *
 * Usage: npm run bench -- [--quick] [--smoke] [--reps N] [--window MS] [--warmup MS]
 *        [--events N] [--only id,id] [--no-go] [--no-pin] [--json FILE] [--cpu-prof DIR]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildGoBench, runGo } from './lib/go.js';
import { busyCores, loadAverage } from './lib/proc.js';
import { checkTargets, resultsTable, summarize, targetsTable, BUSY_CORES, type RepResult } from './lib/report.js';
import { buildChildren } from './lib/build.js';
import { runChild } from './lib/spawn.js';
import { CLIENT_CPU, compact, SERVER_CPU, startBenchEtcd } from './lib/etcd.js';
import { WORKLOADS, type ClientName, type Job, type RunResult, type Workload } from './lib/workloads.js';

/** Settings of the three modes. Times in ms. */
const MODES = {
  full: { reps: 5, goReps: 3, warmupMs: 1000, windowMs: 4000, events: 30_000, watchWarmup: 10_000, quietWaitMs: 5000, retryBusy: true },
  quick: { reps: 2, goReps: 1, warmupMs: 300, windowMs: 1000, events: 10_000, watchWarmup: 5_000, quietWaitMs: 300, retryBusy: false },
  smoke: { reps: 1, goReps: 0, warmupMs: 200, windowMs: 500, events: 1000, watchWarmup: 200, quietWaitMs: 0, retryBusy: false },
} as const;
/** Workloads of `--smoke` (unless `--only` says otherwise). */
const SMOKE_WORKLOADS = ['put-c16'];
/** The machine counts as quiet enough to start a run below this many busy cores. */
const QUIET_CORES = 0.3;
/** A run whose other load exceeded this many cores is repeated once in full mode (the cleaner one is kept). */
const RETRY_FOREIGN_CORES = 0.5;
/** Longest time one worker run may take, ms. */
const RUN_TIMEOUT_MS = 180_000;

interface Settings {
  reps: number;
  goReps: number;
  warmupMs: number;
  windowMs: number;
  events: number;
  watchWarmup: number;
  quietWaitMs: number;
  retryBusy: boolean;
  workloads: Workload[];
  go: boolean;
  pin: boolean;
  json: string | undefined;
  cpuProf: string | undefined;
  mode: keyof typeof MODES;
}

function settings(): Settings {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      smoke: { type: 'boolean', default: false },
      reps: { type: 'string' },
      window: { type: 'string' },
      events: { type: 'string' },
      warmup: { type: 'string' },
      only: { type: 'string' },
      'no-go': { type: 'boolean', default: false },
      'no-pin': { type: 'boolean', default: false },
      json: { type: 'string' },
      'cpu-prof': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(
      [
        'npm run bench -- [options]',
        '  --quick          2 repetitions, 1 s windows (under 3 minutes)',
        '  --smoke          one workload (put-c16), a few hundred ops: checks the harness runs',
        '  --reps N         repetitions per client and workload (default 5, quick 2)',
        '  --window MS      measured window of each run (default 4000, quick 1000)',
        '  --warmup MS      unmeasured warm-up before it (default 1000, quick 300)',
        '  --events N       measured events of the watch workload (default 30000, quick 10000), after',
        '                   10000 (quick 5000) unmeasured ones (the watcher\'s warm-up, as the window\'s of the others)',
        `  --only IDS       comma-separated workloads: ${WORKLOADS.map((w) => w.id).join(', ')}`,
        '  --no-go          leave out the Go client even when it can be built',
        '  --no-pin         do not pin etcd and the clients to separate cores',
        '  --json FILE      also write every run and the summary as JSON',
        '  --cpu-prof DIR   write a V8 CPU profile of the measured window of every client run into DIR',
        '                   (summarize with: node --import tsx bench/profile.ts DIR/*.cpuprofile)',
      ].join('\n'),
    );
    process.exit(0);
  }
  const mode = values.smoke ? 'smoke' : values.quick ? 'quick' : 'full';
  const m = MODES[mode];
  const int = (name: string, text: string | undefined, fallback: number): number => {
    if (text === undefined) return fallback;
    const n = Number(text);
    if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got '${text}'`);
    return n;
  };
  const ids = values.only?.split(',').map((s) => s.trim()).filter((s) => s !== '') ?? (mode === 'smoke' ? SMOKE_WORKLOADS : undefined);
  const workloads = ids === undefined ? [...WORKLOADS] : ids.map((id) => {
    const w = WORKLOADS.find((x) => x.id === id);
    if (w === undefined) throw new Error(`unknown workload '${id}'; known: ${WORKLOADS.map((x) => x.id).join(', ')}`);
    return w;
  });
  return {
    reps: int('reps', values.reps, m.reps),
    goReps: Math.min(m.goReps, int('reps', values.reps, m.reps)),
    warmupMs: int('warmup', values.warmup, m.warmupMs),
    windowMs: int('window', values.window, m.windowMs),
    events: int('events', values.events, m.events),
    watchWarmup: m.watchWarmup,
    quietWaitMs: m.quietWaitMs,
    retryBusy: m.retryBusy,
    workloads,
    go: !values['no-go'] && mode !== 'smoke',
    pin: !values['no-pin'],
    json: values.json,
    cpuProf: values['cpu-prof'] === undefined ? undefined : resolve(values['cpu-prof']),
    mode,
  };
}

/** Waits (up to `maxMs`) for the machine to be quieter than QUIET_CORES. */
async function waitQuiet(maxMs: number): Promise<void> {
  const t0 = performance.now();
  while (performance.now() - t0 < maxMs) {
    const busy = await busyCores(200);
    if (busy === undefined || busy < QUIET_CORES) return;
  }
}

function describeRun(r: RunResult): string {
  if (r.skipped !== undefined) return `skipped (${r.skipped})`;
  const load = r.foreignCores === undefined ? '' : `, other load ${r.foreignCores.toFixed(2)} cores${r.foreignCores > BUSY_CORES ? ' BUSY' : ''}`;
  return `${Math.round(r.opsPerSec).toLocaleString('en-US')} ops/s, client ${r.clientCpuUsPerOp.toFixed(1)} µs/op${load}`;
}

async function main(): Promise<void> {
  const s = settings();
  const started = performance.now();
  const loadAtStart = loadAverage();

  let goBinary: string | undefined;
  let goNote = s.go ? '' : 'Go client left out (--no-go / --smoke)';
  if (s.go && s.workloads.some((w) => w.go !== undefined)) {
    const built = await buildGoBench();
    if ('binary' in built) goBinary = built.binary;
    else goNote = `Go client left out: ${built.missing}`;
  }

  const children = await buildChildren();
  const etcd = await startBenchEtcd(s.pin, s.workloads);
  try {
    const { pinned, admin, endpoint, pid: etcdPid } = etcd;
    const clientCpu = pinned ? CLIENT_CPU : undefined;
    // The watch's writer is load, as etcd is: on etcd's core, so that the watcher's own CPU cannot set its pace.
    const writer = { args: children.writer.nodeArgs, cpu: pinned ? SERVER_CPU : undefined };

    console.log(
      `etcd-ts bench (${s.mode}): node ${process.version}, etcd ${etcd.version}, ${availableParallelism()} cores, ` +
        `${pinned ? `etcd pinned to core ${SERVER_CPU}, clients to core ${CLIENT_CPU}` : 'not pinned (no taskset, one core, or --no-pin)'}, ` +
        `load average at start ${loadAtStart ?? 'n/a'}; ${s.reps} repetitions, ${s.windowMs} ms windows after ${s.warmupMs} ms warm-up`,
    );
    if (goNote !== '') console.log(goNote);
    if (s.cpuProf !== undefined) mkdirSync(s.cpuProf, { recursive: true });

    const results: RepResult[] = [];
    let runs = 0;
    for (const workload of s.workloads) {
      const skippedClients = new Set<ClientName>();
      for (let rep = 0; rep < s.reps; rep++) {
        const order: ClientName[] = rep % 2 === 0 ? ['etcd-ts', 'etcd3'] : ['etcd3', 'etcd-ts'];
        if (goBinary !== undefined && workload.go !== undefined && rep < s.goReps) order.push('go');
        for (const client of order) {
          if (skippedClients.has(client)) continue;
          const once = async (): Promise<RunResult> => {
            await waitQuiet(s.quietWaitMs);
            const runId = `${process.pid}-${runs++}`;
            if (client === 'go') {
              const r = await runGo({ binary: goBinary!, workload, endpoint, etcdPid, windowMs: s.windowMs, events: s.events, watchWarmup: s.watchWarmup, runId, cpu: clientCpu, writer });
              return r!;
            }
            const cpuProfile = s.cpuProf === undefined ? undefined : join(s.cpuProf, `${workload.id}.${client}.${rep}.cpuprofile`);
            const job: Job = {
              workload,
              client,
              endpoint,
              etcdPid,
              warmupMs: s.warmupMs,
              windowMs: s.windowMs,
              events: s.events,
              watchWarmup: s.watchWarmup,
              runId,
              writer,
              cpuProfile,
            };
            return (await runChild(process.execPath, ['--expose-gc', ...children.worker.nodeArgs, JSON.stringify(job)], clientCpu, RUN_TIMEOUT_MS)) as RunResult;
          };
          let result = await once();
          if (s.retryBusy && (result.foreignCores ?? 0) > RETRY_FOREIGN_CORES) {
            const again = await once();
            if ((again.foreignCores ?? 0) < (result.foreignCores ?? 0)) result = again;
          }
          if (result.skipped !== undefined) skippedClients.add(client);
          results.push({ ...result, rep });
          const elapsed = ((performance.now() - started) / 1000).toFixed(0);
          console.error(`  [${elapsed} s] ${workload.id} rep ${rep + 1}/${s.reps} ${client}: ${describeRun(result)}`);
          if (workload.kind === 'put' || workload.kind === 'txn' || workload.kind === 'watch') await compact(admin);
        }
      }
    }

    const summaries = summarize(s.workloads, results);
    console.log(resultsTable(summaries));
    const busy = results.filter((r) => (r.foreignCores ?? 0) > BUSY_CORES);
    console.log(
      busy.length === 0
        ? `Machine: no run saw other load above ${BUSY_CORES} cores.`
        : `Machine: ${busy.length} of ${results.length} runs saw other processes using more than ${BUSY_CORES} cores (BUSY); their figures are noisy, compare ratios.`,
    );
    for (const sum of summaries) {
      for (const c of sum.clients) if (c.skipped !== undefined) console.log(`Note: ${sum.workload.id} with ${c.client} skipped: ${c.skipped}`);
    }
    if (s.mode !== 'smoke') console.log(targetsTable(checkTargets(summaries)));
    console.log(`Ratios are etcd-ts / etcd3, the median of per-repetition ratios. Total time ${((performance.now() - started) / 1000).toFixed(0)} s.`);
    if (s.json !== undefined) {
      writeFileSync(s.json, JSON.stringify({ settings: { ...s, workloads: s.workloads.map((w) => w.id) }, pinned, loadAtStart, results, summaries }, null, 2));
    }
    if (results.some((r) => r.ops === 0 && r.skipped === undefined)) process.exitCode = 1;
  } finally {
    await etcd.cluster.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
