/** The retry policy (src/rpc/retry.ts): read vs write, the sent flag, the attempt bound, the caller's deadline and signal. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  ClientClosedError,
  CompactedError,
  DeadlineExceededError,
  InvalidArgumentError,
  LeaderChangedError,
  NoAvailableEndpointsError,
  NoLeaderError,
  NotSupportedForLearnerError,
  PermissionDeniedError,
  RequestTooLargeError,
} from '../../src/errors/index.js';
import { DEFAULT_RETRY_BACKOFF_MS, DEFAULT_RETRY_MAX_ATTEMPTS } from '../../src/rpc/defaults.js';
import { mapCallError } from '../../src/rpc/error-mapping.js';
import type { Logger } from '../../src/rpc/logger.js';
import { retryDelay, shouldRetry, type RetryMethod } from '../../src/rpc/retry.js';
import { CallError, Status, type StatusCode } from '../../src/transport/types.js';

const range: RetryMethod = { path: '/etcdserverpb.KV/Range', kind: 'unary', retry: 'read' };
const put: RetryMethod = { path: '/etcdserverpb.KV/Put', kind: 'unary', retry: 'write' };
const snapshot: RetryMethod = { path: '/etcdserverpb.Maintenance/Snapshot', kind: 'server-stream', retry: 'read' };
const watch: RetryMethod = { path: '/etcdserverpb.Watch/Watch', kind: 'bidi', retry: 'read' };

/** A broken connection: the request may have been sent. */
const brokenAfterSend = () => mapCallError(new CallError(Status.UNAVAILABLE, 'socket hang up', true), { endpoint: 'http://a:1' });
/** The request provably never left the client. */
const neverSent = () => mapCallError(new CallError(Status.UNAVAILABLE, 'connect ECONNREFUSED', false), { endpoint: 'http://a:1' });
/** A server answer. */
const server = (cls: new (d?: string, o?: { code?: number; cause?: unknown }) => Error, code: number) =>
  new cls(undefined, { code, cause: new CallError(code as StatusCode, 'x', true) });

describe('shouldRetry', () => {
  it('reads: retried on UNAVAILABLE (connection or etcd meaning UNAVAILABLE)', () => {
    assert.equal(shouldRetry(range, brokenAfterSend(), 1), true);
    assert.equal(shouldRetry(range, server(NoLeaderError, Status.UNAVAILABLE), 1), true);
    assert.equal(shouldRetry(range, server(LeaderChangedError, Status.UNAVAILABLE), 1), true);
  });

  it('reads: not retried on a known etcd error with another meaning, whatever code it came with', () => {
    assert.equal(shouldRetry(range, server(CompactedError, Status.OUT_OF_RANGE), 1), false);
    assert.equal(shouldRetry(range, server(CompactedError, Status.UNAVAILABLE), 1), false);
    assert.equal(shouldRetry(range, server(PermissionDeniedError, Status.PERMISSION_DENIED), 1), false);
  });

  it('reads: a deadline or cancellation the caller did not cause is retried', () => {
    const perAttempt = mapCallError(new CallError(Status.DEADLINE_EXCEEDED, 'context deadline exceeded', true));
    assert.equal(shouldRetry(range, perAttempt, 1, { deadline: Date.now() + 10_000 }), true);
    const cancelled = mapCallError(new CallError(Status.CANCELLED, 'stream reset', true));
    assert.equal(shouldRetry(range, cancelled, 1), true);
    assert.equal(shouldRetry(put, cancelled, 1), false);
  });

  it('writes: retried only when the request never left the client', () => {
    assert.equal(shouldRetry(put, brokenAfterSend(), 1), false);
    assert.equal(shouldRetry(put, server(NoLeaderError, Status.UNAVAILABLE), 1), false);
    assert.equal(shouldRetry(put, neverSent(), 1), true);
    assert.equal(shouldRetry(put, new CallError(Status.UNAVAILABLE, 'refused stream', false), 1), true);
  });

  it('errors with no CallError behind them count as sent', () => {
    assert.equal(shouldRetry(put, new Error('who knows'), 1), false);
  });

  it('final errors are never retried, even for reads never sent', () => {
    const finals = [
      new InvalidArgumentError('bad'),
      new ClientClosedError({ cause: new CallError(Status.UNAVAILABLE, 'closed', false) }),
      new NoAvailableEndpointsError([{ endpoint: 'http://a:1', error: undefined }], 10),
      RequestTooLargeError.clientSide(10, 5),
    ];
    for (const error of finals) assert.equal(shouldRetry(range, error, 1), false, error.name);
  });

  it('a learner refusal is retried (any RPC) only when there are other endpoints', () => {
    const learner = server(NotSupportedForLearnerError, Status.UNAVAILABLE);
    assert.equal(shouldRetry(put, learner, 1, { endpointCount: 3 }), true);
    assert.equal(shouldRetry(range, learner, 1, { endpointCount: 1 }), false);
  });

  it('bounded attempts: default and custom', () => {
    assert.equal(shouldRetry(range, brokenAfterSend(), DEFAULT_RETRY_MAX_ATTEMPTS - 1), true);
    assert.equal(shouldRetry(range, brokenAfterSend(), DEFAULT_RETRY_MAX_ATTEMPTS), false);
    assert.equal(shouldRetry(range, brokenAfterSend(), 2, { maxAttempts: 3 }), true);
    assert.equal(shouldRetry(range, brokenAfterSend(), 3, { maxAttempts: 3 }), false);
    assert.equal(shouldRetry(put, neverSent(), 3, { maxAttempts: 3 }), false);
  });

  it("never after the caller's deadline or signal", () => {
    const now = 1_000_000;
    const clock = () => now;
    assert.equal(shouldRetry(range, brokenAfterSend(), 1, { deadline: now + 1, now: clock }), true);
    assert.equal(shouldRetry(range, brokenAfterSend(), 1, { deadline: now, now: clock }), false);
    assert.equal(shouldRetry(put, neverSent(), 1, { deadline: now - 5, now: clock }), false);
    const controller = new AbortController();
    assert.equal(shouldRetry(range, brokenAfterSend(), 1, { signal: controller.signal }), true);
    controller.abort();
    assert.equal(shouldRetry(range, brokenAfterSend(), 1, { signal: controller.signal }), false);
    assert.equal(shouldRetry(put, neverSent(), 1, { signal: controller.signal }), false);
    const callerDeadline = new DeadlineExceededError(undefined, { timeout: 5 });
    assert.equal(shouldRetry(range, callerDeadline, 1, { deadline: now - 1, now: clock }), false);
  });

  it('streams: never after a message arrived; bidi only when never sent', () => {
    assert.equal(shouldRetry(snapshot, brokenAfterSend(), 1), true);
    assert.equal(shouldRetry(snapshot, brokenAfterSend(), 1, { received: true }), false);
    assert.equal(shouldRetry(watch, brokenAfterSend(), 1), false);
    assert.equal(shouldRetry(watch, neverSent(), 1), true);
    assert.equal(shouldRetry(watch, neverSent(), 1, { received: true }), false);
  });

  it('passes every decision to the logger at debug level', () => {
    const seen: Array<[string, Record<string, unknown> | undefined]> = [];
    const logger: Logger = {
      debug: (message, fields) => seen.push([message, fields]),
      info: () => assert.fail('info'),
      warn: () => assert.fail('warn'),
      error: () => assert.fail('error'),
    };
    shouldRetry(range, brokenAfterSend(), 1, { logger });
    shouldRetry(put, brokenAfterSend(), 1, { logger });
    assert.equal(seen.length, 2);
    assert.equal(seen[0]![0], 'etcd call will be retried');
    assert.equal(seen[0]![1]?.method, range.path);
    assert.equal(seen[0]![1]?.attempt, 1);
    assert.equal(seen[1]![0], 'etcd call not retried');
    assert.match(String(seen[1]![1]?.reason), /write/);
  });
});

