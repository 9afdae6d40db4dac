// Sanity check before measuring: every codec encodes requests that protobuf-es decodes to the same
// message, and decodes the fixtures to the same public shape (exact int64s, Buffer views, no copy).
import assert from 'node:assert/strict';
import { fromBinary } from '@bufbuild/protobuf';
import { PutRequestSchema, RangeRequestSchema } from './gen/es/etcdserverpb/rpc_pb.js';
import { CODECS, loadCodec } from './codecs/index.mjs';
import { LEASE_ID, PUT, RANGE, rangeResponseBytes } from './fixtures.mjs';

const big = rangeResponseBytes(1000);
let reference;
for (const name of CODECS) {
  const c = await loadCodec(name);
  const put = fromBinary(PutRequestSchema, c.encodePut(PUT));
  assert.equal(put.lease, LEASE_ID, `${name}: lease`);
  assert.deepEqual(Buffer.from(put.value), PUT.value, `${name}: value`);
  const range = fromBinary(RangeRequestSchema, c.encodeRange(RANGE));
  assert.equal(range.limit, 10n, `${name}: limit`);
  assert.equal(range.serializable, true, `${name}: serializable`);
  const res = c.decodeRange(big);
  assert.equal(res.kvs.length, 1000);
  assert.equal(res.count, 1000);
  assert.equal(res.header.clusterId, 0xcdf818194e3a8c32n, `${name}: clusterId`);
  assert.equal(res.kvs[0].lease, LEASE_ID, `${name}: lease`);
  assert.ok(Buffer.isBuffer(res.kvs[5].value), `${name}: Buffer`);
  assert.equal(res.kvs[5].value.buffer, big.buffer, `${name}: value is a view of the response, not a copy`);
  if (reference === undefined) reference = res;
  else assert.deepEqual(res, reference, `${name}: same public shape as ${CODECS[0]}`);
  console.log(`check: ${name} ok`);
}
