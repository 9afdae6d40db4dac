/**
 * The one error tree of etcd-ts: every error class the library throws, re-exported from its family's
 * file.
 */
export * from './server.js';
