/**
 * Go `clientv3/naming` (its package documentation: `etcdDial`): dial a gRPC service by name
 * through etcd. A small @grpc/grpc-js server registers itself under `my-service/`; a channel to
 * `etcd:///my-service` finds it there. Prints the health status the server answered.
 * Run: `npx tsx examples/naming-grpc-dial.ts` (endpoints from ETCD_ENDPOINTS, default http://127.0.0.1:2379).
 */
import * as grpc from '@grpc/grpc-js';

import { Client } from '../src/index.js';
import { EndpointManager, registerGrpcResolver } from '../src/naming/index.js';
import { DIAL_TIMEOUT_MS, REQUEST_TIMEOUT_MS, runIfMain } from './run.js';

/** grpc.health.v1 Check, with the messages as raw protobuf bytes (the request is empty). */
const CHECK: grpc.MethodDefinition<Buffer, Buffer> = {
  path: '/grpc.health.v1.Health/Check',
  requestStream: false,
  responseStream: false,
  requestSerialize: (b) => b,
  requestDeserialize: (b) => b,
  responseSerialize: (b) => b,
  responseDeserialize: (b) => b,
};
const SERVING = Buffer.from([0x08, 0x01]); // HealthCheckResponse { status: SERVING }

export async function main(endpoints: string[]): Promise<void> {
  await using client = new Client({ endpoints, dialTimeout: DIAL_TIMEOUT_MS });

  // a server, registered while its lease lives
  const server = new grpc.Server();
  server.addService({ Check: CHECK }, { Check: (_call: unknown, done: grpc.sendUnaryData<Buffer>) => done(null, SERVING) });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
  );
  const addr = `127.0.0.1:${port}`;
  const lease = await client.lease.grant(10, { timeout: REQUEST_TIMEOUT_MS });
  await new EndpointManager(client, 'my-service').addEndpoint(`my-service/${addr}`, { addr }, { lease: lease.id, timeout: REQUEST_TIMEOUT_MS });

  // a caller that knows only the service's name
  registerGrpcResolver(client, { grpc });
  const channel = new grpc.Client('etcd:///my-service', grpc.credentials.createInsecure());
  const answer = await new Promise<Buffer>((resolve, reject) =>
    channel.makeUnaryRequest(CHECK.path, CHECK.requestSerialize, CHECK.responseDeserialize, Buffer.alloc(0), { deadline: Date.now() + REQUEST_TIMEOUT_MS }, (e, r) =>
      e ? reject(e) : resolve(r!),
    ),
  );
  console.log(`health: ${answer.equals(SERVING) ? 'SERVING' : answer.toString('hex')}`);

  channel.close();
  server.forceShutdown();
  await client.lease.revoke(lease.id, { timeout: REQUEST_TIMEOUT_MS });
}

runIfMain(import.meta.url, main);
