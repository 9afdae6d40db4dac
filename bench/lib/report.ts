/**
 * The benchmark's report: per workload and client the medians over the repetitions, the ratios
 * etcd-ts / etcd3 (median of the per-repetition ratios: each etcd-ts run is paired with the etcd3
 * run made right before or after it), the machine's other load, and the targets.
 */
import Table from 'cli-table3';
import { median } from './stats.js';
import type { ClientName, RunResult, Workload } from './workloads.js';

/** A run on a machine where other processes used more than this many cores is flagged as busy. */
export const BUSY_CORES = 0.25;

/** One run, with its repetition number. */
export type RepResult = RunResult & { readonly rep: number };

/** Medians of one client on one workload. */
export interface ClientSummary {
  readonly client: ClientName;
  readonly reps: number;
  readonly opsPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly clientCpuUsPerOp: number;
  readonly serverCpuUsPerOp: number;
  /** Highest other load of any repetition, cores. */
  readonly maxForeignCores: number;
  readonly extra: Readonly<Record<string, number>>;
  readonly skipped: string | undefined;
}

/** One workload's summary: per client, and the ratios against etcd3 (and Go). */
export interface WorkloadSummary {
  readonly workload: Workload;
  readonly clients: ClientSummary[];
  /** etcd-ts / etcd3, median of per-repetition ratios: ops/s, client CPU per op, and extras by name. */
  readonly vsEtcd3: { opsPerSec: number; clientCpu: number; extra: Record<string, number> };
  /** etcd-ts / Go (medians), when Go ran. */
  readonly vsGo: { opsPerSec: number; clientCpu: number } | undefined;
}

/** Largest finite value, NaN when there is none. */
function maxOf(values: readonly number[]): number {
  const finite = values.filter(Number.isFinite);
  return finite.length === 0 ? NaN : Math.max(...finite);
}

function summarizeClient(client: ClientName, runs: readonly RepResult[]): ClientSummary | undefined {
  if (runs.length === 0) return undefined;
  const skippedRun = runs.find((r) => r.skipped !== undefined);
  const ok = runs.filter((r) => r.skipped === undefined);
  const extraNames = new Set(ok.flatMap((r) => Object.keys(r.extra)));
  const extra: Record<string, number> = {};
  for (const name of extraNames) extra[name] = median(ok.map((r) => r.extra[name] ?? NaN));
  return {
    client,
    reps: ok.length,
    opsPerSec: median(ok.map((r) => r.opsPerSec)),
    p50Ms: median(ok.map((r) => r.p50Ms)),
    p99Ms: median(ok.map((r) => r.p99Ms)),
    clientCpuUsPerOp: median(ok.map((r) => r.clientCpuUsPerOp)),
    serverCpuUsPerOp: median(ok.map((r) => r.serverCpuUsPerOp ?? NaN)),
    maxForeignCores: maxOf(ok.map((r) => r.foreignCores ?? NaN)),
    extra,
    skipped: ok.length === 0 ? skippedRun?.skipped : undefined,
  };
}

/** Median over repetitions of `f(etcd-ts run) / f(etcd3 run)` of the same repetition. */
function pairedRatio(ts: readonly RepResult[], e3: readonly RepResult[], f: (r: RunResult) => number | undefined): number {
  const ratios: number[] = [];
  for (const a of ts) {
    const b = e3.find((r) => r.rep === a.rep);
    if (b === undefined || a.skipped !== undefined || b.skipped !== undefined) continue;
    const x = f(a);
    const y = f(b);
    if (x !== undefined && y !== undefined && y !== 0) ratios.push(x / y);
  }
  return median(ratios);
}

