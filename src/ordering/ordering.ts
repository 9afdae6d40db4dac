/**
 * Ordering (Go's `clientv3/ordering`): a KV that never hands out a response older than one it has
 * already seen. After an endpoint switch, a member that lags behind (partitioned, slow, just
 * restarted) may answer a serializable read from an older revision; this KV notices the store's
 * revision going backwards and calls a handler, which may wait, switch endpoints, or fail the call.
 */
import { checkOptionsObject, unknownOption } from '../internal/validation.js';
import { describe } from '../internal/describe-value.js';
import { InvalidArgumentError, OrderViolationError } from '../errors/index.js';
import { sleep } from '../internal/timers.js';
import { op, wireOp, type Op } from '../kv/op.js';
import type { Txn } from '../kv/txn.js';
import { CapturedTxn } from '../kv/txn-capture.js';
import type { Bytes, CallOptions } from '../types.js';
import type { Client } from '../client.js';
import type { KVService } from '../service-interfaces.js';
import type {
  CompactOptions,
  CompactResponse,
  DeleteOptions,
  DeleteResponse,
  GetResponse,
  OpResponse,
  PutOptions,
  PutResponse,
  RangeOptions,
  TxnResponse,
} from '../kv/types.js';

/** Violations of one call `retryOnOrderViolation` tolerates before failing it, by default. */
export const DEFAULT_ORDER_VIOLATION_ATTEMPTS = 5;
/** Pause before the first retry of `retryOnOrderViolation`, in ms; doubles with each retry. */
export const DEFAULT_ORDER_VIOLATION_BACKOFF_MS = 100;

/** What an {@link OrderingKV} calls when a response is older than one already seen (Go `OrderViolationFunc`). */
export interface OrderViolationHandler {
  /**
   * Called when a response's revision is below the highest revision seen before the call started:
   * `op` is the operation, `response` what the member answered, `previousRevision` the revision it
   * fell behind, `attempt` the number of this violation within the call (1, 2, ...). Resolving
   * retries the operation (e.g. after switching endpoints or waiting); throwing (or rejecting)
   * fails the call with that error.
   */
  (op: Op, response: OpResponse, previousRevision: number, attempt: number): void | Promise<void>;
}

/** Options of {@link retryOnOrderViolation}. */
export interface RetryOnOrderViolationOptions {
  /** Violations tolerated per call; the next one throws `OrderViolationError`. Default {@link DEFAULT_ORDER_VIOLATION_ATTEMPTS} (5). */
  attempts?: number;
  /** Pause before the first retry, in ms, doubling each time. Default {@link DEFAULT_ORDER_VIOLATION_BACKOFF_MS} (100). */
  backoff?: number;
}

/**
 * A handler that lets a lagging member catch up: it waits (`backoff` ms, doubling) and retries, and
 * fails the call with `OrderViolationError` after `attempts` violations. Go's
 * `NewOrderViolationSwitchEndpointClosure` retries likewise, relying on its round-robin balancer to
 * move to another member; so does this client's default `balancer: 'round-robin'` (each retry goes
 * to the next healthy endpoint). With `balancer: 'pinned'` the retries stay on the pinned member:
 * to move, call `client.setEndpoints` from your own handler. Throws `InvalidArgumentError` for bad options.
 */
export function retryOnOrderViolation(options?: RetryOnOrderViolationOptions): OrderViolationHandler {
  let attempts = DEFAULT_ORDER_VIOLATION_ATTEMPTS;
  let backoff = DEFAULT_ORDER_VIOLATION_BACKOFF_MS;
  checkOptionsObject(options, 'retryOnOrderViolation options');
  for (const name in options) {
    const value: unknown = (options as Record<string, unknown>)[name];
    if (value === undefined) continue;
    if (name !== 'attempts' && name !== 'backoff') throw unknownOption(name, 'retryOnOrderViolation', ['attempts', 'backoff']);
    if (!(typeof value === 'number' && Number.isSafeInteger(value) && value >= 0)) {
      throw new InvalidArgumentError(`retryOnOrderViolation ${name} must be a non-negative integer, got ${describe(value)}`);
    }
    if (name === 'attempts') attempts = value;
    else backoff = value;
  }
  return async (_op, response, previousRevision, attempt) => {
    if (attempt > attempts) throw new OrderViolationError(previousRevision, response.header.revision);
    await sleep(backoff * 2 ** (attempt - 1));
  };
}

/** Runs a call until its revision is not behind; see `OrderingKV.#check`. */
type OrderingCheck = <R extends { header: { revision: number } }>(
  describeOp: () => Op,
  call: () => Promise<R>,
  asOpResponse: (r: R) => OpResponse,
) => Promise<R>;

/**
 * A KV over a client (or a namespace view, or any {@link KVService}) that detects responses older
 * than ones already seen (Go `ordering.NewKV`). It is a `KVService` itself, so `stm()` runs on it.
 *
 * ```ts
 * const kv = new OrderingKV(client, retryOnOrderViolation({ attempts: 10 }));
 * await kv.get('config', { serializable: true }); // never older than what this kv saw before
 * ```
 *
 * It remembers the highest store revision its responses carried (reads, writes, transactions).
 * When a read or a transaction answers with a lower revision than the highest seen when the call
 * started, it calls the handler with the op and the response, then sends the op again, until the
 * answer is recent enough or the handler throws. Linearizable reads cannot go backwards (etcd
 * serves them from the leader's committed state); serializable ones can, after an endpoint switch
 * to a lagging member. Writes are never repeated: their revision only updates the highest seen
 * (Go's ordering KV does not track writes; tracking them makes a read-your-writes violation visible too).
 */
