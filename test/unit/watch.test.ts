// The watch's client-side logic without a server: option checks and the create request, the
// per-watch buffer (bound, overflow, resume point, fragments, duplicates), stream error
// classification and backoff, cancel reasons, and the CLI's argument checks and printers.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { printWatchResponse } from '../../src/cli/watch-printer.js';
import { parseInteractiveLine, parseWatchCommandLine, watchEnv, watchRequest } from '../../src/cli/watch.js';
import { CliError } from '../../src/cli/exit.js';
import {
  ClientClosedError,
  CompactedError,
  ConnectionError,
  EmptyKeyError,
  EtcdError,
  InvalidArgumentError,
  NoAvailableEndpointsError,
  NoLeaderError,
  PermissionDeniedError,
  WatchCanceledError,
  WatchOverflowError,
  type WatchResponse,
} from '../../src/index.js';
import { WatchCreateRequest_FilterType } from '../../src/proto/index.js';
import type { WatchMessage } from '../../src/watch/decode.js';
import { DEFAULT_WATCH_MAX_BUFFERED_BYTES, WATCH_EVENT_OVERHEAD_BYTES, WATCH_RETRY_BASE_MS, WATCH_RETRY_MAX_MS } from '../../src/watch/defaults.js';
import { watchCanceledError } from '../../src/errors/by-message.js';
import { watchPlan } from '../../src/watch/request.js';
import { isTransientStreamError, watchRetryDelay, type WatchStream } from '../../src/watch/stream.js';
import { WatchHandle } from '../../src/watch/watcher.js';

const bytes = (s: string): Buffer => Buffer.from(s);

describe('watch options', () => {
  test('key ranges as etcd wants them', () => {
    const range = (key: string, options: Parameters<typeof watchPlan>[1]): [string, string | undefined] => {
      const r = watchPlan(key, options).request;
      return [Buffer.from(r.key!).toString('latin1'), r.rangeEnd === undefined ? undefined : Buffer.from(r.rangeEnd).toString('latin1')];
    };
    assert.deepEqual(range('k', undefined), ['k', undefined]);
    assert.deepEqual(range('k/', { prefix: true }), ['k/', 'k0']);
    assert.deepEqual(range('', { prefix: true }), ['\0', '\0']);
    assert.deepEqual(range('k', { fromKey: true }), ['k', '\0']);
    assert.deepEqual(range('a', { rangeEnd: 'c' }), ['a', 'c']);
    assert.deepEqual(range('a', { rangeEnd: '\0' }), ['a', '\0']);
  });

  test('flags, filters, start revision, buffer bound, signal', () => {
    const signal = new AbortController().signal;
    const plan = watchPlan('k', { prevKv: true, progressNotify: true, fragment: true, noPut: true, startRevision: 7, maxBufferedBytes: 1000, signal });
    assert.deepEqual(plan.request, { key: bytes('k'), prevKv: true, progressNotify: true, fragment: true, filters: [WatchCreateRequest_FilterType.NOPUT] });
    assert.equal(plan.startRevision, 7);
    assert.equal(plan.maxBufferedBytes, 1000);
    assert.equal(plan.signal, signal);
    assert.deepEqual(watchPlan('k', { noDelete: true }).request.filters, [WatchCreateRequest_FilterType.NODELETE]);
    assert.equal(watchPlan('k', {}).maxBufferedBytes, DEFAULT_WATCH_MAX_BUFFERED_BYTES);
    assert.deepEqual(watchPlan('k', { prevKv: false, startRevision: undefined }).request, { key: bytes('k') });
  });

  test('bad input: a clear error naming the problem', () => {
    assert.throws(() => watchPlan('', undefined), EmptyKeyError);
    assert.throws(() => watchPlan(5 as never, undefined), /key must be a string or a Uint8Array/);
    assert.throws(() => watchPlan('k', 'x' as never), /watch options must be an object/);
    assert.throws(() => watchPlan('k', { prefix: true, fromKey: true }), /prefix and fromKey cannot be combined/);
    assert.throws(() => watchPlan('k', { rangeEnd: 'a' }), /rangeEnd must sort after key/);
    assert.throws(() => watchPlan('k', { rangeEnd: 'k' }), /rangeEnd must sort after key/);
    assert.throws(() => watchPlan('k', { startRevision: 1.5 }), /startRevision must be a non-negative integer/);
    assert.throws(() => watchPlan('k', { prevKv: 'yes' } as never), /prevKv must be a boolean/);
    assert.throws(() => watchPlan('k', { maxBufferedBytes: -1 }), /maxBufferedBytes must be a positive integer/);
    assert.throws(() => watchPlan('k', { signal: {} } as never), /signal must be an AbortSignal/);
    assert.throws(() => watchPlan('k', { timeout: 5 } as never), /unknown option 'timeout' for watch/);
    assert.throws(() => watchPlan('k', { noPut: true, noDelete: true }), InvalidArgumentError);
  });
});

