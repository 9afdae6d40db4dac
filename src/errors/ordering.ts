/**
 * The error of the ordering KV (Go's `clientv3/ordering`): no member answered with a revision at
 * or above one already seen.
 */
import { Status } from '../transport/types.js';
import { EtcdError, type EtcdErrorOptions } from './etcd-error.js';

/**
 * No member answered with a revision at or above the one seen before (Go `ErrNoGreaterRev`'s
 * text); thrown by {@link retryOnOrderViolation} once its attempts are used up. gRPC code
 * UNAVAILABLE (14).
 */
export class OrderViolationError extends EtcdError {
  override name = 'OrderViolationError';
  /** The exact text of Go's `ErrNoGreaterRev`. */
  static readonly text = 'etcdclient: no cluster members have a revision higher than the previously received revision';
  /** The revision the responses fell behind. */
  readonly previousRevision: number;
  /** The revision of the last response. */
  readonly revision: number;
  constructor(previousRevision: number, revision: number, options?: EtcdErrorOptions) {
    super(`${OrderViolationError.text} (${revision} < ${previousRevision})`, Status.UNAVAILABLE, OrderViolationError.text, options);
    this.previousRevision = previousRevision;
    this.revision = revision;
  }
}
