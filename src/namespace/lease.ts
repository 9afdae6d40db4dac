/**
 * The Lease service seen from a namespace (Go's `namespace.NewLease`): the same calls, except that
 * `timeToLive` with `keys` lists only the attached keys inside the namespace, without the prefix.
 */
import type {
  Lease,
  LeaseGrantOptions,
  LeaseGrantResponse,
  LeaseKeepAlive,
  LeaseKeepAliveResponse,
  LeaseLeasesResponse,
  LeaseRevokeResponse,
  LeaseTimeToLiveResponse,
} from '../lease/lease.js';
import type { LeaseService } from '../service-interfaces.js';
import type { CallOptions } from '../types.js';

/**
 * `namespace.lease`: leases are cluster-wide, so every call goes to the client's `Lease` service
 * unchanged, but the keys `timeToLive` reports are those of the namespace (prefix removed); keys
 * outside it are left out.
 */
export class NamespaceLease implements LeaseService {
  readonly #lease: Lease;
  readonly #prefix: Buffer;

  /** `lease`: the client's Lease service; `prefix`: the namespace's prefix. */
  constructor(lease: Lease, prefix: Buffer) {
    this.#lease = lease;
    this.#prefix = prefix;
  }

  /** Grants a lease of `ttl` seconds (etcd `Lease.LeaseGrant`). See `Lease.grant`. */
  grant(ttl: number, options?: LeaseGrantOptions): Promise<LeaseGrantResponse> {
    return this.#lease.grant(ttl, options);
  }

  /** Revokes a lease, deleting its keys wherever they are (etcd `Lease.LeaseRevoke`). See `Lease.revoke`. */
  revoke(id: bigint, options?: CallOptions): Promise<LeaseRevokeResponse> {
    return this.#lease.revoke(id, options);
  }

  /**
   * A lease's TTLs and, with `keys: true`, its keys inside the namespace without the prefix (etcd
   * `Lease.LeaseTimeToLive`). See `Lease.timeToLive`.
   */
  async timeToLive(id: bigint, options?: { keys?: boolean } & CallOptions): Promise<LeaseTimeToLiveResponse> {
    const response = await this.#lease.timeToLive(id, options);
    const p = this.#prefix;
    const keys: Buffer[] = [];
    for (const key of response.keys) {
      if (key.length >= p.length && key.subarray(0, p.length).equals(p)) keys.push(key.subarray(p.length));
    }
    return { ...response, keys };
  }

  /** Every lease of the cluster (etcd `Lease.LeaseLeases`). See `Lease.leases`. */
  leases(options?: CallOptions): Promise<LeaseLeasesResponse> {
    return this.#lease.leases(options);
  }

  /** Renews a lease once (etcd `Lease.LeaseKeepAlive`). See `Lease.keepAliveOnce`. */
  keepAliveOnce(id: bigint, options?: CallOptions): Promise<LeaseKeepAliveResponse> {
    return this.#lease.keepAliveOnce(id, options);
  }

  /** Keeps a lease alive on the client's shared stream (etcd `Lease.LeaseKeepAlive`). See `Lease.keepAlive`. */
  keepAlive(id: bigint, options?: { signal?: AbortSignal }): LeaseKeepAlive {
    return this.#lease.keepAlive(id, options);
  }
}