// --- the per-watch buffer, fed as the stream feeds it --------------------------------------------

/** What a handle asks of its stream, recorded. */
class StreamCalls {
  cancelled = 0;
  progress = 0;
  cancelWatch(): void {
    this.cancelled++;
  }
  requestProgress(): void {
    this.progress++;
  }
}

function handle(options: Parameters<typeof watchPlan>[1] = {}): { h: WatchHandle; calls: StreamCalls } {
  const calls = new StreamCalls();
  return { h: new WatchHandle(calls as unknown as WatchStream, watchPlan('k', { prefix: true, ...options })), calls };
}

const header = (revision: number) => ({ clusterId: 1n, memberId: 2n, revision, raftTerm: 3 });

function wire(revisions: number[], extra: Partial<WatchMessage> = {}, value = 'v'): WatchMessage {
  return {
    header: header(Math.max(0, ...revisions)),
    watchId: 0,
    created: false,
    canceled: false,
    compactRevision: 0,
    cancelReason: '',
    fragment: false,
    events: revisions.map((r) => ({
      type: 'put',
      kv: { key: bytes(`k${r}`), value: bytes(value), createRevision: r, modRevision: r, version: 1, lease: 0n },
      prevKv: undefined,
      isCreate: true,
      isModify: false,
    })),
    ...extra,
  };
}

async function drain(h: WatchHandle): Promise<{ responses: WatchResponse[]; error: unknown }> {
  const responses: WatchResponse[] = [];
  try {
    for (let r = await h.next(); !r.done; r = await h.next()) responses.push(r.value);
  } catch (error) {
    return { responses, error };
  }
  return { responses, error: undefined };
}

const revs = (responses: WatchResponse[]): number[][] => responses.map((r) => r.events.map((e) => e.kv.modRevision));

