/**
 * Go's `clientv3/namespace` doc (`cli.KV = namespace.NewKV(cli.KV, "my-prefix/")`, the same for
 * `Watcher` and `Lease`) with a session built on it: a session, a lock, an election, an STM
 * transaction and a queue on `client.namespace('my-prefix/')`, no cast. Every key they write is
 * under `my-prefix/`; the view reads them without it. Prints, in order:
 * `lock key: my-prefix/my-lock/<lease hex>`, `leader: my-election/<lease hex> = node-1`,
 * `counter: 1`, `job: job-1`, `keys under my-prefix/: my-prefix/counter`.
 * Run: `npx tsx examples/namespace-concurrency.ts` (endpoints from ETCD_ENDPOINTS, default http://127.0.0.1:2379).
 */
import { Election, Mutex, Session, stm } from '../src/concurrency/index.js';
import { Client } from '../src/index.js';
import { Queue } from '../src/recipes/index.js';
import { DIAL_TIMEOUT_MS, runIfMain } from './run.js';

export async function main(endpoints: string[]): Promise<void> {
  await using client = new Client({ endpoints, dialTimeout: DIAL_TIMEOUT_MS });
  await client.delete('my-prefix/', { prefix: true });

  // Go: cli.KV, cli.Watcher, cli.Lease = namespace.NewKV/NewWatcher/NewLease(..., "my-prefix/")
  const app = client.namespace('my-prefix/');

  // Go: concurrency.NewSession(cli): the session's keys go through the view.
  await using session = await Session.create(app, { ttl: 10 });

  const mutex = new Mutex(session, 'my-lock'); // etcdctl lock my-prefix/my-lock is the same lock
  await mutex.lock();
  const { kvs } = await client.get('my-prefix/my-lock/', { prefix: true }); // the plain client: full keys
  console.log(`lock key: ${kvs[0]?.key.toString()}`);
  await mutex.unlock();

  const election = new Election(session, 'my-election'); // etcdctl elect my-prefix/my-election
  await election.campaign('node-1');
  const leader = (await election.leader()).kvs[0]; // the view: keys without the prefix
  console.log(`leader: ${leader?.key.toString()} = ${leader?.value.toString()}`);
  await election.resign();

  await stm(app, async (s) => {
    s.put('counter', String(Number((await s.get('counter')).toString() || '0') + 1));
  });
  console.log(`counter: ${(await app.get('counter')).kvs[0]?.value.toString()}`);

  const queue = new Queue(app, 'jobs');
  await queue.enqueue('job-1');
  console.log(`job: ${(await queue.dequeue()).toString()}`);

  // Left: the counter (the lock, the candidacy and the job are gone), under the prefix.
  const left = await client.get('my-prefix/', { prefix: true, keysOnly: true });
  console.log(`keys under my-prefix/: ${left.kvs.map((kv) => kv.key.toString()).join(', ')}`);
  await client.delete('my-prefix/', { prefix: true });
}

runIfMain(import.meta.url, main);
