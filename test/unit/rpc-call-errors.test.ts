/**
 * The rpc layer turns what the codecs and the user's metadata hook throw into errors of the tree
 * (src/rpc/codec.ts, src/rpc/metadata.ts): a response the generated codec cannot decode is an
 * `UnexpectedResponseError` naming the RPC, a bad `metadata` hook an `InvalidArgumentError`
 * before anything is sent. Calls go to a stand-in connection that answers with chosen bytes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { EtcdError, InvalidArgumentError, UnexpectedResponseError } from '../../src/errors/index.js';
import { decodeRangeResponse, decodeWatchResponse } from '../../src/proto/fast-decode.js';
import { KV, Watch } from '../../src/proto/index.js';
import { RpcClient, type RpcOptions } from '../../src/rpc/invoke.js';
import { Status } from '../../src/transport/index.js';
import type { Connection, ConnectionState, Endpoint, Stream, StreamHandlers } from '../../src/transport/types.js';

/** Field 1 with wire type 7, which no protobuf message can hold. */
const GARBAGE = new Uint8Array([0x0f, 0x01]);

/** Answers every unary call and every stream message with `reply`; counts the calls it got. */
class Answering implements Connection {
  state: ConnectionState = 'ready';
  calls = 0;
  constructor(readonly endpoint: Endpoint, readonly reply: Uint8Array) {}
  async ready(): Promise<void> {}
  async unary(): Promise<Uint8Array> {
    this.calls++;
    return this.reply;
  }
  serverStream(): Stream {
    throw new Error('not used');
  }
  bidi(_path: string, handlers: StreamHandlers): Stream {
    this.calls++;
    queueMicrotask(() => handlers.onMessage(this.reply));
    return { write: () => true, end: () => {}, cancel: () => {} };
  }
  onStateChange(): () => void {
    return () => {};
  }
  async close(): Promise<void> {}
}

function answering(reply: Uint8Array, options: RpcOptions = {}) {
  const connections: Answering[] = [];
  const rpc = new RpcClient({
    endpoints: ['http://127.0.0.1:1'],
    maxUnaryRetries: 1,
    ...options,
    createConnection: (endpoint) => {
      const c = new Answering(endpoint, reply);
      connections.push(c);
      return c;
    },
  });
  return { rpc, calls: () => connections.reduce((n, c) => n + c.calls, 0) };
}

describe('decode failures', () => {
  it('a unary response the codec cannot decode rejects with UnexpectedResponseError naming the RPC', async () => {
    const { rpc } = answering(GARBAGE);
    try {
      const error = await rpc.unary(KV.range, { key: new Uint8Array([1]) }).then(() => undefined, (e: unknown) => e);
      assert.ok(error instanceof UnexpectedResponseError, `got ${String(error)}`);
      assert.equal(error.code, Status.INTERNAL);
      assert.match(error.message, /cannot decode the \/etcdserverpb\.KV\/Range response/);
      assert.ok(error.cause instanceof Error);
    } finally {
      await rpc.close();
    }
  });

  it('a stream message the codec cannot decode ends the stream with UnexpectedResponseError', async () => {
    const { rpc } = answering(GARBAGE);
    try {
      const ended = await new Promise<Error | undefined>((resolve) => {
        rpc.bidi(Watch.watch, { onMessage: () => resolve(new Error('a message was delivered')), onEnd: resolve });
      });
      assert.ok(ended instanceof UnexpectedResponseError, `got ${String(ended)}`);
      assert.match(ended.message, /cannot decode the \/etcdserverpb\.Watch\/Watch response/);
    } finally {
      await rpc.close();
    }
  });
});

