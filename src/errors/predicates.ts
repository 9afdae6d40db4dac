/**
 * Predicates over the error tree, next to it: what kind of failure an error is (the retry policy
 * and the watch stream ask these).
 */
import { Status } from '../transport/types.js';
import { ConnectionError, NoAvailableEndpointsError } from './client.js';
import { EtcdError, EtcdServerError, type ServerErrorClass } from './etcd-error.js';

/** True for an error the etcd server returned with one of its known messages (an {@link EtcdServerError}). */
export function isServerError(error: unknown): error is EtcdServerError {
  return error instanceof EtcdServerError;
}

/**
 * True when the error means "unavailable, no definite answer": a {@link ConnectionError}, a known
 * server error whose meaning is UNAVAILABLE (no leader, leader changed, request timed out ...), or
 * an unknown error with code UNAVAILABLE. A known server error with another meaning (compacted,
 * permission denied ...) is not, whatever code it arrived with. The retry policy retries reads on
 * these; {@link NoAvailableEndpointsError} is not one (the client already waited `dialTimeout`).
 */
export function isUnavailableError(error: unknown): boolean {
  if (!(error instanceof EtcdError) || error instanceof NoAvailableEndpointsError) return false;
  if (error instanceof EtcdServerError) {
    return (error.constructor as unknown as ServerErrorClass).grpcCode === Status.UNAVAILABLE;
  }
  return error instanceof ConnectionError || error.code === Status.UNAVAILABLE;
}
