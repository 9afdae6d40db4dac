/**
 * Public types of the KV API: what goes in (options of Range, Put, DeleteRange, Compact) and what
 * comes out (their responses, and a transaction's). Keys and values as in src/types.ts.
 */
import type { Bytes, KeyValue, ResponseHeader } from '../types.js';

/** What a range is sorted by (etcd `RangeRequest.SortTarget`). */
export type SortTarget = 'key' | 'version' | 'createRevision' | 'modRevision' | 'value';
/** Sort direction (etcd `RangeRequest.SortOrder`); `none` keeps etcd's natural key order. */
export type SortOrder = 'none' | 'ascend' | 'descend';

/** How a range is sorted. */
export interface SortOption {
  /** What to sort by. */
  target: SortTarget;
  /** Direction; default `ascend`. */
  order?: SortOrder;
}

/**
 * Which keys a read (or delete) covers. At most one of `prefix`, `rangeEnd`, `fromKey`.
 * With none of them the key alone is read, and it must not be empty.
 */
export interface KeyRangeOptions {
  /** Every key starting with `key` (Go `WithPrefix`). An empty key with `prefix` means every key. */
  prefix?: boolean;
  /** Every key in `[key, rangeEnd)` (Go `WithRange`). `"\0"` means every key >= `key`. */
  rangeEnd?: Bytes;
  /** Every key >= `key` (Go `WithFromKey`). An empty key with `fromKey` means every key. */
  fromKey?: boolean;
}

/** Options of a read (etcd Range), named after the Go client's `With...` options. */
export interface RangeOptions extends KeyRangeOptions {
  /** Read the store as of this revision (Go `WithRev`); 0 or absent = the newest. */
  revision?: number;
  /** At most this many keys (Go `WithLimit`); 0 or absent = no limit. */
  limit?: number;
  /** Sort the result (Go `WithSort`); default: by key, ascending. */
  sort?: SortOption;
  /** Serve from the member's local state without a quorum round; may be stale (Go `WithSerializable`). */
  serializable?: boolean;
  /** Return keys without values (Go `WithKeysOnly`). */
  keysOnly?: boolean;
  /** Return only the count, no pairs (Go `WithCountOnly`). */
  countOnly?: boolean;
  /** Only pairs with `modRevision >= minModRevision` (Go `WithMinModRev`); 0 = no bound. */
  minModRevision?: number;
  /** Only pairs with `modRevision <= maxModRevision` (Go `WithMaxModRev`); 0 = no bound. */
  maxModRevision?: number;
  /** Only pairs with `createRevision >= minCreateRevision` (Go `WithMinCreateRev`); 0 = no bound. */
  minCreateRevision?: number;
  /** Only pairs with `createRevision <= maxCreateRevision` (Go `WithMaxCreateRev`); 0 = no bound. */
  maxCreateRevision?: number;
}

/** Options of a write of one key (etcd Put). */
export interface PutOptions {
  /** Attach the key to this lease (Go `WithLease`); `0n` or absent = no lease. */
  lease?: bigint;
  /** Return the pair as it was before the put (Go `WithPrevKV`). */
  prevKv?: boolean;
  /** Keep the key's current value; the value given must be empty and the key must exist (Go `WithIgnoreValue`). */
  ignoreValue?: boolean;
  /** Keep the key's current lease; `lease` must not be given and the key must exist (Go `WithIgnoreLease`). */
  ignoreLease?: boolean;
}

/** Options of a delete (etcd DeleteRange). */
export interface DeleteOptions extends KeyRangeOptions {
  /** Return the deleted pairs (Go `WithPrevKV`). */
  prevKv?: boolean;
}

/** Options of a compaction (etcd Compact). */
export interface CompactOptions {
  /** Wait until the compaction is applied to the backend, not only scheduled (Go `WithCompactPhysical`). */
  physical?: boolean;
}

/** Result of a read. */
export interface GetResponse {
  /** Cluster ID, member ID, revision and raft term of the member that answered. */
  header: ResponseHeader;
  /** The pairs found, in the requested order (empty with `countOnly`). */
  kvs: KeyValue[];
  /** True when `limit` cut the result short. */
  more: boolean;
  /** Number of keys in the range, regardless of `limit`. */
  count: number;
}

/** Result of a put. */
export interface PutResponse {
  /** Cluster ID, member ID, revision and raft term of the member that answered. */
  header: ResponseHeader;
  /** The previous pair, when `prevKv` was asked and the key existed. */
  prevKv?: KeyValue;
}

/** Result of a delete. */
export interface DeleteResponse {
  /** Cluster ID, member ID, revision and raft term of the member that answered. */
  header: ResponseHeader;
  /** Number of keys deleted. */
  deleted: number;
  /** The deleted pairs when `prevKv` was asked, else empty. */
  prevKvs: KeyValue[];
}

/** Result of a compaction. */
export interface CompactResponse {
  /** Cluster ID, member ID, revision and raft term of the member that answered. */
  header: ResponseHeader;
}

/** Result of a transaction. */
export interface TxnResponse {
  /** Cluster ID, member ID, revision and raft term of the member that answered. */
  header: ResponseHeader;
  /** True when every compare held and the `then` ops ran; false when the `else` ops ran. */
  succeeded: boolean;
  /**
   * One response per op of the branch that ran, in order. etcd fills only `revision` in their
   * headers (the revision each op saw; 0 for a nested txn); IDs and raft term are 0 there, and
   * the outer `header` has them.
   */
  responses: OpResponse[];
}

/** Result of one operation (`client.do`, or one entry of `TxnResponse.responses`), tagged by `type`. */
export type OpResponse =
  | ({ type: 'get' } & GetResponse)
  | ({ type: 'put' } & PutResponse)
  | ({ type: 'delete' } & DeleteResponse)
  | ({ type: 'txn' } & TxnResponse);
