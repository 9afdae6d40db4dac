/**
 * etcd's watch responses as the public types: events (key-values mapped by internal/wire.ts's `keyValue`:
 * Buffer views of the received bytes, int64 as checked numbers), and the size a response counts for
 * in a watch's buffer.
 * One loop per response, no closures.
 */
import { keyValue } from '../internal/wire.js';
import { Event_EventType } from '../proto/index.js';
import type { Event as WireEvent, KeyValue as WireKeyValue } from '../proto/index.js';
import type { ResponseHeader } from '../types.js';
import type { WatchEvent, WatchResponse } from './types.js';
import { WATCH_EVENT_OVERHEAD_BYTES, WATCH_RESPONSE_OVERHEAD_BYTES } from './defaults.js';

const EMPTY_KV: WireKeyValue = {
  key: new Uint8Array(0),
  value: new Uint8Array(0),
  createRevision: 0n,
  modRevision: 0n,
  version: 0n,
  lease: 0n,
};

/**
 * The events `list[from..]` as public events, appended to `out`; returns the bytes they count for in
 * a watch's buffer (keys and values, previous pairs included, plus {@link WATCH_EVENT_OVERHEAD_BYTES}
 * each).
 */
export function appendEvents(list: readonly WireEvent[], from: number, out: WatchEvent[]): number {
  let bytes = 0;
  for (let i = from; i < list.length; i++) {
    const e = list[i]!;
    const kv = e.kv ?? EMPTY_KV;
    const prev = e.prevKv;
    bytes += WATCH_EVENT_OVERHEAD_BYTES + kv.key.length + kv.value.length;
    if (prev !== undefined) bytes += prev.key.length + prev.value.length;
    const put = e.type !== Event_EventType.DELETE;
    const created = put && kv.createRevision === kv.modRevision;
    out.push({
      type: put ? 'put' : 'delete',
      kv: keyValue(kv),
      prevKv: prev === undefined ? undefined : keyValue(prev),
      isCreate: created,
      isModify: put && !created,
    });
  }
  return bytes;
}

/** Bytes a response without events (created, progress, cancelled) counts for in a watch's buffer. */
export const NOTIFICATION_BYTES = WATCH_RESPONSE_OVERHEAD_BYTES;

/** A response of a watch as the public type; `events` is taken as is. */
export function watchResponse(
  header: ResponseHeader,
  events: WatchEvent[],
  kind: 'events' | 'created' | 'progress' | 'canceled',
  compactRevision = 0,
): WatchResponse {
  return {
    header,
    events,
    compactRevision,
    canceled: kind === 'canceled',
    isProgressNotify: kind === 'progress',
    created: kind === 'created',
  };
}
