/**
 * Go `ExampleWatcher_watchWithPrefix`: watch every key starting with `foo`. Prints
 * `PUT "foo1" : "bar"`.
 *
 * As in examples/watch.ts, the write is made here once the watch is created, and the loop ends
 * after one event.
 * Run: `npx tsx examples/watch-with-prefix.ts` (endpoints from ETCD_ENDPOINTS, default http://127.0.0.1:2379).
 */
import { Client } from '../src/index.js';
import { DIAL_TIMEOUT_MS, REQUEST_TIMEOUT_MS, runIfMain } from './run.js';

export async function main(endpoints: string[]): Promise<void> {
  await using client = new Client({ endpoints, dialTimeout: DIAL_TIMEOUT_MS });

  for await (const wresp of client.watch('foo', { prefix: true })) {
    if (wresp.created) {
      await client.put('foo1', 'bar', { timeout: REQUEST_TIMEOUT_MS });
      continue;
    }
    for (const ev of wresp.events) {
      console.log(`${ev.type.toUpperCase()} ${JSON.stringify(ev.kv.key.toString())} : ${JSON.stringify(ev.kv.value.toString())}`);
    }
    break;
  }
}

runIfMain(import.meta.url, main);
