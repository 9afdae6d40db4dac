/**
 * Go `clientv3/naming` (its package documentation: `etcdAdd`, `etcdAdd` with a lease,
 * `etcdDelete`): register endpoints of a service, one of them attached to a lease, list them, and
 * delete one. Prints the endpoints listed before and after the delete.
 * Run: `npx tsx examples/naming-endpoints.ts` (endpoints from ETCD_ENDPOINTS, default http://127.0.0.1:2379).
 */
import { Client } from '../src/index.js';
import { EndpointManager } from '../src/naming/index.js';
import { DIAL_TIMEOUT_MS, REQUEST_TIMEOUT_MS, runIfMain } from './run.js';

export async function main(endpoints: string[]): Promise<void> {
  await using client = new Client({ endpoints, dialTimeout: DIAL_TIMEOUT_MS });
  const service = 'my-service';
  const manager = new EndpointManager(client, service);

  // register an endpoint: the key is <service>/<addr>, as in Go's etcdAdd
  await manager.addEndpoint(`${service}/10.0.0.1:50051`, { addr: '10.0.0.1:50051' }, { timeout: REQUEST_TIMEOUT_MS });

  // or an expiring one, attached to a lease (kept alive by the process that serves it)
  const lease = await client.lease.grant(30, { timeout: REQUEST_TIMEOUT_MS });
  await manager.addEndpoint(`${service}/10.0.0.2:50051`, { addr: '10.0.0.2:50051', metadata: { zone: 'b' } }, { lease: lease.id, timeout: REQUEST_TIMEOUT_MS });

  for (const [key, endpoint] of await manager.list({ timeout: REQUEST_TIMEOUT_MS })) {
    console.log(`${key} -> ${endpoint.addr} ${JSON.stringify(endpoint.metadata ?? null)}`);
  }

  // force delete an endpoint, as Go's etcdDelete
  await manager.deleteEndpoint(`${service}/10.0.0.1:50051`, { timeout: REQUEST_TIMEOUT_MS });
  console.log(`after delete: ${[...(await manager.list({ timeout: REQUEST_TIMEOUT_MS })).keys()].join(', ')}`);

  await client.lease.revoke(lease.id, { timeout: REQUEST_TIMEOUT_MS }); // its endpoint goes with it
}

runIfMain(import.meta.url, main);
