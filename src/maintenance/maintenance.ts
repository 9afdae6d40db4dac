/**
 * The Maintenance service: etcd `Maintenance.*`: status, defragment, alarms, hashes, snapshot,
 * move-leader and downgrade.
 *
 * These act on the member that receives the call. A method with an `endpoint` argument sends its
 * call to that endpoint alone, on a connection of its own (as the Go client dials a dedicated
 * connection for `Status`, `Defragment`, `HashKV`), without failover, and closes it afterwards;
 * without one, the call goes through the client's usual endpoint choice and failover.
 */

import { booleanOption, checkEndpoint, checkMemberId, endpointOption, functionOption, checkOptions } from '../internal/validation.js';
import { optionalHeader, responseHeader, toBuffer, toNumber } from '../internal/wire.js';
import { describe } from '../internal/describe-value.js';
import { InvalidArgumentError, NotLeaderError, NotSupportedError, SnapshotChecksumError } from '../errors/index.js';
import {
  AlarmRequest_AlarmAction,
  AlarmType as WireAlarmType,
  Cluster as ClusterMethods,
  DowngradeRequest_DowngradeAction,
  Maintenance as MaintenanceMethods,
} from '../proto/index.js';
import type {
  AlarmMember as WireAlarmMember,
  AlarmResponse as WireAlarmResponse,
  SnapshotResponse as WireSnapshotResponse,
  StatusResponse as WireStatusResponse,
} from '../proto/index.js';
import type { Rpc } from '../rpc/types.js';
import { writeSnapshotFile, type SaveSnapshotResult, type SnapshotChunk, type SnapshotProgress } from './snapshot.js';
import type { CallOptions, ResponseHeader } from '../types.js';

export type { SaveSnapshotResult, SnapshotProgress } from './snapshot.js';

/** Feature name of `Maintenance.Downgrade` in a `NotSupportedError` (etcd 3.4 has no such RPC). */
export const DOWNGRADE_FEATURE = 'Maintenance.Downgrade (etcd 3.5 or newer)';

/**
 * An alarm type (etcd `AlarmType`): `NOSPACE` (the backend quota is used up: writes are refused
 * until it is disarmed), `CORRUPT` (a consistency check failed), `NONE` (in a request: any).
 * A type this client does not know arrives as `UNKNOWN_<n>`.
 */
export type AlarmType = 'NONE' | 'NOSPACE' | 'CORRUPT' | `UNKNOWN_${number}`;

/** One raised alarm (etcd `AlarmMember`). */
export interface AlarmMember {
  /** The member that raised it. */
  memberId: bigint;
  /** What kind of alarm. */
  alarm: AlarmType;
}

/** Response of `maintenance.alarmList` and `maintenance.alarmDisarm` (etcd `AlarmResponse`). */
export interface AlarmResponse {
  /** etcd 3.4 sends no header with this response: then undefined. */
  header: ResponseHeader | undefined;
  /** `alarmList`: the active alarms; `alarmDisarm`: the alarms it disarmed. */
  alarms: AlarmMember[];
}

/** What `maintenance.alarmDisarm` disarms; both zero (the default) mean every active alarm. */
export interface AlarmDisarmTarget {
  /** The member whose alarm to disarm; default 0n (with `alarm` NONE: all). */
  memberId?: bigint;
  /** The alarm type; default `NONE` (with `memberId` 0n: all). */
  alarm?: AlarmType;
}

