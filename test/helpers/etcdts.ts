// Running etcdts and etcdctl from the CLI tests.
//
// etcdts under tsx costs about a second of CPU per command (tsx compiles the sources at every
// start), so the CLI is bundled once per test process by esbuild and each command is then a plain
// `node bundle.mjs` (about 0.15 s). The bundle leaves packages external, so it sits under
// node_modules/.cache to resolve them (and so that `etcdts version` finds package.json above it);
// its folder is named after the test process and removed when that process exits. Folders left by
// test processes that were killed are removed by the next one. ETCDTS_CLI_JS, when set, names a
// built entry to run instead (e.g. `dist/cli/main.cjs`: the same tests on the build).
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root folder (the commands' working directory by default). */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** etcdctl 3.4, the reference the CLI is compared with. */
export const ETCDCTL = existsSync('/usr/bin/etcdctl') ? '/usr/bin/etcdctl' : 'etcdctl';
/** Longest time one command may take before it is SIGKILLed, in ms. */
export const COMMAND_TIMEOUT_MS = 30_000;

const MAIN = join(ROOT, 'src', 'cli', 'main.ts');
const CACHE_DIR = join(ROOT, 'node_modules', '.cache');
const BUNDLE_PREFIX = 'etcd-ts-cli-';

/** What a finished command left: stdout as bytes, stderr as UTF-8, the exit code (null when killed). */
export interface CommandResult {
  stdout: Buffer;
  stderr: string;
  code: number | null;
}

/** How to run a command. */
export interface CommandOptions {
  /** Written to the command's stdin, which is then closed; without it stdin is /dev/null. */
  stdin?: string;
  /** Added to the environment (after ETCDCTL_* of the developer's shell is removed and ETCDCTL_API=3 set). */
  env?: Record<string, string>;
  /** Working directory; default {@link ROOT}. */
  cwd?: string;
  /** Bound in ms, then SIGKILL; default {@link COMMAND_TIMEOUT_MS}. */
  timeout?: number;
}

/** A command still running: `done` settles when it exits; `stdout()` is what it printed so far. */
export interface RunningCommand {
  done: Promise<CommandResult>;
  stdout(): string;
}

/** The environment without any ETCDCTL_* setting of the developer's shell, with ETCDCTL_API=3 and `extra`. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('ETCDCTL_')) env[k] = v;
  return { ...env, ETCDCTL_API: '3', ...extra };
}

/** Starts `file args` once `ready` (the path of the program or nothing) resolves. */
function start(ready: Promise<readonly string[]>, args: readonly string[], options: CommandOptions): RunningCommand {
  const out: Buffer[] = [];
  const done = ready.then(
    (command) =>
      new Promise<CommandResult>((resolve, reject) => {
        const [file, ...pre] = command as [string, ...string[]];
        const stdin = options.stdin === undefined ? 'ignore' : 'pipe';
        const child = spawn(file, [...pre, ...args], { cwd: options.cwd ?? ROOT, env: cleanEnv(options.env), stdio: [stdin, 'pipe', 'pipe'] });
        const err: Buffer[] = [];
        const timer = setTimeout(() => child.kill('SIGKILL'), options.timeout ?? COMMAND_TIMEOUT_MS);
        child.stdout!.on('data', (b: Buffer) => out.push(b));
        child.stderr!.on('data', (b: Buffer) => err.push(b));
        child.on('error', (e) => {
          clearTimeout(timer);
          reject(e);
        });
        child.on('close', (code) => {
          clearTimeout(timer);
          resolve({ stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8'), code });
        });
        if (options.stdin !== undefined) {
          // A command may exit before it reads its input (etcdctl's `put` with the value given):
          // EPIPE then; its exit code and output are what the test checks.
          child.stdin!.on('error', () => {});
          child.stdin!.end(options.stdin);
        }
      }),
  );
  return { done, stdout: () => Buffer.concat(out).toString('utf8') };
}

/** Starts etcdctl with `args`. */
export function startEtcdctl(args: readonly string[], options: CommandOptions = {}): RunningCommand {
  return start(Promise.resolve([ETCDCTL]), args, options);
}

/** Runs etcdctl with `args` to its end. */
export function etcdctl(args: readonly string[], options: CommandOptions = {}): Promise<CommandResult> {
  return startEtcdctl(args, options).done;
}

/** Starts etcdts with `args` (bundling the CLI first if this process has not yet). */
export function startEtcdts(args: readonly string[], options: CommandOptions = {}): RunningCommand {
  return start(etcdtsCommand(), args, options);
}

/** Runs etcdts with `args` to its end. */
export function etcdts(args: readonly string[], options: CommandOptions = {}): Promise<CommandResult> {
  return startEtcdts(args, options).done;
}

/** A result with stdout decoded as UTF-8. */
export function asText(r: CommandResult): { stdout: string; stderr: string; code: number | null } {
  return { stdout: r.stdout.toString('utf8'), stderr: r.stderr, code: r.code };
}

let command: Promise<readonly string[]> | undefined;

/** `[node, entry]` to run etcdts: ETCDTS_CLI_JS, else this process's bundle (made at the first call). */
export function etcdtsCommand(): Promise<readonly string[]> {
  const built = process.env.ETCDTS_CLI_JS;
  if (built) return Promise.resolve([process.execPath, built]);
  command ??= bundle().then((entry) => [process.execPath, entry]);
  return command;
}

/** Bundles src/cli/main.ts (the entry, which loads program.ts) into this process's folder under node_modules/.cache; the entry's path. */
async function bundle(): Promise<string> {
  removeOrphans();
  const dir = join(CACHE_DIR, `${BUNDLE_PREFIX}${process.pid}`);
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const { build, stop } = await import('esbuild');
  try {
    // Split at the dynamic imports as the package's build is, so the tests run the lazy loading too.
    await build({
      entryPoints: { main: MAIN },
      bundle: true,
      splitting: true,
      platform: 'node',
      format: 'esm',
      packages: 'external',
      target: 'node20',
      outdir: dir,
      outExtension: { '.js': '.mjs' },
      logLevel: 'silent',
    });
  } finally {
    // esbuild keeps a service process running until stopped: none is left behind once bundled.
    await stop();
  }
  return join(dir, 'main.mjs');
}

/** Removes bundle folders of test processes that no longer run (killed before their exit handler). */
function removeOrphans(): void {
  let names: string[];
  try {
    names = readdirSync(CACHE_DIR);
  } catch {
    return; // no cache folder yet
  }
  for (const name of names) {
    if (!name.startsWith(BUNDLE_PREFIX)) continue;
    const pid = Number(name.slice(BUNDLE_PREFIX.length));
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || alive(pid)) continue;
    rmSync(join(CACHE_DIR, name), { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
