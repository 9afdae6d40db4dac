// `etcdts check perf` and `check datascale` (etcdctl 3.4/3.5 commands) against a real etcd: the
// verdict lines in etcdctl's format, the exit code that goes with them, the keys deleted afterwards;
// and etcdctl's own errors side by side (an unknown --load, a prefix that holds keys).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import type { Client } from '../../src/index.js';
import { EtcdCluster } from '../../src/testing/index.js';
import { etcdctl, etcdts } from '../helpers/etcdts.js';
import { errorLine } from '../helpers/side-by-side.js';

let cluster: EtcdCluster;
let client: Client;
let endpoint: string;

before(async () => {
  cluster = await EtcdCluster.start({ size: 1 });
  client = cluster.client();
  endpoint = cluster.endpoints[0]!;
});

after(async () => {
  await cluster?.close();
});

/** Runs both with `args` and compares the exit code and the Error line. */
async function sameError(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const full = ['--endpoints', endpoint, ...args];
  const [theirs, ours] = await Promise.all([etcdctl(full), etcdts(full)]);
  const what = `${args.join(' ')}\n etcdctl: ${theirs.stderr}\n etcdts: ${ours.stderr}`;
  assert.equal(ours.code, theirs.code, what);
  assert.equal(errorLine(ours.stderr), errorLine(theirs.stderr), what);
  assert.equal(ours.stdout.toString(), '', what);
  return { code: ours.code, stderr: ours.stderr };
}

describe('etcdts check', { timeout: 240_000 }, () => {
  test('bad use, as etcdctl: an unknown --load (exit 4), a prefix that holds keys (exit 3)', async () => {
    assert.equal((await sameError(['check', 'perf', '--load', 'huge'])).code, 4);
    assert.equal((await sameError(['check', 'datascale', '--load', 'tiny'])).code, 4);
    await client.put('/etcdctl-check-perf/x', 'taken');
    await client.put('busy/x', 'taken');
    assert.equal((await sameError(['check', 'perf'])).code, 3);
    assert.equal((await sameError(['check', 'datascale', '--prefix', 'busy/'])).code, 3);
    await client.delete('/etcdctl-check-perf/', { prefix: true });
  });

  test('check perf --load s: 60 s of puts, the verdict in etcdctl\'s words, the keys deleted, --auto-compact, --auto-defrag', { timeout: 150_000 }, async () => {
    const r = await etcdts(['--endpoints', endpoint, 'check', 'perf', '--load', 'small', '--auto-compact', '--auto-defrag'], { timeout: 140_000 });
    const lines = r.stdout.toString().split('\n');
    assert.equal(lines.pop(), '');
    const verdict = lines.slice(-4);
    assert.match(lines[0]!, /^Compacting with revision \d+$/, r.stdout.toString());
    assert.match(lines[1]!, /^Compacted with revision \d+$/);
    assert.equal(lines[2], `Defragmenting ${JSON.stringify(endpoint)}`);
    assert.equal(lines[3], `Defragmented ${JSON.stringify(endpoint)}`);
    assert.match(verdict[0]!, /^(PASS: Throughput is|FAIL: Throughput too low:) \d+ writes\/s$/);
    assert.match(verdict[1]!, /^(PASS: Slowest request took|Slowest request took too long:) \d+\.\d{6}s$/);
    assert.match(verdict[2]!, /^(PASS: Stddev is|Stddev too high:) \d+\.\d{6}s$/);
    assert.match(verdict[3]!, /^(PASS|FAIL)$/);
    // The throughput is near the load's 150 writes/s whatever the verdict on this busy machine.
    const writes = Number(/(\d+) writes\/s/.exec(verdict[0]!)![1]);
    assert.ok(writes > 50 && writes <= 160, verdict[0]);
    assert.equal(r.code, verdict[3] === 'PASS' ? 0 : 1, r.stderr);
    assert.equal((await client.get('/etcdctl-check-perf/', { prefix: true, countOnly: true })).count, 0);
  });

  test('check datascale --load s: 10000 keys, the memory used, the keys deleted', { timeout: 120_000 }, async () => {
    const r = await etcdts(['--endpoints', endpoint, 'check', 'datascale'], { timeout: 110_000 });
    assert.equal(r.code, 0, r.stderr + r.stdout.toString());
    assert.match(
      r.stdout.toString(),
      /^Start data scale check for work load \[10000 key-value pairs, 1024 bytes per key-value, 50 concurrent clients\]\.\nPASS: Approximate system memory used : -?\d+\.\d\d MB\.\n$/,
    );
    assert.equal((await client.get('/etcdctl-check-datascale/', { prefix: true, countOnly: true })).count, 0);
    // One delete removed the 10000 keys (one revision), after 10000 puts.
    const rev = (await client.get('x')).header.revision;
    assert.ok(rev >= 10_001, String(rev));
  });

  test('check datascale on an endpoint without /metrics: etcdctl\'s FAIL line, exit 1', async () => {
    const r = await etcdts(['--endpoints', `${endpoint},127.0.0.1:1`, 'check', 'datascale'].map((a) => (a.includes(',') ? `127.0.0.1:1,${endpoint}` : a)));
    assert.equal(r.code, 1);
    assert.match(r.stdout.toString(), /^fetch error: .*\nFAIL: Could not read process_resident_memory_bytes before the put operations\.\n$/);
  });
});
