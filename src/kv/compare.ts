/**
 * Transaction conditions as values: `compare.value/version/createRevision/modRevision/lease`
 * (Go `clientv3.Compare(clientv3.Value(key), ">", "abc")` and friends), the shorthands
 * `compare.keyExists/keyMissing` (Go 3.5 `KeyExists`/`KeyMissing`), and their mapping to the etcd
 * `Compare` message.
 */
import { InvalidArgumentError } from '../errors/index.js';
import { Compare_CompareResult, Compare_CompareTarget } from '../proto/index.js';
import type { CompareInit } from '../proto/index.js';
import { checkOptionsObject, toFlag, unknownOption } from '../internal/validation.js';
import { describe } from '../internal/describe-value.js';
import { toBytes, toCount, toLeaseId } from '../internal/wire.js';
import { setKeyRange } from './range.js';
import type { Bytes } from '../types.js';

/** How the key's field is compared with the operand. Values compare byte-wise (lexically). */
export type CompareOperator = '=' | '!=' | '<' | '>';

/** Which field of the key a compare looks at. */
export type CompareTarget = 'value' | 'version' | 'createRevision' | 'modRevision' | 'lease';

/**
 * Makes a compare cover a range of keys (etcd 3.3+): it holds only if it holds for every key in
 * the range. At most one of the two.
 */
export interface CompareRangeOptions {
  /** Every key starting with `key` (Go `Cmp.WithPrefix`); an empty key means every key. */
  prefix?: boolean;
  /** Every key in `[key, rangeEnd)` (Go `Cmp.WithRange`); `"\0"` means every key >= `key`. */
  rangeEnd?: Bytes;
}

/** The fields of a {@link Compare}: what is compared (`target` of `key`), how, and with what. */
export interface CompareBase<T extends CompareTarget, V> {
  /** What of the key is compared: `value`, `version`, `createRevision`, `modRevision` or `lease`. */
  readonly target: T;
  /** The key (or the start of the range, with `range`). */
  readonly key: Bytes;
  /** The comparison: `=`, `!=`, `<` or `>`. */
  readonly operator: CompareOperator;
  /** The value the target is compared with. */
  readonly operand: V;
  /** Range options, when the compare covers a range of keys (etcd 3.3+). */
  readonly range: Readonly<CompareRangeOptions> | undefined;
}

/** One condition of a transaction, made by the `compare.*` functions. Immutable. */
export type Compare =
  | CompareBase<'value', Bytes>
  | CompareBase<'version' | 'createRevision' | 'modRevision', number>
  | CompareBase<'lease', bigint>;

/** Wire form of every compare made here, computed (and checked) once when it is made. */
const wireForm = new WeakMap<object, CompareInit>();

const RANGE_NAMES: readonly string[] = ['prefix', 'rangeEnd'];

function toResult(operator: unknown): Compare_CompareResult {
  switch (operator) {
    case '=':
      return Compare_CompareResult.EQUAL;
    case '!=':
      return Compare_CompareResult.NOT_EQUAL;
    case '<':
      return Compare_CompareResult.LESS;
    case '>':
      return Compare_CompareResult.GREATER;
    default:
      throw new InvalidArgumentError(`compare operator must be one of '=', '!=', '<', '>', got ${describe(operator)}`);
  }
}

