/**
 * A call layer that puts KV calls in a namespace: Range, Put, DeleteRange and Txn requests get the
 * prefix on their keys and range ends before they go to the client's call layer, and their
 * responses lose it. A `KV` built on it is the namespace's KV, with every check, option, retry rule
 * and response mapping of the client's own.
 */
import type { Method } from '../proto/method-descriptor.js';
import { KV as KVMethods } from '../proto/index.js';
import type {
  DeleteRangeRequestInit,
  DeleteRangeResponse,
  PutRequestInit,
  PutResponse,
  RangeRequestInit,
  RangeResponse,
  TxnRequestInit,
  TxnResponse,
} from '../proto/index.js';
import type { CallOptions, Rpc, RpcStream, RpcStreamHandlers, StreamCallOptions } from '../rpc/types.js';
import {
  prefixDelete,
  prefixPut,
  prefixRange,
  prefixTxn,
  stripDelete,
  stripPut,
  stripRange,
  stripTxn,
} from './prefix.js';

/** The `Rpc` of a namespace: KV requests prefixed, KV responses stripped, everything else passed through. */
export class PrefixRpc implements Rpc {
  readonly #rpc: Rpc;
  readonly #prefix: Uint8Array;
  /** `#rpc` was made for this one (by {@link forEndpoint}), so `close()` closes it. */
  readonly #owned: boolean;

  /**
   * `rpc`: the client's call layer; `prefix`: the namespace's prefix (not empty); `owned`: close
   * `rpc` with this one (default false: the connections belong to the client).
   */
  constructor(rpc: Rpc, prefix: Uint8Array, owned = false) {
    this.#rpc = rpc;
    this.#prefix = prefix;
    this.#owned = owned;
  }

  async unary<Req, Res>(method: Method<Req, Res>, request: Req, options?: CallOptions): Promise<Res> {
    const p = this.#prefix;
    const n = p.length;
    // Read-only transactions use a copy of the Txn descriptor, so methods are told apart by path.
    switch (method.path) {
      case KVMethods.range.path: {
        const r = await this.#rpc.unary(method, prefixRange(p, request as RangeRequestInit) as Req, options);
        // The wire RangeResponse, or the GetResponse of `get` (src/kv/decode.ts): both have kvs[].key.
        return stripRange(n, r as RangeResponse) as Res;
      }
      case KVMethods.put.path: {
        const r = await this.#rpc.unary(method, prefixPut(p, request as PutRequestInit) as Req, options);
        // Likewise a wire or public PutResponse: both have prevKv.key.
        return stripPut(n, r as PutResponse) as Res;
      }
      case KVMethods.deleteRange.path: {
        const r = await this.#rpc.unary(method, prefixDelete(p, request as DeleteRangeRequestInit) as Req, options);
        return stripDelete(n, r as DeleteRangeResponse) as Res;
      }
      case KVMethods.txn.path: {
        const r = await this.#rpc.unary(method, prefixTxn(p, request as TxnRequestInit) as Req, options);
        return stripTxn(n, r as TxnResponse) as Res;
      }
      default:
        // Compact and anything without keys.
        return this.#rpc.unary(method, request, options);
    }
  }

  serverStream<Req, Res>(method: Method<Req, Res>, request: Req, options?: StreamCallOptions): AsyncIterable<Res> {
    return this.#rpc.serverStream(method, request, options);
  }

  bidi<Req, Res>(method: Method<Req, Res>, handlers: RpcStreamHandlers<Res>, options?: StreamCallOptions): RpcStream<Req> {
    return this.#rpc.bidi(method, handlers, options);
  }

  /**
   * The namespace's call layer for the one endpoint `url` (see `Rpc.forEndpoint`): KV calls keep
   * the prefix; closing it closes its connections.
   */
  forEndpoint(url: string): Rpc {
    return new PrefixRpc(this.#rpc.forEndpoint(url), this.#prefix, true);
  }

  /** The client's (see `Rpc.refreshToken`): the namespace shares its credentials. */
  refreshToken(options?: CallOptions): Promise<boolean> {
    return this.#rpc.refreshToken(options);
  }

  /** Closes a call layer made by {@link forEndpoint}; else nothing (the connections are the client's). */
  async close(): Promise<void> {
    if (this.#owned) await this.#rpc.close();
  }
}