describe('a watch\'s buffer', () => {
  test("the stream's bookkeeping of a watch (id, resume point, pending create) is read-only from outside", () => {
    const { h } = handle({ startRevision: 5 });
    for (const field of ['id', 'nextRevision', 'pending'] as const) {
      const before = h[field];
      assert.throws(() => {
        // @ts-expect-error read-only
        h[field] = 99;
      }, TypeError, `${field} cannot be assigned`);
      assert.equal(h[field], before);
    }
    h.onCreated(3, header(10));
    assert.deepEqual([h.id, h.nextRevision, h.pending], [3, 5, false], 'the stream sets them through its calls');
    h.onStreamEnd();
    assert.equal(h.id, -1);
  });

  test('created once; the resume point follows the events; events below it are skipped', async () => {
    const { h } = handle();
    h.onCreated(7, header(10));
    assert.equal(h.nextRevision, 11);
    h.onCreated(7, header(20)); // a resumption: not delivered again
    h.onResponse(wire([11, 12]));
    h.onResponse(wire([12, 13])); // 12 again (e.g. after a member restored a snapshot): skipped
    h.onResponse(wire([13]));
    assert.equal(h.nextRevision, 14);
    void h.cancel();
    const first = await h.next();
    assert.equal(first.done, true, 'cancel drops what is buffered');
  });

  test('in order, created first', async () => {
    const { h } = handle();
    h.onCreated(7, header(10));
    h.onResponse(wire([11, 12]));
    h.onResponse(wire([12, 13]));
    const a = await h.next();
    const b = await h.next();
    const c = await h.next();
    assert.equal(a.value?.created, true);
    assert.deepEqual(revs([b.value!, c.value!]), [[11, 12], [13]]);
  });

  test('fragments are merged into one response', async () => {
    const { h } = handle();
    h.onCreated(7, header(10));
    h.onResponse(wire([11, 11], { fragment: true }));
    h.onResponse(wire([11], { fragment: true }));
    assert.equal(h.nextRevision, 11, 'not a resume point until the last fragment');
    h.onResponse(wire([11, 12]));
    await h.next();
    assert.deepEqual(revs([(await h.next()).value!]), [[11, 11, 11, 11, 12]]);
    assert.equal(h.nextRevision, 13);
  });

  test('a periodic progress notification moves the resume point; a requested one does not', async () => {
    const { h } = handle();
    h.onCreated(7, header(10));
    h.onResponse(wire([], { header: header(15) }));
    assert.equal(h.nextRevision, 16);
    h.onStreamProgress(header(30));
    assert.equal(h.nextRevision, 16);
    h.onResponse(wire([], { header: header(12) })); // never backwards
    assert.equal(h.nextRevision, 16);
    const { responses } = await (async () => {
      void Promise.resolve().then(() => h.fail(new Error('end')));
      return drain(h);
    })();
    assert.deepEqual(responses.map((r) => [r.isProgressNotify, r.header.revision]), [[false, 10], [true, 15], [true, 30], [true, 12]]);
  });

  test('past the bound: what was buffered, then WatchOverflowError with the first revision not delivered', async () => {
    const perEvent = WATCH_EVENT_OVERHEAD_BYTES + 3 + 1; // key k1x + value v
    const { h, calls } = handle({ maxBufferedBytes: 3 * perEvent + 128 });
    h.onCreated(7, header(10));
    for (let r = 11; r <= 20; r++) h.onResponse(wire([r]));
    assert.equal(calls.cancelled, 1, 'cancelled on the server once');
    assert.equal(h.open, false);
    const { responses, error } = await drain(h);
    assert.deepEqual(revs(responses), [[], [11], [12], [13]]);
    assert.ok(error instanceof WatchOverflowError);
    assert.equal(error.resumeRevision, 14);
    assert.equal(error.code, 8);
  });

  test('one response always fits into an empty buffer; a reader keeps the buffer empty', async () => {
    const { h, calls } = handle({ maxBufferedBytes: 10 });
    h.onCreated(7, header(10));
    await h.next();
    h.onResponse(wire([11, 12, 13], {}, 'x'.repeat(1000)));
    assert.equal(calls.cancelled, 0);
    assert.deepEqual(revs([(await h.next()).value!]), [[11, 12, 13]]);
    const waiting = h.next();
    h.onResponse(wire([14], {}, 'x'.repeat(1000)));
    assert.deepEqual(revs([(await waiting).value!]), [[14]]);
    h.onResponse(wire([15]));
    h.onResponse(wire([16]));
    assert.equal(calls.cancelled, 1);
  });

  test('a server cancel: a last canceled response, then the error', async () => {
    const { h } = handle();
    h.onCreated(7, header(10));
    h.onServerCancel(wire([], { canceled: true, compactRevision: 42 }));
    const { responses, error } = await drain(h);
    assert.equal(responses.at(-1)?.canceled, true);
    assert.equal(responses.at(-1)?.compactRevision, 42);
    assert.ok(error instanceof CompactedError && error.compactRevision === 42);
  });

  test('abort: the pending next() rejects with the reason; the iteration then ends', async () => {
    const abort = new AbortController();
    const { h, calls } = handle({ signal: abort.signal });
    const pending = h.next();
    const reason = new Error('enough');
    abort.abort(reason);
    await assert.rejects(pending, (e) => e === reason);
    assert.equal(calls.cancelled, 1);
    assert.equal((await h.next()).done, true);
  });

  test('return() (leaving the loop) cancels on the server; requestProgress goes to the stream', async () => {
    const { h, calls } = handle();
    h.requestProgress();
    assert.equal(calls.progress, 1);
    await h.return();
    assert.equal(calls.cancelled, 1);
    h.requestProgress();
    assert.equal(calls.progress, 1, 'nothing once ended');
  });
});

