/**
 * Go `ExampleAuth` (client/v3 example_auth_test.go): a root user and a user `u` whose role `r`
 * may read and write the keys ["foo", "zoo"); auth enabled; `u` may put `foo1` but not write
 * `zoo1`; root reads the role back and disables auth again. Prints:
 *
 * ```
 * etcdserver: permission denied
 * user u permission: key "foo", range end "zoo"
 * ```
 *
 * Needs a cluster where auth is off and no `root` user exists yet.
 * Run: `npx tsx examples/auth.ts` (endpoints from ETCD_ENDPOINTS, default http://127.0.0.1:2379).
 */
import { Client, compare, EtcdServerError, op } from '../src/index.js';
import { DIAL_TIMEOUT_MS, runIfMain } from './run.js';

export async function main(endpoints: string[]): Promise<void> {
  await using client = new Client({ endpoints, dialTimeout: DIAL_TIMEOUT_MS });
  await client.auth.roleAdd('root');
  await client.auth.userAdd('root', '123');
  await client.auth.userGrantRole('root', 'root');

  await client.auth.roleAdd('r');
  await client.auth.roleGrantPermission('r', { type: 'readwrite', key: 'foo', rangeEnd: 'zoo' });
  await client.auth.userAdd('u', '123');
  await client.auth.userGrantRole('u', 'r');
  await client.auth.authEnable();

  // A client that authenticates as `u` (before its first call) and sends its token with each call.
  await using clientAuth = new Client({ endpoints, dialTimeout: DIAL_TIMEOUT_MS, username: 'u', password: '123' });
  await clientAuth.put('foo1', 'bar');
  try {
    await clientAuth
      .txn()
      .if(compare.value('zoo1', '>', 'abc'))
      .then(op.put('zoo1', 'XYZ'))
      .else(op.put('zoo1', 'ABC'))
      .commit();
  } catch (error) {
    // `details` is etcd's own text: the key "zoo1" is outside [foo, zoo)
    console.log(error instanceof EtcdServerError ? error.details : String(error));
  }

  // now check the permission with the root account
  await using rootClient = new Client({ endpoints, dialTimeout: DIAL_TIMEOUT_MS, username: 'root', password: '123' });
  const response = await rootClient.auth.roleGet('r');
  const perm = response.perm[0]!;
  console.log(`user u permission: key ${JSON.stringify(perm.key.toString())}, range end ${JSON.stringify(perm.rangeEnd.toString())}`);

  await rootClient.auth.authDisable();
}

runIfMain(import.meta.url, main);
