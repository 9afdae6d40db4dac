// The watch layer's decoder (src/watch/decode.ts: a WatchResponse straight into the public header
// and events) against the generated ts-proto decoder followed by the mapping it replaced
// (internal/wire.ts's responseHeader / keyValue / toNumber): the same result on real-shaped, random,
// unknown-field and truncated input, the same UnexpectedResponseError for a revision beyond 2^53 - 1, and keys
// and values as Buffer views of the message.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UnexpectedResponseError } from '../../src/errors/index.js';
import { keyValue, responseHeader, toNumber } from '../../src/internal/wire.js';
import { Watch } from '../../src/proto/index.js';
import type { WatchResponse as WireWatchResponse } from '../../src/proto/index.js';
import { decodeWatchMessage, eventBytes, type WatchMessage } from '../../src/watch/decode.js';
import { WATCH_EVENT_OVERHEAD_BYTES } from '../../src/watch/defaults.js';
import { plain, randomHeader, randomWatchResponseBytes, rng } from '../helpers/proto-random.js';

const WatchResponse = Watch.watch.output;
const EMPTY_KV = { key: new Uint8Array(0), value: new Uint8Array(0), createRevision: 0n, modRevision: 0n, version: 0n, lease: 0n };

/** What the watch layer made of a response before: the generated decoder, then the mapping. */
function mapped(g: WireWatchResponse): WatchMessage {
  return {
    header: responseHeader(g.header),
    watchId: toNumber(g.watchId, 'watch ID'),
    created: g.created,
    canceled: g.canceled,
    compactRevision: toNumber(g.compactRevision, 'compact revision'),
    cancelReason: g.cancelReason,
    fragment: g.fragment,
    events: g.events.map((e) => {
      const kv = keyValue(e.kv ?? EMPTY_KV);
      const put = e.type !== 1;
      const created = put && kv.createRevision === kv.modRevision;
      return { type: put ? 'put' : 'delete', kv, prevKv: e.prevKv === undefined ? undefined : keyValue(e.prevKv), isCreate: created, isModify: put && !created };
    }),
  };
}

/** The outcome of decoding `bytes` one way: the value (bytes as hex) or the error's class and message. */
function outcome(decode: () => unknown): unknown {
  try {
    return { value: plain(decode()) };
  } catch (error) {
    return { error: error instanceof UnexpectedResponseError && /beyond the exact range/.test(error.message) ? error.message : 'malformed' };
  }
}

/**
 * Both ways give the same value or the same error. `anyError`: for truncated input, where which of
 * two problems (a revision out of range, the truncation) is met first depends on the order of work.
 */
function agree(bytes: Uint8Array, what: string, anyError = false): void {
  const actual = outcome(() => decodeWatchMessage(bytes));
  const expected = outcome(() => mapped(WatchResponse.decode(bytes)));
  if (anyError && 'error' in (expected as object)) assert.ok('error' in (actual as object), `${what}: should throw`);
  else assert.deepEqual(actual, expected, what);
}

