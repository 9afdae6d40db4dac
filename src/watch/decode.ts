/**
 * etcd's `WatchResponse` decoded straight into what the watch layer hands out: the public
 * `ResponseHeader` and `WatchEvent`s (keys and values as `Buffer` views of the message, revisions
 * and versions as checked numbers), not the generated wire shape that would then be mapped
 * (the header and key-value records: src/internal/decode-records.ts). Per event this saves the
 * wire event and key-value objects and the eight `bigint`s made only to be turned back into numbers.
 *
 * The result holds the same information as the generated `WatchResponse.decode` (checked by
 * test/unit/watch-decode.test.ts on real, random, unknown-field and truncated input). Malformed
 * input throws as the generated decoder does; a revision beyond 2^53 - 1 throws the
 * `UnexpectedResponseError` of `toNumber` (internal/wire.ts).
 */
import { bufferReader, decodeHeader, decodeKeyValue, emptyHeader, emptyKeyValue, int64Number } from '../internal/decode-records.js';
import type { Reader } from '../proto/reader.js';
import type { KeyValue, ResponseHeader } from '../types.js';
import type { WatchEvent } from './types.js';
import { WATCH_EVENT_OVERHEAD_BYTES } from './defaults.js';

/** One decoded `etcdserverpb.WatchResponse`, as the watch stream and its watches use it. */
export interface WatchMessage {
  /** The header (all zero when the server sent none). */
  header: ResponseHeader;
  /** The watch it is for; -1 for a progress notification of the whole stream. */
  watchId: number;
  created: boolean;
  canceled: boolean;
  compactRevision: number;
  cancelReason: string;
  /** More fragments of this response follow. */
  fragment: boolean;
  events: WatchEvent[];
}

/** `mvccpb.Event.EventType.DELETE` on the wire. */
const DELETE = 1;

function event(r: Reader, end: number): WatchEvent {
  let type = 0;
  let kv: KeyValue | undefined;
  let prevKv: KeyValue | undefined;
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case 8:
        type = r.uint32() | 0;
        continue;
      case 18:
        kv = decodeKeyValue(r, r.embeddedEnd());
        continue;
      case 26:
        prevKv = decodeKeyValue(r, r.embeddedEnd());
        continue;
    }
    if (!r.skipField(tag)) break;
  }
  kv ??= emptyKeyValue();
  const put = type !== DELETE;
  const created = put && kv.createRevision === kv.modRevision;
  return { type: put ? 'put' : 'delete', kv, prevKv, isCreate: created, isModify: put && !created };
}

/**
 * Decodes an `etcdserverpb.WatchResponse` into a {@link WatchMessage}.
 * @throws RangeError / Error on malformed input; UnexpectedResponseError for a revision beyond 2^53 - 1
 */
export function decodeWatchMessage(bytes: Uint8Array): WatchMessage {
  const r = bufferReader(bytes);
  let header_: ResponseHeader | undefined;
  const message: WatchMessage = {
    header: undefined as unknown as ResponseHeader,
    watchId: 0,
    created: false,
    canceled: false,
    compactRevision: 0,
    cancelReason: '',
    fragment: false,
    events: [],
  };
  const end = bytes.length;
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case 10:
        header_ = decodeHeader(r, r.embeddedEnd());
        continue;
      case 16:
        message.watchId = int64Number(r, 'watch ID');
        continue;
      case 24:
        message.created = r.bool();
        continue;
      case 32:
        message.canceled = r.bool();
        continue;
      case 40:
        message.compactRevision = int64Number(r, 'compact revision');
        continue;
      case 50:
        message.cancelReason = r.string();
        continue;
      case 56:
        message.fragment = r.bool();
        continue;
      case 90:
        message.events.push(event(r, r.embeddedEnd()));
        continue;
    }
    if (!r.skipField(tag)) break;
  }
  message.header = header_ ?? emptyHeader();
  return message;
}

/**
 * What `events[from..]` count for in a watch's buffer, in bytes: keys and values (previous pairs
 * included) plus {@link WATCH_EVENT_OVERHEAD_BYTES} each.
 */
export function eventBytes(events: readonly WatchEvent[], from = 0): number {
  let bytes = 0;
  for (let i = from; i < events.length; i++) {
    const e = events[i]!;
    bytes += WATCH_EVENT_OVERHEAD_BYTES + e.kv.key.length + e.kv.value.length;
    const prev = e.prevKv;
    if (prev !== undefined) bytes += prev.key.length + prev.value.length;
  }
  return bytes;
}
