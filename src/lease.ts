/**
 * The Lease service: etcd `Lease.*`: grant, revoke, time-to-live, list, keep-alive (issue 3).
 * CONTRACT STUB written by the lead: the public types and signatures below are the contract other
 * code is written against; the helper owning this file implements them (and may add to them).
 */
import { NotSupportedError } from './errors.js';
import type { Rpc } from './rpc/types.js';
import type { CallOptions, ResponseHeader } from './types.js';

/** Options of `lease.grant`. */
export interface LeaseGrantOptions extends CallOptions {
  /** The lease ID to use (non-zero); default: etcd picks one. */
  id?: bigint;
}

/** Response of `lease.grant` (etcd `LeaseGrantResponse`). */
export interface LeaseGrantResponse {
  header: ResponseHeader;
  /** The lease ID. */
  id: bigint;
  /** The TTL etcd granted, in seconds (may be higher than asked: etcd's minimum TTL). */
  ttl: number;
}

/** Response of `lease.keepAliveOnce` and each item of `lease.keepAlive` (etcd `LeaseKeepAliveResponse`). */
export interface LeaseKeepAliveResponse {
  header: ResponseHeader;
  id: bigint;
  /** The lease's new remaining TTL, in seconds. */
  ttl: number;
}

/** Response of `lease.timeToLive` (etcd `LeaseTimeToLiveResponse`). */
export interface LeaseTimeToLiveResponse {
  header: ResponseHeader;
  id: bigint;
  /** Remaining TTL in seconds; -1 when the lease has expired or does not exist. */
  ttl: number;
  /** The TTL the lease was granted with, in seconds. */
  grantedTtl: number;
  /** Keys attached to the lease (with `keys: true`). */
  keys: Buffer[];
}

/** Response of `lease.leases` (etcd `LeaseLeasesResponse`). */
export interface LeaseLeasesResponse {
  header: ResponseHeader;
  leases: { id: bigint }[];
}

/** Response of `lease.revoke`. */
export interface LeaseRevokeResponse {
  header: ResponseHeader;
}

/**
 * The keep-alive of one lease: an async iterable of keep-alive responses (one per renewal, every
 * TTL/3). The iteration throws `LeaseNotFoundError` when the lease is gone (expired or revoked)
 * or a keep-alive-halted error when it could not be renewed in time. Leaving the loop, or `close()`,
 * stops renewing it (the lease is not revoked).
 */
export interface LeaseKeepAlive extends AsyncIterable<LeaseKeepAliveResponse> {
  /** The lease ID. */
  readonly id: bigint;
  /** Stops renewing the lease. */
  close(): void;
}

/** The Lease service of one client. */
export class Lease {
  readonly #rpc: Rpc;

  /** `rpc`: the client's call layer. */
  constructor(rpc: Rpc) {
    this.#rpc = rpc;
  }

  /** etcd `Lease.LeaseGrant`: a lease of `ttl` seconds. */
  grant(ttl: number, options?: LeaseGrantOptions): Promise<LeaseGrantResponse> {
    void this.#rpc;
    void ttl;
    void options;
    return Promise.reject(new NotSupportedError('lease (not implemented yet)'));
  }

  /** etcd `Lease.LeaseRevoke`. */
  revoke(id: bigint, options?: CallOptions): Promise<LeaseRevokeResponse> {
    void id;
    void options;
    return Promise.reject(new NotSupportedError('lease (not implemented yet)'));
  }

  /** etcd `Lease.LeaseTimeToLive`. */
  timeToLive(id: bigint, options?: { keys?: boolean } & CallOptions): Promise<LeaseTimeToLiveResponse> {
    void id;
    void options;
    return Promise.reject(new NotSupportedError('lease (not implemented yet)'));
  }

  /** etcd `Lease.LeaseLeases`. */
  leases(options?: CallOptions): Promise<LeaseLeasesResponse> {
    void options;
    return Promise.reject(new NotSupportedError('lease (not implemented yet)'));
  }

  /** One renewal on the shared etcd `Lease.LeaseKeepAlive` stream. */
  keepAliveOnce(id: bigint, options?: CallOptions): Promise<LeaseKeepAliveResponse> {
    void id;
    void options;
    return Promise.reject(new NotSupportedError('lease (not implemented yet)'));
  }

  /** Keeps a lease alive on the shared etcd `Lease.LeaseKeepAlive` stream. */
  keepAlive(id: bigint, options?: { signal?: AbortSignal }): LeaseKeepAlive {
    void id;
    void options;
    throw new NotSupportedError('lease (not implemented yet)');
  }
}
