/**
 * The key layout of locks and elections, the Go client's (so `etcdctl lock` / `etcdctl elect`, Go
 * programs and etcd's own Lock/Election services share locks and elections with ours): a lock or
 * election named `name` keeps its keys under the prefix `name + '/'`, one key per session,
 * `<name>/<lease ID in lower-case hex, no padding>` (Go's `fmt.Sprintf("%s%x", pfx, leaseID)`), so
 * the lock `my-lock` held under lease 0x694d7a1c2b3e4f01 is the key `my-lock/694d7a1c2b3e4f01`.
 */
import { toBytes } from '../internal/wire.js';
import type { Bytes } from '../types.js';

const SLASH = Buffer.from('/');

/** The prefix of the keys of lock or election `name`: `name + '/'` (Go `pfx + "/"`). */
export function keyPrefix(name: Bytes, what: string): Buffer {
  return Buffer.concat([toBytes(name, what), SLASH]);
}

/** The key of the session holding `lease` under `prefix` (which ends with `/`). */
export function sessionKey(prefix: Buffer, lease: bigint): Buffer {
  return Buffer.concat([prefix, Buffer.from(lease.toString(16), 'latin1')]);
}
