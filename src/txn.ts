/**
 * The transaction builder: `client.txn().if(...compares).then(...ops).else(...ops).commit()`
 * (Go `KV.Txn(ctx).If(...).Then(...).Else(...).Commit()`), with the Go client's ordering rules.
 */
import { InvalidArgumentError } from './errors.js';
import type { Compare } from './compare.js';
import { txnRequest, type Op, type TxnRequestInit } from './op.js';
import type { CallOptions, TxnResponse } from './types.js';

/** What commits a built transaction: sends the `TxnRequest` (etcd `KV.Txn`) and maps the response. */
export interface TxnCommitter {
  /** `write`: whether any op writes (a read-only txn may be retried like a read). */
  commitTxn(request: TxnRequestInit, write: boolean, options: CallOptions | undefined): Promise<TxnResponse>;
}

/**
 * A transaction being built. Phases, each callable at most once and in this order: `if`, `then`,
 * `else`; any may be left out (no compares: `then` runs). Misuse (a phase twice, `if` after
 * `then`/`else`, `then` after `else`) throws `InvalidArgumentError` at once, like the Go client's
 * panics. Compares and ops are checked when added. `commit` may be called more than once; each call
 * sends the transaction again.
 */
export class Txn {
  #compares: readonly Compare[] = [];
  #thenOps: readonly Op[] = [];
  #elseOps: readonly Op[] = [];
  #calledIf = false;
  #calledThen = false;
  #calledElse = false;
  readonly #committer: TxnCommitter;

  /** Made by `client.txn()`. */
  constructor(committer: TxnCommitter) {
    this.#committer = committer;
  }

  /** Sets the conditions; all must hold for the `then` branch to run. Throws `InvalidArgumentError` on misuse. */
  if(...compares: Compare[]): this {
    if (this.#calledIf) throw new InvalidArgumentError('txn: if() was already called; pass every compare in one call');
    if (this.#calledThen) throw new InvalidArgumentError('txn: if() cannot be called after then()');
    if (this.#calledElse) throw new InvalidArgumentError('txn: if() cannot be called after else()');
    txnRequest(compares, [], []); // checked now, not at commit
    this.#calledIf = true;
    this.#compares = compares;
    return this;
  }

  /** Sets the ops run when every compare holds. Throws `InvalidArgumentError` on misuse. */
  then(...ops: Op[]): this {
    if (this.#calledThen) throw new InvalidArgumentError('txn: then() was already called; pass every op in one call');
    if (this.#calledElse) throw new InvalidArgumentError('txn: then() cannot be called after else()');
    if (typeof ops[0] === 'function') {
      throw new InvalidArgumentError('txn: then() takes ops; a Txn is not a promise, call commit() to send it');
    }
    txnRequest([], ops, []);
    this.#calledThen = true;
    this.#thenOps = ops;
    return this;
  }

  /** Sets the ops run when a compare does not hold. Throws `InvalidArgumentError` on misuse. */
  else(...ops: Op[]): this {
    if (this.#calledElse) throw new InvalidArgumentError('txn: else() was already called; pass every op in one call');
    txnRequest([], [], ops);
    this.#calledElse = true;
    this.#elseOps = ops;
    return this;
  }

  /**
   * Sends the transaction (etcd `KV.Txn`). Resolves with `succeeded` (which branch ran) and one
   * response per op of that branch. Rejects with the server's error, e.g. `DuplicateKeyError` (two
   * writes of one key in a branch), `TooManyOpsError` (more than the server's `--max-txn-ops`,
   * default 128), `CompactedError`; or with `DeadlineExceededError` / `signal.reason`.
   */
  commit(options?: CallOptions): Promise<TxnResponse> {
    let built: { request: TxnRequestInit; write: boolean };
    try {
      built = txnRequest(this.#compares, this.#thenOps, this.#elseOps);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#committer.commitTxn(built.request, built.write, options);
  }
}