/** Response of `maintenance.status` (etcd `StatusResponse`). Sizes in bytes. */
export interface StatusResponse {
  /** Header of the member that answered: cluster and member IDs, revision, raft term. */
  header: ResponseHeader;
  /** Server version of the member, e.g. `3.4.23`. */
  version: string;
  /** Size of the backend database file, in bytes. */
  dbSize: number;
  /** Bytes of the database in use; the rest is free space that `defragment` gives back (etcd 3.4+). */
  dbSizeInUse: number;
  /** Member ID of the leader as this member sees it; 0n when it has none. */
  leader: bigint;
  /** The member's raft commit index. */
  raftIndex: number;
  /** The member's raft term. */
  raftTerm: number;
  /** The member's raft applied index (etcd 3.4+). */
  raftAppliedIndex: number;
  /** Problems the member reports: `etcdserver: no leader`, active alarms (`memberID:... alarm:NOSPACE `). */
  errors: string[];
  /** Whether the member is a learner (etcd 3.4+). */
  isLearner: boolean;
  /** Storage format version (etcd 3.6+; empty before). */
  storageVersion: string;
  /** The backend quota, in bytes (etcd 3.6+; 0 before). */
  dbSizeQuota: number;
  /** Downgrade state (etcd 3.6+; undefined before). */
  downgradeInfo: { enabled: boolean; targetVersion: string } | undefined;
}

/** Response of `maintenance.defragment` (etcd `DefragmentResponse`). */
export interface DefragmentResponse {
  /** Header of the member that answered: cluster and member IDs, revision, raft term. */
  header: ResponseHeader;
}

/** Response of `maintenance.hash` (etcd `HashResponse`). */
export interface HashResponse {
  /** Header of the member that answered: cluster and member IDs, revision, raft term. */
  header: ResponseHeader;
  /** CRC-32 (Castagnoli) of the whole backend database, as an unsigned 32-bit number. */
  hash: number;
}

/** Response of `maintenance.hashKV` (etcd `HashKVResponse`). */
export interface HashKVResponse {
  /** Header of the member that answered: cluster and member IDs, revision, raft term. */
  header: ResponseHeader;
  /** CRC-32 (Castagnoli) of the key-value history up to the revision, as an unsigned 32-bit number. */
  hash: number;
  /** The store's compaction revision when the hash was computed (-1: never compacted, on etcd 3.4). */
  compactRevision: number;
  /** The revision the hash covers (etcd 3.6+; 0 before). */
  hashRevision: number;
}

/** Response of `maintenance.moveLeader` (etcd `MoveLeaderResponse`). */
export interface MoveLeaderResponse {
  /** etcd 3.4 sends no header with this response: then undefined. */
  header: ResponseHeader | undefined;
}

/** What `maintenance.downgrade` does (etcd `DowngradeRequest.DowngradeAction`). */
export type DowngradeAction = 'validate' | 'enable' | 'cancel';

/** Response of `maintenance.downgrade` (etcd `DowngradeResponse`). */
export interface DowngradeResponse {
  /** Header of the member that answered: cluster and member IDs, revision, raft term. */
  header: ResponseHeader;
  /** The cluster version. */
  version: string;
}

/** Options of a call that may be aimed at one endpoint. */
export interface EndpointCallOptions extends CallOptions {
  /**
   * Send the call to this endpoint alone (`http://host:port`, or `host:port` in the client's
   * scheme), on a connection of its own, without failover. Default: the client's endpoints.
   */
  endpoint?: string;
}

/** Options of `maintenance.snapshot`. No `timeout` by default: a large database takes a while. */
export type SnapshotOptions = EndpointCallOptions;

/**
 * The chunks of a snapshot stream (`Buffer`s: the database file, then etcd's 32-byte SHA-256 of
 * it), for one `for await` loop. Leaving the loop, or `close()`, cancels the stream.
 */
export interface SnapshotStream extends AsyncIterable<Buffer> {
  /**
   * Cancels the stream when it has not ended (Go's `Snapshot.Close()`); a loop over it then ends.
   * Call it when you will not read the stream to its end: chunks not read wait in memory. Safe to
   * call more than once; never rejects.
   */
  close(): Promise<void>;
}

/** Response of `maintenance.snapshotWithVersion` (Go's `SnapshotResponse`). */
export interface SnapshotWithVersionResponse {
  /**
   * The header of the stream's first response, as Go's `Header`; undefined when the server sends
   * none, which etcd's servers do not (3.4 to 3.6: use `status()` for the member's revision).
   */
  header: ResponseHeader | undefined;
  /**
   * The version of the etcd server that made the snapshot (which version should restore it), e.g.
   * `'3.6.0'`. etcd sends it since 3.6: `''` from older servers, as in Go.
   */
  version: string;
  /** The snapshot's chunks, the first one included. */
  snapshot: SnapshotStream;
}

