/**
 * The KV service: put, get, delete, compact, do and txn over the rpc layer (etcd `KV.Range`,
 * `KV.Put`, `KV.DeleteRange`, `KV.Txn`, `KV.Compact`), and the mapping of etcd's responses to the
 * public types (Buffer views of keys and values, int64 to checked numbers, IDs as bigint).
 */
import { InvalidArgumentError, UnexpectedResponseError } from '../errors/index.js';
import { KV as KVMethods } from '../proto/index.js';
import type {
  DeleteRangeResponse as WireDeleteResponse,
  KeyValue as WireKeyValue,
  PutResponse as WirePutResponse,
  RangeResponse as WireRangeResponse,
  ResponseOp as WireResponseOp,
  TxnResponse as WireTxnResponse,
} from '../proto/index.js';
import type { Method } from '../proto/method-descriptor.js';
import type { Rpc } from '../rpc/types.js';
import { checkCallOptions, checkOptionsObject, checkOtherOption, toFlag } from '../internal/validation.js';
import { describe } from '../internal/describe-value.js';
import { keyValue, responseHeader, toNumber } from '../internal/wire.js';
import { deleteRequest, putRequest, wireOp, type RangeRequestInit, type TxnRequestInit, type PutRequestInit, type DeleteRangeRequestInit } from './op.js';
import type { Op } from './op.js';
import { rangeRequest } from './range.js';
import { GET, PUT } from './decode.js';
import { Txn, type TxnCommitter } from './txn.js';
import type { Bytes, CallOptions, KeyValue } from '../types.js';
import type {
  CompactOptions,
  CompactResponse,
  DeleteOptions,
  DeleteResponse,
  GetResponse,
  OpResponse,
  PutOptions,
  PutResponse,
  RangeOptions,
  TxnResponse,
} from './types.js';

/**
 * `KV.Txn` for a transaction that only reads: repeatable, so the rpc layer may retry it on another
 * endpoint like a Range (the Go client does the same for read-only txns).
 */
const READ_ONLY_TXN: Method<TxnRequestInit, WireTxnResponse> = Object.freeze({ ...KVMethods.txn, retry: 'read' });

const COMPACT_OPTION_NAMES: readonly string[] = ['physical'];

/**
 * The KV service of one client. Every method checks its arguments before sending (throwing
 * `InvalidArgumentError`, or `EmptyKeyError` for an empty key, as a rejected promise) and rejects
 * with a typed error of src/errors/ when the call fails.
 */
export class KV implements TxnCommitter {
  readonly #rpc: Rpc;

  /** `rpc`: the client's call layer. */
  constructor(rpc: Rpc) {
    this.#rpc = rpc;
  }

