// Range ends, sort mapping, the first/last helpers and the checks of range options (no server).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { EmptyKeyError, InvalidArgumentError } from '../../src/errors/index.js';
import { RangeRequest_SortOrder, RangeRequest_SortTarget } from '../../src/proto/index.js';
import {
  firstCreate,
  firstKey,
  firstRev,
  lastCreate,
  lastKey,
  lastRev,
  prefixRangeEnd,
  rangeRequest,
  RANGE_OPTION_NAMES,
} from '../../src/kv/range.js';
import type { RangeOptions } from '../../src/kv/types.js';

const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Asserts that `fn` throws InvalidArgumentError whose message matches `pattern`. */
function rejects(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof InvalidArgumentError, `expected InvalidArgumentError, got ${String(error)}`);
    assert.match(error.message, pattern);
    return true;
  });
}

describe('prefixRangeEnd (Go GetPrefixRangeEnd)', () => {
  test('increments the last byte', () => {
    assert.deepEqual([...prefixRangeEnd('abc')], [...utf8('abd')]);
    assert.deepEqual([...prefixRangeEnd('a')], [...utf8('b')]);
  });
  test('drops trailing 0xff bytes and increments the one before', () => {
    assert.deepEqual([...prefixRangeEnd(bytes(0x61, 0xff))], [0x62]);
    assert.deepEqual([...prefixRangeEnd(bytes(0x01, 0xfe, 0xff, 0xff))], [0x01, 0xff]);
  });
  test('all-0xff and empty prefixes have no finite end: "\\0"', () => {
    assert.deepEqual([...prefixRangeEnd(bytes(0xff, 0xff))], [0]);
    assert.deepEqual([...prefixRangeEnd('')], [0]);
    assert.deepEqual([...prefixRangeEnd(new Uint8Array(0))], [0]);
  });
  test('multi-byte UTF-8 is handled as bytes', () => {
    // 'é' is c3 a9 → c3 aa
    assert.deepEqual([...prefixRangeEnd('é')], [0xc3, 0xaa]);
  });
  test('does not modify its input and returns a Buffer', () => {
    const input = bytes(1, 2, 3);
    const end = prefixRangeEnd(input);
    assert.deepEqual([...input], [1, 2, 3]);
    assert.ok(Buffer.isBuffer(end));
  });
  test('rejects a non-bytes prefix', () => {
    rejects(() => prefixRangeEnd(42 as unknown as string), /prefix must be a string or a Uint8Array, got 42/);
  });
});

describe('rangeRequest: key ranges', () => {
  test('a single key', () => {
    const r = rangeRequest('foo', undefined, true);
    assert.deepEqual([...r.key!], [...utf8('foo')]);
    assert.equal(r.rangeEnd, undefined);
  });
  test('a Uint8Array key is used without a copy', () => {
    const key = bytes(0, 1, 2, 0xff);
    assert.equal(rangeRequest(key, {}, true).key, key);
  });
  test('prefix', () => {
    const r = rangeRequest('foo', { prefix: true }, true);
    assert.deepEqual([...r.key!], [...utf8('foo')]);
    assert.deepEqual([...r.rangeEnd!], [...utf8('fop')]);
  });
  test('empty key + prefix means every key: key = end = "\\0"', () => {
    const r = rangeRequest('', { prefix: true }, true);
    assert.deepEqual([...r.key!], [0]);
    assert.deepEqual([...r.rangeEnd!], [0]);
  });
  test('all-0xff prefix reads from the key to the end', () => {
    const r = rangeRequest(bytes(0xff), { prefix: true }, true);
    assert.deepEqual([...r.key!], [0xff]);
    assert.deepEqual([...r.rangeEnd!], [0]);
  });
  test('fromKey: end = "\\0"; an empty key becomes "\\0"', () => {
    const r = rangeRequest('m', { fromKey: true }, true);
    assert.deepEqual([...r.key!], [...utf8('m')]);
    assert.deepEqual([...r.rangeEnd!], [0]);
    const all = rangeRequest('', { fromKey: true }, true);
    assert.deepEqual([...all.key!], [0]);
    assert.deepEqual([...all.rangeEnd!], [0]);
  });
  test('rangeEnd as given; an empty rangeEnd names the single key (as in Go)', () => {
    const r = rangeRequest('a', { rangeEnd: 'c' }, true);
    assert.deepEqual([...r.rangeEnd!], [...utf8('c')]);
    assert.equal(rangeRequest('a', { rangeEnd: '' }, true).rangeEnd, undefined);
  });
  test('prefix: false and fromKey: false are no-ops', () => {
    const r = rangeRequest('a', { prefix: false, fromKey: false }, true);
    assert.equal(r.rangeEnd, undefined);
  });
  test('empty key without prefix/fromKey is rejected with EmptyKeyError (etcd\'s details)', () => {
    for (const make of [
      () => rangeRequest('', undefined, true),
      () => rangeRequest('', {}, true),
      () => rangeRequest(new Uint8Array(0), { rangeEnd: 'z' }, true),
    ]) {
      assert.throws(make, (error: unknown) => {
        assert.ok(error instanceof EmptyKeyError, `expected EmptyKeyError, got ${String(error)}`);
        assert.match(error.message, /^get: key is empty; give a key, or prefix: true \/ fromKey: true/);
        assert.equal(error.details, 'etcdserver: key is not provided');
        return true;
      });
    }
  });
  test('conflicting range options are rejected', () => {
    rejects(() => rangeRequest('a', { prefix: true, rangeEnd: 'b' }, true), /prefix and rangeEnd cannot be combined/);
    rejects(() => rangeRequest('a', { prefix: true, fromKey: true }, true), /prefix and fromKey cannot be combined/);
    rejects(() => rangeRequest('a', { fromKey: true, rangeEnd: 'b' }, true), /fromKey and rangeEnd cannot be combined/);
  });
  test('a key of the wrong type is rejected', () => {
    rejects(() => rangeRequest(5 as unknown as string, undefined, true), /key must be a string or a Uint8Array, got 5/);
    rejects(() => rangeRequest(null as unknown as string, undefined, true), /key must be .* got null/);
    rejects(() => rangeRequest('a', { rangeEnd: 7 as unknown as string }, true), /rangeEnd must be a string or a Uint8Array/);
  });
});

