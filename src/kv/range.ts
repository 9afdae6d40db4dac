/**
 * Key ranges and range reads: range-end computation (Go `GetPrefixRangeEnd`, `WithPrefix`,
 * `WithFromKey`), the sort option, the `firstKey()`-style helpers, and the checked mapping of
 * `RangeOptions` to an etcd `RangeRequest`.
 */
import { EmptyKeyError, InvalidArgumentError } from '../errors/index.js';
import { RangeRequest_SortOrder, RangeRequest_SortTarget } from '../proto/index.js';
import type { RangeRequestInit } from '../proto/index.js';
import { checkOptionsObject, checkOtherOption, toFlag, unknownOption } from '../internal/validation.js';
import { describe } from '../internal/describe-value.js';
import { toBuffer, toBytes, toCount } from '../internal/wire.js';
import type { Bytes } from '../types.js';
import type { RangeOptions, SortOrder, SortTarget } from './types.js';

/** The one-byte key `"\0"`: as a range end it means "no upper bound"; as a key, the lowest key. */
const NUL = Uint8Array.of(0);

/** The range end that covers every key starting with `prefix`; see {@link prefixRangeEnd}. */
function prefixEndBytes(prefix: Uint8Array): Uint8Array {
  // Increment the last byte below 0xff and drop what follows it; if every byte is 0xff (or there
  // is none), no finite end exists and "\0" (no upper bound) is the answer, as in Go.
  for (let i = prefix.length - 1; i >= 0; i--) {
    const b = prefix[i]!;
    if (b < 0xff) {
      const end = new Uint8Array(i + 1);
      end.set(prefix.subarray(0, i));
      end[i] = b + 1;
      return end;
    }
  }
  return Uint8Array.of(0);
}

/**
 * The range end that makes `[prefix, end)` cover every key starting with `prefix` (Go
 * `clientv3.GetPrefixRangeEnd`): the prefix with its last byte below 0xff incremented and the
 * trailing 0xff bytes dropped. For an empty prefix or one of only 0xff bytes it returns `"\0"`
 * (no upper bound). Returns a new `Buffer`; throws `InvalidArgumentError` for a non-string,
 * non-Uint8Array prefix.
 */
export function prefixRangeEnd(prefix: Bytes): Buffer {
  return toBuffer(prefixEndBytes(toBytes(prefix, 'prefix')));
}

/** The part of a request that names keys. */
interface KeyRangeTarget {
  key?: Uint8Array;
  rangeEnd?: Uint8Array;
}

/**
 * Sets `target.key` and `target.rangeEnd` from a key and the range options, with Go's rules:
 * `prefix` → end = {@link prefixRangeEnd}(key) (an empty key means every key: key = end = "\0");
 * `fromKey` → end = "\0" (an empty key becomes "\0"); `rangeEnd` → as given. At most one of the
 * three; without one the key must not be empty: `EmptyKeyError` (`<operation>: key is empty ...`,
 * `details` etcd's `etcdserver: key is not provided`). Throws `InvalidArgumentError` naming any other
 * problem.
 */
export function setKeyRange(
  target: KeyRangeTarget,
  key: Uint8Array,
  prefix: boolean,
  rangeEnd: Uint8Array | undefined,
  fromKey: boolean,
  operation: string,
): void {
  if (prefix) {
    if (fromKey) throw new InvalidArgumentError(`${operation}: prefix and fromKey cannot be combined`);
    if (rangeEnd !== undefined) throw new InvalidArgumentError(`${operation}: prefix and rangeEnd cannot be combined`);
    if (key.length === 0) {
      target.key = NUL;
      target.rangeEnd = NUL;
    } else {
      target.key = key;
      target.rangeEnd = prefixEndBytes(key);
    }
    return;
  }
  if (fromKey) {
    if (rangeEnd !== undefined) throw new InvalidArgumentError(`${operation}: fromKey and rangeEnd cannot be combined`);
    target.key = key.length === 0 ? NUL : key;
    target.rangeEnd = NUL;
    return;
  }
  if (key.length === 0) {
    throw EmptyKeyError.clientSide(
      `${operation}: key is empty; give a key, or prefix: true / fromKey: true to cover every key`,
    );
  }
  target.key = key;
  if (rangeEnd !== undefined && rangeEnd.length > 0) target.rangeEnd = rangeEnd;
}

const SORT_OPTION_NAMES: readonly string[] = ['target', 'order'];

/** etcd's sort target for a public one; throws `InvalidArgumentError` for an unknown one. */
function toSortTarget(target: unknown): RangeRequest_SortTarget {
  switch (target) {
    case 'key':
      return RangeRequest_SortTarget.KEY;
    case 'version':
      return RangeRequest_SortTarget.VERSION;
    case 'createRevision':
      return RangeRequest_SortTarget.CREATE;
    case 'modRevision':
      return RangeRequest_SortTarget.MOD;
    case 'value':
      return RangeRequest_SortTarget.VALUE;
    default:
      throw new InvalidArgumentError(
        `sort.target must be one of 'key', 'version', 'createRevision', 'modRevision', 'value', got ${describe(target)}`,
      );
  }
}

/** etcd's sort order for a public one (absent = `ascend`); throws `InvalidArgumentError` for an unknown one. */
function toSortOrder(order: unknown): RangeRequest_SortOrder {
  switch (order) {
    case undefined:
    case 'ascend':
      return RangeRequest_SortOrder.ASCEND;
    case 'descend':
      return RangeRequest_SortOrder.DESCEND;
    case 'none':
      return RangeRequest_SortOrder.NONE;
    default:
      throw new InvalidArgumentError(`sort.order must be one of 'none', 'ascend', 'descend', got ${describe(order)}`);
  }
}

