// Unit tests of the generated codec and the Method descriptors (src/proto): wire field numbers,
// round trips, int64 as bigint, bytes as zero-copy views, and every gRPC path checked against the
// generated service definitions (ts-proto's `outputServices=generic-definitions`) and against the
// `service` blocks of proto/*.proto themselves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import {
  KV,
  Lease,
  SERVICES,
  Compare_CompareResult,
  Compare_CompareTarget,
  etcdserverpb,
  mvccpb,
  authpb,
  v3lockpb,
  v3electionpb,
  type Method,
  type RequestOpInit,
  type CompareInit,
} from '../../src/proto/index.js';

// --- a tiny protobuf writer, so expected bytes come from the field numbers, not from the codec ---

/** Base-128 varint; negative numbers as 64-bit two's complement (10 bytes), as int64 requires. */
function varint(value: bigint | number): number[] {
  let v = BigInt(value);
  if (v < 0n) v += 1n << 64n;
  const out: number[] = [];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}
/** A varint field (wire type 0). */
const vfield = (field: number, value: bigint | number): number[] => [...varint(field << 3), ...varint(value)];
/** A length-delimited field (wire type 2): bytes, strings, sub-messages. */
function lfield(field: number, payload: number[] | string): number[] {
  const bytes = typeof payload === 'string' ? [...Buffer.from(payload)] : payload;
  return [...varint((field << 3) | 2), ...varint(bytes.length), ...bytes];
}

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

test('PutRequest encodes to the expected field numbers and round-trips', () => {
  const bytes = KV.put.encode({ key: enc('a'), value: enc('b'), lease: 3n, prevKv: true, ignoreLease: true });
  // key=1, value=2, lease=3, prev_kv=4, ignore_lease=6
  const expected = [...lfield(1, 'a'), ...lfield(2, 'b'), ...vfield(3, 3), ...vfield(4, 1), ...vfield(6, 1)];
  assert.deepEqual([...bytes], expected);

  const back = KV.put.input.decode(bytes);
  // (Views of the encoded bytes: Buffers, as KV.put encodes into a Buffer.)
  assert.deepEqual(new Uint8Array(back.key), enc('a'));
  assert.deepEqual(new Uint8Array(back.value), enc('b'));
  assert.equal(back.lease, 3n);
  assert.equal(back.prevKv, true);
  assert.equal(back.ignoreValue, false);
  assert.equal(back.ignoreLease, true);
});

test('empty requests encode to zero bytes (proto3 defaults are not sent)', () => {
  assert.equal(KV.range.encode({}).length, 0);
  assert.equal(Lease.leaseLeases.encode({}).length, 0);
});