/** Options of `maintenance.saveSnapshot`. */
export interface SaveSnapshotOptions extends EndpointCallOptions {
  /** Called after each chunk with the bytes received and the expected total (bytes). */
  onProgress?: SnapshotProgress;
}

/** Options of `maintenance.moveLeader`. */
export interface MoveLeaderOptions extends EndpointCallOptions {
  /**
   * When the endpoint that answers is not the leader (`NotLeaderError`), find the leader through
   * `Status` and `MemberList` and send the request there. Default true. Ignored with `endpoint`.
   */
  findLeader?: boolean;
}

const ALARM_NAMES: Readonly<Record<number, AlarmType>> = {
  [WireAlarmType.NONE]: 'NONE',
  [WireAlarmType.NOSPACE]: 'NOSPACE',
  [WireAlarmType.CORRUPT]: 'CORRUPT',
};
const ALARM_VALUES: Readonly<Record<string, WireAlarmType>> = {
  NONE: WireAlarmType.NONE,
  NOSPACE: WireAlarmType.NOSPACE,
  CORRUPT: WireAlarmType.CORRUPT,
};
const DOWNGRADE_ACTIONS: Readonly<Record<DowngradeAction, DowngradeRequest_DowngradeAction>> = {
  validate: DowngradeRequest_DowngradeAction.VALIDATE,
  enable: DowngradeRequest_DowngradeAction.ENABLE,
  cancel: DowngradeRequest_DowngradeAction.CANCEL,
};
const ENDPOINT_OPTIONS = { endpoint: endpointOption };
const SAVE_OPTIONS = { endpoint: endpointOption, onProgress: functionOption };
const MOVE_LEADER_OPTIONS = { endpoint: endpointOption, findLeader: booleanOption };
const DISARM_TARGET_NAMES = ['memberId', 'alarm'];

/**
 * The Maintenance service of one client (`client.maintenance`). Every method checks its arguments
 * before sending (`InvalidArgumentError`) and rejects with the typed error of the call.
 */
export class Maintenance {
  readonly #rpc: Rpc;

  /** `rpc`: the client's call layer. */
  constructor(rpc: Rpc) {
    this.#rpc = rpc;
  }

  /**
   * The status of one member (etcd `Maintenance.Status`): version, database size, leader, raft
   * indexes, errors (alarms, no leader).
   *
   * @param endpoint the member to ask (a dedicated connection); default: the client's current endpoint
   */
  status(endpoint?: string, options?: CallOptions): Promise<StatusResponse> {
    return this.#on(endpoint, 'status', options, async (rpc) => statusResponse(await rpc.unary(MaintenanceMethods.status, {}, callOptions(options))));
  }

