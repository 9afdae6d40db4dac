/**
 * Timers for the whole library: the one place where delays above node's longest timer are handled.
 *
 * `setTimeout` accepts at most 2^31-1 ms (about 24.8 days); a longer delay fires after 1 ms with a
 * `TimeoutOverflowWarning`. Every timer of etcd-ts (call deadlines, keep-alive, token refresh,
 * lease renewals, waits of the concurrency recipes) goes through {@link startTimer} or
 * {@link sleep}, which clamp the delay and re-arm until the full time has passed.
 */

/** Longest delay a single node timer accepts, in ms (2^31 - 1, about 24.8 days). */
export const MAX_TIMER_DELAY_MS = 2_147_483_647;

/**
 * A delay usable with `setTimeout` directly: NaN and negatives become 0, values above
 * {@link MAX_TIMER_DELAY_MS} become that. A caller that clamps must check on expiry whether the
 * full time has passed (as `startTimer` does).
 * @param ms - the wanted delay in ms.
 */
export function clampDelay(ms: number): number {
  if (!(ms > 0)) return 0;
  return ms > MAX_TIMER_DELAY_MS ? MAX_TIMER_DELAY_MS : ms;
}

/** A running timer from {@link startTimer}. */
export interface TimerHandle {
  /** Stops the timer; the callback will not run. Safe to call more than once, or after it fired. */
  cancel(): void;
  /** Lets the process exit while the timer is pending (as `Timeout.unref`). Returns the handle. */
  unref(): TimerHandle;
  /** Keeps the process alive while the timer is pending (the default). Returns the handle. */
  ref(): TimerHandle;
}

class LongTimer implements TimerHandle {
  #timer: ReturnType<typeof setTimeout> | undefined;
  #referenced = true;
  readonly #due: number;
  readonly #callback: () => void;

  constructor(callback: () => void, ms: number) {
    this.#callback = callback;
    this.#due = Date.now() + (ms > 0 ? ms : 0);
    this.#arm(ms);
  }

  #arm(ms: number): void {
    this.#timer = setTimeout(() => this.#fire(), clampDelay(ms));
    if (!this.#referenced) this.#timer.unref?.();
  }

  #fire(): void {
    const remaining = this.#due - Date.now();
    if (remaining >= 1) {
      // Longer than one node timer: wait for the rest. (Less than 1 ms left is the clocks'
      // rounding: node fires at whole milliseconds; waiting again would add a whole one.)
      this.#arm(remaining);
      return;
    }
    this.#timer = undefined;
    this.#callback();
  }

  cancel(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  unref(): TimerHandle {
    this.#referenced = false;
    this.#timer?.unref?.();
    return this;
  }

  ref(): TimerHandle {
    this.#referenced = true;
    this.#timer?.ref?.();
    return this;
  }
}

/**
 * Runs `callback` once after `ms` milliseconds, however long that is (re-arming past
 * {@link MAX_TIMER_DELAY_MS}); no overflow warning, no CPU while it waits.
 * @param callback - called once, unless cancelled first.
 * @param ms - delay in ms; NaN or negative means as soon as possible.
 * @returns a handle to cancel, ref or unref the timer (referenced by default).
 */
export function startTimer(callback: () => void, ms: number): TimerHandle {
  return new LongTimer(callback, ms);
}

/**
 * Resolves after `ms` milliseconds (any length, see {@link startTimer}).
 * @param ms - delay in ms.
 * @param signal - aborting it rejects the promise with `signal.reason` and stops the timer.
 * @param options - `ref: false` lets the process exit while sleeping (default true).
 * @throws `signal.reason` when the signal is or becomes aborted first.
 */
export function sleep(ms: number, signal?: AbortSignal, options?: { ref?: boolean }): Promise<void> {
  if (signal?.aborted === true) return Promise.reject(signal.reason);
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      timer.cancel();
      reject(signal!.reason);
    };
    const timer = startTimer(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    if (options?.ref === false) timer.unref();
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