describe('retryDelay', () => {
  it('one endpoint: 25 ms +-10% before every retry', () => {
    assert.equal(retryDelay(1, 1, () => 0), DEFAULT_RETRY_BACKOFF_MS * 0.9);
    assert.equal(retryDelay(1, 1, () => 0.5), DEFAULT_RETRY_BACKOFF_MS);
    assert.ok(retryDelay(5, 1, () => 0.999999) < DEFAULT_RETRY_BACKOFF_MS * 1.1);
    for (let i = 0; i < 100; i++) {
      const d = retryDelay(1, 1);
      assert.ok(d >= 22.5 && d <= 27.5, String(d));
    }
  });

  it('three endpoints (quorum 2): no wait before the 2nd attempt, a wait before the 3rd', () => {
    assert.equal(retryDelay(1, 3, () => 0.5), 0);
    assert.equal(retryDelay(2, 3, () => 0.5), DEFAULT_RETRY_BACKOFF_MS);
    assert.equal(retryDelay(3, 3, () => 0.5), 0);
    assert.equal(retryDelay(4, 3, () => 0.5), DEFAULT_RETRY_BACKOFF_MS);
  });

  it('backoffWaitBetween and backoffJitterFraction set the pause and its spread', () => {
    const backoff = { waitBetween: 200, jitterFraction: 0.5 };
    assert.equal(retryDelay(1, 1, () => 0, backoff), 100);
    assert.equal(retryDelay(1, 1, () => 0.5, backoff), 200);
    assert.ok(retryDelay(1, 1, () => 0.999999, backoff) < 300);
    assert.equal(retryDelay(1, 3, () => 0.5, backoff), 0, 'the quorum rule is the same');
    assert.equal(retryDelay(1, 1, () => 0.9, { waitBetween: 40, jitterFraction: 0 }), 40, 'no jitter');
    assert.equal(retryDelay(1, 1, () => 0.9, { waitBetween: 0, jitterFraction: 0.1 }), 0, 'no pause');
  });

  it('five endpoints (quorum 3)', () => {
    assert.deepEqual([1, 2, 3, 4, 5, 6].map((a) => retryDelay(a, 5, () => 0.5)), [0, 0, 25, 0, 0, 25]);
  });
});
