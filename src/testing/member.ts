/**
 * One etcd member process: its command line, its log file, and control of the process
 * (start, stop, kill, pause, resume, restart).
 *
 * A member listens on 127.0.0.1 only: client URL `http://127.0.0.1:<clientPort>` (gRPC, plus
 * `/health` and `/metrics` over HTTP/1.1) and peer URL `http://127.0.0.1:<peerPort>`, and with
 * `unixSocket` also on a Unix socket in its folder. etcd runs in its folder, which holds `data/`
 * (etcd's `--data-dir`), `etcd.log` (etcd's stdout and stderr, appended across restarts) and the
 * socket.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InvalidArgumentError } from '../errors/client.js';
import { EtcdLaunchError, EtcdStartError } from '../errors/launcher.js';
import { sleep } from '../internal/timers.js';
import { Status } from '../transport/types.js';
import { LOOPBACK_HOST } from './ports.js';
import { checkHealth, DEFAULT_PROBE_TIMEOUT_MS, readIsLeader } from './probe.js';
import { startWatchdog, type Watchdog } from './process-cleanup.js';
import type { TcpProxy } from './proxy.js';

/** How long {@link EtcdMember.start} and {@link EtcdMember.restart} wait for `/health`, in ms. */
export const DEFAULT_MEMBER_START_TIMEOUT_MS = 20_000;

/** How long {@link EtcdMember.stop} waits after SIGTERM before sending SIGKILL, in ms. */
export const DEFAULT_STOP_GRACE_MS = 5_000;

/** Pause between two `/health` probes while waiting for a member, in ms. */
export const HEALTH_POLL_INTERVAL_MS = 50;

/** How many lines of the member's log an {@link EtcdStartError} carries. */
export const LOG_TAIL_LINES = 40;

/** How long {@link EtcdMember.pause} waits for the kernel to report the process stopped, in ms. */
export const PAUSE_CONFIRM_TIMEOUT_MS = 1_000;

/** Written to the log file before every start; the log tail is taken after the last one. */
const START_MARKER = '--- etcd-ts: starting etcd';

/** Environment variables passed to etcd even though they start with `ETCD_`. */
const KEPT_ETCD_ENV = new Set(['ETCD_UNSUPPORTED_ARCH']);

/** Throws `InvalidArgumentError` unless `timeout` is a positive finite number of ms. */
function checkTimeout(what: string, timeout: unknown): void {
  if (typeof timeout !== 'number' || !Number.isFinite(timeout) || timeout <= 0) {
    throw new InvalidArgumentError(`${what} must be a positive number of ms, got ${String(timeout)}`);
  }
}

/**
 * Sends `name` to the etcd process of `child` (a no-op once it has exited). `process.kill` by pid,
 * not `child.kill()`: Deno's ChildProcess delivers only the first signal it is given (later calls
 * return false and send nothing), so SIGCONT after SIGSTOP, or SIGKILL after SIGTERM, were lost.
 */
function signal(child: ChildProcess, name: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(child.pid, name);
  } catch {
    // Exited meanwhile (ESRCH).
  }
}

/** Everything needed to run one member; built by the cluster launcher. */
export interface EtcdMemberConfig {
  /** Member name (`--name`), unique in its cluster. */
  name: string;
  /** Path of the etcd binary. */
  bin: string;
  /** The member's own folder (created if missing; etcd's working directory): holds `data/` and `etcd.log`. */
  dir: string;
  /** Client port on 127.0.0.1. */
  clientPort: number;
  /** Peer port on 127.0.0.1. */
  peerPort: number;
  /** `--initial-cluster`: `name=peerUrl` pairs of every member, comma-separated. */
  initialCluster: string;
  /** `--initial-cluster-state`. */
  initialClusterState: 'new' | 'existing';
  /** `--initial-cluster-token`, unique per cluster so members of two clusters never talk. */
  initialClusterToken: string;
  /** Extra etcd flags, appended after ours (so a repeated flag overrides ours). */
  args?: readonly string[];
  /**
   * Folder a watchdog removes if this Node.js process dies without cleaning up (SIGKILL); the
   * cluster's root folder. Default: {@link dir}.
   */
  orphanFolder?: string;
  /**
   * TLS on the client port (https client URL): the server's certificate and key files, and with
   * `clientCertAuth` etcd's `--client-cert-auth` with `trustedCaFile`. Needs `metricsPort`.
   */
  tls?: MemberTlsFiles;
  /**
   * Port of a plain-http `--listen-metrics-urls` listener on 127.0.0.1, where the launcher probes
   * `/health` and `/metrics` (needed with `tls`: the client port then speaks only TLS).
   */
  metricsPort?: number;
  /** `--advertise-client-urls` when it is not the client URL (e.g. a proxy in front of the member). */
  advertiseClientUrl?: string;
  /**
   * Also listen on a Unix socket: etcd's `unix://localhost:<clientPort>` (`unixs://` with `tls`),
   * a socket file named `localhost:<clientPort>` in {@link dir} (etcd's working directory), also
   * advertised as a client URL. Default false.
   */
  unixSocket?: boolean;
}

