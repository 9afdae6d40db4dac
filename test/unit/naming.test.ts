// etcd-ts/naming without a server: the stored value in the Go client's JSON (both ways, Go's
// case-insensitive field names, values Go skips), endpoint addresses as grpc-js takes them, and
// the checks the manager and the resolver make before anything is sent.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { Client, InvalidArgumentError } from '../../src/index.js';
import { decodeEndpoint, encodeEndpoint } from '../../src/naming/endpoint-value.js';
import { grpcAddress } from '../../src/naming/grpc-address.js';
import { EndpointManager, registerGrpcResolver, type Endpoint, type GrpcJsModule } from '../../src/naming/index.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

function invalid(pattern: RegExp): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof InvalidArgumentError, `expected InvalidArgumentError, got ${String(error)}`);
    assert.match(error.message, pattern);
    return true;
  };
}

describe('the stored value', () => {
  test("written as Go's json.Marshal of internal.Update writes it", () => {
    assert.equal(encodeEndpoint({ addr: '10.0.0.5:50051' }, 'e'), '{"Op":0,"Addr":"10.0.0.5:50051","Metadata":null}');
    assert.equal(encodeEndpoint({ addr: 'a:1', metadata: { weight: 3 } }, 'e'), '{"Op":0,"Addr":"a:1","Metadata":{"weight":3}}');
    assert.throws(() => encodeEndpoint({ addr: 'a:1', metadata: { n: 1n } }, 'addEndpoint: endpoint'), invalid(/addEndpoint: endpoint.metadata cannot be written as JSON/));
  });

  test('read back, with Go field names in any case; Op is not read', () => {
    const round = (e: Endpoint) => decodeEndpoint(bytes(encodeEndpoint(e, 'e')));
    assert.deepEqual(round({ addr: 'a:1' }), { addr: 'a:1' });
    assert.deepEqual(round({ addr: 'a:1', metadata: [1, 'x', null] }), { addr: 'a:1', metadata: [1, 'x', null] });
    assert.deepEqual(decodeEndpoint(bytes('{"addr":"b:2","metadata":{"z":1}}')), { addr: 'b:2', metadata: { z: 1 } });
    assert.deepEqual(decodeEndpoint(bytes('{"Op":1,"ADDR":"c:3"}')), { addr: 'c:3' });
    assert.deepEqual(decodeEndpoint(bytes('{"Addr":"exact:1","addr":"folded:2"}')), { addr: 'exact:1' });
    assert.deepEqual(decodeEndpoint(bytes('{"Metadata":5}')), { addr: '', metadata: 5 }, 'as Go: a missing Addr is empty');
  });

  test('values that are not endpoints (which Go skips too)', () => {
    for (const value of ['', 'not json', '"a string"', '[1]', 'null', '{"Addr":5}', '{"Addr":{}}']) {
      assert.equal(decodeEndpoint(bytes(value)), undefined, value);
    }
  });
});

describe('addresses for grpc-js', () => {
  test('host:port and [v6]:port', () => {
    assert.deepEqual(grpcAddress('10.0.0.5:50051'), { host: '10.0.0.5', port: 50051 });
    assert.deepEqual(grpcAddress('svc.example.com:443'), { host: 'svc.example.com', port: 443 });
    assert.deepEqual(grpcAddress('[::1]:8080'), { host: '::1', port: 8080 });
    assert.deepEqual(grpcAddress('[fe80::1%eth0]:1'), { host: 'fe80::1%eth0', port: 1 });
  });
  test('anything else is no address', () => {
    for (const addr of ['', 'host', 'host:', ':80', 'host:0', 'host:65536', 'host:80x', '::1:80', 'http://a:1', 'a b:1', 'unix:/tmp/s']) {
      assert.equal(grpcAddress(addr), undefined, addr);
    }
  });
});

describe('checks before anything is sent', () => {
  // Nothing listens on port 1: a call that got past its checks would fail with another error.
  const client = new Client({ endpoints: ['http://127.0.0.1:1'], dialTimeout: 200 });
  after(() => client.close());
  const manager = new EndpointManager(client, 'svc');

  test('the manager: client and target', () => {
    assert.throws(() => new EndpointManager(client, ''), invalid(/target must be a non-empty string/));
    assert.throws(() => new EndpointManager(client, 5 as unknown as string), invalid(/target must be a non-empty string/));
    assert.throws(() => new EndpointManager({} as Client, 'svc'), invalid(/client must be a Client or a namespace view/));
    assert.equal(manager.target, 'svc');
  });

  test('keys, endpoints, leases and options', async () => {
    await assert.rejects(manager.addEndpoint('other/a:1', { addr: 'a:1' }), invalid(/addEndpoint: key must start with 'svc\/'/));
    await assert.rejects(manager.addEndpoint('svcx/a:1', { addr: 'a:1' }), invalid(/key must start with 'svc\/'/));
    await assert.rejects(manager.addEndpoint('svc/a:1', { addr: '' }), invalid(/endpoint.addr must be a non-empty string/));
    await assert.rejects(manager.addEndpoint('svc/a:1', 'a:1' as unknown as Endpoint), invalid(/endpoint must be an object \{ addr, metadata\? \}/));
    await assert.rejects(manager.addEndpoint('svc/a:1', { addr: 'a:1', Addr: 'x' } as Endpoint), invalid(/unknown field 'Addr'; known: addr, metadata/));
    await assert.rejects(manager.addEndpoint('svc/a:1', { addr: 'a:1' }, { lease: 5 as unknown as bigint }), invalid(/addEndpoint: lease must be a lease ID/));
    await assert.rejects(manager.addEndpoint('svc/a:1', { addr: 'a:1' }, { ttl: 5 } as object), invalid(/unknown option 'ttl' for addEndpoint/));
    await assert.rejects(manager.deleteEndpoint('a:1'), invalid(/deleteEndpoint: key must start with 'svc\/'/));
    await assert.rejects(manager.update([{ op: 'add', key: 'svc/a', endpoint: { addr: 'a:1' } }, { op: 'move', key: 'svc/b' } as never]), invalid(/update: updates\[1\]: op must be one of add, delete, got "move"/));
    await assert.rejects(manager.update('x' as never), invalid(/updates must be an array/));
    await assert.rejects(manager.list({ prefix: true } as object), invalid(/unknown option 'prefix' for list/));
    assert.throws(() => manager.watch({ timeout: 5 } as object), invalid(/a watch has no timeout/));
  });

  test('the resolver registration', () => {
    const calls: string[] = [];
    const grpc: GrpcJsModule = { experimental: { registerResolver: (scheme: string) => void calls.push(scheme) }, Metadata: class {} };
    registerGrpcResolver(client, { grpc });
    registerGrpcResolver(client, { grpc, scheme: 'etcd-b' });
    assert.deepEqual(calls, ['etcd', 'etcd-b']);
    assert.throws(() => registerGrpcResolver(client, { grpc, scheme: '1x' }), invalid(/scheme must be a URI scheme/));
    assert.throws(() => registerGrpcResolver(client, { grpc: {} as GrpcJsModule }), invalid(/grpc must be the @grpc\/grpc-js module/));
    assert.throws(() => registerGrpcResolver(client, { grpc, port: 1 } as object), invalid(/unknown option 'port' for registerGrpcResolver/));
    assert.throws(() => registerGrpcResolver({} as Client, { grpc }), invalid(/registerGrpcResolver: client must be a Client/));
  });
});