/** The wire form of `c`; `what` names the builder in error messages. */
function build(c: Compare, what = `compare.${c.target}`): CompareInit {
  const request: CompareInit = { result: toResult(c.operator) };
  const key = toBytes(c.key, `${what} key`);
  let prefix = false;
  let rangeEnd: Uint8Array | undefined;
  if (c.range !== undefined) {
    checkOptionsObject(c.range, `${what} options`);
    for (const name in c.range) {
      const value: unknown = (c.range as Record<string, unknown>)[name];
      if (value === undefined) continue;
      if (name === 'prefix') prefix = toFlag(value, name);
      else if (name === 'rangeEnd') rangeEnd = toBytes(value as Bytes, name);
      else throw unknownOption(name, what, RANGE_NAMES);
    }
  }
  setKeyRange(request, key, prefix, rangeEnd, false, what);
  switch (c.target) {
    case 'value':
      request.target = Compare_CompareTarget.VALUE;
      request.targetUnion = { $case: 'value', value: toBytes(c.operand, `${what} operand`) };
      break;
    case 'version':
      request.target = Compare_CompareTarget.VERSION;
      request.targetUnion = { $case: 'version', value: toCount(c.operand, `${what} operand`) };
      break;
    case 'createRevision':
      request.target = Compare_CompareTarget.CREATE;
      request.targetUnion = { $case: 'createRevision', value: toCount(c.operand, `${what} operand`) };
      break;
    case 'modRevision':
      request.target = Compare_CompareTarget.MOD;
      request.targetUnion = { $case: 'modRevision', value: toCount(c.operand, `${what} operand`) };
      break;
    case 'lease':
      request.target = Compare_CompareTarget.LEASE;
      request.targetUnion = { $case: 'lease', value: toLeaseId(c.operand, `${what} operand`) };
      break;
    default:
      throw new InvalidArgumentError(`not a compare: unknown target ${describe((c as { target: unknown }).target)}`);
  }
  return request;
}

function make<C extends Compare>(c: C, what?: string): C {
  const frozen = Object.freeze(c);
  wireForm.set(frozen, build(frozen as Compare, what));
  return frozen;
}

/**
 * The etcd `Compare` message for a compare. Compares made by `compare.*` were checked when made;
 * other objects of the `Compare` shape are checked now. Throws `InvalidArgumentError`.
 */
export function compareRequest(c: Compare): CompareInit {
  if (typeof c !== 'object' || c === null) {
    throw new InvalidArgumentError(`expected a compare (from compare.value() etc.), got ${describe(c)}`);
  }
  return wireForm.get(c) ?? build(c);
}

/**
 * Builders of transaction conditions. Each checks its arguments when called and throws
 * `EmptyKeyError` for an empty key without `prefix`, `InvalidArgumentError` naming any other
 * problem (unknown operator, a negative or non-integer number, unknown range option).
 */
export const compare = {
  /** The key's value compared byte-wise with `value` (Go `Compare(Value(key), op, value)`). */
  value(key: Bytes, operator: CompareOperator, value: Bytes, range?: CompareRangeOptions): Compare {
    return make({ target: 'value', key, operator, operand: value, range });
  },
  /** The key's version (0 = the key does not exist) (Go `Compare(Version(key), op, n)`). */
  version(key: Bytes, operator: CompareOperator, version: number, range?: CompareRangeOptions): Compare {
    return make({ target: 'version', key, operator, operand: version, range });
  },
  /** The key's create revision (0 = the key does not exist) (Go `Compare(CreateRevision(key), op, rev)`). */
  createRevision(key: Bytes, operator: CompareOperator, revision: number, range?: CompareRangeOptions): Compare {
    return make({ target: 'createRevision', key, operator, operand: revision, range });
  },
  /** The key's mod revision (Go `Compare(ModRevision(key), op, rev)`). */
  modRevision(key: Bytes, operator: CompareOperator, revision: number, range?: CompareRangeOptions): Compare {
    return make({ target: 'modRevision', key, operator, operand: revision, range });
  },
  /** The ID of the lease the key is attached to, `0n` for none (Go `Compare(LeaseValue(key), op, id)`). */
  lease(key: Bytes, operator: CompareOperator, id: bigint, range?: CompareRangeOptions): Compare {
    return make({ target: 'lease', key, operator, operand: id, range });
  },
  /**
   * Holds when the key exists: its create revision is above 0 (Go 3.5 `KeyExists(key)`, the same
   * as `compare.createRevision(key, '>', 0)`). Throws `EmptyKeyError` for an empty key.
   */
  keyExists(key: Bytes): Compare {
    return make({ target: 'createRevision', key, operator: '>', operand: 0, range: undefined }, 'compare.keyExists');
  },
  /**
   * Holds when the key does not exist: its create revision is 0 (Go 3.5 `KeyMissing(key)`, the
   * same as `compare.createRevision(key, '=', 0)`). Throws `EmptyKeyError` for an empty key.
   */
  keyMissing(key: Bytes): Compare {
    return make({ target: 'createRevision', key, operator: '=', operand: 0, range: undefined }, 'compare.keyMissing');
  },
} as const;
