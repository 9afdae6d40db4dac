// Shared orchestration: fresh child process per (codec, scenario, rep), codecs interleaved in
// alternating order across reps, a short wait for a quieter machine before each run, and one retry
// of a run whose foreign load was high (the cleaner attempt is kept). Results go to results/*.json.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sampleBusyCores } from './loadstat.mjs';

export const here = dirname(fileURLToPath(import.meta.url));

/** Busy cores (whole machine) under which a run may start. */
const QUIET_CORES = 0.3;
/** Longest wait for a quieter machine before a run starts anyway (ms). */
const QUIET_MAX_WAIT_MS = 2000;
/** A run whose foreign load exceeded this (cores) is repeated once. */
const RETRY_FOREIGN_CORES = 0.8;
const MAX_ATTEMPTS = 2;

/** Runs `node <args>` pinned to `cpu` with taskset; resolves with its last stdout line as JSON. */
export function runNode(args, cpu) {
  return new Promise((resolve, reject) => {
    const child = spawn('taskset', ['-c', String(cpu), process.execPath, ...args], { cwd: here, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code !== 0) { reject(new Error(`node ${args.join(' ')} exited with ${code ?? signal}`)); return; }
      const lines = out.trim().split('\n');
      resolve(JSON.parse(lines[lines.length - 1]));
    });
  });
}

async function waitQuiet() {
  const t0 = performance.now();
  let busy = await sampleBusyCores(300);
  while (busy > QUIET_CORES && performance.now() - t0 < QUIET_MAX_WAIT_MS) busy = await sampleBusyCores(300);
  return busy;
}

/**
 * Runs every (scenario, codec) `reps` times: codec order forward on even reps, reversed on odd.
 * `runOne(codec, scenario)` returns the child's JSON. `afterRep(rep)` runs between reps.
 */
export async function runMatrix({ kind, codecs, scenarios, reps, runOne, afterRep }) {
  const results = [];
  const started = Date.now();
  for (let rep = 0; rep < reps; rep++) {
    const order = rep % 2 === 0 ? codecs : [...codecs].reverse();
    for (const scenario of scenarios) {
      for (const codec of order) {
        let best;
        for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
          const busyBefore = await waitQuiet();
          const r = { ...(await runOne(codec, scenario)), rep, attempt, busyBefore };
          if (best === undefined || r.foreignCores < best.foreignCores) best = r;
          if (r.foreignCores <= RETRY_FOREIGN_CORES) break;
        }
        results.push(best);
        process.stderr.write(`${kind} rep ${rep + 1}/${reps} ${scenario} ${codec}: ${best.cpuUsPerOp.toFixed(1)} µs/op` +
          `${best.opsPerSec ? `, ${Math.round(best.opsPerSec)} ops/s` : ''}, foreign ${best.foreignCores.toFixed(2)} cores\n`);
      }
    }
    if (afterRep) await afterRep(rep);
  }
  const file = join(here, 'results', `${kind}-${new Date(started).toISOString().replace(/[:.]/g, '-')}.json`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify({ kind, codecs, scenarios, reps, node: process.version, started: new Date(started).toISOString(), minutes: (Date.now() - started) / 60000, results }, null, 1));
  return file;
}

/** `--name=value` command-line options with defaults. */
export function options(defaults) {
  const o = { ...defaults };
  for (const a of process.argv.slice(2)) {
    const m = /^--([\w-]+)=(.*)$/.exec(a);
    if (!m || !(m[1] in defaults)) throw new Error(`unknown option ${a}; known: ${Object.keys(defaults).map((k) => `--${k}=`).join(' ')}`);
    o[m[1]] = typeof defaults[m[1]] === 'number' ? Number(m[2]) : m[2];
  }
  return o;
}
