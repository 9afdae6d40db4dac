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

/**
 * Example file → the Go example's `// Output:` lines, in etcd's example_kv_test.go order. A string
 * line must be equal; a RegExp must match (for a value that depends on the run, such as a revision).
 */
const EXAMPLES: Array<[file: string, goExample: string, output: Array<string | RegExp>]> = [
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
  // example_watch_test.go
  ['watch.ts', 'ExampleWatcher_watch', ['PUT "foo" : "bar"']],
  ['watch-with-prefix.ts', 'ExampleWatcher_watchWithPrefix', ['PUT "foo1" : "bar"']],
  ['watch-with-range.ts', 'ExampleWatcher_watchWithRange', ['PUT "foo1" : "bar"', 'PUT "foo2" : "bar"', 'PUT "foo3" : "bar"']],
  ['watch-with-progress-notify.ts', 'ExampleWatcher_watchWithProgressNotify', [/^wresp\.Header\.Revision: [1-9]\d*$/, 'wresp.IsProgressNotify: true']],
  // concurrency/example_mutex_test.go, example_election_test.go, example_stm_test.go
  ['concurrency-mutex-try-lock.ts', 'ExampleMutex_TryLock', ['acquired lock for s1', 'cannot acquire lock for s2, as already locked in another session', 'released lock for s1', 'acquired lock for s2']],
  ['concurrency-mutex-lock.ts', 'ExampleMutex_Lock', ['acquired lock for s1', 'released lock for s1', 'acquired lock for s2']],
  ['concurrency-election-campaign.ts', 'ExampleElection_Campaign', ['completed first election with e2', 'completed second election with e1']],
  ['concurrency-stm-apply.ts', 'ExampleSTM_apply', ['account sum is 500']],
  // namespace/doc.go (no Output: in Go) with concurrency.NewSession on the namespaced client
  [
    'namespace-concurrency.ts',
    'namespace: NewKV/NewWatcher/NewLease + NewSession',
    [/^lock key: my-prefix\/my-lock\/[0-9a-f]+$/, /^leader: my-election\/[0-9a-f]+ = node-1$/, 'counter: 1', 'job: job-1', 'keys under my-prefix/: my-prefix/counter'],
  ],
  // naming/doc.go (no Output: in Go): what the etcd-ts versions print
  ['naming-endpoints.ts', 'naming: etcdAdd, etcdDelete', ['my-service/10.0.0.1:50051 -> 10.0.0.1:50051 null', 'my-service/10.0.0.2:50051 -> 10.0.0.2:50051 {"zone":"b"}', 'after delete: my-service/10.0.0.2:50051']],
  ['naming-grpc-dial.ts', 'naming: etcdDial', ['health: SERVING']],
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
      if (output.every((line) => typeof line === 'string')) {
        assert.equal(stdout, output.map((line) => `${line}\n`).join(''));
      } else {
        const lines = stdout.split('\n');
        assert.equal(lines.pop(), '', `output ends with a newline: ${JSON.stringify(stdout)}`);
        assert.equal(lines.length, output.length, stdout);
        output.forEach((want, i) => (typeof want === 'string' ? assert.equal(lines[i], want) : assert.match(lines[i]!, want)));
      }
      assert.equal(stderr, '');
    });
  }
});