/** Certificate files of a TLS member (see {@link EtcdMemberConfig.tls}). */
export interface MemberTlsFiles {
  /** The server certificate, PEM (`--cert-file`). */
  certFile: string;
  /** Its private key, PEM (`--key-file`). */
  keyFile: string;
  /** CA that client certificates must chain to (`--trusted-ca-file`). */
  trustedCaFile: string;
  /** Require a client certificate (`--client-cert-auth`). */
  clientCertAuth: boolean;
}

/** Options of {@link EtcdMember.start} and {@link EtcdMember.restart}. */
export interface MemberStartOptions {
  /** How long to wait for `/health` to answer true, in ms. Default {@link DEFAULT_MEMBER_START_TIMEOUT_MS}. */
  timeout?: number;
  /**
   * Wait until the member is healthy (default `true`). With `false` the call returns once the
   * process is spawned; a member of a cluster that has lost quorum cannot become healthy alone,
   * so restart such members with `wait: false` and then wait on the cluster.
   */
  wait?: boolean;
  /** Abandons the wait (the process keeps running); rejects with the signal's reason. */
  signal?: AbortSignal;
}

function etcdEnv(): NodeJS.ProcessEnv {
  // etcd reads ETCD_<FLAG> variables as flags and refuses to start when one shadows a flag we
  // pass, so a developer's ETCD_NAME or ETCD_DATA_DIR must not reach it.
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('ETCD_') && !KEPT_ETCD_ENV.has(key)) continue;
    env[key] = value;
  }
  return env;
}

function abortPromise(signal: AbortSignal | undefined): { promise: Promise<never>; cancel: () => void } {
  if (signal === undefined) return { promise: new Promise<never>(() => {}), cancel: () => {} };
  let onAbort: () => void = () => {};
  const promise = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  promise.catch(() => {});
  return { promise, cancel: () => signal.removeEventListener('abort', onAbort) };
}

function processState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Format: "pid (comm) state ..."; comm may contain spaces and parentheses.
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return undefined;
  }
}

/**
 * One etcd member process. Created by {@link EtcdCluster.start}; the cluster owns its folder.
 *
 * States: not running (before start, after stop/kill or a crash), running, running and paused
 * (SIGSTOP). Signals always go to the real etcd process.
 */
export class EtcdMember {
  /** Member name (`--name`). */
  readonly name: string;
  /** Client URL, `http://127.0.0.1:<port>` (`https://` with TLS): the member's own client port. */
  readonly clientUrl: string;
  /** Plain-http URL of `/health` and `/metrics`: the client URL, or the metrics listener with TLS. */
  readonly probeUrl: string;
  /**
   * The proxy in front of the client port (`EtcdCluster.start({ proxy: true })`), with its fault
   * controls `delay(ms)`, `blackhole()`, `cut()`, `heal()`; undefined without a proxy.
   */
  proxy: TcpProxy | undefined = undefined;
  /** Peer URL, `http://127.0.0.1:<port>`. */
  readonly peerUrl: string;
  /** Client port on 127.0.0.1. */
  readonly clientPort: number;
  /** Peer port on 127.0.0.1. */
  readonly peerPort: number;
  /** The member's folder (holds {@link dataDir} and {@link logFile}). */
  readonly dir: string;
  /** etcd's `--data-dir`; kept across {@link restart}. */
  readonly dataDir: string;
  /** File receiving etcd's stdout and stderr, appended across restarts. */
  readonly logFile: string;
  /**
   * The client URL of the member's Unix socket, by its absolute path (`unix:///<dir>/localhost:<port>`,
   * `unixs://` with TLS), when started with `unixSocket`; undefined otherwise.
   */
  readonly unixEndpoint: string | undefined;

  readonly #config: EtcdMemberConfig;
  #child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();
  #watchdog: Watchdog | undefined;
  #paused = false;
  #lastExit: { code: number | null; signal: NodeJS.Signals | null } | undefined;

