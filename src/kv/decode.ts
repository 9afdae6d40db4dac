/**
 * `KV.Range` and `KV.Put` for `get`, `put` and `do`: the requests as `KV.range` and `KV.put`
 * encode them, the responses decoded straight into the public {@link GetResponse} and
 * {@link PutResponse} (records: src/internal/decode-records.ts) instead of the generated wire
 * shape and a mapping after it. A single-key get saves the wire response, header and key-value
 * objects and six `bigint`s; a put the wire response and header and two. The results are what the
 * wire decoders followed by the mapping give (test/unit/kv-decode.test.ts on real-shaped, random,
 * unknown-field and truncated input).
 *
 * The namespace layer (src/namespace/rpc.ts) strips its prefix from either shape: both have
 * `kvs[i].key` and `prevKv.key`.
 */
import { bufferReader, decodeHeader, decodeKeyValue, emptyHeader, int64Number } from '../internal/decode-records.js';
import { KV as KVMethods } from '../proto/index.js';
import type { Method } from '../proto/method-descriptor.js';
import type { KeyValue, ResponseHeader } from '../types.js';
import type { PutRequestInit, RangeRequestInit } from './op.js';
import type { GetResponse, PutResponse } from './types.js';

/**
 * Decodes an `etcdserverpb.RangeResponse` into a {@link GetResponse}.
 * @throws RangeError / Error on malformed input; UnexpectedResponseError for a revision or count beyond 2^53 - 1
 */
export function decodeGetResponse(bytes: Uint8Array): GetResponse {
  const r = bufferReader(bytes);
  let header: ResponseHeader | undefined;
  const kvs: KeyValue[] = [];
  let more = false;
  let count = 0;
  const end = bytes.length;
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case 10:
        header = decodeHeader(r, r.embeddedEnd());
        continue;
      case 18:
        kvs.push(decodeKeyValue(r, r.embeddedEnd()));
        continue;
      case 24:
        more = r.bool();
        continue;
      case 32:
        count = int64Number(r, 'count');
        continue;
    }
    if (!r.skipField(tag)) break;
  }
  return { header: header ?? emptyHeader(), kvs, more, count };
}

/**
 * Decodes an `etcdserverpb.PutResponse` into a {@link PutResponse}.
 * @throws RangeError / Error on malformed input; UnexpectedResponseError for a revision beyond 2^53 - 1
 */
export function decodePutResponse(bytes: Uint8Array): PutResponse {
  const r = bufferReader(bytes);
  let header: ResponseHeader | undefined;
  let prevKv: KeyValue | undefined;
  const end = bytes.length;
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case 10:
        header = decodeHeader(r, r.embeddedEnd());
        continue;
      case 18:
        prevKv = decodeKeyValue(r, r.embeddedEnd());
        continue;
    }
    if (!r.skipField(tag)) break;
  }
  return { header: header ?? emptyHeader(), prevKv };
}

/** `KV.Range` decoding into a {@link GetResponse}: what `get` and a get op of `do` send. */
export const GET: Method<RangeRequestInit, GetResponse> = Object.freeze({ ...KVMethods.range, decode: decodeGetResponse });

/** `KV.Put` decoding into a {@link PutResponse}: what `put` and a put op of `do` send. */
export const PUT: Method<PutRequestInit, PutResponse> = Object.freeze({ ...KVMethods.put, decode: decodePutResponse });
