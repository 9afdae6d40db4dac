// Starts one real etcd for the end-to-end benchmark: 127.0.0.1 on free ports, data dir in a fresh
// mkdtemp under /dev/shm, pinned to one core with taskset. `stop()` kills it and removes the data
// dir; the same happens on process exit and on SIGINT/SIGTERM, so a failed run leaves nothing.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { create, toBinary } from '@bufbuild/protobuf';
import { RangeRequestSchema } from './gen/es/etcdserverpb/rpc_pb.js';
import { connect, unary } from './grpc-unary.mjs';

const ETCD_BIN = process.env.ETCD_BIN ?? '/usr/bin/etcd';
const READY_TIMEOUT_MS = 20_000;

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Starts etcd on CPU `cpu`; resolves with { pid, port, dataDir, stop } once it serves a Range. */
export async function startEtcd({ cpu }) {
  const dataDir = mkdtempSync('/dev/shm/etcd-ts-bench-codec-');
  const port = await freePort();
  const peer = await freePort();
  const client = `http://127.0.0.1:${port}`;
  const peerUrl = `http://127.0.0.1:${peer}`;
  const child = spawn('taskset', ['-c', String(cpu), ETCD_BIN,
    '--name', 'bench', '--data-dir', dataDir,
    '--listen-client-urls', client, '--advertise-client-urls', client,
    '--listen-peer-urls', peerUrl, '--initial-advertise-peer-urls', peerUrl,
    '--initial-cluster', `bench=${peerUrl}`,
    '--quota-backend-bytes', String(8 * 1024 ** 3),
    '--logger', 'zap', '--log-level', 'error',
  ], { stdio: ['ignore', 'ignore', 'inherit'] });
  let exited = false;
  child.once('exit', () => { exited = true; });

  const cleanupSync = () => {
    if (!exited) { try { child.kill('SIGKILL'); } catch {} }
    rmSync(dataDir, { recursive: true, force: true });
  };
  const onSignal = (sig) => { cleanupSync(); process.exit(sig === 'SIGINT' ? 130 : 143); };
  process.once('exit', cleanupSync);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const stop = async () => {
    if (!exited) {
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await gone;
      clearTimeout(timer);
    }
    rmSync(dataDir, { recursive: true, force: true });
    process.removeListener('exit', cleanupSync);
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  };

  const deadline = Date.now() + READY_TIMEOUT_MS;
  const probe = toBinary(RangeRequestSchema, create(RangeRequestSchema, { key: Buffer.from('probe') }));
  for (;;) {
    if (exited) { await stop(); throw new Error(`etcd exited during start (${ETCD_BIN})`); }
    try {
      const s = await connect(port);
      try { await unary(s, '/etcdserverpb.KV/Range', probe); } finally { s.close(); }
      break;
    } catch (err) {
      if (Date.now() > deadline) { await stop(); throw new Error(`etcd not ready after ${READY_TIMEOUT_MS} ms: ${err.message}`); }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return { pid: child.pid, port, dataDir, stop };
}