  /**
   * Reads a key or a range (etcd `KV.Range`). See `Client.get`. Not an `async` function: the rpc
   * layer's promise is returned as it is (one promise less per call); a bad argument still
   * rejects rather than throws.
   */
  get(key: Bytes, options?: RangeOptions & CallOptions): Promise<GetResponse> {
    let request: RangeRequestInit;
    try {
      request = rangeRequest(key, options, true);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#rpc.unary(GET, request, options);
  }

  /** Writes a key (etcd `KV.Put`). See `Client.put`. Returns the rpc layer's promise, as `get`. */
  put(key: Bytes, value: Bytes, options?: PutOptions & CallOptions): Promise<PutResponse> {
    let request: PutRequestInit;
    try {
      request = putRequest(key, value, options, true);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#rpc.unary(PUT, request, options);
  }

  /** Deletes a key or a range (etcd `KV.DeleteRange`). See `Client.delete`. */
  async delete(key: Bytes, options?: DeleteOptions & CallOptions): Promise<DeleteResponse> {
    const request = deleteRequest(key, options, true);
    return deleteResponse(await this.#rpc.unary(KVMethods.deleteRange, request, options));
  }

  /** Compacts the history up to `revision` (etcd `KV.Compact`). See `Client.compact`. */
  async compact(revision: number, options?: CompactOptions & CallOptions): Promise<CompactResponse> {
    if (!(typeof revision === 'number' && Number.isSafeInteger(revision) && revision > 0)) {
      throw new InvalidArgumentError(`compact: revision must be a positive integer, got ${describe(revision)}`);
    }
    let physical = false;
    if (options !== undefined) {
      checkOptionsObject(options, 'compact options');
      for (const name in options) {
        const value: unknown = (options as Record<string, unknown>)[name];
        if (value === undefined) continue;
        if (name === 'physical') physical = toFlag(value, name);
        else checkOtherOption(name, value, 'compact', COMPACT_OPTION_NAMES, true);
      }
    }
    const response = await this.#rpc.unary(KVMethods.compact, { revision: BigInt(revision), physical }, options);
    return { header: responseHeader(response.header) };
  }

  /** Runs one op (etcd `KV.Range`, `Put`, `DeleteRange` or `Txn`). See `Client.do`. */
  async do(o: Op, options?: CallOptions): Promise<OpResponse> {
    checkCallOptions(options, 'do');
    const wire = wireOp(o);
    switch (o.type) {
      case 'get':
        return { type: 'get', ...(await this.#rpc.unary(GET, wire.request as RangeRequestInit, options)) };
      case 'put':
        return { type: 'put', ...(await this.#rpc.unary(PUT, wire.request as PutRequestInit, options)) };
      case 'delete':
        return deleteOpResponse(await this.#rpc.unary(KVMethods.deleteRange, wire.request as DeleteRangeRequestInit, options));
      case 'txn': {
        const method = wire.write ? KVMethods.txn : READ_ONLY_TXN;
        return txnOpResponse(await this.#rpc.unary(method, wire.request as TxnRequestInit, options));
      }
    }
  }

  /** Starts a transaction (etcd `KV.Txn` on `commit()`). See `Client.txn`. */
  txn(): Txn {
    return new Txn(this);
  }

  /** @internal Sends a built transaction; used by `Txn.commit`. */
  async commitTxn(request: TxnRequestInit, write: boolean, options: CallOptions | undefined): Promise<TxnResponse> {
    checkCallOptions(options, 'commit');
    const method = write ? KVMethods.txn : READ_ONLY_TXN;
    return txnResponse(await this.#rpc.unary(method, request, options));
  }
}

// --- response mapping --------------------------------------------------------------------------

function keyValues(list: WireKeyValue[]): KeyValue[] {
  const n = list.length;
  const out: KeyValue[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = keyValue(list[i]!);
  return out;
}

function getResponse(r: WireRangeResponse): GetResponse {
  return { header: responseHeader(r.header), kvs: keyValues(r.kvs), more: r.more, count: toNumber(r.count, 'count') };
}

function putResponse(r: WirePutResponse): PutResponse {
  return { header: responseHeader(r.header), prevKv: r.prevKv === undefined ? undefined : keyValue(r.prevKv) };
}

function deleteResponse(r: WireDeleteResponse): DeleteResponse {
  return { header: responseHeader(r.header), deleted: toNumber(r.deleted, 'deleted count'), prevKvs: keyValues(r.prevKvs) };
}

// The same responses inside `do` and a txn's results, tagged with the op's type.
function getOpResponse(r: WireRangeResponse): OpResponse {
  return { type: 'get', ...getResponse(r) };
}

function putOpResponse(r: WirePutResponse): OpResponse {
  return { type: 'put', ...putResponse(r) };
}

function deleteOpResponse(r: WireDeleteResponse): OpResponse {
  return { type: 'delete', ...deleteResponse(r) };
}

function txnOpResponse(r: WireTxnResponse): OpResponse {
  return { type: 'txn', ...txnResponse(r) };
}

function opResponses(list: WireResponseOp[]): OpResponse[] {
  const n = list.length;
  const out: OpResponse[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const r = list[i]!.response;
    switch (r?.$case) {
      case 'responseRange':
        out[i] = getOpResponse(r.value);
        break;
      case 'responsePut':
        out[i] = putOpResponse(r.value);
        break;
      case 'responseDeleteRange':
        out[i] = deleteOpResponse(r.value);
        break;
      case 'responseTxn':
        out[i] = txnOpResponse(r.value);
        break;
      default:
        throw new UnexpectedResponseError(`etcd returned a txn response entry of unknown kind at position ${i}`);
    }
  }
  return out;
}

function txnResponse(r: WireTxnResponse): TxnResponse {
  return { header: responseHeader(r.header), succeeded: r.succeeded, responses: opResponses(r.responses) };
}

