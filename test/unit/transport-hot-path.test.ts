// The hot path's shortcuts keep their guarantees: openStream restores AsyncResource.prototype.bind
// and keeps async context; the shared protobuf writer survives a failed encode and a large message.
import assert from 'node:assert/strict';
import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks';
import { once } from 'node:events';
import { connect, createServer, type ClientHttp2Session, type Http2Server } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { KV } from '../../src/proto/index.js';
import { COSTLY_ASYNC_BIND, lightBind, openStream } from '../../src/transport/open-stream.js';

describe('openStream', () => {
  let server: Http2Server;
  let session: ClientHttp2Session;
  const originalBind = AsyncResource.prototype.bind;

  before(async () => {
    server = createServer((request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.end(request.url);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    session = connect(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    await once(session, 'remoteSettings');
  });

  after(async () => {
    session.close();
    server.close();
    await once(server, 'close');
  });

  it('opens a working stream and leaves AsyncResource.prototype.bind as it was', async () => {
    const stream = openStream(session, { ':method': 'GET', ':path': '/hello' });
    assert.equal(AsyncResource.prototype.bind, originalBind);
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    await once(stream, 'end');
    assert.equal(Buffer.concat(chunks).toString(), '/hello');
  });

  it('restores bind when request() throws', () => {
    const dead = connect('http://127.0.0.1:1');
    dead.on('error', () => {});
    dead.destroy();
    assert.throws(() => openStream(dead, { ':method': 'GET', ':path': '/' }), { code: 'ERR_HTTP2_INVALID_SESSION' });
    assert.equal(AsyncResource.prototype.bind, originalBind);
  });

  it('binds callbacks to the async context of the resource, like the original bind', () => {
    const storage = new AsyncLocalStorage<string>();
    const resource = storage.run('at creation', () => new AsyncResource('test'));
    const light = lightBind.call(resource, () => storage.getStore());
    const original = resource.bind(() => storage.getStore());
    storage.run('at call', () => {
      assert.equal(light(), 'at creation');
      assert.equal(original(), 'at creation');
    });
    const withThis = lightBind.call(resource, function (this: unknown) {
      return this;
    }, 'thisArg');
    assert.equal(withThis(), 'thisArg');
  });

  it('knows whether this Node builds the deprecated asyncResource accessor', () => {
    const bound = new AsyncResource('probe').bind(() => undefined) as unknown as Record<string, unknown>;
    assert.equal(COSTLY_ASYNC_BIND, Object.getOwnPropertyDescriptor(bound, 'asyncResource')?.get !== undefined);
  });
});

describe('request encoding with the shared writer', () => {
  it('encodes correctly after a failed encode and after a large message', () => {
    const put = KV.put;
    assert.throws(() => put.encode({ key: Buffer.from('k'), lease: 2n ** 64n }));
    const large = Buffer.alloc(200_000, 1);
    assert.equal(put.input.decode(put.encode({ key: Buffer.from('big'), value: large })).value.length, large.length);
    const decoded = put.input.decode(put.encode({ key: Buffer.from('k'), value: Buffer.from('v'), lease: 5n }));
    assert.deepEqual(
      { key: Buffer.from(decoded.key).toString(), value: Buffer.from(decoded.value).toString(), lease: decoded.lease },
      { key: 'k', value: 'v', lease: 5n },
    );
  });
});
