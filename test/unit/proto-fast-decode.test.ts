// The hand-written RangeResponse / WatchResponse decoders (src/proto/fast-decode.ts) against the
// generated ts-proto decoders: the same result on real-shaped, random and unknown-field input, and
// a throw wherever the generated decoder throws (truncated input).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BinaryWriter } from '@bufbuild/protobuf/wire';
import { decodePutResponse, decodeRangeResponse, decodeWatchResponse } from '../../src/proto/fast-decode.js';
import { KV, Watch } from '../../src/proto/index.js';
import { concat, encodeKeyValue, plain, randomHeader, randomInt64, randomKeyValue, randomWatchResponseBytes, rng, unknownField } from '../helpers/proto-random.js';

const RangeResponse = KV.range.output;
const PutResponse = KV.put.output;
const WatchResponse = Watch.watch.output;

/** On every prefix of `bytes`: `fast` throws where `generated` throws, else both give the same. */
function agreeOnTruncations(bytes: Uint8Array, fast: (b: Uint8Array) => unknown, generated: (b: Uint8Array) => unknown, what: string): void {
  for (let cut = 0; cut <= bytes.length; cut++) {
    const input = bytes.subarray(0, cut);
    let expected: unknown;
    let threw = false;
    try {
      expected = plain(generated(input));
    } catch {
      threw = true;
    }
    if (threw) assert.throws(() => fast(input), `${what} cut at ${cut}`);
    else assert.deepEqual(plain(fast(input)), expected, `${what} cut at ${cut}`);
  }
}

describe('decodeRangeResponse', () => {
  it('matches the generated decoder on a real-shaped response and on edge values', () => {
    const message = RangeResponse.fromPartial({
      header: { clusterId: 2n ** 64n - 1n, memberId: 42n, revision: 2n ** 53n + 1n, raftTerm: 3n },
      kvs: [
        { key: Buffer.from('a'), value: Buffer.from('x'.repeat(256)), createRevision: 5n, modRevision: 2n ** 40n, version: 1n, lease: -1n },
        { key: Buffer.from('b'), value: new Uint8Array(0), createRevision: 2n ** 63n - 1n, modRevision: -(2n ** 63n), version: 0n },
        {},
      ],
      more: true,
      count: 3n,
    });
    const bytes = Buffer.from(RangeResponse.encode(message).finish());
    assert.deepEqual(plain(decodeRangeResponse(bytes)), plain(RangeResponse.decode(bytes)));
    assert.deepEqual(plain(decodeRangeResponse(new Uint8Array(0))), plain(RangeResponse.decode(new Uint8Array(0))));
  });

  it('returns bytes fields as views of the input, like the generated decoder', () => {
    const bytes = Buffer.from(RangeResponse.encode(RangeResponse.fromPartial({ kvs: [{ key: Buffer.from('k'), value: Buffer.from('v') }] })).finish());
    const kv = decodeRangeResponse(bytes).kvs[0]!;
    assert.equal(kv.key.buffer, bytes.buffer);
    assert.ok(Buffer.isBuffer(kv.value));
  });

  it('matches on 500 random responses with unknown fields in every message', () => {
    const random = rng(7);
    for (let i = 0; i < 500; i++) {
      const header = randomHeader(random);
      const kvs = Array.from({ length: Math.floor(random() * 6) }, () => randomKeyValue(random));
      const parts: Uint8Array[] = [];
      if (header !== undefined) parts.push(RangeResponse.encode(RangeResponse.fromPartial({ header })).finish());
      for (const kv of kvs) {
        // The key-value with an unknown field appended inside it, wrapped as field 2.
        const inner = concat(encodeKeyValue(kv), unknownField(random));
        const w = new BinaryWriter();
        w.uint32(18).bytes(inner);
        parts.push(w.finish());
        if (random() < 0.3) parts.push(unknownField(random));
      }
      const tail = RangeResponse.encode(RangeResponse.fromPartial({ more: random() < 0.5, count: randomInt64(random) })).finish();
      const bytes = Buffer.from(concat(...parts, tail, unknownField(random)));
      assert.deepEqual(plain(decodeRangeResponse(bytes)), plain(RangeResponse.decode(bytes)), `message ${i}`);
    }
  });

  it('throws wherever the generated decoder throws on truncated input, else agrees', () => {
    const random = rng(11);
    const message = RangeResponse.fromPartial({ header: randomHeader(random), kvs: [randomKeyValue(random), randomKeyValue(random)], count: 2n ** 53n + 1n });
    const bytes = Buffer.from(RangeResponse.encode(message).finish());
    agreeOnTruncations(bytes, decodeRangeResponse, (b) => RangeResponse.decode(b), 'range');
  });
});

describe('decodeWatchResponse', () => {
  it('matches the generated decoder on events with kv and prevKv, and on creation and cancel responses', () => {
    const random = rng(3);
    const messages = [
      WatchResponse.fromPartial({ header: randomHeader(random), watchId: 7n, created: true }),
      WatchResponse.fromPartial({ header: randomHeader(random), watchId: 2n ** 40n, canceled: true, compactRevision: 99n, cancelReason: 'mvcc: required revision has been compacted ✓' }),
      WatchResponse.fromPartial({
        header: randomHeader(random),
        watchId: 0n,
        fragment: true,
        events: [
          { type: 0, kv: randomKeyValue(random) },
          { type: 1, kv: randomKeyValue(random), prevKv: randomKeyValue(random) },
          { type: 0 },
        ],
      }),
    ];
    for (const message of messages) {
      const bytes = Buffer.from(WatchResponse.encode(message).finish());
      assert.deepEqual(plain(decodeWatchResponse(bytes)), plain(WatchResponse.decode(bytes)));
    }
  });

  it('matches on 300 random responses (with unknown fields appended) and throws on every truncation the generated decoder rejects', () => {
    const random = rng(5);
    for (let i = 0; i < 300; i++) {
      const bytes = randomWatchResponseBytes(random);
      assert.deepEqual(plain(decodeWatchResponse(bytes)), plain(WatchResponse.decode(bytes)), `message ${i}`);
      if (i % 30 === 0) agreeOnTruncations(bytes, decodeWatchResponse, (b) => WatchResponse.decode(b), `message ${i}`);
    }
  });
});

describe('decodePutResponse', () => {
  it('matches the generated decoder on 200 random responses (unknown fields appended) and on every truncation of some', () => {
    const random = rng(13);
    for (let i = 0; i < 200; i++) {
      const message = PutResponse.fromPartial({ header: randomHeader(random), prevKv: random() < 0.5 ? randomKeyValue(random) : undefined });
      const bytes = Buffer.from(concat(PutResponse.encode(message).finish(), unknownField(random)));
      assert.deepEqual(plain(decodePutResponse(bytes)), plain(PutResponse.decode(bytes)), `message ${i}`);
      if (i % 40 === 0) agreeOnTruncations(bytes, decodePutResponse, (b) => PutResponse.decode(b), `message ${i}`);
    }
  });
});
