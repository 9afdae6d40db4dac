#!/usr/bin/env node
// Turns a results/*.json file into markdown tables: medians with min–max per (codec, scenario),
// the ratio to protobuf-es within the same rep, and the machine load during the windows.
//   node report.mjs results/<file>.json
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmt = (x) => {
  const a = Math.abs(x);
  if (a >= 1000) return Math.round(x).toLocaleString('en-US');
  if (a >= 100) return x.toFixed(0);
  if (a >= 10) return x.toFixed(1);
  return x.toFixed(2);
};
const stat = (xs, f = fmt) => `${f(median(xs))} (${f(Math.min(...xs))}–${f(Math.max(...xs))})`;
const r2 = (x) => x.toFixed(2);

export function report(file) {
  const data = JSON.parse(readFileSync(file, 'utf8'));
  const { codecs, scenarios, results } = data;
  const e2e = data.kind === 'e2e';
  const cell = (codec, scenario) => results.filter((r) => r.codec === codec && r.scenario === scenario);
  const ratios = (codec, scenario) => {
    const base = cell('es', scenario);
    return cell(codec, scenario).map((r) => r.cpuUsPerOp / base.find((b) => b.rep === r.rep).cpuUsPerOp);
  };
  const table = (title, f) => {
    const lines = [`| ${title} | ${scenarios.join(' | ')} |`, `|---|${scenarios.map(() => '---').join('|')}|`];
    for (const c of codecs) lines.push(`| ${c} | ${scenarios.map((s) => f(c, s)).join(' | ')} |`);
    return lines.join('\n');
  };
  const out = [`### ${data.kind}: ${file.split('/').pop()} (${data.reps} reps, node ${data.node}, ${data.minutes.toFixed(1)} min)`, ''];
  out.push(table('client CPU µs/op, median (min–max)', (c, s) => stat(cell(c, s).map((r) => r.cpuUsPerOp))), '');
  out.push(table('CPU × protobuf-es, same rep', (c, s) => stat(ratios(c, s), r2)), '');
  if (e2e) {
    out.push(table('ops/s, median (min–max)', (c, s) => stat(cell(c, s).map((r) => r.opsPerSec))), '');
    out.push(table('p50 / p99 latency µs (medians)', (c, s) => `${fmt(median(cell(c, s).map((r) => r.p50Us)))} / ${fmt(median(cell(c, s).map((r) => r.p99Us)))}`), '');
    out.push(table('etcd cores (median)', (c, s) => r2(median(cell(c, s).map((r) => r.etcdCores)))), '');
  } else {
    out.push(table('GC: collections per 1000 ops · share of wall time (medians)', (c, s) =>
      `${fmt(median(cell(c, s).map((r) => r.gcPerKop)))} · ${(100 * median(cell(c, s).map((r) => r.gcShare))).toFixed(0)}%`), '');
  }
  out.push(table('foreign cores in window: median (max) · steal max · retried', (c, s) => {
    const rs = cell(c, s);
    return `${r2(median(rs.map((r) => r.foreignCores)))} (${r2(Math.max(...rs.map((r) => r.foreignCores)))}) · ` +
      `${r2(Math.max(...rs.map((r) => r.stealCores)))} · ${rs.filter((r) => r.attempt > 1).length}`;
  }));
  return out.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (!process.argv[2]) { console.error('usage: node report.mjs results/<file>.json'); process.exit(2); }
  console.log(report(process.argv[2]));
}
