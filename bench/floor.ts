/**
 * The bare-transport floors: the least work one Put can be on node:http2 (the request encoded once
 * up front, one `session.request()`, `end(frame)`, read the DATA and the trailers, nothing else:
 * the floor of the first transport), next to our own HTTP/2 transport alone (`unary()` with the
 * same encoded request) and etcd-ts's `client.put`, measured the same way as a bench run.
 * docs/design/performance.md uses it to say how much of a Put's CPU is the transport's.
 *
 * Usage: node --import tsx bench/floor.ts [--concurrency 16] [--window 3000] [--reps 4]
 */
import { connect, type ClientHttp2Session, type ClientHttp2Stream } from 'node:http2';
import { parseArgs } from 'node:util';
import { Client } from '../src/index.js';
import { KV } from '../src/proto/index.js';
import { encodeMessage } from '../src/transport/framing.js';
import { createConnection, parseEndpoint } from '../src/transport/index.js';
import { startBenchEtcd } from './lib/etcd.js';
import { median } from './lib/stats.js';
import { benchValue } from './lib/values.js';
import { DATA, keyOf } from './lib/workloads.js';

type Put = () => Promise<void>;

/** One Put on a bare session: request, end(frame), wait for the trailers' grpc-status. */
function barePut(session: ClientHttp2Session, frame: Buffer): Put {
  const headers = { ':method': 'POST', ':path': KV.put.path, 'content-type': 'application/grpc', te: 'trailers' };
  return () =>
    new Promise<void>((resolve, reject) => {
      const stream: ClientHttp2Stream = session.request(headers);
      let status: string | undefined;
      stream.on('data', () => {});
      stream.on('trailers', (trailers) => {
        status = trailers['grpc-status'] as string | undefined;
      });
      stream.on('error', reject);
      stream.on('close', () => (status === '0' ? resolve() : reject(new Error(`grpc-status ${status}`))));
      stream.end(frame);
    });
}

/** Client CPU per op (µs) of `put` at `concurrency` in flight over `windowMs`, after a warm-up. */
async function measure(put: Put, concurrency: number, windowMs: number): Promise<number> {
  let measuring = false;
  let stop = false;
  let ops = 0;
  const worker = async (): Promise<void> => {
    while (!stop) {
      await put();
      if (measuring) ops++;
    }
  };
  const workers = Array.from({ length: concurrency }, worker);
  await new Promise((r) => setTimeout(r, 500));
  measuring = true;
  const c0 = process.cpuUsage();
  await new Promise((r) => setTimeout(r, windowMs));
  const c = process.cpuUsage(c0);
  const n = ops;
  stop = true;
  await Promise.all(workers);
  return (c.user + c.system) / n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { concurrency: { type: 'string', default: '16' }, window: { type: 'string', default: '3000' }, reps: { type: 'string', default: '4' } },
  });
  const concurrency = Number(values.concurrency);
  const etcd = await startBenchEtcd(false, []);
  try {
    const value = benchValue(DATA.valueSize);
    const frame = encodeMessage(KV.put.encode({ key: Buffer.from(keyOf(DATA.kvPrefix, 1)), value }));
    const session = connect(etcd.endpoint);
    const message = KV.put.encode({ key: Buffer.from(keyOf(DATA.kvPrefix, 1)), value });
    const connection = createConnection(parseEndpoint(etcd.endpoint), { keepAliveTime: 0, keepAliveTimeout: 1000, maxRecvMsgSize: 1 << 30 });
    await connection.ready();
    const client = new Client({ endpoints: [etcd.endpoint] });
    await client.get('bench/connect');
    const keys = Array.from({ length: DATA.keyspace }, (_, i) => keyOf(DATA.kvPrefix, i));
    const variants: Array<[string, Put]> = [
      ['bare node:http2 request()', barePut(session, frame)],
      ['etcd-ts transport unary()', async () => void (await connection.unary(KV.put.path, message))],
      ['etcd-ts client.put', async () => void (await client.put(keys[(Math.random() * keys.length) | 0]!, value))],
    ];
    const results = new Map<string, number[]>();
    for (let rep = 0; rep < Number(values.reps); rep++) {
      for (const [name, put] of rep % 2 === 0 ? variants : [...variants].reverse()) {
        const us = await measure(put, concurrency, Number(values.window));
        results.set(name, [...(results.get(name) ?? []), us]);
        console.error(`  rep ${rep + 1} ${name}: ${us.toFixed(1)} µs/op`);
      }
    }
    for (const [name, list] of results) console.log(`${name}: median ${median(list).toFixed(1)} µs/op (${list.map((x) => x.toFixed(0)).join(', ')})`);
    session.close();
    await connection.close();
    await client.close();
  } finally {
    await etcd.cluster.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
