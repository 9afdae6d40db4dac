// The runtime suite: a client and the life of its process, each scenario in a child process of
// this runtime (test/runtimes/fixtures/client-exit.mjs) that must end by itself: after close();
// with an idle client never closed; an open watch keeps the process alive until its event comes;
// a pending call keeps it alive until it fails at its deadline; close() ends a watch and a lease
// keep-alive and frees the process. A child still running after 30 s counts as hung and fails.
// Runs unchanged under node, bun and deno.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';

import { FIXTURES, describeChild, fileCluster, runChild, startChild } from './runtime.js';

const SCRIPT = join(FIXTURES, 'client-exit.mjs');

const file = fileCluster();

test('get then close(): the process prints and exits by itself', { timeout: 40_000 }, async () => {
  const r = await runChild(SCRIPT, { args: ['get-close', file.cluster.endpoints[0]!] });
  assert.equal(r.code, 0, describeChild(r));
  assert.deepEqual(r.stdout.trim().split('\n'), ['got value-1', 'closed'], describeChild(r));
});

test('an idle client, never closed, does not keep the process alive', { timeout: 40_000 }, async () => {
  const r = await runChild(SCRIPT, { args: ['idle', file.cluster.endpoints[0]!] });
  assert.equal(r.code, 0, describeChild(r));
  assert.deepEqual(r.stdout.trim().split('\n'), ['got value-1'], describeChild(r));
});

test('an open watch keeps the process alive until its event arrives', { timeout: 40_000 }, async () => {
  let put: Promise<unknown> | undefined;
  const r = await startChild(SCRIPT, {
    args: ['watch', file.cluster.endpoints[0]!],
    onStdout: (text) => {
      if (put === undefined && text.includes('watching\n')) put = file.client.put('rt/exit/watched', 'the-event');
    },
  }).done;
  await put;
  assert.equal(r.code, 0, describeChild(r));
  assert.deepEqual(r.stdout.trim().split('\n'), ['watching', 'event the-event', 'closed'], describeChild(r));
});

test('a pending call keeps the process alive until its deadline (member frozen under the connection)', { timeout: 40_000 }, async () => {
  const member = file.cluster.members[0]!;
  const r = await runChild(SCRIPT, { args: ['pending', file.cluster.endpoints[0]!, String(member.pid)] });
  assert.equal(r.code, 0, describeChild(r));
  assert.deepEqual(r.stdout.trim().split('\n'), ['calling', 'failed DeadlineExceededError', 'closed'], describeChild(r));
  assert.equal(await member.health(), true, 'the member runs again');
});

test('close() ends an open watch and a lease keep-alive, and the process exits', { timeout: 40_000 }, async () => {
  const r = await runChild(SCRIPT, { args: ['streams', file.cluster.endpoints[0]!] });
  assert.equal(r.code, 0, describeChild(r));
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines[0], 'streams open', describeChild(r));
  assert.match(lines[1] ?? '', /^closed; streams \S+ \S+$/, describeChild(r));
});
