/**
 * `npm run bench:startup`: what one `etcdts` command costs from exec to exit, next to etcdctl's.
 *
 * etcd's etcdctl e2e suite (scripts/etcdctl-e2e.sh) runs hundreds of commands with fixed time
 * budgets, so the cost of a process start counts there, not the cost of a call on a warm client.
 * Starts one etcd with etcd-ts/testing (data on /dev/shm, pinned like `npm run bench`), then runs
 * each command with each program in a fresh process, interleaved (the order alternates between
 * repetitions), and prints the medians of the wall time and of the CPU time (user + system, from
 * the kernel's accounting of the finished process, read by bash's `time`) and the ratios.
 * Programs: etcdctl (the Go one, when installed), etcdts (`node dist/cli/main.cjs`, the build: run
 * `npm run build` first; its V8 code cache made by the unmeasured first run, see
 * src/cli/code-cache.ts), etcdts-nocache (the same with NODE_DISABLE_COMPILE_CACHE=1: the cache's
 * share), and with `--base DIR` a second build (DIR/dist/cli/main.cjs, or main.js of builds before
 * it, e.g. main's) for an A/B of a change. The machine is shared and noisy: compare ratios of the
 * same run.
 *
 * Usage: node --import tsx bench/startup.ts [--reps N] [--base DIR] [--only put,get,...]
 *        [--runtime node|bun|deno] [--no-pin] [--json FILE]
 */
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import Table from 'cli-table3';
import { CLIENT_CPU, startBenchEtcd } from './lib/etcd.js';
import { median } from './lib/stats.js';
import { PROJECT_ROOT } from './lib/spawn.js';

/** One measured command: its arguments after the global flags, and what it needs first. */
interface StartupCommand {
  id: string;
  args: string[];
  /** False for commands that do not connect (no `--endpoints` given). */
  network: boolean;
}

/** The commands measured: the suite's most common ones, and `version` (no connection: the load alone). */
const COMMANDS: readonly StartupCommand[] = [
  { id: 'put', args: ['put', 'bench/startup', 'value'], network: true },
  { id: 'get', args: ['get', 'bench/startup'], network: true },
  { id: 'get-json', args: ['get', 'bench/startup', '-w', 'json'], network: true },
  { id: 'endpoint-health', args: ['endpoint', 'health'], network: true },
  { id: 'version', args: ['version'], network: false },
];

/** A program to start: how, and under what name it is reported. */
interface Program {
  name: string;
  argv: string[];
}

/** One finished run: wall and CPU time in ms. */
interface Sample {
  wallMs: number;
  cpuMs: number;
}

/** Longest time one command may take, ms (then it is killed and the bench fails). */
const RUN_TIMEOUT_MS = 30_000;

/**
 * Runs `argv` once under bash's `time` (pinned to `cpu` when given) and returns its wall and CPU
 * time (user + system of the process and its children, ms). Its stdout is dropped.
 * @throws Error when it exits non-zero (with its stderr) or runs longer than RUN_TIMEOUT_MS.
 */
function runOnce(argv: readonly string[], cpu: number | undefined): Promise<Sample> {
  const command = cpu === undefined ? [...argv] : ['taskset', '-c', String(cpu), ...argv];
  // fd 3: the timing line; fd 4: the command's own stderr.
  const script = 'TIMEFORMAT="%3R %3U %3S"; { time "$@" >/dev/null 2>&4; } 2>&3';
  return new Promise((resolvePromise, reject) => {
    const child = spawn('bash', ['-c', script, 'bash', ...command], { cwd: PROJECT_ROOT, stdio: ['ignore', 'ignore', 'inherit', 'pipe', 'pipe'] });
    let timing = '';
    let stderr = '';
    child.stdio[3]!.on('data', (b: Buffer) => (timing += b.toString()));
    child.stdio[4]!.on('data', (b: Buffer) => (stderr += b.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const [real, user, sys] = timing.trim().split(/\s+/).map(Number);
      if (code !== 0 || real === undefined || !Number.isFinite(real)) {
        reject(new Error(`${argv.join(' ')}: exit ${code ?? signal}${stderr === '' ? '' : `: ${stderr.trim().slice(0, 500)}`}`));
        return;
      }
      resolvePromise({ wallMs: real * 1000, cpuMs: ((user ?? 0) + (sys ?? 0)) * 1000 });
    });
  });
}