  /**
   * Defragments one member's backend (etcd `Maintenance.Defragment`), giving the free space left
   * by compaction back to the file system. The member serves nothing while it runs (seconds for
   * a large database); do one member at a time. Not retried once sent.
   *
   * @param endpoint the member to defragment; default: the client's current endpoint
   */
  defragment(endpoint?: string, options?: CallOptions): Promise<DefragmentResponse> {
    return this.#on(endpoint, 'defragment', options, async (rpc) => {
      const response = await rpc.unary(MaintenanceMethods.defragment, {}, callOptions(options));
      return { header: responseHeader(response.header) };
    });
  }

  /** The active alarms of the cluster (etcd `Maintenance.Alarm`, action GET). */
  async alarmList(options?: CallOptions): Promise<AlarmResponse> {
    checkOptions(options, 'alarmList');
    return alarmResponse(await this.#alarm(AlarmRequest_AlarmAction.GET, 0n, WireAlarmType.NONE, options));
  }

  /**
   * Disarms an alarm (etcd `Maintenance.Alarm`, action DEACTIVATE). With no target (or memberId
   * 0n and alarm `NONE`), every active alarm is listed and disarmed one by one, as the Go client
   * does; the response then lists them and has no header. A NOSPACE alarm comes back at the next
   * write while the database is still over its quota: compact and defragment first.
   */
  async alarmDisarm(target?: AlarmDisarmTarget, options?: CallOptions): Promise<AlarmResponse> {
    const { memberId, alarm } = disarmTarget(target);
    checkOptions(options, 'alarmDisarm');
    if (memberId === 0n && alarm === WireAlarmType.NONE) {
      const active = await this.#alarm(AlarmRequest_AlarmAction.GET, 0n, WireAlarmType.NONE, options);
      const disarmed: WireAlarmMember[] = [];
      for (const a of active.alarms) {
        const response = await this.#alarm(AlarmRequest_AlarmAction.DEACTIVATE, a.memberID, a.alarm, options);
        disarmed.push(...response.alarms);
      }
      return { header: undefined, alarms: disarmed.map(alarmMember) };
    }
    return alarmResponse(await this.#alarm(AlarmRequest_AlarmAction.DEACTIVATE, memberId, alarm, options));
  }

  /**
   * The hash of one member's whole backend database (etcd `Maintenance.Hash`); for tests and
   * corruption checks. Prefer {@link hashKV}, which compares across members.
   *
   * @param endpoint the member to ask; default: the client's current endpoint
   */
  hash(endpoint?: string, options?: CallOptions): Promise<HashResponse> {
    return this.#on(endpoint, 'hash', options, async (rpc) => {
      const response = await rpc.unary(MaintenanceMethods.hash, {}, callOptions(options));
      return { header: responseHeader(response.header), hash: response.hash };
    });
  }

  /**
   * The hash of one member's key-value history up to `revision` (etcd `Maintenance.HashKV`); equal
   * on every member for the same revision and compaction. Rejects with `CompactedError` /
   * `FutureRevisionError` for a revision out of range.
   *
   * @param endpoint the member to ask; default: the client's current endpoint
   * @param revision the last revision hashed; 0 (default) for the newest
   */
  hashKV(endpoint?: string, revision: number = 0, options?: CallOptions): Promise<HashKVResponse> {
    if (!(typeof revision === 'number' && Number.isSafeInteger(revision) && revision >= 0)) {
      return Promise.reject(new InvalidArgumentError(`hashKV: revision must be a non-negative integer (0 = newest), got ${describe(revision)}`));
    }
    return this.#on(endpoint, 'hashKV', options, async (rpc) => {
      const response = await rpc.unary(MaintenanceMethods.hashKV, { revision: BigInt(revision) }, callOptions(options));
      return {
        header: responseHeader(response.header),
        hash: response.hash,
        compactRevision: toNumber(response.compactRevision, 'compact revision'),
        hashRevision: toNumber(response.hashRevision, 'hash revision'),
      };
    });
  }

  /**
   * A snapshot of one member's backend database (etcd `Maintenance.Snapshot`), as an async
   * iterable of `Buffer` chunks: the database file, then etcd's 32-byte SHA-256 of it. Leaving the
   * loop cancels the stream. Use {@link saveSnapshot} to write a checked file.
   *
   * Flow control: chunks are read as fast as the server sends them and wait in memory for the
   * loop (the transport has no pause yet); a consumer much slower than the network holds up to
   * the whole database in memory.
   *
   * @throws InvalidArgumentError at once for bad options
   */
  snapshot(options?: SnapshotOptions): AsyncIterable<Buffer> {
    checkOptions(options, 'snapshot', ENDPOINT_OPTIONS);
    const chunks = this.#snapshotChunks(options);
    return {
      async *[Symbol.asyncIterator]() {
        for await (const chunk of chunks) yield toBuffer(chunk.blob);
      },
    };
  }

  /**
   * A snapshot of one member (etcd `Maintenance.Snapshot`) with the version of the server that
   * made it (Go's `SnapshotWithVersion`). Resolves once the first chunk has arrived; read the
   * chunks from `snapshot` (the first one included), or `close()` it. Same flow-control caveat as
   * {@link snapshot}.
   *
   * ```ts
   * const { version, snapshot } = await client.maintenance.snapshotWithVersion();
   * console.log(`made by etcd ${version || 'before 3.6'}`);
   * for await (const chunk of snapshot) out.write(chunk);
   * ```
   *
   * @throws InvalidArgumentError at once for bad options
   * @throws the stream's typed error when it fails before its first chunk (e.g.
   *   `NoAvailableEndpointsError`, `DeadlineExceededError`); `SnapshotChecksumError` when it ends
   *   without any chunk
   */
  async snapshotWithVersion(options?: SnapshotOptions): Promise<SnapshotWithVersionResponse> {
    checkOptions(options, 'snapshotWithVersion', ENDPOINT_OPTIONS);
    const responses = this.#snapshotChunks(options);
    const first = await responses.next();
    if (first.done === true) {
      // node:crypto is loaded only here, not with the module (it is large; most processes never need it).
      const { createHash } = await import('node:crypto');
      throw new SnapshotChecksumError(undefined, createHash('sha256').digest('hex'), 0);
    }
    return {
      header: optionalHeader(first.value.header),
      version: first.value.version,
      snapshot: snapshotStream(toBuffer(first.value.blob), responses),
    };
  }

  /**
   * Saves a snapshot of one member to `path` (etcd `Maintenance.Snapshot`): written to
   * `<path>.part` (created exclusively, mode 0600; never through a symlink planted there) as it
   * arrives, etcd's SHA-256 trailer checked, fsynced, then renamed
   * to `path`. On failure `path` is untouched and the part file removed. Same flow-control caveat
   * as {@link snapshot}. Resolves to the path, the size in bytes (trailer included, as the file)
   * and the checked SHA-256 (hex).
   *
   * @throws SnapshotChecksumError for a missing or wrong trailer; the stream's typed error; the
   *   file system's error (e.g. `ENOENT` for a missing folder)
   */
  async saveSnapshot(path: string, options?: SaveSnapshotOptions): Promise<SaveSnapshotResult> {
    if (typeof path !== 'string' || path === '') throw new InvalidArgumentError(`saveSnapshot: path must be a non-empty file path, got ${describe(path)}`);
    checkOptions(options, 'saveSnapshot', SAVE_OPTIONS);
    return writeSnapshotFile(path, this.#snapshotChunks(options), options?.onProgress);
  }

  /**
   * Hands the leadership to another voting member (etcd `Maintenance.MoveLeader`); resolves once
   * it has moved. Only the leader accepts the request: sent elsewhere it fails with
   * `NotLeaderError`, and then (unless `findLeader: false` or an `endpoint` is given) the leader is
   * looked up (`Status`, `MemberList`) and the request sent to it. Rejects with
   * `BadLeaderTransfereeError` for a target that cannot lead (a learner, an unknown ID).
   *
   * @param targetId the member ID of the new leader
   */
  async moveLeader(targetId: bigint, options?: MoveLeaderOptions): Promise<MoveLeaderResponse> {
    const targetID = checkMemberId(targetId, 'moveLeader: targetId');
    checkOptions(options, 'moveLeader', MOVE_LEADER_OPTIONS);
    const send = async (rpc: Rpc): Promise<MoveLeaderResponse> => {
      const response = await rpc.unary(MaintenanceMethods.moveLeader, { targetID }, callOptions(options));
      return { header: optionalHeader(response.header) };
    };
    if (options?.endpoint !== undefined) return this.#on(options.endpoint, 'moveLeader', undefined, send);
    try {
      return await send(this.#rpc);
    } catch (error) {
      if (!(error instanceof NotLeaderError) || options?.findLeader === false) throw error;
      const leaderUrl = await this.#leaderUrl(options);
      if (leaderUrl === undefined) throw error;
      return this.#on(leaderUrl, 'moveLeader', undefined, send);
    }
  }

  /**
   * Cluster downgrade (etcd `Maintenance.Downgrade`, etcd 3.5+): `validate` checks that the
   * cluster can go down to `version`, `enable` starts the downgrade, `cancel` stops it.
   * On etcd 3.4, which has no such RPC, rejects with `NotSupportedError` naming the server's
   * version (read with `Status` from the same endpoint).
   *
   * @param action `validate`, `enable` or `cancel`
   * @param version target version `major.minor` (e.g. `3.4`); ignored by `cancel`
   */
  async downgrade(action: DowngradeAction, version: string, options?: EndpointCallOptions): Promise<DowngradeResponse> {
    const wireAction = Object.prototype.hasOwnProperty.call(DOWNGRADE_ACTIONS, action) ? DOWNGRADE_ACTIONS[action] : undefined;
    if (wireAction === undefined) {
      throw new InvalidArgumentError(`downgrade: action must be 'validate', 'enable' or 'cancel', got ${describe(action)}`);
    }
    if (typeof version !== 'string' || (action !== 'cancel' && version === '')) {
      throw new InvalidArgumentError(`downgrade: version must be a target version like '3.4', got ${describe(version)}`);
    }
    checkOptions(options, 'downgrade', ENDPOINT_OPTIONS);
    return this.#on(options?.endpoint, 'downgrade', undefined, async (rpc) => {
      try {
        const response = await rpc.unary(MaintenanceMethods.downgrade, { action: wireAction, version }, callOptions(options));
        return { header: responseHeader(response.header), version: response.version };
      } catch (error) {
        if (!(error instanceof NotSupportedError)) throw error;
        const serverVersion = await rpc.unary(MaintenanceMethods.status, {}, callOptions(options)).then(
          (status) => status.version || undefined,
          () => undefined,
        );
        throw new NotSupportedError(DOWNGRADE_FEATURE, serverVersion, error.details, { cause: error });
      }
    });
  }

  /** Runs `call` on the client's rpc, or on a dedicated one for `endpoint` (closed afterwards). */
  async #on<T>(endpoint: string | undefined, operation: string, options: CallOptions | undefined, call: (rpc: Rpc) => Promise<T>): Promise<T> {
    if (options !== undefined) checkOptions(options, operation);
    if (endpoint === undefined) return call(this.#rpc);
    const rpc = this.#dedicated(endpoint, operation);
    try {
      return await call(rpc);
    } finally {
      await rpc.close();
    }
  }

  #dedicated(endpoint: string, operation: string): Rpc {
    checkEndpoint(endpoint, `${operation}: endpoint`);
    return this.#rpc.forEndpoint(endpoint);
  }

  #alarm(action: AlarmRequest_AlarmAction, memberID: bigint, alarm: WireAlarmType, options: CallOptions | undefined): Promise<WireAlarmResponse> {
    return this.#rpc.unary(MaintenanceMethods.alarm, { action, memberID, alarm }, callOptions(options));
  }

  /** The responses of a `Maintenance.Snapshot` stream (each a {@link SnapshotChunk}, with its header and version). */
  async *#snapshotChunks(options: EndpointCallOptions | undefined): AsyncGenerator<WireSnapshotResponse & SnapshotChunk, void, undefined> {
    const endpoint = options?.endpoint;
    const rpc = endpoint === undefined ? this.#rpc : this.#dedicated(endpoint, 'snapshot');
    try {
      yield* rpc.serverStream(MaintenanceMethods.snapshot, {}, callOptions(options));
    } finally {
      if (rpc !== this.#rpc) await rpc.close();
    }
  }

  /** The client URL of the leader as the client's current endpoint sees it, or undefined. */
  async #leaderUrl(options: CallOptions | undefined): Promise<string | undefined> {
    const status = await this.#rpc.unary(MaintenanceMethods.status, {}, callOptions(options));
    if (status.leader === 0n) return undefined;
    const list = await this.#rpc.unary(ClusterMethods.memberList, { linearizable: false }, callOptions(options));
    return list.members.find((m) => m.ID === status.leader)?.clientURLs[0];
  }
}

