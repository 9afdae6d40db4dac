import { strict as assert } from 'node:assert';
import { describe, it, mock } from 'node:test';
import { clampDelay, MAX_TIMER_DELAY_MS, sleep, startTimer } from '../../src/internal/timers.js';

describe('timers', () => {
  it('clampDelay keeps delays within what setTimeout accepts', () => {
    assert.equal(clampDelay(-5), 0);
    assert.equal(clampDelay(Number.NaN), 0);
    assert.equal(clampDelay(1500), 1500);
    assert.equal(clampDelay(3e9), MAX_TIMER_DELAY_MS);
  });

  it('a timer longer than 2^31-1 ms fires only when its whole delay has passed, without a warning', () => {
    mock.timers.enable({ apis: ['setTimeout', 'Date'] });
    const warnings: Error[] = [];
    const onWarning = (warning: Error): void => {
      warnings.push(warning);
    };
    process.on('warning', onWarning);
    try {
      let fired = 0;
      startTimer(() => fired++, 3e9);
      mock.timers.tick(1000);
      assert.equal(fired, 0, 'fired after 1 s');
      mock.timers.tick(MAX_TIMER_DELAY_MS);
      assert.equal(fired, 0, 'fired after 2^31-1 ms of 3e9');
      mock.timers.tick(3e9 - MAX_TIMER_DELAY_MS - 1000);
      assert.equal(fired, 1);
      assert.deepEqual(warnings, []);
    } finally {
      process.off('warning', onWarning);
      mock.timers.reset();
    }
  });

  it('a cancelled timer never fires', () => {
    mock.timers.enable({ apis: ['setTimeout', 'Date'] });
    try {
      let fired = 0;
      const timer = startTimer(() => fired++, 100);
      timer.cancel();
      timer.cancel();
      mock.timers.tick(200);
      assert.equal(fired, 0);
    } finally {
      mock.timers.reset();
    }
  });

  it('sleep rejects with the signal reason when aborted', async () => {
    const controller = new AbortController();
    const slept = sleep(3e9, controller.signal);
    const reason = new Error('stop');
    controller.abort(reason);
    await assert.rejects(slept, (error) => error === reason);
    await assert.rejects(sleep(10, controller.signal), (error) => error === reason);
  });

  it('sleep resolves after its delay', async () => {
    const start = Date.now();
    await sleep(20);
    assert.ok(Date.now() - start >= 19);
  });
});
