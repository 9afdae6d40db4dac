/**
 * The one error tree of etcd-ts: every error class the library throws, each an `EtcdError` with a
 * stable `code` (the gRPC status code), by family:
 *
 * - etcd-error.ts: the roots, `EtcdError` and `EtcdServerError`;
 * - server.ts: one class per message the etcd server returns, and `SERVER_ERRORS`;
 * - client.ts: what the client raises itself (bad input, deadlines, connections, a closed client);
 * - predicates.ts: `isServerError`, `isUnavailableError`;
 * - concurrency.ts, recipes.ts, watch.ts, snapshot.ts, ordering.ts: the errors of those parts.
 *
 * launcher.ts holds the errors of `etcd-ts/testing` (`EtcdLaunchError`, `EtcdStartError`); it is not
 * re-exported here (the client never throws them), `src/testing/` imports it itself.
 * by-message.ts (internal, not re-exported) maps a message the server sent to its class.
 * Internal code imports the tree from here; each public entry point re-exports its part.
 */
export * from './etcd-error.js';
export * from './server.js';
export * from './client.js';
export * from './predicates.js';
export * from './concurrency.js';
export * from './recipes.js';
export * from './watch.js';
export * from './snapshot.js';
export * from './ordering.js';