describe('every failure of the hand-written decoders (src/proto/fast-decode.ts) reaches the caller as UnexpectedResponseError', () => {
  // The decoders throw plain RangeError / Error; rpc/codec.ts wraps each, keeping it as `cause`.
  const cases: Array<[what: string, bytes: number[], reason: RegExp]> = [
    ['a length beyond the input', [0x0a, 0x05], /premature EOF/],
    ['a varint of more than 10 bytes', [0x18, ...Array<number>(10).fill(0x80), 0x01], /invalid varint/],
    ['a group holding field 0', [0x0b, 0x00], /illegal tag: field no 0/],
    ['an unknown wire type', [0x0e], /cant skip wire type 6/],
  ];
  it('Range and Watch responses go through those decoders', () => {
    assert.equal(KV.range.decode, decodeRangeResponse);
    assert.equal(Watch.watch.decode, decodeWatchResponse);
  });

  for (const [what, bytes, reason] of cases) {
    it(`${what}: Range`, async () => {
      const { rpc } = answering(new Uint8Array(bytes));
      try {
        const error = await rpc.unary(KV.range, { key: new Uint8Array([1]) }).then(() => undefined, (e: unknown) => e);
        assert.ok(error instanceof UnexpectedResponseError && error instanceof EtcdError, `got ${String(error)}`);
        assert.equal(error.code, Status.INTERNAL);
        assert.match(error.message, /cannot decode the \/etcdserverpb\.KV\/Range response/);
        assert.match(error.message, reason);
        assert.ok(error.cause instanceof Error && reason.test(error.cause.message), String(error.cause));
      } finally {
        await rpc.close();
      }
    });
  }

  it('a length beyond the input: Watch', async () => {
    const { rpc } = answering(new Uint8Array([0x0a, 0x05]));
    try {
      const ended = await new Promise<Error | undefined>((resolve) => {
        rpc.bidi(Watch.watch, { onMessage: () => resolve(new Error('a message was delivered')), onEnd: resolve });
      });
      assert.ok(ended instanceof UnexpectedResponseError, `got ${String(ended)}`);
      assert.match(ended.message, /cannot decode the \/etcdserverpb\.Watch\/Watch response: .*premature EOF/);
      assert.ok(ended.cause instanceof RangeError);
    } finally {
      await rpc.close();
    }
  });
});

describe('a bad metadata hook', () => {
  const ok = KV.range.encode({});

  it('headers the transport refuses fail the call with InvalidArgumentError, nothing sent', async () => {
    const { rpc, calls } = answering(ok, { metadata: () => ({ 'Bad Name': 'x' }) });
    try {
      await assert.rejects(rpc.unary(KV.range, { key: new Uint8Array([1]) }), (error: unknown) => {
        assert.ok(error instanceof InvalidArgumentError, `got ${String(error)}`);
        assert.match(error.message, /metadata hook returned invalid metadata name 'Bad Name'/);
        return true;
      });
      assert.equal(calls(), 0);
    } finally {
      await rpc.close();
    }
  });

  it('a hook that throws fails the call with InvalidArgumentError keeping its error as cause', async () => {
    const thrown = new TypeError('no headers today');
    const { rpc, calls } = answering(ok, {
      metadata: () => {
        throw thrown;
      },
    });
    try {
      await assert.rejects(rpc.unary(KV.range, { key: new Uint8Array([1]) }), (error: unknown) => {
        assert.ok(error instanceof InvalidArgumentError, `got ${String(error)}`);
        assert.ok(error instanceof EtcdError);
        assert.match(error.message, /the metadata hook threw: no headers today/);
        assert.equal(error.cause, thrown);
        return true;
      });
      assert.equal(calls(), 0);
    } finally {
      await rpc.close();
    }
  });

  it('a hook that returns a non-object fails the call with InvalidArgumentError', async () => {
    const { rpc } = answering(ok, { metadata: (() => 'token=x') as never });
    try {
      await assert.rejects(rpc.unary(KV.range, { key: new Uint8Array([1]) }), /metadata hook must return an object of headers or undefined, got "token=x"/);
    } finally {
      await rpc.close();
    }
  });
});
