/**
 * Go `ExampleWatcher_watch` (client/v3 example_watch_test.go): watch one key and print its events.
 * Prints `PUT "foo" : "bar"`.
 *
 * The Go example waits for a write made elsewhere and watches forever; this one makes the write
 * itself once the watch is created (the first response, `created`), and stops after one event.
 * Run: `npx tsx examples/watch.ts` (endpoints from ETCD_ENDPOINTS, default http://127.0.0.1:2379).
 */
import { Client } from '../src/index.js';
import { DIAL_TIMEOUT_MS, REQUEST_TIMEOUT_MS, runIfMain } from './run.js';

export async function main(endpoints: string[]): Promise<void> {
  await using client = new Client({ endpoints, dialTimeout: DIAL_TIMEOUT_MS });

  for await (const wresp of client.watch('foo')) {
    if (wresp.created) {
      await client.put('foo', 'bar', { timeout: REQUEST_TIMEOUT_MS });
      continue;
    }
    for (const ev of wresp.events) {
      console.log(`${ev.type.toUpperCase()} ${JSON.stringify(ev.kv.key.toString())} : ${JSON.stringify(ev.kv.value.toString())}`);
    }
    break; // leaving the loop cancels the watch
  }
}

runIfMain(import.meta.url, main);
