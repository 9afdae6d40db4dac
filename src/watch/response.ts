/**
 * A watch's responses as the public type (the events come decoded as public events, decode.ts),
 * and what a notification counts for in a watch's buffer.
 */
import type { ResponseHeader } from '../types.js';
import type { WatchEvent, WatchResponse } from './types.js';
import { WATCH_RESPONSE_OVERHEAD_BYTES } from './defaults.js';

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