/** Summarizes every workload's runs. */
export function summarize(workloads: readonly Workload[], results: readonly RepResult[]): WorkloadSummary[] {
  const out: WorkloadSummary[] = [];
  for (const workload of workloads) {
    const of = (client: ClientName): RepResult[] => results.filter((r) => r.workload === workload.id && r.client === client);
    const ts = of('etcd-ts');
    const e3 = of('etcd3');
    const clients = (['etcd-ts', 'etcd3', 'go'] as const)
      .map((c) => summarizeClient(c, of(c)))
      .filter((s): s is ClientSummary => s !== undefined);
    if (clients.length === 0) continue;
    const extraNames = new Set(ts.flatMap((r) => Object.keys(r.extra)));
    const extra: Record<string, number> = {};
    for (const name of extraNames) extra[name] = pairedRatio(ts, e3, (r) => r.extra[name]);
    const tsSummary = clients.find((c) => c.client === 'etcd-ts');
    const goSummary = clients.find((c) => c.client === 'go');
    out.push({
      workload,
      clients,
      vsEtcd3: {
        opsPerSec: pairedRatio(ts, e3, (r) => r.opsPerSec),
        clientCpu: pairedRatio(ts, e3, (r) => r.clientCpuUsPerOp),
        extra,
      },
      vsGo:
        tsSummary !== undefined && goSummary !== undefined
          ? { opsPerSec: tsSummary.opsPerSec / goSummary.opsPerSec, clientCpu: tsSummary.clientCpuUsPerOp / goSummary.clientCpuUsPerOp }
          : undefined,
    });
  }
  return out;
}

// --- formatting ---------------------------------------------------------------------------------

