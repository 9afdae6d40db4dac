/**
 * Reading snapshot files offline (what etcdctl's `snapshot status` does): the bbolt reader and the
 * status it computes. Used by the CLI; not a public subpath of the package.
 */
export { snapshotStatus, type SnapshotStatus } from './status.js';
export { SnapshotFileError } from '../errors/index.js';
