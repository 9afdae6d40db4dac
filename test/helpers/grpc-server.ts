/**
 * Small @grpc/grpc-js servers for the service-discovery tests, on 127.0.0.1 and a port the OS
 * picks. Each answers two unary methods with identity serializers: `/etcdts.test.Who/Name` (its
 * name, as bytes) and `/grpc.health.v1.Health/Check` (SERVING, the message Go's health client
 * decodes: field 1 = 1), so a Go program can call it too.
 */
import * as grpc from '@grpc/grpc-js';

/** Path of the method that answers with the server's name. */
export const WHO_METHOD = '/etcdts.test.Who/Name';
/** grpc.health.v1.HealthCheckResponse { status: SERVING } in protobuf. */
const SERVING = Buffer.from([0x08, 0x01]);

const identity = (b: Buffer): Buffer => b;
const unary = (path: string): grpc.MethodDefinition<Buffer, Buffer> => ({
  path,
  requestStream: false,
  responseStream: false,
  requestSerialize: identity,
  requestDeserialize: identity,
  responseSerialize: identity,
  responseDeserialize: identity,
});

/** A running server: its `host:port` and a stop that drops its connections. */
export interface NamedServer {
  name: string;
  addr: string;
  stop(): void;
}

/** Starts a server that answers `WHO_METHOD` with `name`. */
export async function startNamedServer(name: string): Promise<NamedServer> {
  const server = new grpc.Server();
  server.addService(
    { Name: unary(WHO_METHOD), Check: unary('/grpc.health.v1.Health/Check') },
    {
      Name: (_call: grpc.ServerUnaryCall<Buffer, Buffer>, done: grpc.sendUnaryData<Buffer>) => done(null, Buffer.from(name)),
      Check: (_call: grpc.ServerUnaryCall<Buffer, Buffer>, done: grpc.sendUnaryData<Buffer>) => done(null, SERVING),
    },
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  return { name, addr: `127.0.0.1:${port}`, stop: () => server.forceShutdown() };
}

/** Calls `WHO_METHOD` on `channel`: the answering server's name, or the call's error. */
export function whoAnswers(channel: grpc.Client, timeoutMs = 5_000): Promise<string> {
  return new Promise((resolve, reject) => {
    channel.makeUnaryRequest(WHO_METHOD, identity, identity, Buffer.alloc(0), { deadline: Date.now() + timeoutMs }, (error, response) => {
      if (error) reject(error);
      else resolve(response!.toString());
    });
  });
}
