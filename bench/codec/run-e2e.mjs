#!/usr/bin/env node
// End-to-end benchmark against a real etcd started here (etcd on CPU 0, each client process on
// CPU 1): loads bench/one and bench/many/0000..0999 (256-byte values), then runs every
// (codec, scenario) in a fresh client process, compacting between reps. etcd is killed and its
// data dir removed at the end, also on failure.
//   node run-e2e.mjs [--reps=5] [--warm=1000] [--window=2500] [--etcdCpu=0] [--clientCpu=1]
//                    [--scenarios=range1000_c1,range1_c1,range1_c64,put_c64]   (also: range1000_c8)
import { create, toBinary } from '@bufbuild/protobuf';
import { CompactionRequestSchema, PutRequestSchema } from './gen/es/etcdserverpb/rpc_pb.js';
import { CODECS } from './codecs/index.mjs';
import { decodePut } from './codecs/es.mjs';
import { startEtcd } from './etcd.mjs';
import { bytesOf } from './fixtures.mjs';
import { connect, unary } from './grpc-unary.mjs';
import { options, runMatrix, runNode } from './runner.mjs';
import { report } from './report.mjs';

const o = options({ reps: 5, warm: 1000, window: 2500, etcdCpu: 0, clientCpu: 1, scenarios: 'range1000_c1,range1_c1,range1_c64,put_c64' });
const SCENARIOS = o.scenarios.split(',');

const etcd = await startEtcd({ cpu: o.etcdCpu });
let file;
try {
  const s = await connect(etcd.port);
  const put = (key, value) => unary(s, '/etcdserverpb.KV/Put', toBinary(PutRequestSchema, create(PutRequestSchema, { key: Buffer.from(key), value })));
  await put('bench/one', bytesOf(256, 1));
  for (let i = 0; i < 1000; i += 50) {
    await Promise.all(Array.from({ length: 50 }, (_, j) => put(`bench/many/${String(i + j).padStart(4, '0')}`, bytesOf(256, i + j + 2))));
  }
  const compact = async () => {
    const { header } = decodePut(await put('bench/marker', Buffer.from('x')));
    await unary(s, '/etcdserverpb.KV/Compact', toBinary(CompactionRequestSchema, create(CompactionRequestSchema, { revision: BigInt(header.revision), physical: true })));
  };
  file = await runMatrix({
    kind: 'e2e', codecs: CODECS, scenarios: SCENARIOS, reps: o.reps,
    runOne: (codec, scenario) => runNode(['e2e-client.mjs', codec, scenario, String(etcd.port), String(etcd.pid), String(o.warm), String(o.window)], o.clientCpu),
    afterRep: compact,
  });
  s.close();
} finally {
  await etcd.stop();
}
console.log(report(file));
