/**
 * `EtcdProcessCluster`, the processes behind `EtcdCluster` (src/testing/cluster.ts adds the
 * clients): starts a real etcd cluster of 1 or 3 members on free 127.0.0.1 ports in a fresh temp
 * folder, waits until it is ready, and removes every trace on `close()`, on process exit, on
 * SIGINT/SIGTERM, and (through per-member watchdogs) when the test process is SIGKILLed.
 *
 * Imports only node: modules, the other files of src/testing/, the error tree and
 * src/internal/timers.ts.
 */
import { randomBytes } from 'node:crypto';
import { accessSync, constants, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { InvalidArgumentError } from '../errors/client.js';
import { EtcdLaunchError, EtcdStartError } from '../errors/launcher.js';
import { sleep } from '../internal/timers.js';
import { Status } from '../transport/types.js';
import { etcdVersion, findEtcdBinary } from './etcd-binary.js';
import { EtcdMember, HEALTH_POLL_INTERVAL_MS } from './member.js';
import { freePorts } from './ports.js';
import { registerExitCleanup } from './process-cleanup.js';
import { TcpProxy } from './proxy.js';
import { createTestCertificates, type TestCertificates } from './tls.js';

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
  /**
   * Puts a loopback TCP proxy ({@link TcpProxy}) in front of each member's client port: `endpoints`
   * (and clients made by the cluster) then go through the proxies, which the members also advertise
   * as their client URLs (so `Cluster.MemberList` names them); `member.proxy` holds each one's
   * controls (`delay`, `blackhole`, `cut`, `heal`). Default false.
   */
  proxy?: boolean;
  /**
   * Serves clients over TLS (https client URLs) with certificates made for this cluster by openssl
   * in `<dir>/tls` (see {@link EtcdCluster.tls}). `true`: server TLS; `{ clientCertAuth: true }`:
   * also etcd's `--client-cert-auth` (clients must present a certificate from the same CA). Peers
   * stay on plain http. `/health` probes go to an extra plain-http metrics port. Default false.
   */
  tls?: boolean | EtcdClusterTlsOptions;
  /**
   * Also serves clients on a Unix domain socket per member, as etcd 3.4 listens on one:
   * `--listen-client-urls unix://localhost:<clientPort>` (`unixs://` with `tls`), a socket file
   * named `localhost:<clientPort>` in the member's folder (etcd's working directory), advertised
   * as a client URL too (so `Cluster.MemberList` lists it, relative to etcd's folder, as etcd
   * gives it). {@link EtcdCluster.unixEndpoints} name the sockets by their absolute paths
   * (`unix:///dev/shm/etcd-ts-.../member-0/localhost:<port>`); the TCP client URLs stay. The
   * cluster folder's path must leave the socket paths within 107 bytes. Default false.
   */
  unixSocket?: boolean;
}

/** TLS settings of {@link EtcdClusterOptions.tls}. */
export interface EtcdClusterTlsOptions {
  /** Require client certificates (`--client-cert-auth`). Default false. */
  clientCertAuth?: boolean;
  /** Common name of the client certificate the cluster makes. Default `etcd-ts-client`. */
  clientCommonName?: string;
}

/** The TLS material of a TLS cluster ({@link EtcdCluster.tls}). */
export interface EtcdClusterTls extends TestCertificates {
  /** Whether members require client certificates (`--client-cert-auth`). */
  clientCertAuth: boolean;
}

