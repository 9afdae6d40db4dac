/**
 * The Go client's figures: bench/go-clientv3/main.go (a load generator on Go's `clientv3`, etcd
 * 3.4) built with Debian's `golang-go` + `golang-etcd-server-dev` (GOPATH mode, no network), and
 * its one-line JSON result mapped to a `RunResult`. Without those packages the Go rows are left
 * out and the report says so.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { WriterResult } from '../writer.js';
import { cpuWindow, processCpuSeconds } from './proc.js';
import { runChild } from './spawn.js';
import { runWriter, watchRunPrefix, type WriterProcess } from './watch-writer.js';
import { DATA, type RunResult, type Workload } from './workloads.js';

const SOURCE_DIR = fileURLToPath(new URL('../go-clientv3/', import.meta.url));
/** Where Debian's `golang-etcd-server-dev` puts the Go client's sources (GOPATH layout). */
const DEBIAN_GOPATH = '/usr/share/gocode';
/** Longest time a Go run may take, ms. */
const GO_RUN_TIMEOUT_MS = 180_000;
/** How often the Go process's CPU time is sampled (for the machine-load figure), ms. */
const CPU_POLL_MS = 100;

/**
 * Builds the Go program once per source version (cached under the OS temp folder) and returns the
 * binary's path, or a sentence saying why there is none.
 */
export async function buildGoBench(): Promise<{ binary: string } | { missing: string }> {
  if (!existsSync(join(DEBIAN_GOPATH, 'src/go.etcd.io/etcd/clientv3'))) {
    return { missing: 'Go client sources not installed (apt-get install golang-go golang-etcd-server-dev)' };
  }
  const source = readFileSync(join(SOURCE_DIR, 'main.go'));
  const hash = createHash('sha256').update(source).digest('hex').slice(0, 16);
  const dir = join(tmpdir(), 'etcd-ts-bench-go', hash);
  const binary = join(dir, 'etcd-bench-go');
  if (existsSync(binary)) return { binary };
  mkdirSync(dir, { recursive: true });
  try {
    await promisify(execFile)('go', ['build', '-o', binary, '.'], {
      cwd: SOURCE_DIR,
      env: { ...process.env, GO111MODULE: 'off', GOPATH: DEBIAN_GOPATH, GOCACHE: join(dirname(dir), 'cache'), GOFLAGS: '' },
    });
  } catch (error) {
    return { missing: `go build failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}` };
  }
  return { binary };
}

/** The Go program's result line (the fields used here). */
interface GoResult {
  n: number;
  seconds: number;
  ops_per_s: number;
  p50_ms: number;
  p99_ms: number;
  client_cpu_us_per_op: number;
  server_cpu_us_per_op?: number;
  errors: number;
}

/** What the Go program prints on stdout once its watch exists, with `--no-putter`. */
const WATCHING_LINE = 'WATCHING';

/** Options of one Go run. */
export interface GoRunOptions {
  binary: string;
  workload: Workload;
  /** `host:port` of etcd. */
  endpoint: string;
  etcdPid: number | undefined;
  /** Measured window to aim for, ms (the op count is sized from the workload's expected rate). */
  windowMs: number;
  /** Measured events of the watch workload. */
  events: number;
  /** Events of the watch workload before its measured part. */
  watchWarmup: number;
  /**
   * The watch workload's writer: bench/writer.ts (node arguments) and its core. The same writer
   * process as for the other clients, started once the Go watch exists (the Go program's own
   * putter, a Go client, costs another amount of CPU on the core it shares).
   */
  writer: WriterProcess;
  runId: string;
  cpu: number | undefined;
}

/** Runs one workload with the Go client; undefined when the workload has no Go equivalent. */
export async function runGo(options: GoRunOptions): Promise<RunResult | undefined> {
  const go = options.workload.go;
  if (go === undefined) return undefined;
  const watch = go.op === 'watch';
  const large = go.largeValue === true;
  const n = watch ? options.events : Math.max(large ? 50 : 1000, Math.round((go.expectedRate * options.windowMs) / 1000));
  const args = [
    '--endpoints', options.endpoint,
    '--op', go.op,
    '--conc', String(options.workload.concurrency),
    '--n', String(n),
    '--warmup', String(Math.min(1000, Math.round(n / 5))),
    '--keyspace', String(large ? 1 : DATA.keyspace),
    '--key-size', String(DATA.keySize),
    '--val-size', String(large ? DATA.largeSize : DATA.valueSize),
    '--prefix', watch ? watchRunPrefix(options.runId) : large ? DATA.goLargePrefix : DATA.kvPrefix,
  ];
  // The large get writes its own 1 MiB key (the Go program's key format); the others read the shared keyspace.
  if (go.op === 'get' && !large) args.push('--no-populate');
  if (watch) args.push('--watch-warmup', String(options.watchWarmup), '--no-putter');
  if (options.etcdPid !== undefined) args.push('--server-pid', String(options.etcdPid));

  const window = cpuWindow(options.etcdPid);
  let goCpu = 0;
  let poll: NodeJS.Timeout | undefined;
  // The watch's writer starts once the Go program says its watch exists.
  let startWriter!: () => void;
  const writer = watch
    ? new Promise<void>((resolve) => (startWriter = resolve)).then(() =>
        runWriter(options.writer, { endpoint: options.endpoint, prefix: watchRunPrefix(options.runId), events: n + options.watchWarmup, concurrency: options.workload.concurrency }),
      )
    : undefined;
  let seen = '';
  let watching = false;
  const run = runChild(
    options.binary,
    args,
    options.cpu,
    GO_RUN_TIMEOUT_MS,
    (pid) => {
      poll = setInterval(() => {
        goCpu = processCpuSeconds(pid) ?? goCpu;
      }, CPU_POLL_MS);
    },
    (chunk) => {
      if (!watch || watching) return;
      seen += chunk;
      watching = seen.includes(`${WATCHING_LINE}\n`);
      if (watching) startWriter();
    },
  )
    .then((value) => {
      if (watch && !watching) throw new Error(`Go watch: exited without printing ${WATCHING_LINE}`);
      return value;
    })
    .finally(() => clearInterval(poll));
  const [result, written] = (await Promise.all([run, writer])) as [GoResult, WriterResult | undefined];
  const { foreignCores } = window.end(goCpu, written?.cpuSeconds);
  if (result.errors > 0) throw new Error(`Go client: ${result.errors} of ${result.n} operations failed`);
  const extra: Record<string, number> = {};
  if (written !== undefined) {
    extra.writerOpsPerSec = written.opsPerSec;
    extra.writerP99Ms = written.p99Ms;
  }
  return {
    client: 'go',
    workload: options.workload.id,
    ops: result.n,
    seconds: result.seconds,
    opsPerSec: result.ops_per_s,
    p50Ms: result.p50_ms,
    p99Ms: result.p99_ms,
    clientCpuUsPerOp: result.client_cpu_us_per_op,
    serverCpuUsPerOp: result.server_cpu_us_per_op,
    foreignCores,
    extra,
  };
}
