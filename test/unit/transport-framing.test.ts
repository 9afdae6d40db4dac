import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeMessage, encodeMessagePrefix, MessageDecoder, PREALLOCATE_LIMIT } from '../../src/transport/framing.js';
import { CallError, Status } from '../../src/transport/types.js';

function collect(maxSize = 1 << 20): { decoder: MessageDecoder; messages: Uint8Array[] } {
  const messages: Uint8Array[] = [];
  const decoder = new MessageDecoder(maxSize, { onMessage: (m) => messages.push(m) });
  return { decoder, messages };
}

function bytes(n: number, seed = 0): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
}

describe('encodeMessage', () => {
  it('prefixes a zero flag and the big-endian length', () => {
    const frame = encodeMessage(Buffer.from('hello'));
    assert.deepEqual([...frame.subarray(0, 5)], [0, 0, 0, 0, 5]);
    assert.equal(frame.subarray(5).toString(), 'hello');
    assert.deepEqual([...encodeMessagePrefix(0x01020304)], [0, 1, 2, 3, 4]);
    assert.deepEqual([...encodeMessage(new Uint8Array(0))], [0, 0, 0, 0, 0]);
  });
});

describe('MessageDecoder', () => {
  it('returns a message that fills one chunk in memory of its own: the chunk may be reused after push', () => {
    const { decoder, messages } = collect();
    const chunk = encodeMessage(bytes(100));
    decoder.push(chunk);
    // The transport reads into one buffer per connection; the next read overwrites it.
    chunk.fill(0xee);
    assert.equal(messages.length, 1);
    assert.deepEqual(Buffer.from(messages[0]!), bytes(100));
    assert.equal(decoder.partial, false);
  });

  it('finds several messages in one chunk, each outliving the chunk', () => {
    const { decoder, messages } = collect();
    const parts = [bytes(3, 1), bytes(0), bytes(70_000, 2), bytes(1, 3)];
    const chunk = Buffer.concat(parts.map((p) => encodeMessage(p)));
    decoder.push(chunk);
    chunk.fill(0xee);
    assert.equal(messages.length, 4);
    messages.forEach((m, i) => assert.deepEqual(Buffer.from(m), parts[i]));
  });

  it('keeps no view of the chunks of a message spanning them, above the preallocation limit too', () => {
    const { decoder, messages } = collect(PREALLOCATE_LIMIT + 10);
    const body = bytes(PREALLOCATE_LIMIT + 1, 4);
    const framed = encodeMessage(body);
    const reused = Buffer.allocUnsafe(1 << 20);
    for (let at = 0; at < framed.length; at += reused.length) {
      const n = framed.copy(reused, 0, at, Math.min(at + reused.length, framed.length));
      decoder.push(reused, 0, n);
      reused.fill(0xee);
    }
    assert.equal(messages.length, 1);
    assert.ok(Buffer.from(messages[0]!.buffer, messages[0]!.byteOffset, messages[0]!.length).equals(body));
  });

  it('reassembles messages split at every possible point, prefix included', () => {
    const parts = [bytes(10, 1), bytes(0), bytes(33, 2)];
    const stream = Buffer.concat(parts.map((p) => encodeMessage(p)));
    for (let cut1 = 0; cut1 <= stream.length; cut1++) {
      for (let cut2 = cut1; cut2 <= stream.length; cut2 += 3) {
        const { decoder, messages } = collect();
        decoder.push(stream.subarray(0, cut1));
        decoder.push(stream.subarray(cut1, cut2));
        decoder.push(stream.subarray(cut2));
        assert.equal(messages.length, 3, `cuts ${cut1},${cut2}`);
        messages.forEach((m, i) => assert.deepEqual(Buffer.from(m), parts[i], `cuts ${cut1},${cut2} message ${i}`));
        assert.equal(decoder.partial, false);
      }
    }
  });

  it('reassembles a large message fed one byte at a time and in 16 KiB DATA-sized chunks', () => {
    const body = bytes(100_000, 7);
    const stream = encodeMessage(body);
    for (const size of [1, 16_384]) {
      const { decoder, messages } = collect();
      for (let i = 0; i < stream.length; i += size) {
        decoder.push(stream.subarray(i, i + size));
        if (i + size < stream.length) assert.equal(decoder.partial, true);
      }
      assert.equal(messages.length, 1);
      assert.deepEqual(Buffer.from(messages[0]!), body);
    }
  });

  it('reports a partial message', () => {
    const { decoder, messages } = collect();
    decoder.push(encodeMessage(bytes(10)).subarray(0, 7));
    assert.equal(messages.length, 0);
    assert.equal(decoder.partial, true);
    const { decoder: d2 } = collect();
    d2.push(Buffer.from([0, 0]));
    assert.equal(d2.partial, true);
  });

  it('rejects a message above maxMessageSize with RESOURCE_EXHAUSTED as soon as the prefix is read', () => {
    const { decoder, messages } = collect(1024);
    decoder.push(encodeMessage(bytes(1024)));
    assert.equal(messages.length, 1, 'exactly the limit is accepted');
    assert.throws(
      () => decoder.push(encodeMessagePrefix(1025)),
      (e: unknown) => e instanceof CallError && e.code === Status.RESOURCE_EXHAUSTED && e.sent && /1025/.test(e.details),
    );
    // Also when the prefix itself is split.
    const { decoder: d2 } = collect(10);
    d2.push(Buffer.from([0, 0, 0]));
    assert.throws(() => d2.push(Buffer.from([0, 11])), (e: unknown) => e instanceof CallError && e.code === Status.RESOURCE_EXHAUSTED);
    // 4 GiB - 1 claimed: rejected without allocating.
    const { decoder: d3 } = collect();
    assert.throws(() => d3.push(Buffer.from([0, 0xff, 0xff, 0xff, 0xff])), (e: unknown) => e instanceof CallError && e.code === Status.RESOURCE_EXHAUSTED);
  });

  it('rejects the compressed flag (never negotiated) and unknown flags with INTERNAL', () => {
    const frame = encodeMessage(bytes(4));
    frame[0] = 1;
    const { decoder } = collect();
    assert.throws(() => decoder.push(frame), (e: unknown) => e instanceof CallError && e.code === Status.INTERNAL && /compress/.test(e.details));
    frame[0] = 0x80;
    const { decoder: d2 } = collect();
    assert.throws(() => d2.push(frame), (e: unknown) => e instanceof CallError && e.code === Status.INTERNAL && /flags/.test(e.details));
  });
});