/** What {@link EtcdCluster.start} hands to the constructor. @internal */
export interface EtcdClusterInit {
  members: EtcdMember[];
  dir: string;
  etcdBin: string;
  etcdVersion: string;
  token: string;
  unregister: () => void;
  tls?: EtcdClusterTls;
  proxies?: TcpProxy[];
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
    throw new InvalidArgumentError(`EtcdCluster.start: size must be 1 or 3, got ${String(size)}`);
  }
  if (args !== undefined && (!Array.isArray(args) || args.some((a) => typeof a !== 'string'))) {
    throw new InvalidArgumentError('EtcdCluster.start: args must be an array of strings (etcd flags)');
  }
  if (dataDir !== undefined && (typeof dataDir !== 'string' || dataDir === '')) {
    throw new InvalidArgumentError('EtcdCluster.start: dataDir must be a non-empty path');
  }
  if (etcdBin !== undefined && (typeof etcdBin !== 'string' || etcdBin === '')) {
    throw new InvalidArgumentError('EtcdCluster.start: etcdBin must be a non-empty path');
  }
  if (startTimeout !== undefined && (typeof startTimeout !== 'number' || !Number.isFinite(startTimeout) || startTimeout <= 0)) {
    throw new InvalidArgumentError(`EtcdCluster.start: startTimeout must be a positive number of ms, got ${String(startTimeout)}`);
  }
  if (options.proxy !== undefined && typeof options.proxy !== 'boolean') {
    throw new InvalidArgumentError('EtcdCluster.start: proxy must be true or false');
  }
  if (options.unixSocket !== undefined && typeof options.unixSocket !== 'boolean') {
    throw new InvalidArgumentError('EtcdCluster.start: unixSocket must be true or false');
  }
  const tls = options.tls;
  if (tls !== undefined && typeof tls !== 'boolean') {
    if (typeof tls !== 'object' || tls === null || Array.isArray(tls)) {
      throw new InvalidArgumentError('EtcdCluster.start: tls must be true, false or { clientCertAuth?, clientCommonName? }');
    }
    for (const key of Object.keys(tls)) {
      if (key !== 'clientCertAuth' && key !== 'clientCommonName') {
        throw new InvalidArgumentError(`EtcdCluster.start: unknown tls option '${key}' (known: clientCertAuth, clientCommonName)`);
      }
    }
    if (tls.clientCertAuth !== undefined && typeof tls.clientCertAuth !== 'boolean') {
      throw new InvalidArgumentError('EtcdCluster.start: tls.clientCertAuth must be true or false');
    }
  }
}

/** Longest Unix socket path (Linux `sun_path`, without its closing NUL), in bytes. */
const MAX_SOCKET_PATH_BYTES = 107;

