// Argument checks of the concurrency package and the Lock/Election services, made before anything
// is sent (the client points at a closed port and is never asked to connect), the Go key layout,
// and the typed errors for the Go concurrency messages etcd's services send.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { concurrencyServerError } from '../../src/errors/by-message.js';
import { ElectionNoLeaderError, ElectionNotLeaderError, LockedError, SessionExpiredError, stm } from '../../src/concurrency/index.js';
import { keyPrefix, sessionKey } from '../../src/concurrency/keys.js';
import { Client, EtcdError, InvalidArgumentError } from '../../src/index.js';

const client = new Client({ endpoints: ['http://127.0.0.1:1'] });

describe('concurrency arguments and keys', () => {
  test('keys are <name>/<lease ID in lower-case hex, unpadded>, as Go formats them', () => {
    const prefix = keyPrefix('my-lock', 'name');
    assert.equal(prefix.toString(), 'my-lock/');
    assert.equal(sessionKey(prefix, 0x694d7a1c2b3e4f01n).toString(), 'my-lock/694d7a1c2b3e4f01');
    assert.equal(sessionKey(prefix, 0xabcn).toString(), 'my-lock/abc');
    assert.equal(sessionKey(keyPrefix(Buffer.from([0xff]), 'name'), 1n).toString('hex'), 'ff2f31');
    assert.throws(() => keyPrefix(5 as unknown as string, 'mutex name'), InvalidArgumentError);
  });

  test('stm rejects bad options before sending', async () => {
    const bad: Array<Record<string, unknown>> = [
      { isolation: 'linearizable' },
      { maxAttempts: 0 },
      { maxAttempts: 1.5 },
      { prefetch: 'k' },
      { prefetch: [''] },
      { timeout: -1 },
      { signal: 'no' },
      { retries: 3 },
    ];
    for (const options of bad) await assert.rejects(stm(client, () => undefined, options), InvalidArgumentError, JSON.stringify(options));
    await assert.rejects(stm(client, 'apply' as never), InvalidArgumentError);
    const aborted = AbortSignal.abort(new Error('already'));
    await assert.rejects(stm(client, () => undefined, { signal: aborted }), /already/);
    await assert.rejects(stm(client, () => undefined, { timeout: 0 }), (e: Error) => e.name === 'DeadlineExceededError');
  });

  test('client.lock / client.election reject bad arguments before sending', async () => {
    await assert.rejects(client.lock.lock('name', 0n), InvalidArgumentError);
    await assert.rejects(client.lock.lock('name', -1n), InvalidArgumentError);
    await assert.rejects(client.lock.lock(7 as unknown as string, 1n), InvalidArgumentError);
    await assert.rejects(client.lock.lock('name', 1n, { prefix: true } as never), InvalidArgumentError);
    await assert.rejects(client.lock.unlock(''), InvalidArgumentError);
    await assert.rejects(client.election.campaign('e', 'v', 0n), InvalidArgumentError);
    const leader = { name: 'e', key: 'e/1', rev: 5, lease: 1n };
    await assert.rejects(client.election.proclaim({ ...leader, rev: 0 }, 'v'), InvalidArgumentError);
    await assert.rejects(client.election.proclaim({ ...leader, key: '' }, 'v'), InvalidArgumentError);
    await assert.rejects(client.election.resign(null as never), InvalidArgumentError);
    assert.throws(() => client.election.observe('e', { prefix: true } as never), InvalidArgumentError);
  });

  test("Go's concurrency messages from etcd's services become typed errors", () => {
    const sent = (details: string) => new EtcdError(`etcd call failed: UNKNOWN: ${details}`, 2, details);
    assert.ok(concurrencyServerError(sent('election: no leader')) instanceof ElectionNoLeaderError);
    assert.ok(concurrencyServerError(sent('election: not leader')) instanceof ElectionNotLeaderError);
    assert.ok(concurrencyServerError(sent('mutex: session is expired')) instanceof SessionExpiredError);
    assert.ok(concurrencyServerError(sent('mutex: Locked by another session')) instanceof LockedError);
    const other = sent('something else');
    assert.equal(concurrencyServerError(other), other);
    const typed = concurrencyServerError(sent('election: no leader')) as EtcdError;
    assert.deepEqual([typed.code, typed.message, typed instanceof EtcdError], [2, 'election: no leader', true]);
  });
});
