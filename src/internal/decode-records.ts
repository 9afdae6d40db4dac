/**
 * Decoders of the records most responses hold, straight into the public types rather than the
 * generated wire shape that would then be mapped (internal/wire.ts): etcd's `ResponseHeader` and
 * `mvccpb.KeyValue`, with keys and values as `Buffer` views of the message and revisions and
 * versions as checked numbers. Per key-value this saves the wire object and the `bigint`s made
 * only to be turned back into numbers; a header's cluster and member IDs (random 64-bit values,
 * the same in every response of a member) are built once and reused.
 *
 * Used by the watch's decoder (src/watch/decode.ts) and the get's (src/kv/decode-get.ts). The
 * reader must read a `Buffer` (views of a Buffer are Buffers: see {@link bufferReader}). Malformed
 * input throws as the generated decoders do (`RangeError` "premature EOF" or an `Error` naming the
 * problem); a revision beyond 2^53 - 1 throws the `UnexpectedResponseError` of `toNumber`.
 */
import { toNumber } from './wire.js';
import { EMPTY_BYTES, Reader, uint64Cache } from '../proto/reader.js';
import type { KeyValue, ResponseHeader } from '../types.js';

const clusterIds = uint64Cache();
const memberIds = uint64Cache();

/** A reader over `bytes` as a `Buffer` (the same memory), so that its `bytes()` are Buffers. */
export function bufferReader(bytes: Uint8Array): Reader {
  return new Reader(Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
}

/** An int64 field that holds a count or revision, as a number; `what` names it in the error. */
export function int64Number(r: Reader, what: string): number {
  const small = r.smallVarint();
  return small >= 0 ? small : toNumber(r.int64(), what);
}

/** The header of a response that carried none: all zero. */
export function emptyHeader(): ResponseHeader {
  return { clusterId: 0n, memberId: 0n, revision: 0, raftTerm: 0 };
}

/** An embedded `etcdserverpb.ResponseHeader` ending at `end`. */
export function decodeHeader(r: Reader, end: number): ResponseHeader {
  const h = emptyHeader();
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
        h.revision = int64Number(r, 'revision');
        continue;
      case 32: {
        const small = r.smallVarint();
        h.raftTerm = small >= 0 ? small : toNumber(r.uint64(), 'raft term');
        continue;
      }
    }
    if (!r.skipField(tag)) break;
  }
  return h;
}

/** A key-value with no field set (absent bytes fields share one empty Buffer). */
export function emptyKeyValue(): KeyValue {
  return { key: EMPTY_BYTES, value: EMPTY_BYTES, createRevision: 0, modRevision: 0, version: 0, lease: 0n };
}

/** An embedded `mvccpb.KeyValue` ending at `end`. */
export function decodeKeyValue(r: Reader, end: number): KeyValue {
  const kv = emptyKeyValue();
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case 10:
        kv.key = r.bytes() as Buffer;
        continue;
      case 16:
        kv.createRevision = int64Number(r, 'create revision');
        continue;
      case 24:
        kv.modRevision = int64Number(r, 'mod revision');
        continue;
      case 32:
        kv.version = int64Number(r, 'version');
        continue;
      case 42:
        kv.value = r.bytes() as Buffer;
        continue;
      case 48:
        kv.lease = r.int64();
        continue;
    }
    if (!r.skipField(tag)) break;
  }
  return kv;
}
