/**
 * The public types every service shares: `Bytes` (what keys and values go in as), `KeyValue` and
 * `ResponseHeader` (what responses carry), and `CallOptions` (what every call takes). The types of
 * each service are in its folder (the KV's in src/kv/types.ts).
 *
 * Conventions: keys and values are accepted as `string` (UTF-8) or `Uint8Array` and returned as
 * `Buffer` views of the response; revisions, versions, counts and the raft term are `number`
 * (a value above 2^53 - 1 throws rather than losing precision); lease, member and cluster IDs
 * are `bigint` (random 64-bit values).
 */
/** Options every call accepts. */
export interface CallOptions {
  /** Aborting cancels the call; it rejects with `signal.reason`. */
  signal?: AbortSignal;
  /** Deadline for the whole call including retries, in milliseconds; expiry rejects with `DeadlineExceededError`. */
  timeout?: number;
  /**
   * Sends etcd's require-leader metadata (`hasleader: true`) with this call, as clientv3's
   * `WithRequireLeader(ctx)`: a member without a leader answers `NoLeaderError` at once instead of
   * holding the call. A read is then retried on the other endpoints (the usual retries, bounded by
   * `maxUnaryRetries` and `timeout`), a write fails with it. `false` sends no such metadata even
   * when the client's `requireLeader` option is set. Default: the client's `requireLeader` (false).
   */
  requireLeader?: boolean;
}

/** A key, value or range end as given by the caller: a string (encoded as UTF-8) or raw bytes. */
export type Bytes = string | Uint8Array;

/** The header etcd puts on every response. */
export interface ResponseHeader {
  /** ID of the cluster that answered. */
  clusterId: bigint;
  /** ID of the member that answered. */
  memberId: bigint;
  /** The store's revision when the request was served. */
  revision: number;
  /** The raft term of the member when the request was served. */
  raftTerm: number;
}

/** One key with its value and metadata, as stored at some revision. */
export interface KeyValue {
  /** The key (a view of the response bytes; `key.toString()` gives UTF-8). */
  key: Buffer;
  /** The value (empty for `keysOnly` reads). */
  value: Buffer;
  /** Revision of the key's last creation. */
  createRevision: number;
  /** Revision of the key's last modification. */
  modRevision: number;
  /** Number of modifications since creation (1 right after creation). */
  version: number;
  /** ID of the lease attached to the key, `0n` for none. */
  lease: bigint;
}
