// Runs each KV example (examples/kv-*.ts, the Go client's ExampleKV_* in TypeScript) as its own
// process against one real etcd, in the Go file's order, and checks its stdout against the Go
// example's `// Output:` text.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { EtcdCluster } from '../../src/testing/index.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const EXAMPLE_TIMEOUT_MS = 30_000;

/** Example file → the Go example's `// Output:` lines, in etcd's example_kv_test.go order. */
const EXAMPLES: Array<[file: string, goExample: string, output: string[]]> = [
  ['kv-put.ts', 'ExampleKV_put', []],
  ['kv-put-error-handling.ts', 'ExampleKV_putErrorHandling', ['client-side error: etcdserver: key is not provided']],
  ['kv-get.ts', 'ExampleKV_get', ['foo : bar']],
  ['kv-get-with-rev.ts', 'ExampleKV_getWithRev', ['foo : bar1']],
  ['kv-get-sorted-prefix.ts', 'ExampleKV_getSortedPrefix', ['key_2 : value', 'key_1 : value', 'key_0 : value']],
  ['kv-delete.ts', 'ExampleKV_delete', ['Deleted all keys: true']],
  ['kv-compact.ts', 'ExampleKV_compact', []],
  ['kv-txn.ts', 'ExampleKV_txn', ['key : XYZ']],
  ['kv-do.ts', 'ExampleKV_do', []],
  // example_lease_test.go
  ['lease-grant.ts', 'ExampleLease_grant', []],
  ['lease-revoke.ts', 'ExampleLease_revoke', ['number of keys: 0']],
  ['lease-keep-alive.ts', 'ExampleLease_keepAlive', ['ttl: 5']],
  ['lease-keep-alive-once.ts', 'ExampleLease_keepAliveOnce', ['ttl: 5']],
];

let cluster: EtcdCluster;

function run(file: string): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', `examples/${file}`],
      {
        cwd: ROOT,
        env: { ...process.env, ETCD_ENDPOINTS: cluster.endpoints.join(',') },
        timeout: EXAMPLE_TIMEOUT_MS,
      },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`examples/${file} failed: ${error.message}\n${stderr}`));
        else resolve({ stdout, stderr });
      },
    );
  });
}

describe('KV examples print what the Go examples print', { timeout: EXAMPLES.length * EXAMPLE_TIMEOUT_MS }, () => {
  before(async () => {
    cluster = await EtcdCluster.start({ size: 1 });
  });
  after(async () => {
    await cluster?.close();
  });

  for (const [file, goExample, output] of EXAMPLES) {
    test(`examples/${file} (${goExample})`, async () => {
      const { stdout, stderr } = await run(file);
      assert.equal(stdout, output.map((line) => `${line}\n`).join(''));
      assert.equal(stderr, '');
    });
  }
});
