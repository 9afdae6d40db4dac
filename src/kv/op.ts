/**
 * Operations as values (`op.get/put/delete/txn`, Go `clientv3.OpGet/OpPut/OpDelete/OpTxn`) for
 * `client.do` and transactions, and the checked mapping of operations to etcd's request messages
 * (`RangeRequest`, `PutRequest`, `DeleteRangeRequest`, `TxnRequest`, `RequestOp`).
 */
import { EmptyKeyError, InvalidArgumentError } from '../errors/index.js';
import type {
  CompareInit,
  DeleteRangeRequestInit,
  PutRequestInit,
  RangeRequestInit,
  RequestOpInit,
  TxnRequestInit,
} from '../proto/index.js';
import { compareRequest, type Compare } from './compare.js';
import { checkOptionsObject, checkOtherOption, toFlag } from '../internal/validation.js';
import { describe } from '../internal/describe-value.js';
import { toBytes, toLeaseId } from '../internal/wire.js';
import { rangeRequest, setKeyRange } from './range.js';
import type { Bytes } from '../types.js';
import type { DeleteOptions, PutOptions, RangeOptions } from './types.js';

export type { CompareInit, DeleteRangeRequestInit, PutRequestInit, RangeRequestInit, RequestOpInit, TxnRequestInit };

/** A read of a key or range (`op.get`). */
export interface GetOp {
  /** Tag of a read. */
  readonly type: 'get';
  /** The key, or the start of the range. */
  readonly key: Bytes;
  /** Range options as given to `op.get`. */
  readonly options: Readonly<RangeOptions> | undefined;
}
/** A write of one key (`op.put`). */
export interface PutOp {
  /** Tag of a write. */
  readonly type: 'put';
  /** The key written. */
  readonly key: Bytes;
  /** The value written. */
  readonly value: Bytes;
  /** Put options as given to `op.put`. */
  readonly options: Readonly<PutOptions> | undefined;
}
/** A delete of a key or range (`op.delete`). */
export interface DeleteOp {
  /** Tag of a delete. */
  readonly type: 'delete';
  /** The key, or the start of the range. */
  readonly key: Bytes;
  /** Delete options as given to `op.delete`. */
  readonly options: Readonly<DeleteOptions> | undefined;
}
/** A nested transaction (`op.txn`, etcd 3.3+). */
export interface TxnOp {
  /** Tag of a nested transaction. */
  readonly type: 'txn';
  /** The comparisons that all must hold for `thenOps` to run. */
  readonly compares: readonly Compare[];
  /** Ops run when every comparison holds. */
  readonly thenOps: readonly Op[];
  /** Ops run otherwise. */
  readonly elseOps: readonly Op[];
}
/** One operation, tagged by `type`; made by the `op.*` functions, immutable. */
export type Op = GetOp | PutOp | DeleteOp | TxnOp;

/** An op's wire form: the request of its own RPC, the same wrapped as a txn `RequestOp`, and whether it writes. */
export interface WireOp {
  readonly request: RangeRequestInit | PutRequestInit | DeleteRangeRequestInit | TxnRequestInit;
  readonly requestOp: RequestOpInit;
  /** True if the op (or a nested op) puts or deletes: it is then never retried once it may have reached etcd. */
  readonly write: boolean;
}

const PUT_OPTION_NAMES: readonly string[] = ['lease', 'prevKv', 'ignoreValue', 'ignoreLease'];
const DELETE_OPTION_NAMES: readonly string[] = ['prefix', 'rangeEnd', 'fromKey', 'prevKv'];

/**
 * Checks the arguments of a put and builds its `PutRequest`. `callOptions`: whether `signal` and
 * `timeout` are accepted too. Throws `EmptyKeyError` for an empty key (`put: key is empty`), and
 * `InvalidArgumentError` for a non-bigint or negative lease, a non-empty value with `ignoreValue`, a
 * lease with `ignoreLease`, an unknown option.
 */