/** Throws when a member's socket path is too long for a Unix socket. */
function checkSocketPaths(members: readonly EtcdMember[]): void {
  for (const member of members) {
    const path = member.unixEndpoint?.replace(/^unixs?:\/\//, '');
    if (path !== undefined && Buffer.byteLength(path) > MAX_SOCKET_PATH_BYTES) {
      throw new InvalidArgumentError(`EtcdCluster.start: the socket path ${path} is longer than ${MAX_SOCKET_PATH_BYTES} bytes; use a shorter dataDir`);
    }
  }
}

function isPortClash(error: unknown): boolean {
  return error instanceof EtcdStartError && /address already in use/i.test(error.logTail);
}

/**
 * A running etcd cluster of real processes for tests, without a client: the base of
 * `EtcdCluster` (which adds `client()`); use `EtcdCluster` of `etcd-ts/testing`.
 *
 * ```ts
 * await using cluster = await EtcdCluster.start({ size: 3 });
 * const leader = await cluster.leader();
 * await leader.kill();
 * await cluster.leader(); // a new one among the other two
 * ```
 */
export class EtcdProcessCluster implements AsyncDisposable {
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
  /**
   * The cluster's TLS material when started with `tls` (CA, server and client certificates as files
   * and PEM text, in `<dir>/tls`); undefined otherwise. `issueClientCertificate(cluster.tls, cn)`
   * makes more client certificates.
   */
  readonly tls: EtcdClusterTls | undefined;

  readonly #unregister: () => void;
  #closing: Promise<void> | undefined;

  /** Use {@link EtcdCluster.start}; the constructor only wraps processes already started. @internal */
  constructor(init: EtcdClusterInit) {
    this.members = Object.freeze([...init.members]);
    this.dir = init.dir;
    this.etcdBin = init.etcdBin;
    this.etcdVersion = init.etcdVersion;
    this.token = init.token;
    this.tls = init.tls;
    this.#unregister = init.unregister;
    init.proxies?.forEach((proxy, i) => {
      this.members[i]!.proxy = proxy;
    });
  }

  /**
   * Starts a cluster: finds etcd, picks free ports, creates a fresh folder, starts every member
   * in parallel, and resolves once every member answers `GET /health` with `{"health":"true"}`
   * (so the cluster has a leader).
   *
   * @throws InvalidArgumentError for bad options (naming the option), before anything is
   *   started; also for a `dataDir` that is no writable folder, or one too long for the members'
   *   Unix sockets (`unixSocket`).
   * @throws EtcdLaunchError (FAILED_PRECONDITION) when no etcd binary is found (the message says
   *   what to install) or openssl is missing for `tls`; see `EtcdLaunchError` for the other codes.
   * @throws EtcdStartError when a member exits (UNAVAILABLE) or is not healthy within
   *   `startTimeout` (DEADLINE_EXCEEDED); its message ends with that member's log tail.
   *   Everything started is killed and removed.
   */
  static async start<T extends EtcdProcessCluster>(
    this: new (init: EtcdClusterInit) => T,
    options: EtcdClusterOptions = {},
  ): Promise<T> {
    validateOptions(options);
    const size = options.size ?? DEFAULT_CLUSTER_SIZE;
    const timeout = options.startTimeout ?? DEFAULT_START_TIMEOUT_MS;
    const bin = findEtcdBinary(options.etcdBin);
    const version = await etcdVersion(bin);
    const parent = resolve(options.dataDir ?? defaultDataParent());
    let dir: string;
    try {
      dir = mkdtempSync(join(parent, 'etcd-ts-'));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new InvalidArgumentError(`EtcdCluster.start: dataDir ${parent} must be a writable folder: ${reason}`, { cause: error });
    }

    let members: EtcdMember[] = [];
    let proxies: TcpProxy[] = [];
    const unregister = registerExitCleanup(() => {
      for (const member of members) member.killNow();
      rmSync(dir, { recursive: true, force: true });
    });
    const discard = async (): Promise<void> => {
      await Promise.all(proxies.map((p) => p.close()));
      await Promise.all(members.map((m) => m.kill()));
      for (const member of members) rmSync(member.dir, { recursive: true, force: true });
    };

    try {
      const tlsOption = options.tls === true ? {} : options.tls === false ? undefined : options.tls;
      let tls: EtcdClusterTls | undefined;
      if (tlsOption !== undefined) {
        const certificates = await createTestCertificates(join(dir, 'tls'), { clientCommonName: tlsOption.clientCommonName });
        tls = { ...certificates, clientCertAuth: tlsOption.clientCertAuth === true };
      }
      for (let attempt = 1; ; attempt++) {
        const token = `etcd-ts-${randomBytes(8).toString('hex')}`;
        const perMember = tls === undefined ? 2 : 3;
        const ports = await freePorts(perMember * size);
        proxies = options.proxy === true
          ? await Promise.all(Array.from({ length: size }, (_, i) => TcpProxy.start({ targetPort: ports[perMember * i]! })))
          : [];
        const names = Array.from({ length: size }, (_, i) => `member-${i}`);
        const initialCluster = names.map((name, i) => `${name}=http://127.0.0.1:${ports[perMember * i + 1]}`).join(',');
        members = names.map((name, i) => new EtcdMember({
          name,
          bin,
          dir: join(dir, name),
          clientPort: ports[perMember * i]!,
          peerPort: ports[perMember * i + 1]!,
          metricsPort: tls === undefined ? undefined : ports[perMember * i + 2]!,
          tls: tls === undefined ? undefined : {
            certFile: tls.server.certFile,
            keyFile: tls.server.keyFile,
            trustedCaFile: tls.ca.certFile,
            clientCertAuth: tls.clientCertAuth,
          },
          advertiseClientUrl: proxies[i]?.urlFor(tls === undefined ? 'http' : 'https'),
          initialCluster,
          initialClusterState: 'new',
          initialClusterToken: token,
          args: options.args ?? [],
          orphanFolder: dir,
          unixSocket: options.unixSocket === true,
        }));
        checkSocketPaths(members);
        const abort = new AbortController();
        const results = await Promise.allSettled(members.map((m) => m.start({ timeout, signal: abort.signal }).catch((error: unknown) => {
          if (!abort.signal.aborted) abort.abort(error);
          throw error;
        })));
        if (results.every((r) => r.status === 'fulfilled')) {
          return new this({ members, dir, etcdBin: bin, etcdVersion: version, token, unregister, tls, proxies });
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

  /**
   * Prepares one more member to join this running cluster: fresh ports, a folder in this cluster's,
   * `--initial-cluster-state existing`, named `member-<n>` (n = its index). It is appended to
   * {@link members} (so {@link close} kills it, and its watchdog guards it once started) but not
   * started: first announce it (`client.cluster.memberAdd([member.peerUrl])` or
   * `memberAddAsLearner`), then `await member.start()`. Plain-http clusters only.
   *
   * @param options.initialCluster `--initial-cluster`; default: the running members and the new
   *   one as `name=peerUrl` (pass your own when the membership differs, e.g. after a removal)
   * @param options.args extra etcd flags for the new member (default none)
   * @throws EtcdLaunchError FAILED_PRECONDITION after {@link close}; UNIMPLEMENTED for a TLS cluster
   */
  async addMember(options: { initialCluster?: string; args?: readonly string[] } = {}): Promise<EtcdMember> {
    if (this.closed) throw new EtcdLaunchError('EtcdCluster.addMember: the cluster is closed', Status.FAILED_PRECONDITION);
    if (this.tls !== undefined) throw new EtcdLaunchError('EtcdCluster.addMember: supported on plain-http clusters only', Status.UNIMPLEMENTED);
    const [clientPort, peerPort] = await freePorts(2);
    const name = `member-${this.members.length}`;
    const peers = this.members.filter((m) => m.running).map((m) => `${m.name}=${m.peerUrl}`);
    const member = new EtcdMember({
      name,
      bin: this.etcdBin,
      dir: join(this.dir, name),
      clientPort: clientPort!,
      peerPort: peerPort!,
      initialCluster: options.initialCluster ?? [...peers, `${name}=http://127.0.0.1:${peerPort}`].join(','),
      initialClusterState: 'existing',
      initialClusterToken: this.token,
      args: options.args ?? [],
      orphanFolder: this.dir,
    });
    // `members` is read-only to users; the cluster itself grows it.
    (this as { members: readonly EtcdMember[] }).members = Object.freeze([...this.members, member]);
    return member;
  }

  /**
   * Client URLs of all members (`http://127.0.0.1:<port>`, `https://` with TLS), in member order;
   * the proxies' URLs when started with `proxy`.
   */
  get endpoints(): string[] {
    return this.members.map((m) => m.endpoint);
  }

  /**
   * The members' Unix socket client URLs by absolute path (`unix:///.../member-0/localhost:<port>`,
   * `unixs://` with TLS), in member order, when started with `unixSocket`; empty otherwise.
   */
  get unixEndpoints(): string[] {
    return this.members.flatMap((m) => (m.unixEndpoint === undefined ? [] : [m.unixEndpoint]));
  }

  /** Whether {@link close} has been called. */
  get closed(): boolean {
    return this.#closing !== undefined;
  }

  /**
   * The member at `index`.
   *
   * @throws EtcdLaunchError (OUT_OF_RANGE) when `index` is not an integer in `[0, members.length)`.
   */
  member(index: number): EtcdMember {
    const member = Number.isInteger(index) ? this.members[index] : undefined;
    if (member === undefined) {
      throw new EtcdLaunchError(`EtcdCluster.member: index must be an integer from 0 to ${this.members.length - 1}, got ${index}`, Status.OUT_OF_RANGE);
    }
    return member;
  }

  /**
   * Waits until exactly one running, unpaused member reports itself leader (`GET /metrics`,
   * `etcd_server_is_leader 1`) and returns it. "Exactly one" skips the moment when a resumed old
   * leader has not yet stepped down.
   *
   * @param options.timeout in ms; default {@link DEFAULT_LEADER_TIMEOUT_MS}.
   * @throws InvalidArgumentError when `timeout` is not a positive number of ms.
   * @throws EtcdLaunchError (DEADLINE_EXCEEDED) at the deadline, saying what each member answered.
   */
  async leader(options: { timeout?: number } = {}): Promise<EtcdMember> {
    const timeout = options.timeout ?? DEFAULT_LEADER_TIMEOUT_MS;
    if (typeof timeout !== 'number' || !Number.isFinite(timeout) || timeout <= 0) {
      throw new InvalidArgumentError(`EtcdCluster.leader: timeout must be a positive number of ms, got ${String(timeout)}`);
    }
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
      await sleep(HEALTH_POLL_INTERVAL_MS);
    }
    throw new EtcdLaunchError(`EtcdCluster: no single leader within ${timeout} ms (${report})`, Status.DEADLINE_EXCEEDED);
  }

  /**
   * Waits until every running member answers `GET /health` with true, e.g. after restarting
   * members with `{ wait: false }`.
   *
   * @param options.timeout in ms; default {@link DEFAULT_START_TIMEOUT_MS}.
   * @throws InvalidArgumentError when `timeout` is not a positive number of ms.
   * @throws EtcdStartError when a member exits (UNAVAILABLE) or is not healthy in time
   *   (DEADLINE_EXCEEDED).
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
      await Promise.all(this.members.map((m) => m.proxy?.close()));
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
