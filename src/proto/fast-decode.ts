/**
 * Hand-written decoders for the two responses that carry many key-values, `RangeResponse` (a
 * prefix get) and `WatchResponse` (watch events), and for the most frequent one, `PutResponse`. They return exactly what the generated ts-proto
 * decoders return (the same types, the same values; test/unit/proto-fast-decode.test.ts checks
 * this against the generated code on valid, random and truncated input), with less work:
 *
 * - absent bytes fields share one empty `Buffer` instead of two new `Uint8Array(0)` per key-value
 *   (the generated `createBaseKeyValue` allocates them and then overwrites them);
 * - present bytes fields are views of the input (`subarray`), as with the generated code;
 * - no per-message recursion bookkeeping on the reader, no `DataView` per response;
 * - int64 varints that fit in 28 bits become a `bigint` straight from a small integer;
 * - a header's cluster and member IDs (the same random 64-bit values in every response of a
 *   member) are built as bigints once and reused.
 *
 * Malformed input throws (`RangeError` "premature EOF" or an `Error` naming the problem), as the
 * generated decoders do; unknown fields are skipped.
 */
import type { KeyValue, Event } from './gen/mvccpb/kv.js';
import type { PutResponse, RangeResponse, ResponseHeader, WatchResponse } from './gen/etcdserverpb/rpc.js';
import { EMPTY_BYTES, Reader, uint64Cache } from './reader.js';

const clusterIds = uint64Cache();
const memberIds = uint64Cache();

function header(r: Reader, end: number): ResponseHeader {
  const h: ResponseHeader = { clusterId: 0n, memberId: 0n, revision: 0n, raftTerm: 0n };
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case 8:
        h.clusterId = r.uint64Cached(clusterIds);
        continue;
      case 16:
        h.memberId = r.uint64Cached(memberIds);
        continue;
      case 24:
        h.revision = r.int64();
        continue;
      case 32:
        h.raftTerm = r.uint64();
        continue;
    }
    if (!r.skipField(tag)) break;
  }
  return h;
}

function keyValue(r: Reader, end: number): KeyValue {
  const kv: KeyValue = { key: EMPTY_BYTES, createRevision: 0n, modRevision: 0n, version: 0n, value: EMPTY_BYTES, lease: 0n };
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case 10:
        kv.key = r.bytes();
        continue;
      case 16:
        kv.createRevision = r.int64();
        continue;
      case 24:
        kv.modRevision = r.int64();
        continue;
      case 32:
        kv.version = r.int64();
        continue;
      case 42:
        kv.value = r.bytes();
        continue;
      case 48:
        kv.lease = r.int64();
        continue;
    }
    if (!r.skipField(tag)) break;
  }
  return kv;
}


function event(r: Reader, end: number): Event {
  const e: Event = { type: 0, kv: undefined, prevKv: undefined };
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case 8:
        e.type = r.uint32() | 0;
        continue;
      case 18:
        e.kv = keyValue(r, r.embeddedEnd());
        continue;
      case 26:
        e.prevKv = keyValue(r, r.embeddedEnd());
        continue;
    }
    if (!r.skipField(tag)) break;
  }
  return e;
}

/**
 * Decodes an `etcdserverpb.RangeResponse`, the same as the generated `RangeResponse.decode`.
 * @throws RangeError / Error on malformed input
 */
export function decodeRangeResponse(bytes: Uint8Array): RangeResponse {
  const r = new Reader(bytes);
  const response: RangeResponse = { header: undefined, kvs: [], more: false, count: 0n };
  const end = bytes.length;
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case 10:
        response.header = header(r, r.embeddedEnd());
        continue;
      case 18:
        response.kvs.push(keyValue(r, r.embeddedEnd()));
        continue;
      case 24:
        response.more = r.bool();
        continue;
      case 32:
        response.count = r.int64();
        continue;
    }
    if (!r.skipField(tag)) break;
  }
  return response;
}

/**
 * Decodes an `etcdserverpb.PutResponse`, the same as the generated `PutResponse.decode`.
 * @throws RangeError / Error on malformed input
 */
export function decodePutResponse(bytes: Uint8Array): PutResponse {
  const r = new Reader(bytes);
  const response: PutResponse = { header: undefined, prevKv: undefined };
  const end = bytes.length;
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case 10:
        response.header = header(r, r.embeddedEnd());
        continue;
      case 18:
        response.prevKv = keyValue(r, r.embeddedEnd());
        continue;
    }
    if (!r.skipField(tag)) break;
  }
  return response;
}

/**
 * Decodes an `etcdserverpb.WatchResponse`, the same as the generated `WatchResponse.decode`.
 * @throws RangeError / Error on malformed input
 */
export function decodeWatchResponse(bytes: Uint8Array): WatchResponse {
  const r = new Reader(bytes);
  const response: WatchResponse = {
    header: undefined,
    watchId: 0n,
    created: false,
    canceled: false,
    compactRevision: 0n,
    cancelReason: '',
    fragment: false,
    events: [],
  };
  const end = bytes.length;
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case 10:
        response.header = header(r, r.embeddedEnd());
        continue;
      case 16:
        response.watchId = r.int64();
        continue;
      case 24:
        response.created = r.bool();
        continue;
      case 32:
        response.canceled = r.bool();
        continue;
      case 40:
        response.compactRevision = r.int64();
        continue;
      case 50:
        response.cancelReason = r.string();
        continue;
      case 56:
        response.fragment = r.bool();
        continue;
      case 90:
        response.events.push(event(r, r.embeddedEnd()));
        continue;
    }
    if (!r.skipField(tag)) break;
  }
  return response;
}
