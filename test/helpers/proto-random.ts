// Random and edge-value protobuf input for the tests of the hand-written decoders
// (test/unit/proto-fast-decode.test.ts, test/unit/watch-decode.test.ts): a seeded generator,
// key-values and headers with int64 edge values, unknown fields of every wire type.
import { BinaryWriter } from '@bufbuild/protobuf/wire';
import { KV, Watch } from '../../src/proto/index.js';

const RangeResponse = KV.range.output;
const WatchResponse = Watch.watch.output;

/** A deterministic pseudo-random generator (mulberry32). */
export function rng(seed: number): () => number {
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
export function plain(value: unknown): unknown {
  if (value instanceof Uint8Array) return `bytes:${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')}`;
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}

export const INT64_EDGES = [0n, 1n, 127n, 128n, 2n ** 28n - 1n, 2n ** 28n, 2n ** 31n, 2n ** 32n, 2n ** 53n + 1n, 2n ** 63n - 1n, -1n, -(2n ** 63n)];
export const UINT64_EDGES = [0n, 1n, 2n ** 28n, 2n ** 32n - 1n, 2n ** 53n + 1n, 2n ** 64n - 1n];

export function pick<T>(random: () => number, list: readonly T[]): T {
  return list[Math.floor(random() * list.length)]!;
}

export function randomInt64(random: () => number): bigint {
  return random() < 0.5 ? pick(random, INT64_EDGES) : BigInt(Math.floor(random() * 2 ** 40));
}

export function randomBytes(random: () => number, max: number): Uint8Array {
  const n = random() < 0.2 ? 0 : Math.floor(random() * max);
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(random() * 256);
  return b;
}

export function randomKeyValue(random: () => number) {
  return {
    key: randomBytes(random, 40),
    createRevision: randomInt64(random),
    modRevision: randomInt64(random),
    version: randomInt64(random),
    value: randomBytes(random, 300),
    lease: randomInt64(random),
  };
}

export function randomHeader(random: () => number) {
  return random() < 0.1
    ? undefined
    : { clusterId: pick(random, UINT64_EDGES), memberId: pick(random, UINT64_EDGES), revision: randomInt64(random), raftTerm: pick(random, UINT64_EDGES) };
}

/** Bytes of one unknown field (varint, fixed64, bytes, fixed32 or a group) with field number 1000+. */
export function unknownField(random: () => number): Uint8Array {
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

export function concat(...parts: Uint8Array[]): Uint8Array {
  return Buffer.concat(parts);
}

/** A KeyValue's encoding through the generated code (mvccpb.KeyValue via a one-element range). */
export function encodeKeyValue(kv: ReturnType<typeof randomKeyValue>): Uint8Array {
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

/** A random WatchResponse (events with and without kv and prevKv, flags, edge values), encoded, with an unknown field appended. */
export function randomWatchResponseBytes(random: () => number): Buffer {
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
  return Buffer.from(concat(WatchResponse.encode(message).finish(), unknownField(random)));
}