describe('rangeRequest: numbers and flags', () => {
  test('revision, limit and min/max revisions become int64', () => {
    const r = rangeRequest('a', {
      revision: 7,
      limit: 3,
      minModRevision: 1,
      maxModRevision: 2,
      minCreateRevision: 3,
      maxCreateRevision: 4,
    }, true);
    assert.equal(r.revision, 7n);
    assert.equal(r.limit, 3n);
    assert.equal(r.minModRevision, 1n);
    assert.equal(r.maxModRevision, 2n);
    assert.equal(r.minCreateRevision, 3n);
    assert.equal(r.maxCreateRevision, 4n);
  });
  for (const name of ['revision', 'limit', 'minModRevision', 'maxModRevision', 'minCreateRevision', 'maxCreateRevision']) {
    test(`${name}: negative, fractional, unsafe, NaN, string and bigint are rejected`, () => {
      for (const bad of [-1, 1.5, 2 ** 53, Number.NaN, Infinity, '3', 3n]) {
        rejects(() => rangeRequest('a', { [name]: bad } as RangeOptions, true), new RegExp(`^${name} must be a non-negative integer`));
      }
    });
  }
  test('flags are booleans', () => {
    const r = rangeRequest('a', { serializable: true, keysOnly: true, countOnly: false }, true);
    assert.equal(r.serializable, true);
    assert.equal(r.keysOnly, true);
    assert.equal(r.countOnly, false);
    for (const name of ['prefix', 'fromKey', 'serializable', 'keysOnly', 'countOnly']) {
      rejects(() => rangeRequest('a', { [name]: 'yes' } as RangeOptions, true), new RegExp(`^${name} must be a boolean, got "yes"`));
    }
  });
  test('undefined values are ignored', () => {
    const r = rangeRequest('a', { limit: undefined, prefix: undefined, sort: undefined }, true);
    assert.equal(r.limit, undefined);
    assert.equal(r.rangeEnd, undefined);
  });
});

describe('rangeRequest: sort', () => {
  const cases: Array<[RangeOptions['sort'], RangeRequest_SortTarget, RangeRequest_SortOrder]> = [
    [{ target: 'key', order: 'ascend' }, RangeRequest_SortTarget.KEY, RangeRequest_SortOrder.NONE],
    [{ target: 'key' }, RangeRequest_SortTarget.KEY, RangeRequest_SortOrder.NONE],
    [{ target: 'key', order: 'descend' }, RangeRequest_SortTarget.KEY, RangeRequest_SortOrder.DESCEND],
    [{ target: 'version', order: 'ascend' }, RangeRequest_SortTarget.VERSION, RangeRequest_SortOrder.ASCEND],
    [{ target: 'version' }, RangeRequest_SortTarget.VERSION, RangeRequest_SortOrder.ASCEND],
    [{ target: 'createRevision', order: 'descend' }, RangeRequest_SortTarget.CREATE, RangeRequest_SortOrder.DESCEND],
    [{ target: 'modRevision', order: 'none' }, RangeRequest_SortTarget.MOD, RangeRequest_SortOrder.NONE],
    [{ target: 'value', order: 'descend' }, RangeRequest_SortTarget.VALUE, RangeRequest_SortOrder.DESCEND],
  ];
  for (const [sort, target, order] of cases) {
    test(`${JSON.stringify(sort)} → target ${RangeRequest_SortTarget[target]}, order ${RangeRequest_SortOrder[order]}`, () => {
      const r = rangeRequest('a', { prefix: true, sort }, true);
      assert.equal(r.sortTarget, target);
      assert.equal(r.sortOrder, order);
    });
  }
  test('bad sort values are rejected', () => {
    rejects(() => rangeRequest('a', { sort: { target: 'size' as 'key' } }, true), /sort.target must be one of .* got "size"/);
    rejects(() => rangeRequest('a', { sort: { target: 'key', order: 'up' as 'ascend' } }, true), /sort.order must be one of .* got "up"/);
    rejects(() => rangeRequest('a', { sort: {} as { target: 'key' } }, true), /sort.target must be one of .* got undefined/);
    rejects(() => rangeRequest('a', { sort: 'key' as unknown as { target: 'key' } }, true), /sort must be an object/);
    rejects(
      () => rangeRequest('a', { sort: { target: 'key', direction: 'up' } as unknown as { target: 'key' } }, true),
      /unknown option 'direction' for sort; known options: target, order/,
    );
  });
});

