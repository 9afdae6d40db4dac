// The hot path's shortcuts keep their guarantees: the shared protobuf writer survives a failed
// encode and a large message.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KV } from '../../src/proto/index.js';

describe('request encoding with the shared writer', () => {
  it('encodes correctly after a failed encode and after a large message', () => {
    const put = KV.put;
    assert.throws(() => put.encode({ key: Buffer.from('k'), lease: 2n ** 64n }));
    const large = Buffer.alloc(200_000, 1);
    assert.equal(put.input.decode(put.encode({ key: Buffer.from('big'), value: large })).value.length, large.length);
    const decoded = put.input.decode(put.encode({ key: Buffer.from('k'), value: Buffer.from('v'), lease: 5n }));
    assert.deepEqual(
      { key: Buffer.from(decoded.key).toString(), value: Buffer.from(decoded.value).toString(), lease: decoded.lease },
      { key: 'k', value: 'v', lease: 5n },
    );
  });
});