export function putRequest(key: Bytes, value: Bytes, options: PutOptions | undefined, callOptions: boolean): PutRequestInit {
  const k = toBytes(key, 'key');
  if (k.length === 0) throw EmptyKeyError.clientSide('put: key is empty');
  const v = toBytes(value, 'value');
  const request: PutRequestInit = { key: k, value: v };
  if (options === undefined) return request;
  checkOptionsObject(options, 'put options');
  for (const name in options) {
    const option: unknown = (options as Record<string, unknown>)[name];
    if (option === undefined) continue;
    switch (name) {
      case 'lease':
        request.lease = toLeaseId(option, name);
        break;
      case 'prevKv':
        request.prevKv = toFlag(option, name);
        break;
      case 'ignoreValue':
        request.ignoreValue = toFlag(option, name);
        break;
      case 'ignoreLease':
        request.ignoreLease = toFlag(option, name);
        break;
      default:
        checkOtherOption(name, option, 'put', PUT_OPTION_NAMES, callOptions);
    }
  }
  if (request.ignoreValue === true && v.length > 0) {
    throw new InvalidArgumentError('put: ignoreValue keeps the current value, so the value given must be empty');
  }
  if (request.ignoreLease === true && request.lease !== undefined && request.lease !== 0n) {
    throw new InvalidArgumentError('put: ignoreLease keeps the current lease, so lease must not be given');
  }
  return request;
}

/**
 * Checks the arguments of a delete and builds its `DeleteRangeRequest` (range rules as for reads:
 * at most one of `prefix`, `rangeEnd`, `fromKey`; an empty key only with `prefix`/`fromKey`).
 * Throws `EmptyKeyError` for an empty key without them, `InvalidArgumentError` naming any other problem.
 */
export function deleteRequest(key: Bytes, options: DeleteOptions | undefined, callOptions: boolean): DeleteRangeRequestInit {
  const k = toBytes(key, 'key');
  const request: DeleteRangeRequestInit = {};
  let prefix = false;
  let fromKey = false;
  let rangeEnd: Uint8Array | undefined;
  if (options !== undefined) {
    checkOptionsObject(options, 'delete options');
    for (const name in options) {
      const option: unknown = (options as Record<string, unknown>)[name];
      if (option === undefined) continue;
      switch (name) {
        case 'prefix':
          prefix = toFlag(option, name);
          break;
        case 'fromKey':
          fromKey = toFlag(option, name);
          break;
        case 'rangeEnd':
          rangeEnd = toBytes(option as Bytes, name);
          break;
        case 'prevKv':
          request.prevKv = toFlag(option, name);
          break;
        default:
          checkOtherOption(name, option, 'delete', DELETE_OPTION_NAMES, callOptions);
      }
    }
  }
  setKeyRange(request, k, prefix, rangeEnd, fromKey, 'delete');
  return request;
}

/** Wire forms of ops made by `op.*`, computed (and checked) once when the op is made. */
const wireForms = new WeakMap<object, WireOp>();

function opList(ops: unknown, what: string): readonly Op[] {
  if (ops === undefined) return [];
  if (!Array.isArray(ops)) throw new InvalidArgumentError(`${what} must be an array of ops, got ${describe(ops)}`);
  return ops as Op[];
}

/** The etcd `Compare` messages of a transaction's compares. Throws `InvalidArgumentError` for anything that is not a compare. */
export function compareList(compares: readonly Compare[]): CompareInit[] {
  const list: CompareInit[] = new Array(compares.length);
  for (let i = 0; i < compares.length; i++) list[i] = compareRequest(compares[i]!);
  return list;
}

/**
 * The txn `RequestOp`s of one branch's ops, and whether any of them writes. Throws
 * `InvalidArgumentError` for anything that is not an op.
 */
export function requestOpList(ops: readonly Op[]): { requestOps: RequestOpInit[]; write: boolean } {
  const requestOps: RequestOpInit[] = new Array(ops.length);
  let write = false;
  for (let i = 0; i < ops.length; i++) {
    const w = wireOp(ops[i]!);
    requestOps[i] = w.requestOp;
    write ||= w.write;
  }
  return { requestOps, write };
}

