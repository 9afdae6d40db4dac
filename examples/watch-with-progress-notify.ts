/**
 * Go `ExampleWatcher_watchWithProgressNotify`: a watch with progress notifications, which tell the
 * store's revision while nothing changes. Prints `wresp.Header.Revision: <the store's revision>`
 * and `wresp.IsProgressNotify: true`.
 *
 * etcd sends them every 10 minutes by default (server flag
 * `--experimental-watch-progress-notify-interval`); `requestProgress()` asks for one now, so the
 * example does not wait that long.
 * Run: `npx tsx examples/watch-with-progress-notify.ts` (endpoints from ETCD_ENDPOINTS, default http://127.0.0.1:2379).
 */
import { Client } from '../src/index.js';
import { DIAL_TIMEOUT_MS, runIfMain } from './run.js';

export async function main(endpoints: string[]): Promise<void> {
  await using client = new Client({ endpoints, dialTimeout: DIAL_TIMEOUT_MS });

  const watcher = client.watch('foo', { progressNotify: true });
  for await (const wresp of watcher) {
    if (wresp.created) {
      watcher.requestProgress();
      continue;
    }
    console.log(`wresp.Header.Revision: ${wresp.header.revision}`);
    console.log('wresp.IsProgressNotify:', wresp.isProgressNotify);
    break;
  }
}

runIfMain(import.meta.url, main);
