/**
 * Go `ExampleKV_txn`: a transaction whose compare holds, so its `then` branch runs.
 * Prints `key : XYZ`.
 * Run: `npx tsx examples/kv-txn.ts` (endpoints from ETCD_ENDPOINTS, default http://127.0.0.1:2379).
 */
import { Client, compare, op } from '../src/index.js';
import { DIAL_TIMEOUT_MS, REQUEST_TIMEOUT_MS, runIfMain } from './run.js';

export async function main(endpoints: string[]): Promise<void> {
  await using client = new Client({ endpoints, dialTimeout: DIAL_TIMEOUT_MS });
  await client.put('key', 'xyz');

  await client
    .txn()
    // txn value comparisons are lexical
    .if(compare.value('key', '>', 'abc'))
    // the "then" runs, since "xyz" > "abc"
    .then(op.put('key', 'XYZ'))
    // the "else" does not run
    .else(op.put('key', 'ABC'))
    .commit({ timeout: REQUEST_TIMEOUT_MS });

  const response = await client.get('key');
  for (const kv of response.kvs) {
    console.log(`${kv.key} : ${kv.value}`);
  }
}

runIfMain(import.meta.url, main);
