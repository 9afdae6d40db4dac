// The auth token manager without a server: one authentication shared by concurrent callers,
// refresh by generation, auth disabled on the server, failures marked for the CLI, callers'
// deadlines and signals, and credential checks that never echo a password.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import {
  AuthFailedError,
  AuthNotEnabledError,
  AuthOldRevisionError,
  DeadlineExceededError,
  InvalidArgumentError,
  InvalidAuthTokenError,
  PermissionDeniedError,
  UserEmptyError,
} from '../../src/errors/index.js';
import { AuthTokenManager, checkCredentials, isAuthenticationFailure, type Credentials } from '../../src/rpc/auth-token.js';

const CREDENTIALS: Credentials = { username: 'alice', password: 'S3cret-pw' };

/** An authenticate function whose calls are settled by the test. */
function controlled(): {
  authenticate: (c: Credentials, timeout: number) => Promise<string>;
  calls: { resolve: (token: string) => void; reject: (e: unknown) => void; timeout: number }[];
} {
  const calls: { resolve: (token: string) => void; reject: (e: unknown) => void; timeout: number }[] = [];
  return {
    calls,
    authenticate: (_c, timeout) =>
      new Promise<string>((resolve, reject) => {
        calls.push({ resolve, reject, timeout });
      }),
  };
}

describe('AuthTokenManager', () => {
  test('concurrent callers share one authentication; the token is sent as `token` metadata', async () => {
    const auth = controlled();
    const manager = new AuthTokenManager(CREDENTIALS, auth.authenticate, 7000);
    assert.equal(manager.ready, false);
    const waiting = Array.from({ length: 10 }, () => manager.ensure());
    assert.equal(auth.calls.length, 1);
    assert.equal(auth.calls[0]!.timeout, 7000);
    auth.calls[0]!.resolve('tok-1');
    await Promise.all(waiting);
    assert.equal(manager.ready, true);
    assert.deepEqual(manager.metadata, { token: 'tok-1' });
    assert.equal(manager.metadata, manager.metadata, 'one metadata object per token');
    await manager.ensure();
    assert.equal(auth.calls.length, 1);
  });

  test('refresh(generation): many refused calls cause one authentication', async () => {
    const auth = controlled();
    const manager = new AuthTokenManager(CREDENTIALS, auth.authenticate, 1000);
    const first = manager.ensure();
    auth.calls[0]!.resolve('tok-1');
    await first;
    const stale = manager.generation;
    const refreshes = Array.from({ length: 5 }, () => manager.refresh(stale));
    assert.equal(auth.calls.length, 2);
    auth.calls[1]!.resolve('tok-2');
    await Promise.all(refreshes);
    // A caller that saw the old token after the refresh finished does not authenticate again.
    await manager.refresh(stale);
    assert.equal(auth.calls.length, 2);
    assert.deepEqual(manager.metadata, { token: 'tok-2' });
    // Without a generation: always a new authentication.
    const forced = manager.refresh();
    assert.equal(auth.calls.length, 3);
    auth.calls[2]!.resolve('tok-3');
    await forced;
    assert.deepEqual(manager.metadata, { token: 'tok-3' });
  });

  test('auth not enabled: no token, ready; a later refresh authenticates again', async () => {
    const auth = controlled();
    const manager = new AuthTokenManager(CREDENTIALS, auth.authenticate, 1000);
    const first = manager.ensure();
    auth.calls[0]!.reject(new AuthNotEnabledError());
    await first;
    assert.equal(manager.ready, true);
    assert.equal(manager.metadata, undefined);
    const again = manager.refresh(manager.generation);
    auth.calls[1]!.resolve('tok');
    await again;
    assert.deepEqual(manager.metadata, { token: 'tok' });
  });

  test('a failed authentication reaches every waiter, is marked for the CLI, and the next call tries again', async () => {
    const auth = controlled();
    const manager = new AuthTokenManager(CREDENTIALS, auth.authenticate, 1000);
    const waiting = [manager.ensure(), manager.ensure()].map((p) => p.then(() => undefined, (e: unknown) => e));
    const failure = new AuthFailedError();
    auth.calls[0]!.reject(failure);
    for (const error of await Promise.all(waiting)) assert.equal(error, failure);
    assert.equal(isAuthenticationFailure(failure), true);
    assert.equal(isAuthenticationFailure(new AuthFailedError()), false);
    assert.equal(manager.ready, false);
    const retry = manager.ensure();
    assert.equal(auth.calls.length, 2);
    auth.calls[1]!.resolve('tok');
    await retry;
  });

  test("a caller's deadline and signal end its wait, not the shared authentication", async () => {
    const auth = controlled();
    const manager = new AuthTokenManager(CREDENTIALS, auth.authenticate, 1000);
    await assert.rejects(manager.ensure(undefined, Date.now() + 20, 20), (e: unknown) => e instanceof DeadlineExceededError && e.timeout === 20);
    const controller = new AbortController();
    const aborted = manager.ensure(controller.signal);
    controller.abort(new Error('stop'));
    await assert.rejects(aborted, /stop/);
    assert.equal(auth.calls.length, 1, 'both joined the one authentication');
    const patient = manager.ensure();
    auth.calls[0]!.resolve('tok');
    await patient;
    assert.deepEqual(manager.metadata, { token: 'tok' });
  });

  test('shouldRefresh: refused or stale tokens and a missing one, nothing else', () => {
    const manager = new AuthTokenManager(CREDENTIALS, async () => 'x', 1000);
    assert.equal(manager.shouldRefresh(new InvalidAuthTokenError()), true);
    assert.equal(manager.shouldRefresh(new AuthOldRevisionError()), true);
    assert.equal(manager.shouldRefresh(new UserEmptyError()), true);
    assert.equal(manager.shouldRefresh(new PermissionDeniedError()), false);
    assert.equal(manager.shouldRefresh(new AuthFailedError()), false);
    assert.equal(manager.shouldRefresh(new Error('etcdserver: invalid auth token')), false);
  });

  test('logs the user name, never the password or the token; toJSON hides them too', async () => {
    const lines: string[] = [];
    const log = (m: string, f?: Record<string, unknown>) => lines.push(`${m} ${JSON.stringify(f)}`);
    const manager = new AuthTokenManager(CREDENTIALS, async () => 'tok-S3cret', 1000, { debug: log, info: log, warn: log, error: log });
    await manager.ensure();
    const text = lines.join('\n') + JSON.stringify(manager);
    assert.match(text, /alice/);
    assert.ok(!text.includes('S3cret'));
  });
});

describe('checkCredentials', () => {
  test('both or neither, non-empty strings; messages name the option, never the value', () => {
    assert.equal(checkCredentials(undefined, undefined), undefined);
    assert.deepEqual(checkCredentials('u', 'p'), { username: 'u', password: 'p' });
    const bad: [unknown, unknown, RegExp][] = [
      ['u', undefined, /username was given without password/],
      [undefined, 'S3cret', /password was given without username/],
      ['', 'S3cret', /username must be a non-empty string, got an empty string/],
      ['u', '', /password must be a non-empty string, got an empty string/],
      ['u', 12345, /password must be a non-empty string, got number/],
    ];
    for (const [username, password, message] of bad) {
      assert.throws(() => checkCredentials(username, password), (e: Error) => {
        assert.ok(e instanceof InvalidArgumentError);
        assert.match(e.message, message);
        assert.ok(!e.message.includes('S3cret') && !e.message.includes('12345'));
        return true;
      });
    }
  });
});
