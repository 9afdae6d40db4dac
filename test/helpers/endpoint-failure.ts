// The failed connection of a call to one endpoint, as the TLS and Unix-socket tests check it.
import assert from 'node:assert/strict';

import { ConnectionError, NoAvailableEndpointsError } from '../../src/errors/index.js';

/**
 * The error `pending` rejects with, checked to be a NoAvailableEndpointsError whose first endpoint
 * failed with a ConnectionError that its message repeats; that ConnectionError.
 */
export async function connectionFailure(pending: Promise<unknown>): Promise<ConnectionError> {
  const error = await pending.then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof NoAvailableEndpointsError, `expected NoAvailableEndpointsError, got ${String(error)}`);
  const cause = error.endpoints[0]?.error;
  assert.ok(cause instanceof ConnectionError, `endpoint error: ${String(cause)}`);
  assert.ok(error.message.includes(cause.message), 'the message names the endpoint error');
  return cause;
}
