/**
 * The transaction builder: `client.txn().if(...compares).then(...ops).else(...ops).commit()`
 * (Go `KV.Txn(ctx).If(...).Then(...).Else(...).Commit()`), with the Go client's ordering rules.
 */
import { InvalidArgumentError } from '../errors/index.js';
import type { Compare } from './compare.js';
import { compareList, requestOpList, type CompareInit, type Op, type RequestOpInit, type TxnRequestInit } from './op.js';
import type { CallOptions } from '../types.js';
import type { TxnResponse } from './types.js';

/** What commits a built transaction: sends the `TxnRequest` (etcd `KV.Txn`) and maps the response. */
export interface TxnCommitter {
  /** `write`: whether any op writes (a read-only txn may be retried like a read). */
  commitTxn(request: TxnRequestInit, write: boolean, options: CallOptions | undefined): Promise<TxnResponse>;
}

/**
 * A transaction being built. Phases, each callable at most once and in this order: `if`, `then`,
 * `else`; any may be left out (no compares: `then` runs). Misuse (a phase twice, `if` after
 * `then`/`else`, `then` after `else`) throws `InvalidArgumentError` at once, like the Go client's
 * panics. Compares and ops are checked and turned into their wire form when added. `commit` may be
 * called more than once; each call sends the transaction again.
 */
export class Txn {
  #compare: CompareInit[] = [];
  #success: RequestOpInit[] = [];
  #failure: RequestOpInit[] = [];
  /** Whether an op of either branch writes (a read-only txn may be retried like a read). */
  #write = false;
  #calledIf = false;
  #calledThen = false;
  #calledElse = false;
  readonly #committer: TxnCommitter;

  /**
   * Made by `client.txn()`.
   * @internal
   */
  constructor(committer: TxnCommitter) {
    this.#committer = committer;
  }

  /** Sets the conditions; all must hold for the `then` branch to run. Throws `InvalidArgumentError` on misuse. */
  if(...compares: Compare[]): this {
    if (this.#calledIf) throw new InvalidArgumentError('txn: if() was already called; pass every compare in one call');
    if (this.#calledThen) throw new InvalidArgumentError('txn: if() cannot be called after then()');
    if (this.#calledElse) throw new InvalidArgumentError('txn: if() cannot be called after else()');
    this.#compare = compareList(compares);
    this.#calledIf = true;
    return this;
  }

  /** Sets the ops run when every compare holds. Throws `InvalidArgumentError` on misuse. */
  then(...ops: Op[]): this {
    if (this.#calledThen) throw new InvalidArgumentError('txn: then() was already called; pass every op in one call');
    if (this.#calledElse) throw new InvalidArgumentError('txn: then() cannot be called after else()');
    if (typeof ops[0] === 'function') {
      throw new InvalidArgumentError('txn: then() takes ops; a Txn is not a promise, call commit() to send it');
    }
    const branch = requestOpList(ops);
    this.#success = branch.requestOps;
    this.#write ||= branch.write;
    this.#calledThen = true;
    return this;
  }

  /** Sets the ops run when a compare does not hold. Throws `InvalidArgumentError` on misuse. */
  else(...ops: Op[]): this {
    if (this.#calledElse) throw new InvalidArgumentError('txn: else() was already called; pass every op in one call');
    const branch = requestOpList(ops);
    this.#failure = branch.requestOps;
    this.#write ||= branch.write;
    this.#calledElse = true;
    return this;
  }

  /**
   * Sends the transaction (etcd `KV.Txn`). Resolves with `succeeded` (which branch ran) and one
   * response per op of that branch. Rejects with the server's error, e.g. `DuplicateKeyError` (two
   * writes of one key in a branch), `TooManyOpsError` (more than the server's `--max-txn-ops`,
   * default 128), `CompactedError`; or with `DeadlineExceededError` / `signal.reason`.
   */
  commit(options?: CallOptions): Promise<TxnResponse> {
    const request: TxnRequestInit = { compare: this.#compare, success: this.#success, failure: this.#failure };
    return this.#committer.commitTxn(request, this.#write, options);
  }
}
