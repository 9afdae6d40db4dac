/**
 * The Lease service: etcd `Lease.*`: grant, revoke, time-to-live, list, keep-alive.
 *
 * IDs are `bigint` (random positive 64-bit values; etcdctl prints them in hex), TTLs are seconds.
 * Every keep-alive of a client shares one `Lease.LeaseKeepAlive` stream (see keepalive.ts for
 * the schedule, loss detection and failover).
 */
import { checkCallOptions, checkOptions, toFlag, type OptionChecker } from '../internal/validation.js';
import { describe } from '../internal/describe-value.js';
import { responseHeader, toBuffer, toLeaseId, toNumber } from '../internal/wire.js';
import { InvalidArgumentError } from '../errors/index.js';
import { KeepAliveStream } from './keepalive.js';
import type { LeaseKeepAlive, LeaseKeepAliveResponse } from './keepalive-types.js';
import { Lease as LeaseMethods } from '../proto/index.js';
import type { LeaseKeepAliveResponse as WireKeepAliveResponse } from '../proto/index.js';
import type { Rpc } from '../rpc/types.js';
import type { CallOptions, ResponseHeader } from '../types.js';

export type { LeaseKeepAlive, LeaseKeepAliveResponse } from './keepalive-types.js';

/** The options of `grant` besides the call options (`signal`, `timeout`, `requireLeader`). */
const GRANT_OPTIONS: Readonly<Record<string, OptionChecker>> = { id: (value, name) => void checkLeaseId(value, name) };
/** The options of `timeToLive` besides the call options (`signal`, `timeout`, `requireLeader`). */
const TIME_TO_LIVE_OPTIONS: Readonly<Record<string, OptionChecker>> = { keys: (value) => void toFlag(value, 'keys') };

/** Options of `lease.grant`. */
export interface LeaseGrantOptions extends CallOptions {
  /** The lease ID to use: a bigint in [1, 2^63 - 1]; default: etcd picks one. */
  id?: bigint;
}

/** Response of `lease.grant` (etcd `LeaseGrantResponse`). */
export interface LeaseGrantResponse {
  /** Header of the member that answered: cluster and member IDs, revision, raft term. */
  header: ResponseHeader;
  /** The lease ID. */
  id: bigint;
  /** The TTL etcd granted, in seconds (may be higher than asked: etcd's minimum TTL). */
  ttl: number;
}

/** Response of `lease.timeToLive` (etcd `LeaseTimeToLiveResponse`). */
export interface LeaseTimeToLiveResponse {
  /** Header of the member that answered: cluster and member IDs, revision, raft term. */
  header: ResponseHeader;
  /** The lease ID. */
  id: bigint;
  /** Remaining TTL in seconds; -1 when the lease has expired or does not exist. */
  ttl: number;
  /** The TTL the lease was granted with, in seconds (0 when it does not exist). */
  grantedTtl: number;
  /** Keys attached to the lease (with `keys: true`; else empty). */
  keys: Buffer[];
}

/** Response of `lease.leases` (etcd `LeaseLeasesResponse`). */
export interface LeaseLeasesResponse {
  /** Header of the member that answered: cluster and member IDs, revision, raft term. */
  header: ResponseHeader;
  /** Every lease the cluster holds, in no particular order. */
  leases: { id: bigint }[];
}

/** Response of `lease.revoke`. */
export interface LeaseRevokeResponse {
  /** Header of the member that answered: cluster and member IDs, revision, raft term. */
  header: ResponseHeader;
}

function keepAliveResponse(wire: WireKeepAliveResponse): LeaseKeepAliveResponse {
  return { header: responseHeader(wire.header), id: wire.ID, ttl: toNumber(wire.TTL, 'TTL') };
}

/**
 * A lease ID argument: a bigint in [1, 2^63 - 1].
 * @throws InvalidArgumentError naming `what` otherwise
 */
function checkLeaseId(id: unknown, what: string): bigint {
  return toLeaseId(id, what, 1n);
}

/**
 * The Lease service of one client (`client.lease`). Every method checks its arguments before
 * sending (rejecting with `InvalidArgumentError` naming the problem) and rejects with a typed
 * error of src/errors/ when the call fails.
 */
export class Lease {
  readonly #rpc: Rpc;
  readonly #keepAlives: KeepAliveStream;

  /** `rpc`: the client's call layer. */
  constructor(rpc: Rpc) {
    this.#rpc = rpc;
    this.#keepAlives = new KeepAliveStream(rpc, keepAliveResponse);
  }

  /**
   * Grants a lease of `ttl` seconds (etcd `Lease.LeaseGrant`). Keys put with `{ lease: id }` are
   * deleted when it expires or is revoked. etcd raises a TTL below its minimum (1.5 election
   * timeouts, rounded up: 2 s with the default 1 s election timeout) to that minimum; the
   * response has the TTL granted.
   *
   * @param ttl seconds, a non-negative integer
   * @param options `id` to choose the lease ID, `signal`, `timeout` (ms)
   * @throws InvalidArgumentError for a negative or non-integer `ttl` or a bad `id`
   * @throws LeaseExistError when `id` is taken; LeaseTTLTooLargeError above etcd's maximum (9e9 s)
   */
  async grant(ttl: number, options?: LeaseGrantOptions): Promise<LeaseGrantResponse> {
    if (typeof ttl !== 'number' || !Number.isSafeInteger(ttl) || ttl < 0) {
      throw new InvalidArgumentError(`grant: ttl must be a non-negative integer number of seconds, got ${describe(ttl)}`);
    }
    checkOptions(options, 'grant', GRANT_OPTIONS);
    const id = options?.id ?? 0n;
    const response = await this.#rpc.unary(LeaseMethods.leaseGrant, { TTL: BigInt(ttl), ID: id }, options);
    return { header: responseHeader(response.header), id: response.ID, ttl: toNumber(response.TTL, 'TTL') };
  }

