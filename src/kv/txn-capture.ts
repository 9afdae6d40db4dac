/**
 * A transaction builder that keeps the compares and ops it was given, for KV wrappers above the
 * client (ordering, leasing) that must see a transaction as values, not only as its wire form.
 */
import type { Compare } from './compare.js';
import type { Op, TxnRequestInit } from './op.js';
import { Txn } from './txn.js';
import type { CallOptions } from '../types.js';
import type { TxnResponse } from './types.js';

/** What a {@link CapturedTxn} was built from, handed to its commit function with the wire request. */
export interface CapturedTxnParts {
  /** The compares given to `if` (empty when it was not called). */
  readonly compares: readonly Compare[];
  /** The ops given to `then`. */
  readonly thenOps: readonly Op[];
  /** The ops given to `else`. */
  readonly elseOps: readonly Op[];
  /** The transaction in etcd's wire form, checked. */
  readonly request: TxnRequestInit;
  /** Whether an op of either branch writes. */
  readonly write: boolean;
}

/** Sends a captured transaction; the result is what `commit()` resolves with. */
export type CapturedCommit = (parts: CapturedTxnParts, options: CallOptions | undefined) => Promise<TxnResponse>;

/**
 * The client's `Txn` builder (same phases, checks and errors), whose `commit()` calls `commit`
 * with the compares and ops as given.
 */
export class CapturedTxn extends Txn {
  #compares: readonly Compare[] = [];
  #thenOps: readonly Op[] = [];
  #elseOps: readonly Op[] = [];

  /** `commit`: sends the transaction. */
  constructor(commit: CapturedCommit) {
    const self: { txn?: CapturedTxn } = {};
    super({
      commitTxn: (request, write, options) => {
        const t = self.txn!;
        return commit({ compares: t.#compares, thenOps: t.#thenOps, elseOps: t.#elseOps, request, write }, options);
      },
    });
    self.txn = this;
  }

  override if(...compares: Compare[]): this {
    super.if(...compares);
    this.#compares = compares.slice();
    return this;
  }

  override then(...ops: Op[]): this {
    super.then(...ops);
    this.#thenOps = ops.slice();
    return this;
  }

  override else(...ops: Op[]): this {
    super.else(...ops);
    this.#elseOps = ops.slice();
    return this;
  }
}