export class OrderingKV<C extends KVService = Client> implements KVService {
  /** The client (or namespace view, or other KV) the calls go through, as given to the constructor. */
  readonly client: C;
  readonly #handler: OrderViolationHandler;
  #revision = 0;

  /**
   * @param client the client to read and write through: a `Client`, a namespace view of one
   *   (`client.namespace('app/')`), or any other {@link KVService} (a `LeasingKV`)
   * @param handler what to do on a violation; default {@link retryOnOrderViolation}() (wait and
   *   retry up to 5 times, then `OrderViolationError`)
   * @throws InvalidArgumentError when `handler` is not a function
   */
  constructor(client: C, handler: OrderViolationHandler = retryOnOrderViolation()) {
    if (typeof handler !== 'function') {
      throw new InvalidArgumentError(`the order violation handler must be a function, got ${describe(handler)}`);
    }
    this.client = client;
    this.#handler = handler;
  }

  /** The highest store revision seen in a response so far (0 before the first). */
  get revision(): number {
    return this.#revision;
  }

  #see(revision: number): void {
    if (revision > this.#revision) this.#revision = revision;
  }

  readonly #check: OrderingCheck = async (describeOp, call, asOpResponse) => {
    const previous = this.#revision;
    for (let attempt = 1; ; attempt++) {
      const response = await call();
      if (response.header.revision >= previous) {
        this.#see(response.header.revision);
        return response;
      }
      await this.#handler(describeOp(), asOpResponse(response), previous, attempt);
    }
  };

  /**
   * Reads a key or range (etcd `KV.Range`), as `client.get`, repeated through the handler while the
   * answer's revision is below the highest seen before. Rejects with the handler's error.
   */
  get(key: Bytes, options?: RangeOptions & CallOptions): Promise<GetResponse> {
    return this.#check(
      () => op.get(key, stripCallOptions(options)),
      () => this.client.get(key, options),
      (r) => ({ type: 'get', ...r }),
    );
  }

  /** Writes a key (etcd `KV.Put`), as `client.put`; its revision becomes the highest seen. */
  async put(key: Bytes, value: Bytes, options?: PutOptions & CallOptions): Promise<PutResponse> {
    const response = await this.client.put(key, value, options);
    this.#see(response.header.revision);
    return response;
  }

  /** Deletes a key or range (etcd `KV.DeleteRange`), as `client.delete`; its revision becomes the highest seen. */
  async delete(key: Bytes, options?: DeleteOptions & CallOptions): Promise<DeleteResponse> {
    const response = await this.client.delete(key, options);
    this.#see(response.header.revision);
    return response;
  }

  /** Compacts the history (etcd `KV.Compact`), as `client.compact`. */
  compact(revision: number, options?: CompactOptions & CallOptions): Promise<CompactResponse> {
    return this.client.compact(revision, options);
  }

  /**
   * Runs one op (etcd `KV.Range`, `Put`, `DeleteRange` or `Txn`), as `client.do`: reads and
   * read-only transactions are checked as `get` is; writes update the highest revision seen.
   */
  do(o: Op, options?: CallOptions): Promise<OpResponse> {
    if (o.type === 'get' || (o.type === 'txn' && !wireOp(o).write)) {
      return this.#check(
        () => o,
        () => this.client.do(o, options),
        (r) => r,
      );
    }
    return this.client.do(o, options).then((r) => {
      this.#see(r.header.revision);
      return r;
    });
  }

  /**
   * Starts a transaction (etcd `KV.Txn` on `commit()`), as `client.txn`. The commit of a read-only
   * transaction is repeated through the handler while the answer's revision is below the highest
   * seen before (Go repeats every transaction; one that writes is never sent twice here).
   */
  txn(): Txn {
    return new CapturedTxn(async (parts, options) => {
      // Sent again as built, through the client's (or view's) own transaction.
      const send = (): Promise<TxnResponse> =>
        this.client
          .txn()
          .if(...parts.compares)
          .then(...parts.thenOps)
          .else(...parts.elseOps)
          .commit(options);
      if (parts.write) {
        // A write is never sent twice, and cannot answer from behind (it is applied after every
        // revision committed before it).
        const response = await send();
        this.#see(response.header.revision);
        return response;
      }
      return this.#check(
        () => op.txn(parts.compares, parts.thenOps, parts.elseOps),
        send,
        (r) => ({ type: 'txn', ...r }),
      );
    });
  }
}

/** Range options without the call options (`signal`, `timeout`, `requireLeader`), as an op takes them. */
function stripCallOptions(options: (RangeOptions & CallOptions) | undefined): RangeOptions | undefined {
  if (options === undefined) return undefined;
  const { signal: _signal, timeout: _timeout, requireLeader: _requireLeader, ...rest } = options;
  return rest;
}