/**
 * The {@link SnapshotStream} of `snapshotWithVersion`: `first`, then the blobs of `rest` (the
 * stream's responses after the first); `rest` is closed however the loop ends, or by `close()`.
 */
function snapshotStream(first: Buffer, rest: AsyncGenerator<SnapshotChunk, void, undefined>): SnapshotStream {
  const chunks = (async function* (): AsyncGenerator<Buffer, void, undefined> {
    try {
      yield first;
      for (;;) {
        const next = await rest.next();
        if (next.done === true) return;
        yield toBuffer(next.value.blob);
      }
    } finally {
      await rest.return(undefined);
    }
  })();
  return {
    [Symbol.asyncIterator]: () => chunks,
    async close(): Promise<void> {
      // A loop not started yet never runs the generator's `finally`: close `rest` here too.
      await chunks.return(undefined).catch(() => undefined);
      await rest.return(undefined).catch(() => undefined);
    },
  };
}

/** Only the call options the rpc layer reads (not `endpoint`, `onProgress`, ...). */
function callOptions(options: CallOptions | undefined): CallOptions | undefined {
  if (options === undefined) return undefined;
  const { signal, timeout, requireLeader } = options;
  return signal === undefined && timeout === undefined && requireLeader === undefined ? undefined : { signal, timeout, requireLeader };
}

