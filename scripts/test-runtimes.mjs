// Runs the runtime suite (test/runtimes/*.test.ts) on Node, Bun and Deno, each with its own test
// runner: `node --test` (through tsx, as the rest of the tests), `bun test`, `deno test
// --allow-all`. The same files, unchanged; they test the build in dist/ (run `npm run build`
// first; `npm run test:runtimes` does). Bun and Deno are the pinned versions that
// scripts/setup-runtimes.mjs installs from npm.
//
// Usage: node scripts/test-runtimes.mjs [node] [bun] [deno]   (default: all three)
//
// Prints each runner's output as it comes, then one line per runtime and a closing
// `runtimes: N passed, N failed` (tests, summed over the runtimes). Exits 1 when a runtime cannot
// be installed or run, when its runner fails or reports no test, or when any test failed.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

import { RUNTIME_VERSIONS, setupRuntimes } from './setup-runtimes.mjs';

const root = resolve(import.meta.dirname, '..');
const suite = join('test', 'runtimes');
/** One runner past this is stuck: its process group is killed and the runtime fails (ms). */
const RUNNER_TIMEOUT_MS = 10 * 60_000;

const wanted = process.argv.slice(2);
const all = ['node', 'bun', 'deno'];
for (const name of wanted) if (!all.includes(name)) throw new Error(`test-runtimes: unknown runtime ${name} (node, bun, deno)`);
const runtimes = wanted.length > 0 ? wanted : all;

if (!existsSync(join(root, 'dist', 'index.js')) || !existsSync(join(root, 'dist', 'cli', 'main.cjs'))) {
  console.error('test-runtimes: dist/ is missing: run `npm run build` first');
  process.exit(1);
}

// Bun and Deno (exits 1 naming the problem when one cannot be installed: CI fails, never skips).
const paths = runtimes.some((r) => r !== 'node') ? setupRuntimes() : {};
const files = readdirSync(join(root, suite)).filter((f) => f.endsWith('.test.ts')).sort().map((f) => join(suite, f));

/** The runner command of each runtime, and how to read its pass/fail counts from its output. */
const runners = {
  node: {
    version: process.versions.node,
    command: [process.execPath, '--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=1', '--test-timeout=180000', ...files],
    counts: (out) => ({ passed: last(out, /^ℹ pass (\d+)$/gm), failed: last(out, /^ℹ fail (\d+)$/gm) }),
  },
  bun: {
    version: RUNTIME_VERSIONS.bun,
    // A path filter (no leading ./): older Bun releases take only filters.
    command: [paths.bun, 'test', '--timeout', '180000', `${suite}/`],
    counts: (out) => ({ passed: last(out, /^ *(\d+) pass$/gm), failed: last(out, /^ *(\d+) fail$/gm) }),
  },
  deno: {
    version: RUNTIME_VERSIONS.deno,
    command: [paths.deno, 'test', '--allow-all', `${suite}/`],
    counts: (out) => ({ passed: last(out, /^(?:ok|FAILED) \| (\d+) passed/gm), failed: last(out, /^(?:ok|FAILED) \| \d+ passed[^|]*\| (\d+) failed/gm) }),
  },
};

function last(text, pattern) {
  // Deno colours its summary even with NO_COLOR when not on a terminal; read it without.
  const plain = text.replace(/\x1b\[[0-9;]*m/g, '');
  const matches = [...plain.matchAll(pattern)];
  return matches.length === 0 ? undefined : Number(matches.at(-1)[1]);
}

function runOne(name) {
  const { command } = runners[name];
  const [file, ...args] = command;
  const started = Date.now();
  return new Promise((resolveRun) => {
    // The runtimes' folders first on PATH, so anything that looks for `bun` or `deno` finds these.
    const binDirs = Object.values(paths).map((p) => dirname(p));
    const env = { ...process.env, PATH: [...binDirs, process.env.PATH].join(':'), NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1', FORCE_COLOR: '0' };
    const child = spawn(file, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    const take = (stream) => (chunk) => {
      out += chunk.toString('utf8');
      stream.write(chunk);
    };
    child.stdout.on('data', take(process.stdout));
    child.stderr.on('data', take(process.stderr));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Gone already.
      }
    }, RUNNER_TIMEOUT_MS);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolveRun({ code: null, out: `${out}\n${error.message}`, seconds: (Date.now() - started) / 1000, error: error.message });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolveRun({ code, signal, out, timedOut, seconds: (Date.now() - started) / 1000 });
    });
  });
}

/** The pass/fail counts of one run of a runtime's suite, and what went wrong beyond failed tests (`problem`, undefined if nothing). */
function problemOf(name, r) {
  const { passed, failed } = runners[name].counts(r.out);
  if (r.error !== undefined) return { passed, failed, problem: `could not run: ${r.error}` };
  if (r.timedOut) return { passed, failed, problem: `no result within ${RUNNER_TIMEOUT_MS / 60_000} min (killed)` };
  if (passed === undefined || failed === undefined) return { passed, failed, problem: `no pass/fail counts in the output (exit ${r.code ?? r.signal})` };
  if (passed + failed === 0) return { passed, failed, problem: 'ran no test' };
  if (r.code !== 0 && failed === 0) return { passed, failed, problem: `the runner exited ${r.code ?? r.signal} with no failed test` };
  return { passed, failed, problem: undefined };
}

const results = [];
for (const name of runtimes) {
  console.log(`\n=== runtime suite on ${name} ${runners[name].version}: ${runners[name].command.slice(1, 4).join(' ')} ...`);
  const began = Date.now();
  let outcome = problemOf(name, await runOne(name));
  let flaky;
  // A run with failed tests (and nothing else wrong) is run once more, as the etcdctl e2e runner
  // does: the fault tests kill and freeze members on a small shared machine. Both runs' counts
  // are printed; a failure seen only once is reported as FLAKY, never hidden.
  if (outcome.problem === undefined && outcome.failed > 0) {
    flaky = outcome.failed;
    console.log(`\n=== ${name}: ${outcome.failed} failed; running its suite once more`);
    outcome = problemOf(name, await runOne(name));
  }
  results.push({ name, passed: outcome.passed ?? 0, failed: outcome.failed ?? 0, problem: outcome.problem, flaky, seconds: (Date.now() - began) / 1000 });
}

console.log('\n=== runtime suite summary');
for (const { name, passed, failed, problem, flaky, seconds } of results) {
  const verdict = problem === undefined && failed === 0 ? (flaky === undefined ? 'PASS' : 'FLAKY') : 'FAIL';
  const first = flaky === undefined ? '' : ` (first run: ${flaky} failed, see above)`;
  console.log(`${verdict} ${name} ${runners[name].version}: ${passed} passed, ${failed} failed${first}${problem === undefined ? '' : `; ${problem}`} (${seconds.toFixed(0)} s)`);
}
const passed = results.reduce((n, r) => n + r.passed, 0);
const failed = results.reduce((n, r) => n + r.failed, 0);
console.log(`runtimes: ${passed} passed, ${failed} failed`);
process.exit(results.every((r) => r.problem === undefined && r.failed === 0) ? 0 : 1);
