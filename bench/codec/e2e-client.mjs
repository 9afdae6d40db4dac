#!/usr/bin/env node
// One end-to-end measurement in a fresh process against a running etcd:
//   node e2e-client.mjs <codec> <scenario> <port> <etcdPid> [warmMs] [windowMs]
// Closed loop: C workers each keep one unary call in flight on ONE HTTP/2 session. Each op builds
// the request from the public shape, encodes, calls, decodes and converts to the public shape, and
// checks the result. Prints one JSON line (ops/s, client CPU µs/op, p50/p99, etcd and foreign load).
import { loadCodec } from './codecs/index.mjs';
import { connect, unary } from './grpc-unary.mjs';
import { startWindow } from './loadstat.mjs';
import { bytesOf } from './fixtures.mjs';

const [codecName, scenario, portArg, etcdPidArg, warmArg, windowArg] = process.argv.slice(2);
const warmMs = Number(warmArg ?? 1000);
const windowMs = Number(windowArg ?? 3000);
const codec = await loadCodec(codecName);

const RANGE = '/etcdserverpb.KV/Range';
const PUT = '/etcdserverpb.KV/Put';
const EMPTY = Buffer.alloc(0);
const oneKey = { key: Buffer.from('bench/one'), rangeEnd: EMPTY, limit: 0, revision: 0, serializable: true };
const manyKeys = { key: Buffer.from('bench/many/'), rangeEnd: Buffer.from('bench/many0'), limit: 0, revision: 0, serializable: true };
const putKeys = Array.from({ length: 1000 }, (_, i) => Buffer.from(`bench/put/${String(i).padStart(6, '0')}`));
const putValue = bytesOf(256, 99);
let putSeq = 0;

const range = (req, n) => async (s) => {
  const r = codec.decodeRange(await unary(s, RANGE, codec.encodeRange(req)));
  if (r.kvs.length !== n || r.kvs[n - 1].value.length !== 256 || r.header.revision <= 0) throw new Error('bad Range response');
};
const put = async (s) => {
  const body = codec.encodePut({ key: putKeys[putSeq++ % 1000], value: putValue, lease: 0n });
  const r = codec.decodePut(await unary(s, PUT, body));
  if (r.header.revision <= 0) throw new Error('bad Put response');
};
const SCENARIOS = {
  range1_c1: [range(oneKey, 1), 1],
  range1_c64: [range(oneKey, 1), 64],
  put_c64: [put, 64],
  range1000_c1: [range(manyKeys, 1000), 1],
  range1000_c8: [range(manyKeys, 1000), 8],
};
const sc = SCENARIOS[scenario];
if (!sc) throw new Error(`unknown scenario '${scenario}'; known: ${Object.keys(SCENARIOS).join(', ')}`);
const [op, concurrency] = sc;

const session = await connect(Number(portArg));
let measuring = false;
let stopped = false;
let ops = 0;
let lat = new Float64Array(1 << 16);

async function worker() {
  while (!stopped) {
    const t0 = performance.now();
    await op(session);
    if (measuring) {
      if (ops === lat.length) { const bigger = new Float64Array(lat.length * 2); bigger.set(lat); lat = bigger; }
      lat[ops++] = performance.now() - t0;
    }
  }
}

const workers = Array.from({ length: concurrency }, worker);
await new Promise((r) => setTimeout(r, warmMs));
const win = startWindow(Number(etcdPidArg));
const c0 = process.cpuUsage();
measuring = true;
await new Promise((r) => setTimeout(r, windowMs));
measuring = false;
const c1 = process.cpuUsage(c0);
const n = ops;
const load = win.end((c1.user + c1.system) / 1e6);
stopped = true;
await Promise.all(workers);
session.close();

const sorted = lat.subarray(0, n).sort();
const pct = (p) => sorted[Math.min(n - 1, Math.floor(p * n))] * 1000;
console.log(JSON.stringify({
  codec: codecName, scenario, ops: n,
  opsPerSec: n / load.seconds,
  cpuUsPerOp: (c1.user + c1.system) / n,
  p50Us: pct(0.5), p99Us: pct(0.99),
  ...load,
}));
