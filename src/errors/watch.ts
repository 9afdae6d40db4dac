/**
 * The error that ends a watch whose consumer fell behind (the server's reasons to end a watch are
 * server errors, errors/server.ts; errors/by-message.ts maps its `cancel_reason` to one).
 */
import { EtcdError, type EtcdErrorOptions } from './etcd-error.js';
import { Status } from '../transport/types.js';

/**
 * A watch ended because its consumer fell behind: the responses received but not yet taken by the
 * `for await` loop reached the watch's bound (`maxBufferedBytes`, default 8 MiB). Every response
 * buffered before that point was still delivered, in order; nothing after it was, and the watch was
 * cancelled on the server. Start a new watch at `resumeRevision` to continue without a gap
 * (code RESOURCE_EXHAUSTED).
 */
export class WatchOverflowError extends EtcdError {
  override name = 'WatchOverflowError';
  /** The first revision not delivered: use it as `startRevision` of a new watch to miss nothing. */
  readonly resumeRevision: number;
  /** The bound that was reached, in bytes. */
  readonly maxBufferedBytes: number;

  /**
   * @param resumeRevision first revision not delivered
   * @param maxBufferedBytes the watch's buffer bound, in bytes
   */
  constructor(resumeRevision: number, maxBufferedBytes: number) {
    const text =
      `the watch consumer fell behind: more than ${maxBufferedBytes} bytes of responses were waiting to be read; ` +
      `the watch was cancelled; start a new watch at revision ${resumeRevision} to continue`;
    super(text, Status.RESOURCE_EXHAUSTED, text);
    this.resumeRevision = resumeRevision;
    this.maxBufferedBytes = maxBufferedBytes;
  }
}

/**
 * A wait that needed a watch ended without what it waited for, because the watch ended without an
 * error: it was cancelled on the client's side (`client.cancelWatches()`, Go `Watcher.Close`). The
 * waits are a lock or a campaign waiting for a key's deletion, a barrier or queue waiting for an
 * event, and an election's `observe()` (Go: `lost watcher waiting for delete`, the recipes'
 * `ErrNoWatcher`). Nothing was acquired; the wait's own keys are removed (code CANCELLED).
 */
export class WatchEndedError extends EtcdError {
  override name = 'WatchEndedError';

  /** @param message what was waited for, e.g. `the watch of "lock/1" ended before its deletion` */
  constructor(message: string, options?: EtcdErrorOptions) {
    super(message, Status.CANCELLED, message, options);
  }
}
