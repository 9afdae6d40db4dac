/**
 * Go `ExampleWatcher_watchWithRange`: watch the keys in ['foo1', 'foo4'), in lexicographical order.
 * Prints `PUT "foo1" : "bar"`, `PUT "foo2" : "bar"`, `PUT "foo3" : "bar"`.
 *
 * The writes (foo1 to foo4; foo4 is outside the range) are made here once the watch is created;
 * the loop ends after three events.
 * Run: `npx tsx examples/watch-with-range.ts` (endpoints from ETCD_ENDPOINTS, default http://127.0.0.1:2379).
 */
import { Client } from '../src/index.js';
import { DIAL_TIMEOUT_MS, REQUEST_TIMEOUT_MS, runIfMain } from './run.js';

export async function main(endpoints: string[]): Promise<void> {
  await using client = new Client({ endpoints, dialTimeout: DIAL_TIMEOUT_MS });

  let seen = 0;
  // watches within ['foo1', 'foo4'), in lexicographical order
  for await (const wresp of client.watch('foo1', { rangeEnd: 'foo4' })) {
    if (wresp.created) {
      for (const key of ['foo1', 'foo2', 'foo3', 'foo4']) await client.put(key, 'bar', { timeout: REQUEST_TIMEOUT_MS });
      continue;
    }
    for (const ev of wresp.events) {
      console.log(`${ev.type.toUpperCase()} ${JSON.stringify(ev.kv.key.toString())} : ${JSON.stringify(ev.kv.value.toString())}`);
      seen++;
    }
    if (seen >= 3) break;
  }
}

runIfMain(import.meta.url, main);
