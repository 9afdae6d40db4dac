#!/usr/bin/env node
// One codec-only measurement in a fresh process: `node codec-bench.mjs <codec> <scenario> [warmMs] [windowMs]`.
// Scenarios: encPut, encRange, decRange1, decRange1000 (decode + conversion to the public shape).
// Prints one JSON line: CPU µs per op (process.cpuUsage over the window), wall µs/op, GC count and
// time, machine load during the window.
import { PerformanceObserver } from 'node:perf_hooks';
import { loadCodec } from './codecs/index.mjs';
import { PUT, RANGE, rangeResponseBytes } from './fixtures.mjs';
import { startWindow } from './loadstat.mjs';

const [codecName, scenario, warmArg, windowArg] = process.argv.slice(2);
const warmMs = Number(warmArg ?? 700);
const windowMs = Number(windowArg ?? 2000);
const codec = await loadCodec(codecName);

const range1 = rangeResponseBytes(1);
const range1000 = rangeResponseBytes(1000);
const SCENARIOS = {
  encPut: { batch: 1000, op: () => codec.encodePut(PUT), ok: (r) => r.length > 256 },
  encRange: { batch: 1000, op: () => codec.encodeRange(RANGE), ok: (r) => r.length > 32 },
  decRange1: { batch: 500, op: () => codec.decodeRange(range1), ok: (r) => r.kvs.length === 1 && r.count === 1 },
  decRange1000: { batch: 1, op: () => codec.decodeRange(range1000), ok: (r) => r.kvs.length === 1000 && r.kvs[999].version === 1 + (999 % 7) },
};
const s = SCENARIOS[scenario];
if (!s) throw new Error(`unknown scenario '${scenario}'; known: ${Object.keys(SCENARIOS).join(', ')}`);

let gcCount = 0;
let gcMs = 0;
let measuring = false;
new PerformanceObserver((list) => {
  if (!measuring) return;
  for (const e of list.getEntries()) { gcCount++; gcMs += e.duration; }
}).observe({ entryTypes: ['gc'] });

function loop(ms) {
  const end = performance.now() + ms;
  let ops = 0;
  let last;
  for (;;) {
    for (let i = 0; i < s.batch; i++) last = s.op();
    ops += s.batch;
    if (performance.now() >= end) break;
  }
  if (!s.ok(last)) throw new Error(`${codecName} ${scenario}: wrong result`);
  return ops;
}

loop(warmMs);
await new Promise((r) => setImmediate(r));
measuring = true;
const win = startWindow(undefined);
const c0 = process.cpuUsage();
const t0 = performance.now();
const ops = loop(windowMs);
const wallUs = (performance.now() - t0) * 1000;
const c1 = process.cpuUsage(c0);
const cpuUs = c1.user + c1.system;
const load = win.end(cpuUs / 1e6);
await new Promise((r) => setTimeout(r, 20)); // let the GC observer deliver
console.log(JSON.stringify({
  codec: codecName, scenario, ops,
  cpuUsPerOp: cpuUs / ops, wallUsPerOp: wallUs / ops,
  gcPerKop: (gcCount / ops) * 1000, gcShare: gcMs * 1000 / wallUs,
  ...load,
}));
