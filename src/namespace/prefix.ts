/**
 * The key arithmetic of a namespace (Go's `clientv3/namespace`): adding the namespace's prefix to
 * the keys and range ends of etcd requests, and taking it off the keys of etcd responses. Works on
 * the wire messages, so every option of the request is carried over untouched. Requests are copied,
 * never changed in place (ops made by `op.*` keep their wire form cached); responses are decoded
 * fresh for each call and are changed in place (keys become shorter views of the same bytes).
 */
import type {
  CompareInit,
  DeleteRangeRequestInit,
  DeleteRangeResponse,
  PutRequestInit,
  RangeRequestInit,
  RequestOpInit,
  TxnRequestInit,
  TxnResponse,
} from '../proto/index.js';

const EMPTY = new Uint8Array(0);

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/**
 * The end of the namespace `prefix`: the smallest key above every key starting with it (the prefix
 * with its last byte below 0xff incremented and what follows dropped), or `"\0"` (no upper bound)
 * when the prefix is empty or all 0xff.
 */
export function namespaceEnd(prefix: Uint8Array): Uint8Array {
  for (let i = prefix.length - 1; i >= 0; i--) {
    const b = prefix[i]!;
    if (b < 0xff) {
      // A copy: `prefix` may be a Buffer, whose slice() is a view.
      const end = new Uint8Array(prefix.subarray(0, i + 1));
      end[i] = b + 1;
      return end;
    }
  }
  return Uint8Array.of(0);
}

/** One key range as etcd takes it: a key and an optional end (`"\0"` = no upper bound). */
export interface KeyInterval {
  key: Uint8Array;
  rangeEnd: Uint8Array | undefined;
}

/**
 * The range `[key, end)` of a namespace moved to the whole key space (Go `prefixInterval`): the key
 * gets the prefix; an end of `"\0"` (no upper bound inside the namespace) becomes the end of the
 * namespace; any other non-empty end gets the prefix; no end stays no end.
 */
export function prefixInterval(prefix: Uint8Array, key: Uint8Array | undefined, end: Uint8Array | undefined): KeyInterval {
  const k = concat(prefix, key ?? EMPTY);
  if (end === undefined || end.length === 0) return { key: k, rangeEnd: undefined };
  if (end.length === 1 && end[0] === 0) return { key: k, rangeEnd: namespaceEnd(prefix) };
  return { key: k, rangeEnd: concat(prefix, end) };
}

/** A range request with the prefix added to its key and range end. */
export function prefixRange(prefix: Uint8Array, r: RangeRequestInit): RangeRequestInit {
  const { key, rangeEnd } = prefixInterval(prefix, r.key, r.rangeEnd);
  return { ...r, key, rangeEnd };
}

/** A put request with the prefix added to its key. */
export function prefixPut(prefix: Uint8Array, r: PutRequestInit): PutRequestInit {
  return { ...r, key: concat(prefix, r.key ?? EMPTY) };
}

/** A delete-range request with the prefix added to its key and range end. */
export function prefixDelete(prefix: Uint8Array, r: DeleteRangeRequestInit): DeleteRangeRequestInit {
  const { key, rangeEnd } = prefixInterval(prefix, r.key, r.rangeEnd);
  return { ...r, key, rangeEnd };
}

/** A comparison with the prefix added to its key, and to its range end when it has one (Go `prefixCmps`). */
export function prefixCompare(prefix: Uint8Array, c: CompareInit): CompareInit {
  const { key, rangeEnd } = prefixInterval(prefix, c.key, c.rangeEnd);
  return rangeEnd === undefined ? { ...c, key } : { ...c, key, rangeEnd };
}

function prefixRequestOp(prefix: Uint8Array, o: RequestOpInit): RequestOpInit {
  const r = o.request;
  switch (r?.$case) {
    case 'requestRange':
      return { request: { $case: 'requestRange', value: prefixRange(prefix, r.value) } };
    case 'requestPut':
      return { request: { $case: 'requestPut', value: prefixPut(prefix, r.value) } };
    case 'requestDeleteRange':
      return { request: { $case: 'requestDeleteRange', value: prefixDelete(prefix, r.value) } };
    case 'requestTxn':
      return { request: { $case: 'requestTxn', value: prefixTxn(prefix, r.value) } };
    default:
      return o;
  }
}

/** A transaction with the prefix added to every comparison and op, nested transactions included. */
export function prefixTxn(prefix: Uint8Array, t: TxnRequestInit): TxnRequestInit {
  return {
    ...t,
    compare: t.compare?.map((c) => prefixCompare(prefix, c)),
    success: t.success?.map((o) => prefixRequestOp(prefix, o)),
    failure: t.failure?.map((o) => prefixRequestOp(prefix, o)),
  };
}

/**
 * A key-value of either shape: the wire's (`mvccpb.KeyValue`) or the public one that `get` and
 * `put` decode into (src/kv/decode.ts). A Buffer key stays a Buffer (`subarray`).
 */
interface Keyed {
  key: Uint8Array;
}

function stripKey(length: number, kv: Keyed): void {
  kv.key = kv.key.subarray(Math.min(length, kv.key.length));
}

/** Takes the prefix (of `length` bytes) off the keys of a range response (wire or public shape), in place. */
export function stripRange<R extends { kvs: Keyed[] }>(length: number, r: R): R {
  for (const kv of r.kvs) stripKey(length, kv);
  return r;
}

/** Takes the prefix off the previous key-value of a put response (wire or public shape), in place. */
export function stripPut<R extends { prevKv?: Keyed | undefined }>(length: number, r: R): R {
  if (r.prevKv !== undefined) stripKey(length, r.prevKv);
  return r;
}

/** Takes the prefix off the previous key-values of a delete-range response, in place. */
export function stripDelete(length: number, r: DeleteRangeResponse): DeleteRangeResponse {
  for (const kv of r.prevKvs) stripKey(length, kv);
  return r;
}

/** Takes the prefix off every key of a transaction response, nested ones included, in place. */
export function stripTxn(length: number, r: TxnResponse): TxnResponse {
  for (const entry of r.responses) {
    const x = entry.response;
    switch (x?.$case) {
      case 'responseRange':
        stripRange(length, x.value);
        break;
      case 'responsePut':
        stripPut(length, x.value);
        break;
      case 'responseDeleteRange':
        stripDelete(length, x.value);
        break;
      case 'responseTxn':
        stripTxn(length, x.value);
        break;
      default:
        break;
    }
  }
  return r;
}
