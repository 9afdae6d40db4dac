/**
 * Go `ExampleSTM_apply`: ten concurrent transactional transfers between five account balances; the
 * sum stays the same. Prints `account sum is 500`.
 * Run: `npx tsx examples/concurrency-stm-apply.ts` (endpoints from ETCD_ENDPOINTS, default http://127.0.0.1:2379).
 */
import { stm, type Stm } from '../src/concurrency/index.js';
import { Client } from '../src/index.js';
import { DIAL_TIMEOUT_MS, REQUEST_TIMEOUT_MS, runIfMain } from './run.js';

export async function main(endpoints: string[]): Promise<void> {
  await using client = new Client({ endpoints, dialTimeout: DIAL_TIMEOUT_MS });

  // set up "accounts"
  const totalAccounts = 5;
  for (let i = 0; i < totalAccounts; i++) {
    await client.put(`accts/${i}`, '100', { timeout: REQUEST_TIMEOUT_MS });
  }

  const exchange = async (s: Stm): Promise<void> => {
    const from = Math.floor(Math.random() * totalAccounts);
    const to = Math.floor(Math.random() * totalAccounts);
    if (from === to) {
      // nothing to do
      return;
    }
    // read values
    const fromKey = `accts/${from}`;
    const toKey = `accts/${to}`;
    let fromInt = Number((await s.get(fromKey)).toString());
    let toInt = Number((await s.get(toKey)).toString());

    // transfer amount
    const xfer = Math.floor(fromInt / 2);
    fromInt -= xfer;
    toInt += xfer;

    // write back
    s.put(fromKey, String(fromInt));
    s.put(toKey, String(toInt));
  };

  // concurrently exchange values between accounts
  await Promise.all(Array.from({ length: 10 }, () => stm(client, exchange)));

  // confirm account sum matches sum from beginning.
  const accounts = await client.get('accts/', { prefix: true, timeout: REQUEST_TIMEOUT_MS });
  const sum = accounts.kvs.reduce((total, kv) => total + Number(kv.value.toString()), 0);
  console.log('account sum is', sum);
}

runIfMain(import.meta.url, main);
