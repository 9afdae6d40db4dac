// client.lease without a server: argument checks (nothing is sent: the client's only endpoint
// refuses connections, so a call that got past its checks would fail differently), and the
// keep-alive iterable's one-slot buffer and endings.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';

import { Client, InvalidArgumentError, LeaseKeepAliveHaltedError, type LeaseKeepAliveResponse } from '../../src/index.js';
import { KeepAliveHandle, leaseHex } from '../../src/lease/keepalive.js';

const client = new Client({ endpoints: ['http://127.0.0.1:1'], dialTimeout: 50 });
after(() => client.close());

function invalid(pattern: RegExp) {
  return (err: unknown) => err instanceof InvalidArgumentError && pattern.test(err.message);
}

describe('lease arguments are checked before anything is sent', () => {
  test('grant: ttl and id', async () => {
    await assert.rejects(client.lease.grant(-1), invalid(/grant: ttl must be a non-negative integer number of seconds, got -1/));
    await assert.rejects(client.lease.grant(1.5), invalid(/ttl .* got 1\.5/));
    await assert.rejects(client.lease.grant('5' as unknown as number), invalid(/ttl/));
    await assert.rejects(client.lease.grant(Number.NaN), invalid(/ttl/));
    await assert.rejects(client.lease.grant(5, { id: 0n }), invalid(/grant: id must be a lease ID: a bigint in \[1, 2\^63-1\], got 0n/));
    await assert.rejects(client.lease.grant(5, { id: -2n }), invalid(/grant: id/));
    await assert.rejects(client.lease.grant(5, { id: 2n ** 63n }), invalid(/grant: id/));
    await assert.rejects(client.lease.grant(5, { id: 5 as unknown as bigint }), invalid(/grant: id .* got 5/));
    await assert.rejects(client.lease.grant(5, { ttl: 5 } as object), invalid(/unknown option 'ttl' for grant/));
    await assert.rejects(client.lease.grant(5, { timeout: -1 }), invalid(/timeout/));
  });

  test('revoke, timeToLive, keepAliveOnce: the id and the options', async () => {
    await assert.rejects(client.lease.revoke(0n), invalid(/revoke: id must be a lease ID/));
    await assert.rejects(client.lease.revoke(-1n), invalid(/revoke: id/));
    await assert.rejects(client.lease.revoke(12 as unknown as bigint), invalid(/revoke: id .* got 12/));
    await assert.rejects(client.lease.timeToLive(0n), invalid(/timeToLive: id/));
    await assert.rejects(client.lease.timeToLive(1n, { keys: 'yes' as unknown as boolean }), invalid(/keys must be a boolean/));
    await assert.rejects(client.lease.timeToLive(1n, { attached: true } as object), invalid(/unknown option 'attached' for timeToLive/));
    await assert.rejects(client.lease.keepAliveOnce(0n), invalid(/keepAliveOnce: id/));
    await assert.rejects(client.lease.leases({ all: true } as object), invalid(/unknown option 'all' for leases/));
  });

  test('keepAlive throws at once for a bad id or option', () => {
    assert.throws(() => client.lease.keepAlive(0n), invalid(/keepAlive: id/));
    assert.throws(() => client.lease.keepAlive(1 as unknown as bigint), invalid(/keepAlive: id/));
    assert.throws(() => client.lease.keepAlive(1n, { timeout: 5 } as object), invalid(/unknown option 'timeout' for keepAlive; known options: signal/));
    assert.throws(() => client.lease.keepAlive(1n, { signal: 'x' } as unknown as { signal: AbortSignal }), invalid(/signal must be an AbortSignal/));
  });

  test('keepAlive with an aborted signal throws its reason at the first step', async () => {
    const reason = new Error('already aborted');
    const keepAlive = client.lease.keepAlive(1n, { signal: AbortSignal.abort(reason) });
    await assert.rejects(keepAlive[Symbol.asyncIterator]().next(), (err) => err === reason);
    assert.ok(keepAlive.ended);
  });
});

describe('the keep-alive iterable', () => {
  const response = (ttl: number): LeaseKeepAliveResponse => ({
    header: { clusterId: 1n, memberId: 2n, revision: 3, raftTerm: 4 },
    id: 7n,
    ttl,
  });
  const turn = () => new Promise<'pending'>((resolve) => setImmediate(() => resolve('pending')));

  test('keeps only the latest unread response', async () => {
    const handle = new KeepAliveHandle(7n, () => undefined);
    for (let ttl = 1; ttl <= 1000; ttl++) handle.deliver(response(ttl));
    assert.deepEqual(await handle.next(), { value: response(1000), done: false });
    assert.equal(await Promise.race([handle.next(), turn()]), 'pending');
  });

  test('a waiting loop gets each response as it comes', async () => {
    const handle = new KeepAliveHandle(7n, () => undefined);
    const first = handle.next();
    const second = handle.next();
    handle.deliver(response(1));
    handle.deliver(response(2));
    assert.deepEqual(await first, { value: response(1), done: false });
    assert.deepEqual(await second, { value: response(2), done: false });
  });

  test('a loss is thrown at the next step, before an unread response, then the iteration is done', async () => {
    const handle = new KeepAliveHandle(7n, () => undefined);
    handle.deliver(response(5));
    const lost = new LeaseKeepAliveHaltedError(7n, 'test');
    handle.fail(lost);
    assert.ok(handle.ended);
    await assert.rejects(handle.next(), (err) => err === lost);
    assert.deepEqual(await handle.next(), { value: undefined, done: true });
    assert.equal(lost.message, 'keep-alive of lease 0000000000000007 halted: test');
  });

  test('a loss rejects a waiting step', async () => {
    const handle = new KeepAliveHandle(7n, () => undefined);
    const waiting = handle.next();
    const lost = new Error('lost');
    handle.fail(lost);
    await assert.rejects(waiting, (err) => err === lost);
  });

  test('close() ends a waiting loop normally and detaches once; break closes it', async () => {
    let detached = 0;
    const handle = new KeepAliveHandle(7n, () => detached++);
    const waiting = handle.next();
    handle.close();
    handle.close();
    assert.deepEqual(await waiting, { value: undefined, done: true });
    assert.equal(detached, 1);
    handle.deliver(response(1));
    assert.deepEqual(await handle.next(), { value: undefined, done: true });

    const other = new KeepAliveHandle(7n, () => detached++);
    other.deliver(response(1));
    for await (const _ of other) break;
    assert.ok(other.ended);
    assert.equal(detached, 2);
  });

  test('an aborted signal throws its reason', async () => {
    let detached = 0;
    const handle = new KeepAliveHandle(7n, () => detached++);
    const controller = new AbortController();
    handle.watchSignal(controller.signal);
    const waiting = handle.next();
    controller.abort(new Error('stop'));
    await assert.rejects(waiting, /stop/);
    assert.equal(detached, 1);
  });

  test('lease IDs print as 16 hex digits', () => {
    assert.equal(leaseHex(0x694d7a1ba8c4a20fn), '694d7a1ba8c4a20f');
    assert.equal(leaseHex(0x1234n), '0000000000001234');
  });
});