describe('watch stream errors', () => {
  test('transient errors reopen the stream; others end the watches', () => {
    assert.equal(isTransientStreamError(undefined), true);
    assert.equal(isTransientStreamError(new ConnectionError('http://x:1', 'reset')), true);
    assert.equal(isTransientStreamError(new NoAvailableEndpointsError([])), true);
    assert.equal(isTransientStreamError(new NoLeaderError()), true);
    assert.equal(isTransientStreamError(new EtcdError('rst', 13)), true);
    assert.equal(isTransientStreamError(new ClientClosedError()), false);
    assert.equal(isTransientStreamError(new PermissionDeniedError()), false);
    assert.equal(isTransientStreamError(new EtcdError('too big', 8)), false);
    assert.equal(isTransientStreamError(new TypeError('a bug')), false);
  });

  test('backoff doubles from the base to the cap, with jitter', () => {
    assert.equal(watchRetryDelay(1, () => 0.5), WATCH_RETRY_BASE_MS);
    assert.equal(watchRetryDelay(2, () => 0.5), 2 * WATCH_RETRY_BASE_MS);
    assert.equal(watchRetryDelay(100, () => 0.5), WATCH_RETRY_MAX_MS);
    assert.ok(watchRetryDelay(1, () => 0) < WATCH_RETRY_BASE_MS && watchRetryDelay(1, () => 0.999) > WATCH_RETRY_BASE_MS);
  });

  test('cancel reasons become typed errors', () => {
    assert.ok(watchCanceledError('', 5) instanceof CompactedError);
    assert.ok(watchCanceledError('etcdserver: permission denied', 0) instanceof PermissionDeniedError);
    const other = watchCanceledError('mvcc: watcher range is empty or key >= range end', 0);
    assert.ok(other instanceof WatchCanceledError);
    assert.equal(other.details, 'mvcc: watcher range is empty or key >= range end');
    assert.match(other.message, /watcher range is empty/);
  });
});