function num(x: number, digits = 0): string {
  if (!Number.isFinite(x)) return '—';
  return x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function us(x: number): string {
  return num(x, Number.isFinite(x) && x < 10 ? 1 : 0);
}

function ms(x: number): string {
  return num(x, Number.isFinite(x) && x < 10 ? 2 : 1);
}

function ratio(x: number | undefined): string {
  return x === undefined || !Number.isFinite(x) ? '' : `${x.toFixed(2)}x`;
}

function notes(s: WorkloadSummary, c: ClientSummary): string {
  const e = c.extra;
  const parts: string[] = [];
  switch (s.workload.kind) {
    case 'get-large':
      parts.push(`${num(e.mibPerSec ?? NaN)} MiB/s`);
      break;
    case 'watch':
      parts.push(`writer ${num(e.writerOpsPerSec ?? NaN)} puts/s, put p99 ${ms(e.writerP99Ms ?? NaN)} ms`);
      if (c.client !== 'go') parts.push(`lost ${num(e.lost ?? NaN)}, repeated ${num(e.repeated ?? NaN)}`);
      // A watcher that fell behind gets etcd's events in large batches: its CPU per event is that
      // of another regime, not comparable with one that kept up.
      if (c.p50Ms > 2 * (e.writerP99Ms ?? Infinity)) parts.push('LAGGING (event p50 > 2x put p99: batched events, CPU per event not comparable)');
      break;
    case 'watch-many': {
      parts.push(`created in ${num(e.createSeconds ?? NaN, 2)} s, RSS +${num(e.rssMiB ?? NaN, 1)} MiB, heap +${num(e.heapMiB ?? NaN, 1)} MiB`);
      if (c.client === 'etcd-ts') {
        const r = s.vsEtcd3.extra;
        if (Number.isFinite(r.createSeconds ?? NaN)) parts.push(`time ${ratio(r.createSeconds)}, RSS ${ratio(r.rssMiB)} of etcd3`);
      }
      break;
    }
    case 'snapshot-slow':
      parts.push(`read ${num(e.mibRead ?? NaN, 1)} MiB, RSS growth ${num(e.rssGrowthMiB ?? NaN, 1)} MiB`);
      break;
    default:
      break;
  }
  return parts.join('; ');
}

/** The results table (one row per client and workload), as text. */
export function resultsTable(summaries: readonly WorkloadSummary[]): string {
  const table = new Table({
    head: ['workload', 'client', 'ops/s', '× etcd3', 'p50 / p99 ms', 'client CPU µs/op', '× etcd3', 'etcd CPU µs/op', 'other load', 'notes'],
    style: { head: [], border: [] },
  });
  for (const s of summaries) {
    s.clients.forEach((c, i) => {
      const first = i === 0 ? s.workload.id : '';
      if (c.skipped !== undefined) {
        table.push([first, c.client, { colSpan: 8, content: `skipped: ${c.skipped}` }]);
        return;
      }
      const vsOps = c.client === 'etcd-ts' ? s.vsEtcd3.opsPerSec : undefined;
      const vsCpu = c.client === 'etcd-ts' ? s.vsEtcd3.clientCpu : undefined;
      const load = Number.isFinite(c.maxForeignCores) ? `${c.maxForeignCores.toFixed(2)}${c.maxForeignCores > BUSY_CORES ? ' BUSY' : ''}` : 'n/a';
      table.push([
        first,
        c.client,
        num(c.opsPerSec),
        ratio(vsOps),
        Number.isFinite(c.p50Ms) ? `${ms(c.p50Ms)} / ${ms(c.p99Ms)}` : '—',
        us(c.clientCpuUsPerOp),
        ratio(vsCpu),
        us(c.serverCpuUsPerOp),
        load,
        notes(s, c),
      ]);
    });
  }
  return table.toString();
}

/** One of the targets, checked. `met` is undefined when it could not be measured. */
export interface TargetCheck {
  readonly target: string;
  readonly measured: string;
  readonly met: boolean | undefined;
}

/** Checks the targets against a run. */
export function checkTargets(summaries: readonly WorkloadSummary[]): TargetCheck[] {
  const by = (id: string): WorkloadSummary | undefined => summaries.find((s) => s.workload.id === id);
  const checks: TargetCheck[] = [];
  const add = (target: string, value: number | undefined, ok: (v: number) => boolean, unit = 'x'): void => {
    const v = value ?? NaN;
    checks.push({ target, measured: Number.isFinite(v) ? `${v.toFixed(2)}${unit}` : 'not measured', met: Number.isFinite(v) ? ok(v) : undefined });
  };
  const go = (id: string, f: 'opsPerSec' | 'clientCpu'): number | undefined => by(id)?.vsGo?.[f];
  for (const id of ['put-c16', 'put-c256', 'get-c16', 'get-c256']) add(`${id}: client CPU/op <= 0.6x Go`, go(id, 'clientCpu'), (v) => v <= 0.6);
  for (const id of ['put-c1', 'get-c1']) add(`${id}: client CPU/op <= 1.0x Go`, go(id, 'clientCpu'), (v) => v <= 1.0);
  for (const id of ['put-c256', 'get-c256']) add(`${id}: ops/s >= 1.0x Go`, go(id, 'opsPerSec'), (v) => v >= 1.0);
  add('watch: events/s >= 1.0x Go', go('watch', 'opsPerSec'), (v) => v >= 1.0);
  add('watch: CPU per event <= 0.8x Go', go('watch', 'clientCpu'), (v) => v <= 0.8);
  add('1 MiB get: client CPU/op <= 0.3x etcd3', by('get-1mib')?.vsEtcd3.clientCpu, (v) => v <= 0.3);
  add('1 MiB get: client CPU/op <= 1.0x Go', go('get-1mib', 'clientCpu'), (v) => v <= 1.0);
  add('10,000 watches: RSS <= 0.5x etcd3', by('watch-10k')?.vsEtcd3.extra.rssMiB, (v) => v <= 0.5);
  add('10,000 watches: heap <= 0.5x etcd3', by('watch-10k')?.vsEtcd3.extra.heapMiB, (v) => v <= 0.5);
  const snapshot = by('snapshot-slow')?.clients.find((c) => c.client === 'etcd-ts' && c.skipped === undefined);
  add('snapshot at 1 MiB/s: client RSS growth < 32 MiB', snapshot?.extra.rssGrowthMiB, (v) => v < 32, ' MiB');
  const watch = by('watch')?.clients.find((c) => c.client === 'etcd-ts' && c.skipped === undefined);
  add('watch: events/s keeps up with the writer (>= 0.95x its puts/s)', watch === undefined ? undefined : watch.opsPerSec / (watch.extra.writerOpsPerSec ?? NaN), (v) => v >= 0.95);
  add('watch: put-to-event p99 <= 2x the put p99', watch === undefined ? undefined : watch.p99Ms / (watch.extra.writerP99Ms ?? NaN), (v) => v <= 2);
  add('watch: no event lost or repeated', watch === undefined ? undefined : (watch.extra.lost ?? NaN) + (watch.extra.repeated ?? NaN), (v) => v === 0, ' events');
  return checks;
}

/** The targets table, as text. */
export function targetsTable(checks: readonly TargetCheck[]): string {
  const table = new Table({ head: ['target (issue 14)', 'measured', 'met'], style: { head: [], border: [] } });
  for (const c of checks) table.push([c.target, c.measured, c.met === undefined ? '—' : c.met ? 'yes' : 'NO']);
  return table.toString();
}
