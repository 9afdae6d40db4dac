/**
 * etcd-ts/naming: service discovery in etcd, as Go's `clientv3/naming` packages: an
 * {@link EndpointManager} that registers, lists and watches the endpoints of a service (the Go
 * client's key layout and JSON values, so Go and TypeScript services find each other), and a
 * resolver for @grpc/grpc-js channels to `etcd:///<service>`.
 *
 * ```ts
 * import { EndpointManager, registerGrpcResolver } from 'etcd-ts/naming';
 * import * as grpc from '@grpc/grpc-js';
 *
 * // a server registers itself while its lease lives
 * const manager = new EndpointManager(client, 'my-service');
 * const { id } = await client.lease.grant(10);
 * await manager.addEndpoint('my-service/10.0.0.5:50051', { addr: '10.0.0.5:50051' }, { lease: id });
 * client.lease.keepAlive(id);
 *
 * // a caller dials the service by name
 * registerGrpcResolver(client, { grpc });
 * const channel = new grpc.Client('etcd:///my-service', grpc.credentials.createInsecure());
 * ```
 *
 * @module etcd-ts/naming
 */
export type { Endpoint } from './endpoint-value.js';
export {
  EndpointManager,
  EndpointWatch,
  type AddEndpointOptions,
  type EndpointUpdate,
  type EndpointUpdateRequest,
  type EndpointUpdateResponse,
  type EndpointWatchOptions,
  type NamingClient,
} from './endpoints.js';
export {
  DEFAULT_RESOLVER_SCHEME,
  RESOLVER_RESTART_DELAY_MS,
  registerGrpcResolver,
  type GrpcJsModule,
  type GrpcResolverOptions,
} from './grpc-resolver.js';
