/**
 * The leasing KV (Go's `clientv3/leasing`): reads of single keys answered from a local cache,
 * kept coherent through leasing keys in etcd. See {@link LeasingKV}.
 *
 * @module
 */
export { LeasingKV, type LeasingKVOptions } from './kv.js';
export { DEFAULT_LEASING_TTL, REVOKE_BACKOFF_MS, REVOKE_VALUE } from './defaults.js';
