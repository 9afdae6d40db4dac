// The client's public shapes (as in src/kv/kv.ts and src/internal/wire.ts): revisions, versions, counts and
// raft terms as numbers (exact, else RangeError), lease/member/cluster IDs as bigint, keys and
// values as Buffer views of the response (no copy). Every codec adapter ends in these shapes, so
// the conversion is part of what is measured.

/** int64 (bigint) to number; throws when not exactly representable (as src/internal/wire.ts toNumber). */
export function toNumber(input, what) {
  const n = Number(input);
  if (Number.isSafeInteger(n)) return n;
  throw new RangeError(`etcd returned ${what} ${input}, beyond the exact range of a JavaScript number`);
}

/** A Buffer over the same memory as `bytes` (no copy), as src/internal/wire.ts toBuffer. */
export function toBuffer(bytes) {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Public mapping of a decoded message whose int64 fields are bigint (protobuf-es and ts-proto). */
export function headerFromBigint(h) {
  if (h === undefined) return { clusterId: 0n, memberId: 0n, revision: 0, raftTerm: 0 };
  return {
    clusterId: h.clusterId,
    memberId: h.memberId,
    revision: toNumber(h.revision, 'revision'),
    raftTerm: toNumber(h.raftTerm, 'raft term'),
  };
}

export function keyValueFromBigint(kv) {
  return {
    key: toBuffer(kv.key),
    value: toBuffer(kv.value),
    createRevision: toNumber(kv.createRevision, 'create revision'),
    modRevision: toNumber(kv.modRevision, 'mod revision'),
    version: toNumber(kv.version, 'version'),
    lease: kv.lease,
  };
}

export function getResponseFromBigint(r) {
  const list = r.kvs;
  const n = list.length;
  const kvs = new Array(n);
  for (let i = 0; i < n; i++) kvs[i] = keyValueFromBigint(list[i]);
  return { header: headerFromBigint(r.header), kvs, more: r.more, count: toNumber(r.count, 'count') };
}

export function putResponseFromBigint(r) {
  return { header: headerFromBigint(r.header), prevKv: r.prevKv === undefined ? undefined : keyValueFromBigint(r.prevKv) };
}
