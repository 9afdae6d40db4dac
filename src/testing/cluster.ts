/**
 * `EtcdCluster`: starts a real etcd cluster of 1 or 3 members on free 127.0.0.1 ports in a fresh
 * temp folder, waits until it is ready, and removes every trace on `close()`, on process exit,
 * on SIGINT/SIGTERM, and (through per-member watchdogs) when the test process is SIGKILLed.
 *
 * Imports only node: modules and the other files of src/testing/.
 */
import { randomBytes } from 'node:crypto';
import { accessSync, constants, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { etcdVersion, findEtcdBinary } from './etcd-binary.js';
import { EtcdMember, EtcdStartError, HEALTH_POLL_INTERVAL_MS } from './member.js';
import { freePorts } from './ports.js';
import { registerExitCleanup } from './process-cleanup.js';

/** Number of members when `size` is not given. */
export const DEFAULT_CLUSTER_SIZE = 1;

/** How long {@link EtcdCluster.start} waits for every member to be healthy, in ms. */
export const DEFAULT_START_TIMEOUT_MS = 20_000;

/** How long {@link EtcdCluster.leader} waits for exactly one member to be leader, in ms. */
export const DEFAULT_LEADER_TIMEOUT_MS = 10_000;

/** How many times a start is tried when a port was taken by someone else meanwhile. */
export const START_ATTEMPTS = 3;

/** Preferred parent of the cluster folders: a tmpfs, so etcd's fsyncs cost nothing. */
export const PREFERRED_DATA_PARENT = '/dev/shm';

/** Cluster sizes the launcher starts. */
export type EtcdClusterSize = 1 | 3;

/** Options of {@link EtcdCluster.start}. */
export interface EtcdClusterOptions {
  /** Number of members, 1 or 3. Default {@link DEFAULT_CLUSTER_SIZE}. */
  size?: EtcdClusterSize;
  /** Path of the etcd binary. Default: `ETCD_BIN`, then `etcd` on PATH (see `findEtcdBinary`). */
  etcdBin?: string;
  /**
   * Extra etcd flags given to every member after ours (a repeated flag overrides ours), e.g.
   * `['--auto-compaction-retention=0', '--quota-backend-bytes=16777216']`.
   */
  args?: readonly string[];
  /**
   * Folder under which the cluster's own fresh folder is created (and removed on close).
   * Default: `/dev/shm` when it exists and is writable, else `os.tmpdir()`.
   */
  dataDir?: string;
  /** How long to wait for every member to answer `/health` with true, in ms. Default {@link DEFAULT_START_TIMEOUT_MS}. */
  startTimeout?: number;
}

/** What {@link EtcdCluster.start} hands to the constructor. @internal */
export interface EtcdClusterInit {
  members: EtcdMember[];
  dir: string;
  etcdBin: string;
  etcdVersion: string;
  token: string;
  unregister: () => void;
}

function defaultDataParent(): string {
  try {
    if (statSync(PREFERRED_DATA_PARENT).isDirectory()) {
      accessSync(PREFERRED_DATA_PARENT, constants.W_OK);
      return PREFERRED_DATA_PARENT;
    }
  } catch {
    // Not there or not writable: fall back.
  }
  return tmpdir();
}

function validateOptions(options: EtcdClusterOptions): void {
  const { size, args, dataDir, startTimeout, etcdBin } = options;
  if (size !== undefined && size !== 1 && size !== 3) {
    throw new RangeError(`EtcdCluster.start: size must be 1 or 3, got ${String(size)}`);
  }
  if (args !== undefined && (!Array.isArray(args) || args.some((a) => typeof a !== 'string'))) {
    throw new TypeError('EtcdCluster.start: args must be an array of strings (etcd flags)');
  }
  if (dataDir !== undefined && (typeof dataDir !== 'string' || dataDir === '')) {
    throw new TypeError('EtcdCluster.start: dataDir must be a non-empty path');
  }
  if (etcdBin !== undefined && (typeof etcdBin !== 'string' || etcdBin === '')) {
    throw new TypeError('EtcdCluster.start: etcdBin must be a non-empty path');
  }
  if (startTimeout !== undefined && (typeof startTimeout !== 'number' || !Number.isFinite(startTimeout) || startTimeout <= 0)) {
    throw new RangeError(`EtcdCluster.start: startTimeout must be a positive number of ms, got ${String(startTimeout)}`);
  }
}

function isPortClash(error: unknown): boolean {
  return error instanceof EtcdStartError && /address already in use/i.test(error.logTail);
}

/**
 * A running etcd cluster of real processes for tests.
 *
 * ```ts
 * await using cluster = await EtcdCluster.start({ size: 3 });
 * const leader = await cluster.leader();
 * await leader.kill();
 * await cluster.leader(); // a new one among the other two
 * ```
 */
export class EtcdCluster implements AsyncDisposable {
  /** The members, in `--initial-cluster` order (names `member-0`, `member-1`, ...). */
  readonly members: readonly EtcdMember[];
  /** The cluster's own folder (members' data dirs and logs); removed by {@link close}. */
  readonly dir: string;
  /** Path of the etcd binary the members run. */
  readonly etcdBin: string;
  /** Version of that binary, e.g. `"3.4.23"`. */
  readonly etcdVersion: string;
  /** `--initial-cluster-token` of this cluster. */
  readonly token: string;

  readonly #unregister: () => void;
  #closing: Promise<void> | undefined;

  /** Use {@link EtcdCluster.start}; the constructor only wraps processes already started. @internal */
  constructor(init: EtcdClusterInit) {
    this.members = Object.freeze([...init.members]);
    this.dir = init.dir;
    this.etcdBin = init.etcdBin;
    this.etcdVersion = init.etcdVersion;
    this.token = init.token;
    this.#unregister = init.unregister;
  }

  /**
   * Starts a cluster: finds etcd, picks free ports, creates a fresh folder, starts every member
   * in parallel, and resolves once every member answers `GET /health` with `{"health":"true"}`
   * (so the cluster has a leader).
   *
   * @throws TypeError / RangeError for bad options, before anything is started.
   * @throws Error when no etcd binary is found (the message says what to install).
   * @throws EtcdStartError when a member exits or is not healthy within `startTimeout`; its
   *   message ends with that member's log tail. Everything started is killed and removed.
   */
  static async start<T extends EtcdCluster>(
    this: new (init: EtcdClusterInit) => T,
    options: EtcdClusterOptions = {},
  ): Promise<T> {
    validateOptions(options);
    const size = options.size ?? DEFAULT_CLUSTER_SIZE;
    const timeout = options.startTimeout ?? DEFAULT_START_TIMEOUT_MS;
    const bin = findEtcdBinary(options.etcdBin);
    const version = await etcdVersion(bin);
    const parent = resolve(options.dataDir ?? defaultDataParent());
    const dir = mkdtempSync(join(parent, 'etcd-ts-'));

    let members: EtcdMember[] = [];
    const unregister = registerExitCleanup(() => {
      for (const member of members) member.killNow();
      rmSync(dir, { recursive: true, force: true });
    });
    const discard = async (): Promise<void> => {
      await Promise.all(members.map((m) => m.kill()));
      for (const member of members) rmSync(member.dir, { recursive: true, force: true });
    };

    try {
      for (let attempt = 1; ; attempt++) {
        const token = `etcd-ts-${randomBytes(8).toString('hex')}`;
        const ports = await freePorts(2 * size);
        const names = Array.from({ length: size }, (_, i) => `member-${i}`);
        const initialCluster = names.map((name, i) => `${name}=http://127.0.0.1:${ports[2 * i + 1]}`).join(',');
        members = names.map((name, i) => new EtcdMember({
          name,
          bin,
          dir: join(dir, name),
          clientPort: ports[2 * i]!,
          peerPort: ports[2 * i + 1]!,
          initialCluster,
          initialClusterState: 'new',
          initialClusterToken: token,
          args: options.args ?? [],
          orphanFolder: dir,
        }));
        const abort = new AbortController();
        const results = await Promise.allSettled(members.map((m) => m.start({ timeout, signal: abort.signal }).catch((error: unknown) => {
          if (!abort.signal.aborted) abort.abort(error);
          throw error;
        })));
        if (results.every((r) => r.status === 'fulfilled')) {
          return new this({ members, dir, etcdBin: bin, etcdVersion: version, token, unregister });
        }
        const failure: unknown = abort.signal.reason;
        if (!isPortClash(failure) || attempt >= START_ATTEMPTS) throw failure; // the catch discards
        await discard();
      }
    } catch (error) {
      await discard();
      rmSync(dir, { recursive: true, force: true });
      unregister();
      throw error;
    }
  }

  /** Client URLs of all members (`http://127.0.0.1:<port>`), in member order. */
  get endpoints(): string[] {
    return this.members.map((m) => m.clientUrl);
  }

  /** Whether {@link close} has been called. */
  get closed(): boolean {
    return this.#closing !== undefined;
  }

  /**
   * The member at `index`.
   *
   * @throws RangeError when `index` is not an integer in `[0, members.length)`.
   */
  member(index: number): EtcdMember {
    const member = Number.isInteger(index) ? this.members[index] : undefined;
    if (member === undefined) {
      throw new RangeError(`EtcdCluster.member: index must be an integer from 0 to ${this.members.length - 1}, got ${index}`);
    }
    return member;
  }

  /**
   * Waits until exactly one running, unpaused member reports itself leader (`GET /metrics`,
   * `etcd_server_is_leader 1`) and returns it. "Exactly one" skips the moment when a resumed old
   * leader has not yet stepped down.
   *
   * @param options.timeout in ms; default {@link DEFAULT_LEADER_TIMEOUT_MS}.
   * @throws Error at the deadline, saying what each member answered.
   */
  async leader(options: { timeout?: number } = {}): Promise<EtcdMember> {
    const timeout = options.timeout ?? DEFAULT_LEADER_TIMEOUT_MS;
    const deadline = Date.now() + timeout;
    let report = '';
    for (;;) {
      const answers = await Promise.all(this.members.map(async (m): Promise<boolean | string> => {
        if (!m.running) return 'not running';
        if (m.paused) return 'paused';
        try {
          return await m.isLeader({ timeout: Math.max(1, Math.min(1_000, deadline - Date.now())) });
        } catch (error) {
          return error instanceof Error ? error.message : String(error);
        }
      }));
      const leaders = this.members.filter((_, i) => answers[i] === true);
      if (leaders.length === 1) return leaders[0]!;
      report = this.members.map((m, i) => {
        const a = answers[i];
        return `${m.name}: ${a === true ? 'leader' : a === false ? 'follower' : a}`;
      }).join('; ');
      if (Date.now() >= deadline) break;
      await new Promise<void>((resolveSoon) => setTimeout(resolveSoon, HEALTH_POLL_INTERVAL_MS));
    }
    throw new Error(`EtcdCluster: no single leader within ${timeout} ms (${report})`);
  }

  /**
   * Waits until every running member answers `GET /health` with true, e.g. after restarting
   * members with `{ wait: false }`.
   *
   * @param options.timeout in ms; default {@link DEFAULT_START_TIMEOUT_MS}.
   * @throws EtcdStartError when a member exits or is not healthy in time.
   */
  async waitHealthy(options: { timeout?: number } = {}): Promise<void> {
    const timeout = options.timeout ?? DEFAULT_START_TIMEOUT_MS;
    await Promise.all(this.members.filter((m) => m.running).map((m) => m.waitHealthy({ timeout })));
  }

  /**
   * Hook for subclasses, run first by {@link close} (e.g. to close clients made for this cluster).
   * Errors are ignored.
   */
  protected async beforeClose(): Promise<void> {}

  /**
   * Kills every member (SIGKILL: the data is thrown away, so a graceful stop buys nothing) and
   * removes the cluster's folder. Idempotent: later calls return the same promise.
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      try {
        await this.beforeClose();
      } catch {
        // The members are stopped anyway.
      }
      await Promise.all(this.members.map((m) => m.kill()));
      rmSync(this.dir, { recursive: true, force: true });
      this.#unregister();
    })();
    return this.#closing;
  }

  /** Same as {@link close}, for `await using cluster = await EtcdCluster.start()`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