test('TxnRequest with compares, nested ops and a nested txn round-trips', () => {
  const compare: CompareInit[] = [
    { key: enc('k1'), target: Compare_CompareTarget.VALUE, result: Compare_CompareResult.EQUAL, targetUnion: { $case: 'value', value: enc('v1') } },
    { key: enc('k2'), target: Compare_CompareTarget.MOD, result: Compare_CompareResult.LESS, targetUnion: { $case: 'modRevision', value: 9_007_199_254_740_993n } },
    { key: enc('p/'), rangeEnd: enc('p0'), target: Compare_CompareTarget.VERSION, result: Compare_CompareResult.NOT_EQUAL, targetUnion: { $case: 'version', value: 0n } },
  ];
  const success: RequestOpInit[] = [
    { request: { $case: 'requestPut', value: { key: enc('k1'), value: enc('v2'), lease: 0x694d77aa9e38260fn } } },
    { request: { $case: 'requestRange', value: { key: enc('p/'), rangeEnd: enc('p0'), limit: 10n, keysOnly: true } } },
    {
      request: {
        $case: 'requestTxn',
        value: { success: [{ request: { $case: 'requestDeleteRange', value: { key: enc('x'), prevKv: true } } }] },
      },
    },
  ];
  const failure: RequestOpInit[] = [{ request: { $case: 'requestRange', value: { key: enc('k1') } } }];

  const bytes = KV.txn.encode({ compare, success, failure });
  const back = KV.txn.input.decode(bytes);

  assert.equal(back.compare.length, 3);
  assert.deepEqual(back.compare[0]!.targetUnion, { $case: 'value', value: enc('v1') });
  assert.deepEqual(back.compare[1]!.targetUnion, { $case: 'modRevision', value: 9_007_199_254_740_993n });
  assert.equal(back.compare[1]!.result, Compare_CompareResult.LESS);
  assert.deepEqual(back.compare[2]!.rangeEnd, enc('p0'));
  // version = 0 inside a oneof is still sent, so the case survives.
  assert.deepEqual(back.compare[2]!.targetUnion, { $case: 'version', value: 0n });

  assert.equal(back.success.length, 3);
  const put = back.success[0]!.request;
  assert.equal(put?.$case, 'requestPut');
  assert.equal(put?.$case === 'requestPut' && put.value.lease, 0x694d77aa9e38260fn);
  const range = back.success[1]!.request;
  assert.equal(range?.$case === 'requestRange' && range.value.limit, 10n);
  assert.equal(range?.$case === 'requestRange' && range.value.keysOnly, true);
  const nested = back.success[2]!.request;
  assert.equal(nested?.$case, 'requestTxn');
  const inner = nested?.$case === 'requestTxn' ? nested.value.success[0]!.request : undefined;
  assert.equal(inner?.$case, 'requestDeleteRange');
  assert.deepEqual(inner?.$case === 'requestDeleteRange' && inner.value.key, enc('x'));
  assert.equal(back.failure[0]!.request?.$case, 'requestRange');
  // Re-encoding the decoded message gives the same bytes: nothing was lost either way.
  assert.deepEqual(KV.txn.input.encode(back).finish(), bytes);

  // An op with no request set decodes with the oneof `undefined` (not an empty case object).
  const noRequest = KV.txn.input.decode(KV.txn.encode({ success: [{}] }));
  assert.equal(noRequest.success.length, 1);
  assert.equal(noRequest.success[0]!.request, undefined);

  // Compare.range_end is field 64: tag (64 << 3 | 2) = 514 = varint 0x82 0x04.
  const onlyRangeEnd = KV.txn.encode({ compare: [{ rangeEnd: enc('z') }] });
  assert.deepEqual([...onlyRangeEnd], lfield(1, lfield(64, 'z')));
  assert.deepEqual(lfield(64, 'z').slice(0, 2), [0x82, 0x04]);
});

test('RangeResponse built by hand decodes: int64 as bigint, bytes as views into the input', () => {
  const clusterId = 0xcdf818194e3a8c32n; // above 2^63: must come back unsigned
  const header = [...vfield(1, clusterId), ...vfield(2, 0x8e9e05c52164694dn), ...vfield(3, 42), ...vfield(4, 7)];
  const kv = [
    ...lfield(1, 'foo'),
    ...vfield(2, 5),
    ...vfield(3, 2n ** 53n + 1n), // not representable as a JS number
    ...vfield(4, 3),
    ...lfield(5, 'bar-value'),
    ...vfield(6, 0x7fffffffffffffffn),
  ];
  const wire = [...lfield(1, header), ...lfield(2, kv), ...vfield(3, 1), ...vfield(4, 17)];
  // Put the message at an offset inside a bigger Buffer, as a transport frame would be.
  const frame = Buffer.alloc(wire.length + 8);
  Buffer.from(wire).copy(frame, 5);
  const message = frame.subarray(5, 5 + wire.length);

  const res = KV.range.decode(message);
  assert.equal(res.header?.clusterId, clusterId);
  assert.equal(res.header?.memberId, 0x8e9e05c52164694dn);
  assert.equal(res.header?.revision, 42n);
  assert.equal(res.header?.raftTerm, 7n);
  assert.equal(res.more, true);
  assert.equal(res.count, 17n);
  assert.equal(res.kvs.length, 1);
  const pair = res.kvs[0]!;
  assert.equal(typeof pair.createRevision, 'bigint');
  assert.equal(pair.createRevision, 5n);
  assert.equal(pair.modRevision, 2n ** 53n + 1n);
  assert.equal(pair.version, 3n);
  assert.equal(pair.lease, 0x7fffffffffffffffn);
  assert.equal(Buffer.from(pair.key).toString(), 'foo');
  assert.equal(Buffer.from(pair.value).toString(), 'bar-value');

  // Zero copy: key and value share the frame's memory, and are Buffers because the input was one.
  assert.equal(pair.key.buffer, frame.buffer);
  assert.equal(pair.value.buffer, frame.buffer);
  assert.ok(Buffer.isBuffer(pair.value));
  assert.equal(pair.value.byteOffset, frame.byteOffset + frame.indexOf('bar-value'));
  frame[frame.indexOf('bar-value')] = 'B'.charCodeAt(0);
  assert.equal(pair.value.toString(), 'Bar-value');
});