  /**
   * Revokes a lease (etcd `Lease.LeaseRevoke`): it ends at once and its keys are deleted; its
   * keep-alives end with `LeaseNotFoundError` at their next renewal.
   *
   * @throws InvalidArgumentError for an `id` that is not a bigint in [1, 2^63 - 1]
   * @throws LeaseNotFoundError when the lease does not exist
   */
  async revoke(id: bigint, options?: CallOptions): Promise<LeaseRevokeResponse> {
    checkLeaseId(id, 'revoke: id');
    checkCallOptions(options, 'revoke');
    const response = await this.#rpc.unary(LeaseMethods.leaseRevoke, { ID: id }, options);
    return { header: responseHeader(response.header) };
  }

  /**
   * A lease's remaining and granted TTL, and with `keys: true` the keys attached to it (etcd
   * `Lease.LeaseTimeToLive`). A lease that does not exist (expired, revoked, never granted) gives
   * `ttl: -1`, `grantedTtl: 0`, no error.
   *
   * @throws InvalidArgumentError for a bad `id` or `keys`
   */
  async timeToLive(id: bigint, options?: { keys?: boolean } & CallOptions): Promise<LeaseTimeToLiveResponse> {
    checkLeaseId(id, 'timeToLive: id');
    checkOptions(options, 'timeToLive', TIME_TO_LIVE_OPTIONS);
    const keys = options?.keys ?? false;
    const response = await this.#rpc.unary(LeaseMethods.leaseTimeToLive, { ID: id, keys }, options);
    return {
      header: responseHeader(response.header),
      id: response.ID,
      ttl: toNumber(response.TTL, 'TTL'),
      grantedTtl: toNumber(response.grantedTTL, 'granted TTL'),
      keys: response.keys.map(toBuffer),
    };
  }

  /** Every lease of the cluster (etcd `Lease.LeaseLeases`). */
  async leases(options?: CallOptions): Promise<LeaseLeasesResponse> {
    checkCallOptions(options, 'leases');
    const response = await this.#rpc.unary(LeaseMethods.leaseLeases, {}, options);
    return { header: responseHeader(response.header), leases: response.leases.map((l) => ({ id: l.ID })) };
  }

  /**
   * Renews a lease once (etcd `Lease.LeaseKeepAlive`, on the client's shared keep-alive stream).
   * A stream broken by a transient failure (a member going down) is opened again and the
   * renewal re-sent, within `timeout`.
   *
   * @throws InvalidArgumentError for a bad `id`
   * @throws LeaseNotFoundError when the lease does not exist (expired, revoked, never granted)
   * @throws DeadlineExceededError past `timeout`; `signal.reason` when aborted;
   *   NoAvailableEndpointsError when no endpoint could be reached within the dial timeout
   */
  async keepAliveOnce(id: bigint, options?: CallOptions): Promise<LeaseKeepAliveResponse> {
    checkLeaseId(id, 'keepAliveOnce: id');
    checkCallOptions(options, 'keepAliveOnce');
    return this.#keepAlives.keepAliveOnce(id, options);
  }

  /**
   * Keeps a lease alive on the client's shared etcd `Lease.LeaseKeepAlive` stream, until the
   * returned iterable is closed (or its loop left) or the lease is lost. Renewals start at once
   * and go on whether the loop reads or not; each comes TTL/3 after the previous answer. Several
   * `keepAlive()` of one ID share its renewals, and each sees every response.
   *
   * ```ts
   * const { id } = await client.lease.grant(10);
   * for await (const resp of client.lease.keepAlive(id)) console.log('renewed, ttl', resp.ttl);
   * // ends by throwing LeaseNotFoundError (revoked, expired) or LeaseKeepAliveHaltedError
   * ```
   *
   * The loop throws `LeaseNotFoundError` when etcd says the lease is gone, and
   * `LeaseKeepAliveHaltedError` when no renewal was answered before the lease's deadline (the
   * send time of the last answered renewal plus the TTL; before the first answer, 6 s), e.g.
   * while the cluster is unreachable, or when the client is closed. A broken stream is opened
   * again (with backoff, on another endpoint when its member is down) and renewals resume.
   *
   * @param options `signal`: aborting it stops the keep-alive and the loop throws `signal.reason`
   * @throws InvalidArgumentError (synchronously) for a bad `id` or an unknown option
   */
  keepAlive(id: bigint, options?: { signal?: AbortSignal }): LeaseKeepAlive {
    checkLeaseId(id, 'keepAlive: id');
    return this.#keepAlives.keepAlive(id, options);
  }

  /**
   * Stops every keep-alive of this client at once (Go's `Lease.Close`): each `keepAlive()`
   * iterable ends as with its own `close()` (its loop ends normally; the leases are not revoked,
   * so they expire after their TTL unless renewed again), and the shared `Lease.LeaseKeepAlive`
   * stream is cancelled. `keepAliveOnce()` calls in flight still get their answer. Unlike Go's,
   * the service stays usable: a later `keepAlive()` starts renewing again on a new stream. Never
   * throws; safe to call more than once.
   */
  close(): void {
    this.#keepAlives.closeAll();
  }
}
