/**
 * Go `ExampleMutex_Lock`: two sessions compete for one lock; the second's `lock` waits until the
 * first unlocks. Prints `acquired lock for s1`, `released lock for s1`, `acquired lock for s2`.
 * Run: `npx tsx examples/concurrency-mutex-lock.ts` (endpoints from ETCD_ENDPOINTS, default http://127.0.0.1:2379).
 */
import { Mutex, Session } from '../src/concurrency/index.js';
import { Client } from '../src/index.js';
import { DIAL_TIMEOUT_MS, runIfMain } from './run.js';

export async function main(endpoints: string[]): Promise<void> {
  await using client = new Client({ endpoints, dialTimeout: DIAL_TIMEOUT_MS });

  // create two separate sessions for lock competition
  await using s1 = await Session.create(client);
  const m1 = new Mutex(s1, '/my-lock/');
  await using s2 = await Session.create(client);
  const m2 = new Mutex(s2, '/my-lock/');

  // acquire lock for s1
  await m1.lock();
  console.log('acquired lock for s1');

  // waits until s1 unlocks /my-lock/
  const m2Locked = m2.lock();

  await m1.unlock();
  console.log('released lock for s1');

  await m2Locked;
  console.log('acquired lock for s2');
}

runIfMain(import.meta.url, main);
