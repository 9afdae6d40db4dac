/** Defaults and constants of the leasing KV (Go's `clientv3/leasing`). */

/** TTL of the leasing session's lease, in seconds (Go's default session TTL). */
export const DEFAULT_LEASING_TTL = 60;

/**
 * After giving up a key because another client wanted to write it, how long reads of that key go
 * to etcd without taking it again, in ms (Go's `revokeBackoff`, 2 s).
 */
export const REVOKE_BACKOFF_MS = 2_000;

/** Pause between attempts to start a new session after the previous one was lost, in ms. */
export const SESSION_RETRY_MS = 500;

/** Pause between attempts to give a key up (delete its leasing key) after a failure, in ms. */
export const RESCIND_RETRY_MS = 200;

/** The value a writer puts into another client's leasing key to ask it to give the key up (Go's). */
export const REVOKE_VALUE = 'REVOKE';