  /** @param config the member's command line and folders (see {@link EtcdMemberConfig}). */
  constructor(config: EtcdMemberConfig) {
    this.#config = { ...config, args: [...(config.args ?? [])] };
    this.name = config.name;
    this.clientPort = config.clientPort;
    this.peerPort = config.peerPort;
    this.clientUrl = `${config.tls === undefined ? 'http' : 'https'}://${LOOPBACK_HOST}:${config.clientPort}`;
    this.probeUrl = config.metricsPort === undefined ? this.clientUrl : `http://${LOOPBACK_HOST}:${config.metricsPort}`;
    this.peerUrl = `http://${LOOPBACK_HOST}:${config.peerPort}`;
    // Absolute: etcd runs in this folder, so a relative data dir would be taken from inside it.
    this.dir = resolve(config.dir);
    this.dataDir = join(this.dir, 'data');
    this.logFile = join(this.dir, 'etcd.log');
    this.unixEndpoint = config.unixSocket === true ? `${this.#unixScheme}://${join(this.dir, this.#unixSocketName)}` : undefined;
  }

  /** `unixs` on a TLS member, else `unix`. */
  get #unixScheme(): string {
    return this.#config.tls === undefined ? 'unix' : 'unixs';
  }

  /** File name of the Unix socket in {@link dir}: etcd's `unix://<host>:<port>` listener makes a file of that name. */
  get #unixSocketName(): string {
    return `localhost:${this.#config.clientPort}`;
  }

  /**
   * The URL clients should use: the proxy's (`http://` or `https://` as the member) when the
   * member has one, else {@link clientUrl}.
   */
  get endpoint(): string {
    return this.proxy === undefined ? this.clientUrl : this.proxy.urlFor(this.#config.tls === undefined ? 'http' : 'https');
  }

  /** Process id of the running etcd, or `undefined` when not running. */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** Whether the etcd process is alive (paused or not). */
  get running(): boolean {
    return this.#child !== undefined;
  }

  /** Whether the process is stopped by {@link pause} (SIGSTOP) and not yet resumed. */
  get paused(): boolean {
    return this.#paused;
  }

  /** Exit code and signal of the last process that exited, or `undefined` if none has. */
  get lastExit(): { code: number | null; signal: NodeJS.Signals | null } | undefined {
    return this.#lastExit;
  }

  /** The etcd command-line arguments of this member (without the binary). */
  get args(): string[] {
    const c = this.#config;
    // etcd 3.4 listens on unix://host:port only: a socket file of that name in its working directory.
    const unix = c.unixSocket === true ? [`${this.#unixScheme}://${this.#unixSocketName}`] : [];
    return [
      '--name', c.name,
      '--data-dir', this.dataDir,
      '--listen-client-urls', [this.clientUrl, ...unix].join(','),
      '--advertise-client-urls', [c.advertiseClientUrl ?? this.clientUrl, ...unix].join(','),
      ...(c.metricsPort === undefined ? [] : ['--listen-metrics-urls', this.probeUrl]),
      ...(c.tls === undefined ? [] : [
        '--cert-file', c.tls.certFile,
        '--key-file', c.tls.keyFile,
        ...(c.tls.clientCertAuth ? ['--client-cert-auth', '--trusted-ca-file', c.tls.trustedCaFile] : []),
      ]),
      '--listen-peer-urls', this.peerUrl,
      '--initial-advertise-peer-urls', this.peerUrl,
      '--initial-cluster', c.initialCluster,
      '--initial-cluster-state', c.initialClusterState,
      '--initial-cluster-token', c.initialClusterToken,
      ...(c.args ?? []),
    ];
  }

  /**
   * The last lines of the log of the current (or last) run.
   *
   * @param lines how many lines at most; default 40.
   */
  logTail(lines: number = LOG_TAIL_LINES): string {
    let text: string;
    try {
      text = readFileSync(this.logFile, 'utf8');
    } catch {
      return '(no log file)';
    }
    const marker = text.lastIndexOf(START_MARKER);
    if (marker >= 0) text = text.slice(marker);
    const all = text.trimEnd().split('\n');
    return all.slice(Math.max(0, all.length - lines)).join('\n');
  }

  /**
   * Starts the etcd process and (by default) waits until `GET /health` answers true.
   *
   * @throws InvalidArgumentError when `timeout` is not a positive number of ms.
   * @throws EtcdLaunchError (FAILED_PRECONDITION) when the member is already running or its
   *   folder cannot be made.
   * @throws EtcdStartError when the process cannot be spawned (FAILED_PRECONDITION), exits
   *   (UNAVAILABLE), or is not healthy within `timeout` (DEADLINE_EXCEEDED); the process is then
   *   killed.
   */
  async start(options: MemberStartOptions = {}): Promise<void> {
    const { timeout = DEFAULT_MEMBER_START_TIMEOUT_MS, wait = true, signal } = options;
    checkTimeout('start timeout', timeout);
    signal?.throwIfAborted();
    await this.#spawn();
    if (!wait) return;
    try {
      await this.waitHealthy({ timeout, signal });
    } catch (error) {
      await this.kill();
      throw error;
    }
  }

  async #spawn(): Promise<void> {
    if (this.#child !== undefined) {
      throw new EtcdLaunchError(`etcd member ${this.name} is already running (pid ${this.#child.pid})`, Status.FAILED_PRECONDITION);
    }
    const { bin } = this.#config;
    const args = this.args;
    let fd: number;
    try {
      mkdirSync(this.dir, { recursive: true });
      appendFileSync(this.logFile, `${START_MARKER} at ${new Date().toISOString()}: ${bin} ${args.join(' ')}\n`);
      fd = openSync(this.logFile, 'a');
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new EtcdLaunchError(`etcd member ${this.name}: cannot prepare its folder ${this.dir}: ${reason}`, Status.FAILED_PRECONDITION, { cause: error });
    }
    let child: ChildProcess;
    try {
      child = spawn(bin, args, { cwd: this.dir, stdio: ['ignore', fd, fd], detached: true, env: etcdEnv() });
    } finally {
      closeSync(fd);
    }
    const pid = child.pid;
    if (pid === undefined) {
      const error = await new Promise<Error>((resolveError) => child.once('error', resolveError));
      throw new EtcdStartError(`etcd member ${this.name}: cannot run ${bin}: ${error.message}`, this.name, this.logFile, this.logTail(), {
        code: Status.FAILED_PRECONDITION,
        cause: error,
      });
    }
    child.on('error', () => {
      // Signals to a process that just exited may fail; the 'exit' event tells the state.
    });
    child.unref();
    this.#child = child;
    this.#paused = false;
    const watchdog = startWatchdog(pid, this.#config.orphanFolder ?? this.dir);
    this.#watchdog = watchdog;
    this.#exited = new Promise<void>((resolveExit) => {
      child.once('exit', (code, exitSignal) => {
        if (this.#child === child) {
          this.#child = undefined;
          this.#watchdog = undefined;
          this.#paused = false;
        }
        this.#lastExit = { code, signal: exitSignal };
        // Exited once the watchdog is gone too: a stopped member leaves no process behind.
        void watchdog.release().then(resolveExit);
      });
    });
  }

  /**
   * Waits until `GET /health` on the client URL answers `{"health":"true"}`: the member has a
   * leader and serves linearizable reads.
   *
   * @param options.timeout in ms; default {@link DEFAULT_MEMBER_START_TIMEOUT_MS}.
   * @param options.signal abandons the wait; rejects with the signal's reason.
   * @throws InvalidArgumentError when `timeout` is not a positive number of ms.
   * @throws EtcdStartError when the process is not running or exits while waiting (UNAVAILABLE),
   *   or at the deadline (DEADLINE_EXCEEDED).
   */
  async waitHealthy(options: { timeout?: number; signal?: AbortSignal } = {}): Promise<void> {
    const { timeout = DEFAULT_MEMBER_START_TIMEOUT_MS, signal } = options;
    checkTimeout('EtcdMember.waitHealthy: timeout', timeout);
    const deadline = Date.now() + timeout;
    const aborted = abortPromise(signal);
    try {
      for (;;) {
        signal?.throwIfAborted();
        if (this.#child === undefined) throw this.#startError('exited before it was healthy', Status.UNAVAILABLE);
        const left = deadline - Date.now();
        if (left <= 0) throw this.#startError(`was not healthy after ${timeout} ms`, Status.DEADLINE_EXCEEDED);
        const probe = checkHealth(this.probeUrl, Math.min(DEFAULT_PROBE_TIMEOUT_MS, left));
        if (await Promise.race([probe, aborted.promise])) return;
        await Promise.race([sleep(Math.min(HEALTH_POLL_INTERVAL_MS, Math.max(0, deadline - Date.now())), signal), this.#exited]);
      }
    } finally {
      aborted.cancel();
    }
  }

  #startError(what: string, code: number): EtcdStartError {
    const exit = this.#child === undefined ? this.#lastExit : undefined;
    const status = exit === undefined ? '' : ` (exit code ${exit.code}, signal ${exit.signal})`;
    return new EtcdStartError(`etcd member ${this.name} (${this.clientUrl}) ${what}${status}`, this.name, this.logFile, this.logTail(), { code, exit });
  }

  /**
   * Whether the member answers `GET /health` with `{"health":"true"}` within `timeout`.
   * Never throws: a stopped, paused or leaderless member gives `false`.
   *
   * @param options.timeout in ms; default 1000.
   */
  health(options: { timeout?: number } = {}): Promise<boolean> {
    return checkHealth(this.probeUrl, options.timeout ?? DEFAULT_PROBE_TIMEOUT_MS);
  }

  /**
   * Whether this member currently considers itself the raft leader (metric
   * `etcd_server_is_leader` of `GET /metrics`).
   *
   * @param options.timeout in ms; default 1000.
   * @throws EtcdLaunchError FAILED_PRECONDITION when the member is not running or is paused;
   *   UNAVAILABLE when it does not answer in time or the metric is missing.
   */
  async isLeader(options: { timeout?: number } = {}): Promise<boolean> {
    if (this.#child === undefined) throw new EtcdLaunchError(`etcd member ${this.name} is not running`, Status.FAILED_PRECONDITION);
    if (this.#paused) throw new EtcdLaunchError(`etcd member ${this.name} is paused`, Status.FAILED_PRECONDITION);
    return readIsLeader(this.probeUrl, options.timeout ?? DEFAULT_PROBE_TIMEOUT_MS);
  }

  /**
   * Graceful stop: SIGTERM (and SIGCONT if paused), wait for the exit, SIGKILL after `grace` ms.
   * A leader hands leadership over before it exits. Does nothing when not running.
   *
   * @param options.grace ms between SIGTERM and SIGKILL; default {@link DEFAULT_STOP_GRACE_MS}.
   */
  async stop(options: { grace?: number } = {}): Promise<void> {
    const child = this.#child;
    if (child === undefined) return;
    const grace = options.grace ?? DEFAULT_STOP_GRACE_MS;
    const exited = this.#exited;
    child.ref();
    const timer = setTimeout(() => signal(child, 'SIGKILL'), grace);
    try {
      signal(child, 'SIGTERM');
      if (this.#paused) signal(child, 'SIGCONT');
      await exited;
    } finally {
      clearTimeout(timer);
      child.unref();
    }
  }

  /** SIGKILL the process and wait until it has exited. Does nothing when not running. */
  async kill(): Promise<void> {
    const child = this.#child;
    if (child === undefined) return;
    const exited = this.#exited;
    child.ref();
    try {
      signal(child, 'SIGKILL');
      await exited;
    } finally {
      child.unref();
    }
  }

  /**
   * Synchronous SIGKILL of etcd and its watchdog without waiting, for process-exit cleanup.
   * @internal
   */
  killNow(): void {
    void this.#watchdog?.release();
    const pid = this.#child?.pid;
    if (pid === undefined) return;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }

  /**
   * SIGSTOP the process: it keeps its sockets but answers nothing (clients see a hung peer, the
   * other members see a dead one). Waits (up to 1 second, on Linux) until
   * the kernel reports the process stopped. Does nothing when already paused.
   *
   * @throws EtcdLaunchError (FAILED_PRECONDITION) when the member is not running.
   */
  async pause(): Promise<void> {
    const child = this.#child;
    if (child === undefined) throw new EtcdLaunchError(`cannot pause etcd member ${this.name}: it is not running`, Status.FAILED_PRECONDITION);
    if (this.#paused) return;
    signal(child, 'SIGSTOP');
    this.#paused = true;
    const pid = child.pid!;
    if (!existsSync(`/proc/${pid}/stat`)) return;
    const deadline = Date.now() + PAUSE_CONFIRM_TIMEOUT_MS;
    while (processState(pid) !== 'T' && processState(pid) !== undefined && Date.now() < deadline) {
      await sleep(1);
    }
  }

  /**
   * SIGCONT a paused process. Does nothing when not paused.
   *
   * @throws EtcdLaunchError (FAILED_PRECONDITION) when the member is not running.
   */
  async resume(): Promise<void> {
    const child = this.#child;
    if (child === undefined) throw new EtcdLaunchError(`cannot resume etcd member ${this.name}: it is not running`, Status.FAILED_PRECONDITION);
    if (!this.#paused) return;
    signal(child, 'SIGCONT');
    this.#paused = false;
  }

  /**
   * Starts the member again on the same ports and data dir (graceful {@link stop} first if it is
   * running) and, by default, waits until it is healthy, i.e. has rejoined its cluster.
   *
   * @throws EtcdStartError as {@link start}.
   */
  async restart(options: MemberStartOptions = {}): Promise<void> {
    await this.stop();
    await this.start(options);
  }
}