/**
 * Builds a `TxnRequest` from compares and the two branches' ops; `write` tells whether any op
 * writes. Throws `InvalidArgumentError` for anything that is not a compare or an op.
 */
export function txnRequest(
  compares: readonly Compare[],
  thenOps: readonly Op[],
  elseOps: readonly Op[],
): { request: TxnRequestInit; write: boolean } {
  const compare = compareList(compares);
  const success = requestOpList(thenOps);
  const failure = requestOpList(elseOps);
  return {
    request: { compare, success: success.requestOps, failure: failure.requestOps },
    write: success.write || failure.write,
  };
}

function build(o: Op): WireOp {
  switch (o.type) {
    case 'get': {
      const request = rangeRequest(o.key, o.options, false);
      return { request, requestOp: { request: { $case: 'requestRange', value: request } }, write: false };
    }
    case 'put': {
      const request = putRequest(o.key, o.value, o.options, false);
      return { request, requestOp: { request: { $case: 'requestPut', value: request } }, write: true };
    }
    case 'delete': {
      const request = deleteRequest(o.key, o.options, false);
      return { request, requestOp: { request: { $case: 'requestDeleteRange', value: request } }, write: true };
    }
    case 'txn': {
      const { request, write } = txnRequest(
        opCompares(o.compares),
        opList(o.thenOps, 'op.txn thenOps'),
        opList(o.elseOps, 'op.txn elseOps'),
      );
      return { request, requestOp: { request: { $case: 'requestTxn', value: request } }, write };
    }
    default:
      throw new InvalidArgumentError(`not an op: unknown type ${describe((o as { type: unknown }).type)}`);
  }
}

function opCompares(compares: unknown): readonly Compare[] {
  if (compares === undefined) return [];
  if (!Array.isArray(compares)) throw new InvalidArgumentError(`op.txn compares must be an array, got ${describe(compares)}`);
  return compares as Compare[];
}

/**
 * The wire form of an op. Ops made by `op.*` were checked when made; other objects of the `Op`
 * shape are checked now. Throws `InvalidArgumentError`.
 */
export function wireOp(o: Op): WireOp {
  if (typeof o !== 'object' || o === null) {
    throw new InvalidArgumentError(`expected an op (from op.get() etc.), got ${describe(o)}`);
  }
  return wireForms.get(o) ?? build(o);
}

function make<O extends Op>(o: O): O {
  const frozen = Object.freeze(o);
  wireForms.set(frozen, build(frozen as unknown as Op));
  return frozen;
}

/**
 * Builders of operations for `client.do(op)` and `client.txn().then(...)`. Each checks its
 * arguments when called (same rules as `client.get/put/delete`, without `signal`/`timeout`,
 * which belong to the call that sends the op) and throws `InvalidArgumentError` naming the problem.
 * An op captures its options when made; changing the options object later has no effect.
 */
export const op = {
  /** A read (etcd Range), like `client.get(key, options)` (Go `OpGet`). */
  get(key: Bytes, options?: RangeOptions): GetOp {
    return make({ type: 'get', key, options });
  },
  /** A write (etcd Put), like `client.put(key, value, options)` (Go `OpPut`). */
  put(key: Bytes, value: Bytes, options?: PutOptions): PutOp {
    return make({ type: 'put', key, value, options });
  },
  /** A delete (etcd DeleteRange), like `client.delete(key, options)` (Go `OpDelete`). */
  delete(key: Bytes, options?: DeleteOptions): DeleteOp {
    return make({ type: 'delete', key, options });
  },
  /**
   * A nested transaction (etcd 3.3+, Go `OpTxn`): if every compare holds, `thenOps` run, else
   * `elseOps`. Its response is a `{ type: 'txn' }` entry of the outer response.
   */
  txn(compares: readonly Compare[], thenOps: readonly Op[] = [], elseOps: readonly Op[] = []): TxnOp {
    return make({
      type: 'txn',
      compares: Object.freeze(opCompares(compares).slice()),
      thenOps: Object.freeze(opList(thenOps, 'op.txn thenOps').slice()),
      elseOps: Object.freeze(opList(elseOps, 'op.txn elseOps').slice()),
    });
  },
} as const;
