// The runtime suite's common ground: which runtime runs the tests, the built package as that
// runtime loads it, and running a child of the same runtime (a script, or the etcdts CLI).
//
// The suite tests the package as users of Node, Bun and Deno get it: the build in dist/ (Deno
// users import `npm:etcd-ts`, Bun and Node users the package's "import" entry), not the sources
// through a loader. The modules are loaded with a dynamic import and typed as their sources, so
// `tsc` checks these files before anything is built. Not a test file itself (no `.test.ts`).
//
// Deno reads deno.json at the root: "sloppy-imports" lets it resolve the `.js` specifiers of our
// TypeScript imports to their `.ts` files (as tsc, tsx and Bun do), and its own "compilerOptions"
// keep it from applying tsconfig.json's Node-only `types`/`lib` when it type-checks the tests.
import { spawn } from 'node:child_process';
import { after, before } from 'node:test';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The repository's root folder. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The runtime running this process. */
export const RUNTIME: 'node' | 'bun' | 'deno' = process.versions.bun ? 'bun' : process.versions.deno ? 'deno' : 'node';

/** The runtime's version, e.g. `1.4.5`. */
export const RUNTIME_VERSION: string = process.versions[RUNTIME] ?? process.version;

async function load<T>(entry: string): Promise<T> {
  const file = join(ROOT, 'dist', entry);
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` before the runtime suite`);
  return (await import(pathToFileURL(file).href)) as T;
}

/** `etcd-ts` as built (dist/index.js). */
export const etcd = await load<typeof import('../../src/index.js')>('index.js');
/** `etcd-ts/testing` as built (dist/testing/index.js). */
export const testing = await load<typeof import('../../src/testing/index.js')>('testing/index.js');

/** A cluster of `etcd-ts/testing` as built. */
export type Cluster = InstanceType<(typeof testing)['EtcdCluster']>;
/** A client as built. */
export type BuiltClient = InstanceType<(typeof etcd)['Client']>;

/**
 * One cluster for the whole test file: started in `before`, closed in `after` (also when a test
 * failed). Read `.cluster` and `.client` (a client of every member) inside the tests.
 */
export function fileCluster(options: Parameters<(typeof testing)['EtcdCluster']['start']>[0] = { size: 1 }): { readonly cluster: Cluster; readonly client: BuiltClient } {
  const state: { cluster?: Cluster; client?: BuiltClient } = {};
  before(async () => {
    state.cluster = await testing.EtcdCluster.start(options);
    state.client = state.cluster.client();
  });
  after(async () => {
    await state.cluster?.close();
  });
  return {
    get cluster() {
      if (state.cluster === undefined) throw new Error('fileCluster: the cluster is not started (use it inside a test)');
      return state.cluster;
    },
    get client() {
      if (state.client === undefined) throw new Error('fileCluster: the cluster is not started (use it inside a test)');
      return state.client;
    },
  };
}

/** The built CLI entry (`etcdts`). */
export const CLI = join(ROOT, 'dist', 'cli', 'main.cjs');
/** Folder of the child scripts. */
export const FIXTURES = join(ROOT, 'test', 'runtimes', 'fixtures');

/** How this runtime runs a JavaScript file: `node f`, `bun f`, `deno run --allow-all f`. */
export function runArgs(file: string): [string, string[]] {
  return [process.execPath, RUNTIME === 'deno' ? ['run', '--allow-all', file] : [file]];
}

/** What a finished child left. */
export interface ChildResult {
  stdout: string;
  stderr: string;
  /** Exit code; null when it was killed. */
  code: number | null;
  signal: NodeJS.Signals | null;
  /** True when it did not exit by itself within the bound and was SIGKILLed. */
  killed: boolean;
}

/** Options of {@link runChild}. */
export interface ChildOptions {
  args?: string[];
  env?: Record<string, string>;
  /** Written to stdin, which is then closed; without it stdin is /dev/null. */
  stdin?: string | Buffer;
  /** Working directory; default the repository's root. */
  cwd?: string;
  /** Bound in ms after which the child counts as hung and is SIGKILLed; default 30 s. */
  timeout?: number;
  /** Called with every stdout chunk as it arrives (e.g. to act once the child printed a line). */
  onStdout?: (text: string, child: { kill(signal: NodeJS.Signals): void }) => void;
}

/** A child still running: `done` settles when it has exited and its output is read. */
export interface RunningChild {
  readonly done: Promise<ChildResult>;
  readonly pid: number | undefined;
  kill(signal: NodeJS.Signals): void;
}

/** Runs `file` (a script or the CLI) as a child of this runtime; see {@link ChildOptions}. */
export function startChild(file: string, options: ChildOptions = {}): RunningChild {
  const [command, pre] = runArgs(file);
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('ETCDCTL_')) env[k] = v;
  // Deno prints colour codes and update notes unless told otherwise; tests compare plain text.
  Object.assign(env, { NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' }, options.env);
  const child = spawn(command, [...pre, ...(options.args ?? [])], {
    cwd: options.cwd ?? ROOT,
    env,
    stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  let killed = false;
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  // process.kill, not child.kill(): Deno's ChildProcess sends only the first signal it is given.
  const handle = {
    kill: (signal: NodeJS.Signals) => {
      try {
        if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) process.kill(child.pid, signal);
      } catch {
        // Already gone.
      }
    },
  };
  const done = new Promise<ChildResult>((resolve, reject) => {
    const timer = setTimeout(() => {
      killed = true;
      handle.kill('SIGKILL');
    }, options.timeout ?? 30_000);
    child.stdout!.on('data', (b: Buffer) => {
      out.push(b);
      options.onStdout?.(Buffer.concat(out).toString('utf8'), handle);
    });
    child.stderr!.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), code, signal, killed });
    });
  });
  if (options.stdin !== undefined) child.stdin!.end(options.stdin);
  return { done, pid: child.pid, kill: handle.kill };
}

/** Runs `file` to its end; see {@link startChild}. */
export function runChild(file: string, options: ChildOptions = {}): Promise<ChildResult> {
  return startChild(file, options).done;
}

/** Runs the built `etcdts` CLI with `args` on this runtime. */
export function etcdts(args: string[], options: Omit<ChildOptions, 'args'> = {}): Promise<ChildResult> {
  return runChild(CLI, { ...options, args });
}

/** The child's output for an assertion message. */
export function describeChild(r: ChildResult): string {
  return `exit ${r.code} signal ${r.signal}${r.killed ? ' (hung: killed)' : ''}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
}

/** Waits until `condition()` holds, polling every 50 ms; throws naming `what` after `timeout` ms. */
export async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeout = 15_000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeout} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