describe('decodeWatchMessage', () => {
  it('gives what the generated decoder and the mapping gave: events, creation, cancel, progress', () => {
    const random = rng(3);
    const kv = { key: Buffer.from('k'), value: Buffer.from('v'.repeat(256)), createRevision: 5n, modRevision: 9n, version: 2n, lease: 0n };
    const messages = [
      WatchResponse.fromPartial({ header: { clusterId: 2n ** 64n - 1n, memberId: 42n, revision: 9n, raftTerm: 3n }, events: [{ type: 0, kv }] }),
      WatchResponse.fromPartial({ header: randomHeader(random), watchId: 7n, created: true }),
      WatchResponse.fromPartial({ header: { revision: 20n }, watchId: -1n }),
      WatchResponse.fromPartial({ watchId: 3n, canceled: true, compactRevision: 99n, cancelReason: 'mvcc: required revision has been compacted ✓' }),
      WatchResponse.fromPartial({
        watchId: 0n,
        fragment: true,
        events: [{ type: 0, kv: { ...kv, createRevision: 9n } }, { type: 1, kv, prevKv: kv }, { type: 0 }, { type: 1 }],
      }),
    ];
    for (const [i, message] of messages.entries()) agree(Buffer.from(WatchResponse.encode(message).finish()), `message ${i}`);
    agree(new Uint8Array(0), 'empty');
    const first = decodeWatchMessage(Buffer.from(WatchResponse.encode(messages[0]!).finish()));
    assert.equal(first.events[0]!.isModify, true);
    assert.equal(first.header.clusterId, 2n ** 64n - 1n);
  });

  it('hands out keys and values as Buffer views of the message, from a Uint8Array too', () => {
    const bytes = Buffer.from(WatchResponse.encode(WatchResponse.fromPartial({ events: [{ kv: { key: Buffer.from('k'), value: Buffer.from('v') } }] })).finish());
    const { kv } = decodeWatchMessage(bytes).events[0]!;
    assert.ok(Buffer.isBuffer(kv.key) && Buffer.isBuffer(kv.value));
    assert.equal(kv.value.buffer, bytes.buffer);
    const view = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    assert.ok(Buffer.isBuffer(decodeWatchMessage(view).events[0]!.kv.value));
  });

  it('throws the UnexpectedResponseError of toNumber for a revision beyond 2^53 - 1', () => {
    const bytes = Buffer.from(WatchResponse.encode(WatchResponse.fromPartial({ events: [{ kv: { key: Buffer.from('k'), modRevision: 2n ** 53n } }] })).finish());
    assert.throws(
      () => decodeWatchMessage(bytes),
      (error: unknown) => error instanceof UnexpectedResponseError && /etcd returned mod revision 9007199254740992, beyond the exact range/.test(error.message),
    );
  });

  it('reuses the cluster and member IDs of the previous header when they are the same', () => {
    const encode = (memberId: bigint) => Buffer.from(WatchResponse.encode(WatchResponse.fromPartial({ header: { clusterId: 2n ** 63n + 5n, memberId, revision: 1n } })).finish());
    const a = decodeWatchMessage(encode(2n ** 40n + 1n)).header;
    const b = decodeWatchMessage(encode(2n ** 40n + 1n)).header;
    const c = decodeWatchMessage(encode(2n ** 40n + 2n)).header;
    assert.equal(b.memberId, 2n ** 40n + 1n);
    assert.equal(c.memberId, 2n ** 40n + 2n);
    assert.equal(a.clusterId, c.clusterId);
  });

  it('agrees on 300 random responses (with unknown fields) and on every truncation of some', () => {
    const random = rng(5);
    for (let i = 0; i < 300; i++) {
      const bytes = randomWatchResponseBytes(random);
      agree(bytes, `message ${i}`);
      if (i % 30 === 0) for (let cut = 0; cut < bytes.length; cut++) agree(bytes.subarray(0, cut), `message ${i} cut at ${cut}`, true);
    }
  });
});

describe('eventBytes', () => {
  it('counts keys, values and previous pairs, plus the overhead per event', () => {
    const kv = (key: string, value: string) => ({ key: Buffer.from(key), value: Buffer.from(value), createRevision: 1, modRevision: 1, version: 1, lease: 0n });
    const events = [
      { type: 'put' as const, kv: kv('ab', 'cde'), prevKv: undefined, isCreate: true, isModify: false },
      { type: 'put' as const, kv: kv('a', ''), prevKv: kv('a', 'xy'), isCreate: false, isModify: true },
    ];
    assert.equal(eventBytes(events), 2 * WATCH_EVENT_OVERHEAD_BYTES + 5 + 1 + 3);
    assert.equal(eventBytes(events, 1), WATCH_EVENT_OVERHEAD_BYTES + 4);
  });
});
