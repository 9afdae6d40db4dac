/**
 * Every default of the Watch service in one place, each with its unit.
 */

/**
 * Bound of one watch's buffer of responses received but not yet taken by its consumer, in bytes
 * (approximate: each event counts its keys' and values' bytes plus 256); 8 MiB. A watch whose
 * consumer falls further behind ends with `WatchOverflowError` (see `WatchOptions.maxBufferedBytes`).
 */
export const DEFAULT_WATCH_MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

/**
 * What one buffered event counts for in a watch's buffer besides its key and value bytes (and those
 * of its previous pair), in bytes: the JavaScript objects holding it.
 */
export const WATCH_EVENT_OVERHEAD_BYTES = 256;

/**
 * What one buffered response without events (created, progress notification) counts for in a
 * watch's buffer, in bytes.
 */
export const WATCH_RESPONSE_OVERHEAD_BYTES = 128;

/**
 * First wait before the watch stream is opened again after it broke, in milliseconds. Each further
 * failure in a row doubles it, up to {@link WATCH_RETRY_MAX_MS}; a stream that delivers a message
 * resets it. (The rpc layer itself waits up to `dialTimeout` for a ready connection on each attempt.)
 */
export const WATCH_RETRY_BASE_MS = 25;

/** Longest wait between two attempts to open the watch stream again, in milliseconds. */
export const WATCH_RETRY_MAX_MS = 2_000;

/** Random spread of the reopen wait, as a fraction (0.2 = +-20%), so many clients do not reconnect in step. */
export const WATCH_RETRY_JITTER_FRACTION = 0.2;