function disarmTarget(target: AlarmDisarmTarget | undefined): { memberId: bigint; alarm: WireAlarmType } {
  if (target === undefined) return { memberId: 0n, alarm: WireAlarmType.NONE };
  if (typeof target !== 'object' || target === null || Array.isArray(target)) {
    throw new InvalidArgumentError(`alarmDisarm: target must be { memberId?, alarm? }, got ${describe(target)}`);
  }
  for (const name of Object.keys(target)) {
    if (!DISARM_TARGET_NAMES.includes(name)) {
      throw new InvalidArgumentError(`alarmDisarm: unknown target field '${name}'; known: ${DISARM_TARGET_NAMES.join(', ')}`);
    }
  }
  const memberId = target.memberId === undefined || target.memberId === 0n ? 0n : checkMemberId(target.memberId, 'alarmDisarm: memberId');
  const alarm = target.alarm === undefined ? WireAlarmType.NONE : ALARM_VALUES[target.alarm];
  if (alarm === undefined) {
    throw new InvalidArgumentError(`alarmDisarm: alarm must be 'NOSPACE', 'CORRUPT' or 'NONE', got ${describe(target.alarm)}`);
  }
  return { memberId, alarm };
}

function alarmMember(a: WireAlarmMember): AlarmMember {
  return { memberId: a.memberID, alarm: ALARM_NAMES[a.alarm] ?? `UNKNOWN_${a.alarm}` };
}

function alarmResponse(response: WireAlarmResponse): AlarmResponse {
  return { header: optionalHeader(response.header), alarms: response.alarms.map(alarmMember) };
}

function statusResponse(r: WireStatusResponse): StatusResponse {
  return {
    header: responseHeader(r.header),
    version: r.version,
    dbSize: toNumber(r.dbSize, 'db size'),
    dbSizeInUse: toNumber(r.dbSizeInUse, 'db size in use'),
    leader: r.leader,
    raftIndex: toNumber(r.raftIndex, 'raft index'),
    raftTerm: toNumber(r.raftTerm, 'raft term'),
    raftAppliedIndex: toNumber(r.raftAppliedIndex, 'raft applied index'),
    errors: r.errors,
    isLearner: r.isLearner,
    storageVersion: r.storageVersion,
    dbSizeQuota: toNumber(r.dbSizeQuota, 'db size quota'),
    downgradeInfo: r.downgradeInfo === undefined ? undefined : { enabled: r.downgradeInfo.enabled, targetVersion: r.downgradeInfo.targetVersion },
  };
}
