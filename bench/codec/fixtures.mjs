// Test inputs shared by every codec: the public-shaped requests, and RangeResponse/PutResponse
// bytes built once with protobuf-es (deterministic contents, so every process sees the same bytes).
import { encodeRangeResponse } from './codecs/es.mjs';

/** A lease ID of the kind etcd hands out (random 63-bit). */
export const LEASE_ID = 0x694d7a1c5b2e3f40n;

/** Deterministic pseudo-random bytes. */
export function bytesOf(length, seed) {
  const b = Buffer.allocUnsafe(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    b[i] = x & 0xff;
  }
  return b;
}

/** Public put: 16-byte key, 256-byte value, with a lease (exercises the int64 path). */
export const PUT = Object.freeze({ key: Buffer.from('bench/put/key-01'), value: bytesOf(256, 7), lease: LEASE_ID });

/** Public range over a prefix: 16-byte key and range end, a limit, serializable. */
export const RANGE = Object.freeze({
  key: Buffer.from('bench/many/00000'),
  rangeEnd: Buffer.from('bench/many/00010'),
  limit: 10,
  revision: 0,
  serializable: true,
});

/** RangeResponse bytes with `n` KeyValues (16-byte keys, 256-byte values, every other one leased). */
export function rangeResponseBytes(n) {
  const kvs = [];
  for (let i = 0; i < n; i++) {
    kvs.push({
      key: Buffer.from(`bench/many/${String(i).padStart(5, '0')}`),
      createRevision: BigInt(1000 + i),
      modRevision: BigInt(5000 + 3 * i),
      version: BigInt(1 + (i % 7)),
      value: bytesOf(256, i + 1),
      lease: i % 2 === 0 ? LEASE_ID : 0n,
    });
  }
  const header = { clusterId: 0xcdf818194e3a8c32n, memberId: 0x8e9e05c52164694dn, revision: 123456789n, raftTerm: 7n };
  return Buffer.from(encodeRangeResponse({ header, kvs, more: false, count: BigInt(n) }));
}
