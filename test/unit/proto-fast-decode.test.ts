// The hand-written RangeResponse / WatchResponse decoders (src/proto/fast-decode.ts) against the
// generated ts-proto decoders: the same result on real-shaped, random and unknown-field input, and
// a throw wherever the generated decoder throws (truncated input).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BinaryWriter } from '@bufbuild/protobuf/wire';
import { decodeRangeResponse, decodeWatchResponse } from '../../src/proto/fast-decode.js';
import { KV, Watch } from '../../src/proto/index.js';

const RangeResponse = KV.range.output;
const WatchResponse = Watch.watch.output;

/** A deterministic pseudo-random generator (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Bytes as hex, so Buffer and Uint8Array views compare equal by content. */
function plain(value: unknown): unknown {
  if (value instanceof Uint8Array) return `bytes:${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')}`;
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}

const INT64_EDGES = [0n, 1n, 127n, 128n, 2n ** 28n - 1n, 2n ** 28n, 2n ** 31n, 2n ** 32n, 2n ** 53n + 1n, 2n ** 63n - 1n, -1n, -(2n ** 63n)];
const UINT64_EDGES = [0n, 1n, 2n ** 28n, 2n ** 32n - 1n, 2n ** 53n + 1n, 2n ** 64n - 1n];

function pick<T>(random: () => number, list: readonly T[]): T {
  return list[Math.floor(random() * list.length)]!;
}

function randomInt64(random: () => number): bigint {
  return random() < 0.5 ? pick(random, INT64_EDGES) : BigInt(Math.floor(random() * 2 ** 40));
}

function randomBytes(random: () => number, max: number): Uint8Array {
  const n = random() < 0.2 ? 0 : Math.floor(random() * max);
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(random() * 256);
  return b;
}

function randomKeyValue(random: () => number) {
  return {
    key: randomBytes(random, 40),
    createRevision: randomInt64(random),
    modRevision: randomInt64(random),
    version: randomInt64(random),
    value: randomBytes(random, 300),
    lease: randomInt64(random),
  };
}

function randomHeader(random: () => number) {
  return random() < 0.1
    ? undefined
    : { clusterId: pick(random, UINT64_EDGES), memberId: pick(random, UINT64_EDGES), revision: randomInt64(random), raftTerm: pick(random, UINT64_EDGES) };
}

/** Bytes of one unknown field (varint, fixed64, bytes, fixed32 or a group) with field number 1000+. */
function unknownField(random: () => number): Uint8Array {
  const w = new BinaryWriter();
  const field = 1000 + Math.floor(random() * 100);
  switch (Math.floor(random() * 5)) {
    case 0:
      w.uint32((field << 3) | 0).uint64(pick(random, UINT64_EDGES));
      break;
    case 1:
      w.uint32((field << 3) | 1).fixed64(12345n);
      break;
    case 2:
      w.uint32((field << 3) | 2).bytes(randomBytes(random, 20));
      break;
    case 3:
      w.uint32((field << 3) | 5).fixed32(7);
      break;
    default:
      w.uint32((field << 3) | 3).uint32((7 << 3) | 0).uint32(5).uint32((field << 3) | 4);
  }
  return w.finish();
}

function concat(...parts: Uint8Array[]): Uint8Array {
  return Buffer.concat(parts);
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
    for (let cut = 0; cut <= bytes.length; cut++) {
      const input = bytes.subarray(0, cut);
      let expected: unknown;
      let generatedThrew = false;
      try {
        expected = plain(RangeResponse.decode(input));
      } catch {
        generatedThrew = true;
      }
      if (generatedThrew) assert.throws(() => decodeRangeResponse(input), `cut at ${cut}`);
      else assert.deepEqual(plain(decodeRangeResponse(input)), expected, `cut at ${cut}`);
    }
  });
});

/** A KeyValue's encoding through the generated code (mvccpb.KeyValue via a one-element range). */
function encodeKeyValue(kv: ReturnType<typeof randomKeyValue>): Uint8Array {
  const range = RangeResponse.encode(RangeResponse.fromPartial({ kvs: [kv] })).finish();
  // range = tag 18, length varint, KeyValue bytes
  let pos = 1;
  let length = 0;
  for (let shift = 0; ; shift += 7) {
    const b = range[pos++]!;
    length |= (b & 0x7f) << shift;
    if (b < 0x80) break;
  }
  return range.subarray(pos, pos + length);
}

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
      const events = Array.from({ length: Math.floor(random() * 4) }, () => ({
        type: Math.floor(random() * 2),
        kv: random() < 0.9 ? randomKeyValue(random) : undefined,
        prevKv: random() < 0.3 ? randomKeyValue(random) : undefined,
      }));
      const message = WatchResponse.fromPartial({
        header: randomHeader(random),
        watchId: randomInt64(random),
        created: random() < 0.2,
        canceled: random() < 0.1,
        compactRevision: random() < 0.1 ? randomInt64(random) : 0n,
        cancelReason: random() < 0.1 ? 'reason' : '',
        fragment: random() < 0.1,
        events,
      });
      const bytes = Buffer.from(concat(WatchResponse.encode(message).finish(), unknownField(random)));
      assert.deepEqual(plain(decodeWatchResponse(bytes)), plain(WatchResponse.decode(bytes)), `message ${i}`);
      if (i % 30 === 0) {
        for (let cut = 0; cut < bytes.length; cut++) {
          const input = bytes.subarray(0, cut);
          let threw = false;
          let expected: unknown;
          try {
            expected = plain(WatchResponse.decode(input));
          } catch {
            threw = true;
          }
          if (threw) assert.throws(() => decodeWatchResponse(input), `message ${i} cut at ${cut}`);
          else assert.deepEqual(plain(decodeWatchResponse(input)), expected, `message ${i} cut at ${cut}`);
        }
      }
    }
  });
});
