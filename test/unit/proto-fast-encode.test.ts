// The hand-written request encoders (src/proto/fast-encode.ts) against the generated ts-proto code
// (`encode(fromPartial(request))`): the same bytes for random and edge-value PutRequest,
// RangeRequest and WatchRequest objects (fields absent, empty, at int64 edges, enums, filters,
// each oneof case), the generated code's error for an int64 out of range, and the generated
// code's result for fields of unexpected types (the fallback).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodePutRequest, encodeRangeRequest, encodeWatchRequest } from '../../src/proto/fast-encode.js';
import { KV, Watch, type EtcdMethod, type Init } from '../../src/proto/index.js';
import type { DeepPartial } from '../../src/proto/gen/etcdserverpb/rpc.js';
import { INT64_EDGES, pick, randomBytes, rng } from '../helpers/proto-random.js';

type Random = () => number;

/** Undefined, or one of `make()`'s values (so absent, default and set fields all occur). */
function maybe<T>(random: Random, make: () => T): T | undefined {
  return random() < 0.3 ? undefined : make();
}
const int64 = (random: Random): bigint => (random() < 0.5 ? pick(random, INT64_EDGES) : BigInt(Math.floor(random() * 2 ** 36)) - 2n ** 30n);
const bool = (random: Random): boolean => random() < 0.5;

function generated<Req, Res>(method: EtcdMethod<Req, Res>, request: unknown): Buffer {
  return Buffer.from(method.input.encode(method.input.fromPartial(request as DeepPartial<Req>)).finish());
}

function same<Req, Res>(fast: (r: Init<Req>) => Uint8Array | undefined, method: EtcdMethod<Req, Res>, request: unknown, what: string): void {
  const bytes = fast(request as Init<Req>);
  assert.ok(bytes !== undefined, `${what}: the fast path handles it`);
  const expected = generated(method, request).toString('hex');
  assert.equal(Buffer.from(bytes).toString('hex'), expected, what);
  assert.equal(Buffer.from(method.encode(request as Init<Req>)).toString('hex'), expected, `${what} (method.encode)`);
}

describe('encodePutRequest', () => {
  it('writes the bytes of the generated code for 400 random requests', () => {
    const random = rng(21);
    for (let i = 0; i < 400; i++) {
      const request = {
        key: maybe(random, () => randomBytes(random, 40)),
        value: maybe(random, () => randomBytes(random, random() < 0.1 ? 70_000 : 300)),
        lease: maybe(random, () => int64(random)),
        prevKv: maybe(random, () => bool(random)),
        ignoreValue: maybe(random, () => bool(random)),
        ignoreLease: maybe(random, () => bool(random)),
      };
      same(encodePutRequest, KV.put, request, `request ${i}`);
    }
    same(encodePutRequest, KV.put, {}, 'empty');
  });

  it('throws the generated error for an int64 out of range; falls back for other types', () => {
    assert.throws(() => encodePutRequest({ key: Buffer.from('k'), lease: 2n ** 63n }), /value provided for field message.lease of type int64 too large/);
    assert.throws(() => KV.put.encode({ key: Buffer.from('k'), lease: -(2n ** 63n) - 1n }), /of type int64 too large/);
    assert.equal(encodePutRequest({ key: Buffer.from('k'), prevKv: 1 as never }), undefined);
    assert.deepEqual(Buffer.from(KV.put.encode({ key: Buffer.from('k'), prevKv: 1 as never })), generated(KV.put, { key: Buffer.from('k'), prevKv: 1 }));
    // The scratch buffer is fine after a failure and after a large request.
    same(encodePutRequest, KV.put, { key: Buffer.from('after') }, 'after the errors');
  });
});

describe('encodeRangeRequest', () => {
  it('writes the bytes of the generated code for 400 random requests', () => {
    const random = rng(22);
    for (let i = 0; i < 400; i++) {
      const request = {
        key: maybe(random, () => randomBytes(random, 40)),
        rangeEnd: maybe(random, () => randomBytes(random, 40)),
        limit: maybe(random, () => int64(random)),
        revision: maybe(random, () => int64(random)),
        sortOrder: maybe(random, () => Math.floor(random() * 3)),
        sortTarget: maybe(random, () => Math.floor(random() * 5)),
        serializable: maybe(random, () => bool(random)),
        keysOnly: maybe(random, () => bool(random)),
        countOnly: maybe(random, () => bool(random)),
        minModRevision: maybe(random, () => int64(random)),
        maxModRevision: maybe(random, () => int64(random)),
        minCreateRevision: maybe(random, () => int64(random)),
        maxCreateRevision: maybe(random, () => int64(random)),
      };
      same(encodeRangeRequest, KV.range, request, `request ${i}`);
    }
  });
});

describe('encodeWatchRequest', () => {
  it('writes the bytes of the generated code for create, cancel and progress requests', () => {
    const random = rng(23);
    for (let i = 0; i < 400; i++) {
      const kind = Math.floor(random() * 4);
      const request =
        kind === 0
          ? {
              requestUnion: {
                $case: 'createRequest' as const,
                value: {
                  key: maybe(random, () => randomBytes(random, 40)),
                  rangeEnd: maybe(random, () => randomBytes(random, random() < 0.1 ? 300 : 40)),
                  startRevision: maybe(random, () => int64(random)),
                  progressNotify: maybe(random, () => bool(random)),
                  filters: maybe(random, () => Array.from({ length: Math.floor(random() * 3) }, () => Math.floor(random() * 2))),
                  prevKv: maybe(random, () => bool(random)),
                  watchId: maybe(random, () => int64(random)),
                  fragment: maybe(random, () => bool(random)),
                },
              },
            }
          : kind === 1
            ? { requestUnion: { $case: 'cancelRequest' as const, value: { watchId: maybe(random, () => int64(random)) } } }
            : kind === 2
              ? { requestUnion: { $case: 'progressRequest' as const, value: {} } }
              : {};
      same(encodeWatchRequest, Watch.watch, request, `request ${i}`);
    }
  });

  it('a create request with a key of 200 bytes (a length of two varint bytes inside a nested message)', () => {
    same(encodeWatchRequest, Watch.watch, { requestUnion: { $case: 'createRequest', value: { key: Buffer.alloc(200, 7), filters: [1], startRevision: 5n } } }, 'long key');
  });
});