/**
 * Sets the sort fields of a range request from a `SortOption`. Sorting by key ascending is sent as
 * "no sort", as the Go client does: etcd returns keys in that order anyway, and an explicit sort
 * makes it read the whole range before applying `limit`. Throws `InvalidArgumentError`.
 */
function setSort(request: RangeRequestInit, sort: unknown): void {
  if (typeof sort !== 'object' || sort === null || Array.isArray(sort)) {
    throw new InvalidArgumentError(`sort must be an object { target, order? }, got ${describe(sort)}`);
  }
  let target: unknown;
  let order: unknown;
  for (const name in sort) {
    const value = (sort as Record<string, unknown>)[name];
    if (name === 'target') target = value;
    else if (name === 'order') order = value;
    else if (value !== undefined) throw unknownOption(name, 'sort', SORT_OPTION_NAMES);
  }
  const t = toSortTarget(target);
  let o = toSortOrder(order);
  if (t === RangeRequest_SortTarget.KEY && o === RangeRequest_SortOrder.ASCEND) o = RangeRequest_SortOrder.NONE;
  request.sortTarget = t;
  request.sortOrder = o;
}

/** Names `client.get` and `op.get` accept. */
export const RANGE_OPTION_NAMES: readonly string[] = [
  'prefix',
  'rangeEnd',
  'fromKey',
  'revision',
  'limit',
  'sort',
  'serializable',
  'keysOnly',
  'countOnly',
  'minModRevision',
  'maxModRevision',
  'minCreateRevision',
  'maxCreateRevision',
];

/**
 * Checks `options` and builds the etcd `RangeRequest` for `key`. `callOptions` says whether
 * the call options (`signal`, `timeout`, `requireLeader`) are accepted too (true for `client.get`, false for `op.get`).
 * Undefined option values are ignored. Throws `EmptyKeyError` for an empty key without
 * `prefix`/`fromKey`, and `InvalidArgumentError` naming any other problem: conflicting range
 * options, a negative or non-integer number, a bad sort, a non-boolean flag, an unknown option name.
 */
export function rangeRequest(key: Bytes, options: RangeOptions | undefined, callOptions: boolean): RangeRequestInit {
  const k = toBytes(key, 'key');
  const request: RangeRequestInit = {};
  if (options === undefined) {
    setKeyRange(request, k, false, undefined, false, 'get');
    return request;
  }
  checkOptionsObject(options, 'get options');
  let prefix = false;
  let fromKey = false;
  let rangeEnd: Uint8Array | undefined;
  for (const name in options) {
    const value: unknown = (options as Record<string, unknown>)[name];
    if (value === undefined) continue;
    switch (name) {
      case 'prefix':
        prefix = toFlag(value, name);
        break;
      case 'fromKey':
        fromKey = toFlag(value, name);
        break;
      case 'rangeEnd':
        rangeEnd = toBytes(value as Bytes, name);
        break;
      case 'revision':
        request.revision = toCount(value, name);
        break;
      case 'limit':
        request.limit = toCount(value, name);
        break;
      case 'sort':
        setSort(request, value);
        break;
      case 'serializable':
        request.serializable = toFlag(value, name);
        break;
      case 'keysOnly':
        request.keysOnly = toFlag(value, name);
        break;
      case 'countOnly':
        request.countOnly = toFlag(value, name);
        break;
      case 'minModRevision':
        request.minModRevision = toCount(value, name);
        break;
      case 'maxModRevision':
        request.maxModRevision = toCount(value, name);
        break;
      case 'minCreateRevision':
        request.minCreateRevision = toCount(value, name);
        break;
      case 'maxCreateRevision':
        request.maxCreateRevision = toCount(value, name);
        break;
      default:
        checkOtherOption(name, value, 'get', RANGE_OPTION_NAMES, callOptions);
    }
  }
  setKeyRange(request, k, prefix, rangeEnd, fromKey, 'get');
  return request;
}

function top(target: SortTarget, order: SortOrder): RangeOptions {
  return { prefix: true, limit: 1, sort: { target, order } };
}

/** Options reading the first key (by key order) with the given prefix (Go `WithFirstKey`): prefix, limit 1, sort by key ascending. Spread into other options as needed. */
export function firstKey(): RangeOptions {
  return top('key', 'ascend');
}
/** Options reading the last key (by key order) with the given prefix (Go `WithLastKey`): prefix, limit 1, sort by key descending. */
export function lastKey(): RangeOptions {
  return top('key', 'descend');
}
/** Options reading the key with the lowest create revision under the prefix (Go `WithFirstCreate`). */
export function firstCreate(): RangeOptions {
  return top('createRevision', 'ascend');
}
/** Options reading the key with the highest create revision under the prefix (Go `WithLastCreate`). */
export function lastCreate(): RangeOptions {
  return top('createRevision', 'descend');
}
/** Options reading the key with the lowest mod revision under the prefix (Go `WithFirstRev`). */
export function firstRev(): RangeOptions {
  return top('modRevision', 'ascend');
}
/** Options reading the key with the highest mod revision under the prefix (Go `WithLastRev`). */
export function lastRev(): RangeOptions {
  return top('modRevision', 'descend');
}
