/** Defaults of the recipes. */

/** How long the best-effort removal of a request's key after a failed lock may take, in ms. */
export const CLEANUP_TIMEOUT_MS = 5_000;