describe('etcdts watch arguments and output', () => {
  test('arguments, flags and ETCDCTL_WATCH_KEY as etcdctl reads them', () => {
    const noEnv = { key: '', rangeEnd: '' };
    assert.deepEqual(watchRequest(['k'], {}), { key: 'k', options: {} });
    assert.deepEqual(watchRequest(['a', 'b'], { prevKv: true, rev: 5n }), { key: 'a', options: { rangeEnd: 'b', prevKv: true, startRevision: 5 } });
    assert.deepEqual(watchEnv({ ETCDCTL_WATCH_KEY: 'a', ETCDCTL_WATCH_RANGE_END: 'b' }), { key: 'a', rangeEnd: 'b' });
    // etcd's e2e cases (tests/e2e/ctl_v3_watch_no_cov_test.go): raw arguments after `watch`, then the parsed positional ones.
    const line = (raw: string[], positional: string[], env = noEnv) => parseWatchCommandLine(raw, positional, env);
    assert.deepEqual(line(['sample', '--rev', '1'], ['sample']), { watchArgs: ['sample'], execArgs: [] });
    assert.deepEqual(line(['--rev', '1'], [], { key: 'sample', rangeEnd: '' }), { watchArgs: ['sample'], execArgs: [] });
    assert.deepEqual(line(['sample', '--rev', '1', '--', 'env'], ['sample', 'env']), { watchArgs: ['sample'], execArgs: ['env'] });
    assert.deepEqual(line(['--rev', '1', '--', 'echo', 'x y'], ['echo', 'x y'], { key: 'sample', rangeEnd: 'samplx' }), {
      watchArgs: ['sample', 'samplx'],
      execArgs: ['echo', 'x y'],
    });
    assert.deepEqual(line(['sample', '--rev', '1', 'samplx', '--', 'echo', 'echo'], ['sample', 'samplx', 'echo', 'echo']), {
      watchArgs: ['sample', 'samplx'],
      execArgs: ['echo', 'echo'],
    });
    const fails = (f: () => unknown, message: string): void => {
      assert.throws(f, (e: unknown) => e instanceof CliError && e.exitCode === 128 && e.message === message);
    };
    fails(() => watchRequest([], {}), 'bad number of arguments');
    fails(() => line(['--rev', '1'], []), 'bad number of arguments');
    fails(() => watchRequest(['a', 'b'], { prefix: true }), '`range_end` and `--prefix` are mutually exclusive');
    fails(() => line(['b'], ['b'], { key: 'a', rangeEnd: '' }), 'bad number of arguments (found conflicting environment key)');
    fails(() => line(['b', '--', 'echo'], ['b', 'echo'], { key: 'a', rangeEnd: '' }), 'bad number of arguments (found conflicting environment key)');
    fails(() => line(['a', '--'], ['a']), 'bad number of arguments (found separator --, but no commands)');
    fails(() => watchEnv({ ETCDCTL_WATCH_RANGE_END: 'z' }), 'ETCDCTL_WATCH_KEY is empty but got ETCDCTL_WATCH_RANGE_END="z"');
  });

  test('lines of watch -i as etcdctl reads them', () => {
    const noEnv = { key: '', rangeEnd: '' };
    assert.deepEqual(parseInteractiveLine('watch sample --rev 1', noEnv), {
      kind: 'watch',
      line: { watchArgs: ['sample'], execArgs: [] },
      flags: { rev: 1n },
    });
    assert.deepEqual(parseInteractiveLine('watch --rev 1 sample -- echo "Hello World!"', noEnv), {
      kind: 'watch',
      line: { watchArgs: ['sample'], execArgs: ['echo', 'Hello World!'] },
      flags: { rev: 1n },
    });
    assert.deepEqual(parseInteractiveLine('watch --prefix --prev-kv', { key: 'key', rangeEnd: '' }), {
      kind: 'watch',
      line: { watchArgs: ['key'], execArgs: [] },
      flags: { prefix: true, prevKv: true },
    });
    assert.deepEqual(parseInteractiveLine('progress', noEnv), { kind: 'progress' });
    assert.deepEqual(parseInteractiveLine('', noEnv), { kind: 'invalid', message: 'Invalid command:  (watch and progress supported)' });
    assert.deepEqual(parseInteractiveLine('get a', noEnv), { kind: 'invalid', message: 'Invalid command get a (only support watch)' });
    assert.deepEqual(parseInteractiveLine('watch', noEnv), { kind: 'invalid', message: 'Invalid command watch (command type or key is not provided)' });
    const fails = (text: string, env: { key: string; rangeEnd: string }, message: string): void => {
      assert.throws(() => parseInteractiveLine(text, env), (e: unknown) => e instanceof CliError && e.exitCode === 128 && e.message === message);
    };
    fails('watch --rev 1', noEnv, 'bad number of arguments');
    fails('watch a', { key: 'b', rangeEnd: '' }, 'bad number of arguments (found conflicting environment key)');
    fails('watch a --', noEnv, 'bad number of arguments (found separator --, but no commands)');
    fails('watch a --nope', noEnv, 'unknown flag: --nope');
  });

  test('the three output formats', () => {
    const kv = (key: string, value: string, rev: number) => ({ key: bytes(key), value: bytes(value), createRevision: 2, modRevision: rev, version: rev - 1, lease: 0n });
    const resp: WatchResponse = {
      header: { clusterId: 11n, memberId: 22n, revision: 3, raftTerm: 4 },
      events: [
        { type: 'put', kv: kv('a', '2', 3), prevKv: kv('a', '1', 2), isCreate: false, isModify: true },
        { type: 'delete', kv: { key: bytes('b'), value: Buffer.alloc(0), createRevision: 0, modRevision: 3, version: 0, lease: 0n }, isCreate: false, isModify: false },
      ],
      compactRevision: 0,
      canceled: false,
      isProgressNotify: false,
      created: false,
    };
    assert.equal(printWatchResponse('simple', resp, false).toString(), 'PUT\na\n1\na\n2\nDELETE\nb\n\n');
    assert.equal(printWatchResponse('simple', resp, true).toString(), 'PUT\n\\x61\n\\x31\n\\x61\n\\x32\nDELETE\n\\x62\n\n');
    assert.equal(
      printWatchResponse('json', resp, false).toString(),
      '{"Header":{"cluster_id":11,"member_id":22,"revision":3,"raft_term":4},"Events":[' +
        '{"kv":{"key":"YQ==","create_revision":2,"mod_revision":3,"version":2,"value":"Mg=="},"prev_kv":{"key":"YQ==","create_revision":2,"mod_revision":2,"version":1,"value":"MQ=="}},' +
        '{"type":1,"kv":{"key":"Yg==","mod_revision":3}}],"CompactRevision":0,"Canceled":false,"Created":false}\n',
    );
    assert.match(printWatchResponse('fields', resp, false).toString(), /^"ClusterID" : 11\n"MemberID" : 22\n"Revision" : 3\n"RaftTerm" : 4\n"Type" : PUT\n"PrevKey" : "a"\n/);
  });
});
