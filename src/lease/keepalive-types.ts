/**
 * The keep-alive types of the Lease service, shared by lease.ts (which re-exports them: import them
 * from `etcd-ts`) and keepalive.ts (which implements them), so neither imports the other's types.
 */
import type { ResponseHeader } from '../types.js';

/** Response of `lease.keepAliveOnce` and each item of `lease.keepAlive` (etcd `LeaseKeepAliveResponse`). */
export interface LeaseKeepAliveResponse {
  /** Header of the member that answered: cluster and member IDs, revision, raft term. */
  header: ResponseHeader;
  /** The lease ID. */
  id: bigint;
  /** The lease's new remaining TTL, in seconds (its full TTL: a renewal restarts it). */
  ttl: number;
}

/**
 * The keep-alive of one lease: an async iterable of keep-alive responses (one per renewal, every
 * TTL/3). The iteration throws `LeaseNotFoundError` when the lease is gone (expired or revoked)
 * or `LeaseKeepAliveHaltedError` when it could not be renewed in time (no answer before its
 * deadline: the last renewal's send time plus the TTL). Leaving the loop, or `close()`, stops
 * renewing it (the lease is not revoked).
 *
 * Buffering: at most one unread response is kept, the latest (older unread ones are dropped, as
 * in Go); renewals do not depend on the loop reading. A loss is thrown at the next read.
 */
export interface LeaseKeepAlive extends AsyncIterable<LeaseKeepAliveResponse> {
  /** The lease ID. */
  readonly id: bigint;
  /** Whether it has ended: closed, lost, or aborted. */
  readonly ended: boolean;
  /** Stops renewing the lease for this iterable; a loop reading it ends normally. */
  close(): void;
}
