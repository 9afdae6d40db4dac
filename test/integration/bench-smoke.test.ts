// `npm run bench -- --smoke`: the benchmark harness starts etcd, runs one workload (put at 16 in
// flight, a few hundred ops) with etcd-ts and with the etcd3 package, and prints the table.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { test } from 'node:test';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

test('the bench harness runs a workload with both clients and prints ratios', { timeout: 90_000 }, async () => {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--smoke'], {
    cwd: ROOT,
    timeout: 80_000,
  });
  const rows = stdout.split('\n');
  const tsRow = rows.find((line) => /│ put-c16\s+│ etcd-ts\s+│/.test(line));
  const etcd3Row = rows.find((line) => /│\s+│ etcd3\s+│/.test(line));
  assert.ok(tsRow !== undefined, `no etcd-ts row for put-c16 in:\n${stdout}`);
  assert.ok(etcd3Row !== undefined, `no etcd3 row in:\n${stdout}`);
  // ops/s and the ratio against etcd3 are numbers.
  assert.match(tsRow, /│ put-c16\s+│ etcd-ts\s+│ [\d,]+\s+│ \d+\.\d\dx\s+│/);
  assert.match(etcd3Row, /│ etcd3\s+│ [\d,]+\s+│/);
  assert.match(stdout, /Ratios are etcd-ts \/ etcd3/);
});
