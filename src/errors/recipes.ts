/**
 * Errors of the recipes, with the Go recipes' messages where Go has one (`recipe.ErrKeyExists`,
 * `ErrTooManyClients`). Every class extends `EtcdError` with gRPC code FAILED_PRECONDITION (9): the
 * store is not in the state the operation needs. Only the client raises them.
 */
import { EtcdError, type EtcdErrorOptions } from './etcd-error.js';

/** gRPC FAILED_PRECONDITION. */
const CODE_FAILED_PRECONDITION = 9;

/** `barrier.hold()` found the barrier key already there: the barrier is held (Go `ErrKeyExists`). */
export class KeyExistsError extends EtcdError {
  override name = 'KeyExistsError';
  /** The exact text of Go's error. */
  static readonly text = 'key already exists';
  constructor(options?: EtcdErrorOptions) {
    super(KeyExistsError.text, CODE_FAILED_PRECONDITION, KeyExistsError.text, options);
  }
}

/** `doubleBarrier.enter()` found `count` processes already in the barrier (Go `ErrTooManyClients`). */
export class TooManyClientsError extends EtcdError {
  override name = 'TooManyClientsError';
  /** The exact text of Go's error. */
  static readonly text = 'too many clients';
  constructor(options?: EtcdErrorOptions) {
    super(TooManyClientsError.text, CODE_FAILED_PRECONDITION, TooManyClientsError.text, options);
  }
}

/** `leave()`, `unlock()` or `rUnlock()` without a matching `enter()`, `lock()` or `rLock()`. */
export class NotHeldError extends EtcdError {
  override name = 'NotHeldError';
  /** @param what e.g. `rwmutex: unlock without lock` */
  constructor(what: string, options?: EtcdErrorOptions) {
    super(what, CODE_FAILED_PRECONDITION, what, options);
  }
}

/**
 * A key under a recipe's prefix is not of the recipe's form (another program wrote it): a queue's
 * key that does not end with a sequence number. Nothing was written.
 */
export class UnexpectedKeyError extends EtcdError {
  override name = 'UnexpectedKeyError';
  /** The key found (as etcd holds it). */
  readonly key: Buffer;

  /**
   * @param key the key found
   * @param problem what is wrong with it, e.g. `does not end with a number`
   */
  constructor(key: Buffer, problem: string, options?: EtcdErrorOptions) {
    const message = `key ${JSON.stringify(key.toString('latin1'))} under the recipe's prefix ${problem}`;
    super(message, CODE_FAILED_PRECONDITION, message, options);
    this.key = key;
  }
}
