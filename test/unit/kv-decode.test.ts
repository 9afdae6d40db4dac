// The KV layer's decoders for get and put (src/kv/decode.ts: a RangeResponse / PutResponse straight
// into the public GetResponse / PutResponse) against the generated ts-proto decoder followed by the
// mapping they replaced (internal/wire.ts's responseHeader / keyValue / toNumber): the same result on
// real-shaped, random, unknown-field and truncated input, the same UnexpectedResponseError for a
// revision or count beyond 2^53 - 1, and keys and values as Buffer views of the message.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UnexpectedResponseError } from '../../src/errors/index.js';
import { keyValue, responseHeader, toNumber } from '../../src/internal/wire.js';
import { decodeGetResponse, decodePutResponse } from '../../src/kv/decode.js';
import { KV } from '../../src/proto/index.js';
import type { PutResponse as WirePutResponse, RangeResponse as WireRangeResponse } from '../../src/proto/index.js';
import { concat, plain, randomHeader, randomInt64, randomKeyValue, rng, unknownField } from '../helpers/proto-random.js';

const RangeResponse = KV.range.output;
const PutResponse = KV.put.output;

/** What KV.get made of a response before: the generated decoder, then the mapping. */
function mappedGet(g: WireRangeResponse): unknown {
  return { header: responseHeader(g.header), kvs: g.kvs.map(keyValue), more: g.more, count: toNumber(g.count, 'count') };
}

function mappedPut(g: WirePutResponse): unknown {
  return { header: responseHeader(g.header), prevKv: g.prevKv === undefined ? undefined : keyValue(g.prevKv) };
}

/** The outcome of decoding one way: the value (bytes as hex) or the error's class and message. */
function outcome(decode: () => unknown): unknown {
  try {
    return { value: plain(decode()) };
  } catch (error) {
    return { error: error instanceof UnexpectedResponseError && /beyond the exact range/.test(error.message) ? error.message : 'malformed' };
  }
}

/** Both ways give the same value or the same error (`anyError`: for truncated input, some error). */
function agree(actual: () => unknown, expected: () => unknown, what: string, anyError = false): void {
  const a = outcome(actual);
  const e = outcome(expected);
  if (anyError && 'error' in (e as object)) assert.ok('error' in (a as object), `${what}: should throw`);
  else assert.deepEqual(a, e, what);
}

function agreeGet(bytes: Uint8Array, what: string, anyError = false): void {
  agree(() => decodeGetResponse(bytes), () => mappedGet(RangeResponse.decode(bytes)), what, anyError);
}

function agreePut(bytes: Uint8Array, what: string, anyError = false): void {
  agree(() => decodePutResponse(bytes), () => mappedPut(PutResponse.decode(bytes)), what, anyError);
}

describe('decodeGetResponse', () => {
  it('gives what the generated decoder and the mapping gave: one key, many, none, count and more', () => {
    const kv = { key: Buffer.from('k'), value: Buffer.from('v'.repeat(256)), createRevision: 5n, modRevision: 9n, version: 2n, lease: 7n };
    const messages = [
      RangeResponse.fromPartial({ header: { clusterId: 2n ** 64n - 1n, memberId: 42n, revision: 9n, raftTerm: 3n }, kvs: [kv], count: 1n }),
      RangeResponse.fromPartial({ header: { revision: 20n }, kvs: [kv, { key: Buffer.from('l') }, {}], more: true, count: 1000n }),
      RangeResponse.fromPartial({ header: { revision: 20n }, count: 3n }),
      RangeResponse.fromPartial({}),
    ];
    for (const [i, message] of messages.entries()) agreeGet(Buffer.from(RangeResponse.encode(message).finish()), `message ${i}`);
    agreeGet(new Uint8Array(0), 'empty');
    const first = decodeGetResponse(Buffer.from(RangeResponse.encode(messages[0]!).finish()));
    assert.equal(first.header.clusterId, 2n ** 64n - 1n);
    assert.equal(first.kvs[0]!.lease, 7n);
    assert.equal(first.kvs[0]!.value.toString(), 'v'.repeat(256));
  });

  it('hands out keys and values as Buffer views of the message, from a Uint8Array too', () => {
    const bytes = Buffer.from(RangeResponse.encode(RangeResponse.fromPartial({ kvs: [{ key: Buffer.from('k'), value: Buffer.from('v') }] })).finish());
    const kv = decodeGetResponse(bytes).kvs[0]!;
    assert.ok(Buffer.isBuffer(kv.key) && Buffer.isBuffer(kv.value));
    assert.equal(kv.value.buffer, bytes.buffer);
    const view = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    assert.ok(Buffer.isBuffer(decodeGetResponse(view).kvs[0]!.value));
  });

  it('throws the UnexpectedResponseError of toNumber for a count or revision beyond 2^53 - 1', () => {
    const count = Buffer.from(RangeResponse.encode(RangeResponse.fromPartial({ count: 2n ** 53n })).finish());
    assert.throws(() => decodeGetResponse(count), (error: unknown) => error instanceof UnexpectedResponseError && /etcd returned count 9007199254740992, beyond/.test(error.message));
    const revision = Buffer.from(RangeResponse.encode(RangeResponse.fromPartial({ kvs: [{ key: Buffer.from('k'), modRevision: -(2n ** 53n) }] })).finish());
    assert.throws(() => decodeGetResponse(revision), (error: unknown) => error instanceof UnexpectedResponseError && /etcd returned mod revision -9007199254740992, beyond/.test(error.message));
  });

  it('agrees on 300 random responses (with unknown fields) and on every truncation of some', () => {
    const random = rng(11);
    for (let i = 0; i < 300; i++) {
      const message = RangeResponse.fromPartial({
        header: randomHeader(random),
        kvs: Array.from({ length: Math.floor(random() * 4) }, () => randomKeyValue(random)),
        more: random() < 0.3,
        count: random() < 0.8 ? randomInt64(random) : 0n,
      });
      const bytes = Buffer.from(concat(RangeResponse.encode(message).finish(), unknownField(random)));
      agreeGet(bytes, `message ${i}`);
      if (i % 30 === 0) for (let cut = 0; cut < bytes.length; cut++) agreeGet(bytes.subarray(0, cut), `message ${i} cut at ${cut}`, true);
    }
  });
});

describe('decodePutResponse', () => {
  it('agrees with the generated decoder and the mapping: header, prevKv, random and truncated input', () => {
    agreePut(new Uint8Array(0), 'empty');
    agreePut(Buffer.from(PutResponse.encode(PutResponse.fromPartial({ header: { revision: 12n, raftTerm: 2n } })).finish()), 'header only');
    const random = rng(12);
    for (let i = 0; i < 300; i++) {
      const message = PutResponse.fromPartial({ header: randomHeader(random), prevKv: random() < 0.5 ? randomKeyValue(random) : undefined });
      const bytes = Buffer.from(concat(PutResponse.encode(message).finish(), unknownField(random)));
      agreePut(bytes, `message ${i}`);
      if (i % 30 === 0) for (let cut = 0; cut < bytes.length; cut++) agreePut(bytes.subarray(0, cut), `message ${i} cut at ${cut}`, true);
    }
  });
});
