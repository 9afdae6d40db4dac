/**
 * Go `ExampleKV_do`: run ops made ahead of time, one by one. Prints nothing.
 * Run: `npx tsx examples/kv-do.ts` (endpoints from ETCD_ENDPOINTS, default http://127.0.0.1:2379).
 */
import { Client, op } from '../src/index.js';
import { DIAL_TIMEOUT_MS, runIfMain } from './run.js';

export async function main(endpoints: string[]): Promise<void> {
  await using client = new Client({ endpoints, dialTimeout: DIAL_TIMEOUT_MS });
  const ops = [op.put('put-key', '123'), op.get('put-key'), op.put('put-key', '456')];

  for (const o of ops) {
    await client.do(o);
  }
}

runIfMain(import.meta.url, main);