test('negative int64 (10-byte varint) decodes as a negative bigint', () => {
  // LeaseTimeToLiveResponse: ID=2, TTL=3 (-1 for an expired lease), grantedTTL=4, keys=5.
  const wire = Uint8Array.from([...vfield(2, 0x1234n), ...vfield(3, -1), ...vfield(4, 60), ...lfield(5, 'k')]);
  const res = Lease.leaseTimeToLive.decode(wire);
  assert.equal(res.ID, 0x1234n);
  assert.equal(res.TTL, -1n);
  assert.equal(res.grantedTTL, 60n);
  assert.deepEqual(res.keys, [enc('k')]);
});

/** One RPC as declared in a `service` block of proto/*.proto. */
interface DeclaredRpc {
  kind: Method<unknown, unknown>['kind'];
  /** Package of the file, e.g. `etcdserverpb`. */
  pkg: string;
  request: string;
  response: string;
}

/** Reads every `rpc` of every `service` in proto/**\/*.proto, keyed by gRPC path. */
function declaredRpcs(): Map<string, DeclaredRpc> {
  const dir = join(import.meta.dirname, '..', '..', 'proto');
  const rpcs = new Map<string, DeclaredRpc>();
  const files = readdirSync(dir, { recursive: true }).map(String).filter((f) => f.endsWith('.proto'));
  assert.ok(files.length >= 5, `proto files found: ${files.join(', ')}`);
  for (const file of files) {
    const text = readFileSync(join(dir, file), 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/\/\/.*$/gm, '');
    const pkg = /^\s*package\s+([\w.]+)\s*;/m.exec(text)?.[1];
    assert.ok(pkg, `${file} has a package`);
    let service: string | undefined;
    const token = /\bservice\s+(\w+)\s*\{|\brpc\s+(\w+)\s*\(\s*(stream\s+)?([\w.]+)\s*\)\s*returns\s*\(\s*(stream\s+)?([\w.]+)\s*\)/g;
    for (const m of text.matchAll(token)) {
      if (m[1] !== undefined) {
        service = m[1];
        continue;
      }
      assert.ok(service, `rpc ${m[2]} of ${file} outside a service`);
      const kind = m[3] && m[5] ? 'bidi' : m[5] ? 'server-stream' : m[3] ? undefined : 'unary';
      assert.ok(kind, `${m[2]}: etcd has no client-streaming RPC`);
      rpcs.set(`/${pkg}.${service}/${m[2]}`, { kind, pkg, request: m[4]!, response: m[6]! });
    }
  }
  return rpcs;
}

/** A service definition as ts-proto generates it (`outputServices=generic-definitions`). */
interface ServiceDefinition {
  fullName: string;
  methods: Record<string, { name: string; requestType: unknown; responseType: unknown; requestStream: boolean; responseStream: boolean }>;
}

test('every Method matches an RPC of proto/*.proto and of the generated service definitions, and every RPC has one', () => {
  const namespaces: Record<string, Record<string, unknown>> = { etcdserverpb, mvccpb, authpb, v3lockpb, v3electionpb };
  const defined = new Map<string, { key: string; method: ServiceDefinition['methods'][string] }>();
  for (const ns of Object.values(namespaces)) {
    for (const value of Object.values(ns)) {
      if (typeof value !== 'object' || value === null || !('fullName' in value) || !('methods' in value)) continue;
      const def = value as ServiceDefinition;
      for (const [key, method] of Object.entries(def.methods)) defined.set(`/${def.fullName}/${method.name}`, { key, method });
    }
  }
  const declared = declaredRpcs();
  // The generator and the .proto files agree on the set of RPCs.
  assert.deepEqual([...defined.keys()].sort(), [...declared.keys()].sort());

  /** The generated codec object for a message named in a .proto file (`LeaderRequest`, `pkg.Msg`). */
  const codecOf = (pkg: string, name: string): unknown => {
    const dot = name.lastIndexOf('.');
    const ns = namespaces[dot < 0 ? pkg : name.slice(0, dot)];
    assert.ok(ns, `no generated namespace for ${name}`);
    const codec = ns[dot < 0 ? name : name.slice(dot + 1)];
    assert.ok(codec !== undefined, `no generated codec for ${name}`);
    return codec;
  };

  const seen = new Set<string>();
  for (const [serviceName, group] of Object.entries(SERVICES)) {
    for (const [key, method] of Object.entries(group)) {
      assert.match(method.path, /^\/(etcdserverpb|v3lockpb|v3electionpb)\.[A-Z][A-Za-z]*\/[A-Z][A-Za-z]*$/);
      assert.ok(method.path.startsWith(`/${serviceName}/`), `${method.path} is not in ${serviceName}`);
      const rpc = declared.get(method.path);
      assert.ok(rpc, `${method.path} is not an rpc of proto/*.proto`);
      assert.equal(method.kind, rpc.kind, `${method.path} kind`);
      assert.equal(method.input, codecOf(rpc.pkg, rpc.request), `${method.path} request type ${rpc.request}`);
      assert.equal(method.output, codecOf(rpc.pkg, rpc.response), `${method.path} response type ${rpc.response}`);
      const def = defined.get(method.path);
      assert.ok(def, `${method.path} is not in the generated service definitions`);
      assert.equal(key, def.key, `${serviceName} key for ${def.method.name}`);
      assert.equal(method.input, def.method.requestType, `${method.path} request codec`);
      assert.equal(method.output, def.method.responseType, `${method.path} response codec`);
      assert.equal(method.kind === 'bidi', def.method.requestStream, `${method.path} request stream`);
      assert.equal(method.kind !== 'unary', def.method.responseStream, `${method.path} response stream`);
      assert.ok(method.retry === 'read' || method.retry === 'write');
      assert.ok(!seen.has(method.path), `${method.path} twice`);
      seen.add(method.path);
    }
  }
  assert.deepEqual([...seen].sort(), [...declared.keys()].sort());
  assert.equal(seen.size, 48); // KV 5, Watch 1, Lease 5, Cluster 5, Maintenance 8, Auth 17, Lock 2, Election 5
});

test('retry classes follow the Go client (repeatable = read), except LeaseGrant and LeaseRevoke (writes)', () => {
  const reads = Object.values(SERVICES)
    .flatMap((group) => Object.values(group))
    .filter((m) => m.retry === 'read')
    .map((m) => m.path.slice(m.path.lastIndexOf('/') + 1))
    .sort();
  assert.deepEqual(reads, [
    'Alarm', 'Hash', 'HashKV', 'Leader', 'LeaseKeepAlive', 'LeaseLeases', 'LeaseTimeToLive', 'MemberList', 'MoveLeader', 'Observe', 'Range', 'RoleGet', 'RoleList', 'Snapshot',
    'Status', 'UserGet', 'UserList', 'Watch',
  ]);
});