function settings() {
  const { values } = parseArgs({
    options: {
      reps: { type: 'string', default: '15' },
      base: { type: 'string' },
      only: { type: 'string' },
      runtime: { type: 'string', default: 'node' },
      'no-pin': { type: 'boolean', default: false },
      json: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(
      [
        'node --import tsx bench/startup.ts [options]',
        '  --reps N         runs of each command with each program (default 15)',
        '  --base DIR       also run DIR/dist/cli/main.cjs (or main.js: another build, e.g. of main) as "base"',
        `  --only IDS       comma-separated commands: ${COMMANDS.map((c) => c.id).join(', ')}`,
        '  --runtime NAME   run etcdts with node (default), bun or deno (on PATH)',
        '  --no-pin         do not pin etcd and the commands to separate cores',
        '  --json FILE      also write every run as JSON',
      ].join('\n'),
    );
    process.exit(0);
  }
  const reps = Number(values.reps);
  if (!Number.isSafeInteger(reps) || reps < 1) throw new Error(`--reps must be a positive integer, got '${values.reps}'`);
  const ids = values.only?.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const commands = ids === undefined ? [...COMMANDS] : ids.map((id) => {
    const c = COMMANDS.find((x) => x.id === id);
    if (c === undefined) throw new Error(`unknown command '${id}'; known: ${COMMANDS.map((x) => x.id).join(', ')}`);
    return c;
  });
  const runtimeArgs: Record<string, string[]> = { node: [process.execPath], bun: ['bun'], deno: ['deno', 'run', '-A'] };
  const runtime = runtimeArgs[values.runtime];
  if (runtime === undefined) throw new Error(`--runtime must be node, bun or deno, got '${values.runtime}'`);
  const programs: Program[] = [];
  const etcdctl = existsSync('/usr/bin/etcdctl') ? '/usr/bin/etcdctl' : undefined;
  if (etcdctl !== undefined) programs.push({ name: 'etcdctl', argv: [etcdctl] });
  const main = join(PROJECT_ROOT, 'dist', 'cli', 'main.cjs');
  if (!existsSync(main)) throw new Error(`${main} is missing: run \`npm run build\` first`);
  programs.push({ name: 'etcdts', argv: [...runtime, main] });
  programs.push({ name: 'etcdts-nocache', argv: ['env', 'NODE_DISABLE_COMPILE_CACHE=1', ...runtime, main] });
  if (values.base !== undefined) {
    const dir = join(resolve(values.base), 'dist', 'cli');
    const base = ['main.cjs', 'main.js'].map((f) => join(dir, f)).find((f) => existsSync(f));
    if (base === undefined) throw new Error(`no ${dir}/main.cjs or main.js: build DIR first`);
    programs.push({ name: 'base', argv: [...runtime, base] });
  }
  return { reps, commands, programs, pin: !values['no-pin'], json: values.json, runtime: values.runtime };
}

async function main(): Promise<void> {
  const s = settings();
  const etcd = await startBenchEtcd(s.pin, []);
  try {
    const cpu = etcd.pinned ? CLIENT_CPU : undefined;
    await etcd.admin.put('bench/startup', 'value');
    console.log(
      `etcdts start-up bench: ${s.runtime}, etcd ${etcd.version}, ${etcd.pinned ? `commands pinned to core ${CLIENT_CPU}` : 'not pinned'}; ` +
        `${s.reps} runs of each command with each program, interleaved`,
    );
    const samples = new Map<string, Sample[]>();
    const key = (command: StartupCommand, program: Program): string => `${command.id}\0${program.name}`;
    for (const command of s.commands) {
      const args = command.network ? ['--endpoints', etcd.endpoint, ...command.args] : command.args;
      // One unmeasured run each first (the page cache, etcd's first request).
      for (const program of s.programs) await runOnce([...program.argv, ...args], cpu);
      for (let rep = 0; rep < s.reps; rep++) {
        const order = rep % 2 === 0 ? s.programs : [...s.programs].reverse();
        for (const program of order) {
          const sample = await runOnce([...program.argv, ...args], cpu);
          const list = samples.get(key(command, program)) ?? [];
          list.push(sample);
          samples.set(key(command, program), list);
        }
      }
    }
    const etcdctl = s.programs.find((p) => p.name === 'etcdctl');
    const base = s.programs.find((p) => p.name === 'base');
    const head = ['command', 'program', 'wall ms', 'CPU ms'];
    if (etcdctl !== undefined) head.push('CPU / etcdctl', 'wall / etcdctl');
    if (base !== undefined) head.push('CPU / base', 'wall / base');
    const table = new Table({ head, style: { head: [], border: [] } });
    for (const command of s.commands) {
      const med = (program: Program, field: keyof Sample): number => median((samples.get(key(command, program)) ?? []).map((x) => x[field]));
      for (const program of s.programs) {
        const row = [command.id, program.name, med(program, 'wallMs').toFixed(0), med(program, 'cpuMs').toFixed(0)];
        for (const ref of [etcdctl, base]) {
          if (ref === undefined) continue;
          row.push((med(program, 'cpuMs') / med(ref, 'cpuMs')).toFixed(2), (med(program, 'wallMs') / med(ref, 'wallMs')).toFixed(2));
        }
        table.push(row);
      }
    }
    console.log(table.toString());
    console.log('Medians over the runs; CPU is user + system time of the whole process (the runtime\'s start included).');
    if (s.json !== undefined) {
      const runs = s.commands.map((c) => ({ command: c.id, programs: Object.fromEntries(s.programs.map((p) => [p.name, samples.get(key(c, p)) ?? []])) }));
      writeFileSync(s.json, JSON.stringify({ runtime: s.runtime, reps: s.reps, runs }, null, 2));
    }
  } finally {
    await etcd.cluster.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