describe('rangeRequest: option names', () => {
  test('an unknown option is named, with the known ones', () => {
    rejects(
      () => rangeRequest('a', { prefx: true } as unknown as RangeOptions, true),
      /^unknown option 'prefx' for get; known options: prefix, rangeEnd, fromKey, revision, limit, sort, .*signal, timeout, requireLeader$/,
    );
  });
  test('signal and timeout are call options: accepted by get, not by op.get', () => {
    const signal = new AbortController().signal;
    assert.doesNotThrow(() => rangeRequest('a', { signal, timeout: 100 } as RangeOptions, true));
    rejects(() => rangeRequest('a', { timeout: 100 } as RangeOptions, false), /^unknown option 'timeout' for op.get/);
    rejects(() => rangeRequest('a', { timeout: -1 } as RangeOptions, true), /timeout must be a non-negative number of milliseconds/);
    rejects(() => rangeRequest('a', { signal: {} } as unknown as RangeOptions, true), /signal must be an AbortSignal/);
  });
  test('options must be an object', () => {
    rejects(() => rangeRequest('a', 5 as unknown as RangeOptions, true), /get options must be an object, got 5/);
    rejects(() => rangeRequest('a', [] as unknown as RangeOptions, true), /get options must be an object, got an array/);
    rejects(() => rangeRequest('a', null as unknown as RangeOptions, true), /get options must be an object, got null/);
  });
  test('RANGE_OPTION_NAMES lists every RangeOptions field', () => {
    assert.deepEqual(
      [...RANGE_OPTION_NAMES].sort(),
      ['countOnly', 'fromKey', 'keysOnly', 'limit', 'maxCreateRevision', 'maxModRevision', 'minCreateRevision',
        'minModRevision', 'prefix', 'rangeEnd', 'revision', 'serializable', 'sort'].sort(),
    );
  });
});

describe('first/last helpers (Go WithFirstKey and friends)', () => {
  const cases: Array<[string, () => RangeOptions, RangeRequest_SortTarget, RangeRequest_SortOrder]> = [
    ['firstKey', firstKey, RangeRequest_SortTarget.KEY, RangeRequest_SortOrder.NONE],
    ['lastKey', lastKey, RangeRequest_SortTarget.KEY, RangeRequest_SortOrder.DESCEND],
    ['firstCreate', firstCreate, RangeRequest_SortTarget.CREATE, RangeRequest_SortOrder.ASCEND],
    ['lastCreate', lastCreate, RangeRequest_SortTarget.CREATE, RangeRequest_SortOrder.DESCEND],
    ['firstRev', firstRev, RangeRequest_SortTarget.MOD, RangeRequest_SortOrder.ASCEND],
    ['lastRev', lastRev, RangeRequest_SortTarget.MOD, RangeRequest_SortOrder.DESCEND],
  ];
  for (const [name, helper, target, order] of cases) {
    test(`${name}: prefix + limit 1 + sort`, () => {
      const options = helper();
      assert.equal(options.prefix, true);
      assert.equal(options.limit, 1);
      const r = rangeRequest('k/', options, true);
      assert.deepEqual([...r.rangeEnd!], [...utf8('k0')]);
      assert.equal(r.limit, 1n);
      assert.equal(r.sortTarget, target);
      assert.equal(r.sortOrder, order);
    });
  }
  test('helpers return fresh objects that can be spread with other options', () => {
    assert.notEqual(firstKey(), firstKey());
    const r = rangeRequest('k', { ...lastRev(), serializable: true }, true);
    assert.equal(r.serializable, true);
    assert.equal(r.sortTarget, RangeRequest_SortTarget.MOD);
  });
});
