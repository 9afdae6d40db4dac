// The conversions between the API's values and the wire's (src/internal/wire.ts): int64 to number
// only when exact, bytes as Buffer views without a copy.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { EtcdError } from '../../src/index.js';
import { toBuffer, toNumber } from '../../src/internal/wire.js';

describe('toNumber', () => {
  test('an int64 within +-(2^53 - 1) is the same number', () => {
    assert.equal(toNumber(0n, 'revision'), 0);
    assert.equal(toNumber(2n ** 53n - 1n, 'revision'), Number.MAX_SAFE_INTEGER);
    assert.equal(toNumber(-(2n ** 53n - 1n), 'TTL'), -Number.MAX_SAFE_INTEGER);
  });

  test('beyond 2^53 - 1 it throws UnexpectedResponseError naming the field and the value, not a rounded number', () => {
    for (const value of [2n ** 53n, -(2n ** 53n), 2n ** 63n - 1n]) {
      assert.throws(() => toNumber(value, 'mod revision'), (error: unknown) => {
        assert.ok(error instanceof EtcdError, `an EtcdError, got ${String(error)}`);
        assert.equal(error.name, 'UnexpectedResponseError');
        assert.equal(error.code, 13, 'INTERNAL');
        assert.match(error.message, new RegExp(`mod revision ${value}\\b.*2\\^53`));
        return true;
      });
    }
  });
});

describe('toBuffer', () => {
  test('a Buffer is returned as is; another Uint8Array becomes a view of the same memory', () => {
    const buffer = Buffer.from('abc');
    assert.equal(toBuffer(buffer), buffer);
    const bytes = new Uint8Array([1, 2, 3, 4]).subarray(1, 3);
    const view = toBuffer(bytes);
    assert.ok(Buffer.isBuffer(view));
    bytes[0] = 9;
    assert.deepEqual([...view], [9, 3], 'same memory, no copy');
  });
});
