/**
 * Argument checks of the Lock and Election services (src/lock.ts, src/election.ts) that the other
 * services do not need: a non-empty key or name, and a lease ID that must name a granted lease.
 * Their response records are mapped by convert.ts (`responseHeader`, `keyValue`).
 */
import { toBytes, toLeaseId } from './internal/wire.js';
import { InvalidArgumentError } from './errors.js';
import type { Bytes } from './types.js';

/** A non-empty key or name as bytes; throws `InvalidArgumentError` naming `what`. */
export function nonEmptyBytes(input: Bytes, what: string): Uint8Array {
  const bytes = toBytes(input, what);
  if (bytes.length === 0) throw new InvalidArgumentError(`${what} must not be empty`);
  return bytes;
}

/** A lease ID that must not be 0n (no lease); throws `InvalidArgumentError` naming `what`. */
export function requiredLease(input: unknown, what: string): bigint {
  const id = toLeaseId(input, what);
  if (id === 0n) throw new InvalidArgumentError(`${what} must be a granted lease ID, not 0n`);
  return id;
}
