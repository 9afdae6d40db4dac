/**
 * Describes one etcd RPC for the rpc layer: its gRPC path, how to encode the request and decode the
 * response, its shape, and whether it is safe to repeat. `src/proto/methods.ts` holds one per RPC.
 */
export interface Method<Req, Res> {
  /** gRPC path, e.g. `/etcdserverpb.KV/Range`. */
  readonly path: string;
  /** `unary`, `server-stream` (Snapshot, Election.Observe) or `bidi` (Watch, LeaseKeepAlive). */
  readonly kind: 'unary' | 'server-stream' | 'bidi';
  /**
   * `read`: repeatable, retried on UNAVAILABLE on any endpoint (Range, MemberList, Status ...).
   * `write`: retried only when the request provably never left the client (Put, Txn, Compact ...).
   * Follows the Go client's repeatable / nonRepeatable split (client/v3/retry.go).
   */
  readonly retry: 'read' | 'write';
  /** Request message (a plain object of the generated type's init shape) to bytes. */
  encode(request: Req): Uint8Array;
  /** Response bytes to the decoded message. Bytes fields are views into `bytes` (no copy). */
  decode(bytes: Uint8Array): Res;
}
