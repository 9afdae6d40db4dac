/**
 * `LeasingKV`: a KV that serves repeated reads of a key from a local cache, kept coherent by a
 * protocol with etcd (Go's `clientv3/leasing`).
 *
 * The protocol (Go's):
 * - Owning: the first linearizable read of a key `k` also creates the *leasing key*
 *   `<prefix><k>` under this client's session lease, in one txn, if no other client has it and `k`
 *   has no lease of its own. Its owner caches the read and answers later reads of `k` locally.
 * - Writing: every write through a leasing KV is a txn guarded by "the leasing key of `k` is absent
 *   or mine" (`createRevision(<prefix><k>) < my revision + 1`). When another client owns `k`, the
 *   txn instead writes `REVOKE` into its leasing key and the writer waits for that key's deletion,
 *   then tries again.
 * - Giving up: each owner watches its leasing keys; on `REVOKE` it drops the cached read first, then
 *   deletes the leasing key, letting the writer through. A lost session (the process stalled past
 *   the TTL) loses every leasing key with the lease, and the cache with it.
 * So a cached read is current as long as every writer of the key uses a leasing KV with the same
 * prefix. Beyond Go: the owner also watches the key itself and drops its cached read when a write
 * it did not make shows up (a plain client's); that makes plain writers visible soon after, not
 * at once (reads in between are stale), so use leasing KVs for every writer when it matters.
 */
import type { Client } from '../client.js';
import { Session } from '../concurrency/index.js';
import { compare, type Compare } from '../kv/compare.js';
import { checkOptionsObject } from '../internal/validation.js';
import { describe } from '../internal/describe-value.js';
import { toBytes } from '../internal/wire.js';
import { ClientClosedError, CompactedError, InvalidArgumentError, UnexpectedResponseError } from '../errors/index.js';
import { prefixInterval } from '../namespace/prefix.js';
import { op, wireOp, type DeleteRangeRequestInit, type Op } from '../kv/op.js';
import { rangeRequest } from '../kv/range.js';
import type { KVService, SessionClient } from '../service-interfaces.js';
import { waitScope } from '../concurrency/wait.js';
import { sleep } from '../internal/timers.js';
import { waitEvent } from '../recipes/wait.js';
import type { Txn } from '../kv/txn.js';
import { CapturedTxn, type CapturedTxnParts } from '../kv/txn-capture.js';
import type { Bytes, CallOptions, KeyValue } from '../types.js';
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
import { answerFromCache, cacheable, LeaseCache, type Owned } from './cache.js';
import { DEFAULT_LEASING_TTL, RESCIND_RETRY_MS, REVOKE_VALUE, SESSION_RETRY_MS } from './defaults.js';
import { exactPut, gatherWrites, putValue, writesThatRan, type Write } from './txn.js';

/** Options of {@link LeasingKV.create}. */
export interface LeasingKVOptions extends CallOptions {
  /**
   * TTL of the session lease under which this client owns keys, in seconds; default
   * {@link DEFAULT_LEASING_TTL} (60). A writer of a key this client owns waits up to this long if
   * this process stops answering. `signal` / `timeout` (ms) bound the wait for the first session.
   */
  ttl?: number;
}

const REVOKE = Buffer.from(REVOKE_VALUE);

/** Splits the call options (`signal`, `timeout`, `requireLeader`) off an options object. */
function split<T extends object>(options: (T & CallOptions) | undefined): { rest: T | undefined; call: CallOptions | undefined } {
  if (options === undefined) return { rest: undefined, call: undefined };
  checkOptionsObject(options, 'options');
  const { signal, timeout, requireLeader, ...rest } = options;
  const call: CallOptions = {};
  if (signal !== undefined) call.signal = signal;
  if (timeout !== undefined) call.timeout = timeout;
  if (requireLeader !== undefined) call.requireLeader = requireLeader;
  return { rest: rest as T, call };
}

/**
 * A KV whose reads of single keys are answered from a local cache after the first one, with
 * invalidation coordinated through etcd (Go `leasing.NewKV`; see the module comment for the
 * protocol). Made with {@link LeasingKV.create}; close it to give every key up.
 *
 * ```ts
 * await using kv = await LeasingKV.create(client, 'leasing/');
 * await kv.get('config');   // from etcd; this client now owns 'config' (key 'leasing/config')
 * await kv.get('config');   // from the cache
 * await kv.put('config', 'v2'); // written through, cache updated
 * ```
 *
 * - Cached: linearizable reads of one key at the newest revision (with any of `keysOnly`,
 *   `countOnly`, revision bounds). Range reads, reads at a `revision`, and keys with a lease of
 *   their own always go to etcd; so do serializable reads of keys not cached. After giving a key up
 *   to a writer, reads of it go to etcd for `REVOKE_BACKOFF_MS` (2000) ms.
 * - Writes (`put`, `delete`, `do`, `txn` commits that write) go to etcd through the protocol's
 *   guarded txns; a write of a key another leasing client owns waits until that client gives it up
 *   (at most its session TTL if it stopped answering). Read-only transactions go to etcd as they are
 *   (Go answers some from the cache).
 * - `compact` is passed through.
 */
export class LeasingKV<C extends SessionClient = Client> implements AsyncDisposable, KVService {
  /** The client (or namespace view) the calls go through, as given to {@link LeasingKV.create}. */
  readonly client: C;
  /** The prefix of the leasing keys: the leasing key of `k` is `prefix + k`. */
  readonly prefix: Buffer;
  readonly #ttl: number;
  readonly #cache = new LeaseCache();
  readonly #closing = new AbortController();
  readonly #acquiring = new Map<string, Promise<GetResponse>>();
  #session: Session<C> | undefined;
  #sessionReady!: Promise<Session<C>>;
  #resolveSession!: (session: Session<C>) => void;
  #closed: Promise<void> | undefined;

  private constructor(client: C, prefix: Buffer, ttl: number) {
    this.client = client;
    this.prefix = prefix;
    this.#ttl = ttl;
    this.#newSessionPromise();
    void this.#keepSession();
  }

  /**
   * Makes a leasing KV over `client` with leasing keys under `prefix`, and waits for its session
   * (etcd `Lease.LeaseGrant`, then `Lease.LeaseKeepAlive` for as long as it is open).
   *
   * @param client a `Client`, or a namespace view of one (`client.namespace('app/')`: the leasing
   *   keys and the keys read and written are then inside it); any {@link SessionClient}
   * @param prefix the prefix of the leasing keys, e.g. `'leasing/'`; every client sharing keys must
   *   use the same one, and it should not hold other keys
   * @throws InvalidArgumentError for a bad prefix or options; `DeadlineExceededError` /
   *   `signal.reason` when the session cannot be started in time
   */
  static async create<C extends SessionClient>(client: C, prefix: Bytes, options?: LeasingKVOptions): Promise<LeasingKV<C>> {
    const p = Buffer.from(toBytes(prefix, 'leasing prefix'));
    const { rest, call } = split<{ ttl?: number }>(options);
    let ttl = DEFAULT_LEASING_TTL;
    for (const name in rest) {
      const value: unknown = (rest as Record<string, unknown>)[name];
      if (value === undefined) continue;
      if (name !== 'ttl') throw new InvalidArgumentError(`unknown option ${JSON.stringify(name)} of LeasingKV.create (known: ttl, signal, timeout)`);
      if (!(typeof value === 'number' && Number.isSafeInteger(value) && value > 0)) {
        throw new InvalidArgumentError(`leasing ttl must be a positive integer number of seconds, got ${describe(value)}`);
      }
      ttl = value;
    }
    const kv = new LeasingKV(client, p, ttl);
    try {
      await kv.#ready(call);
    } catch (error) {
      await kv.close().catch(() => undefined);
      throw error;
    }
    return kv;
  }

  /** The keys this client owns now (whose reads it may answer from its cache). */
  get ownedKeys(): Buffer[] {
    return this.#cache.all().map((o) => o.key);
  }

  /** Whether the next read of `key` would be answered from the cache. */
  isCached(key: Bytes): boolean {
    return this.#cache.get(toBytes(key, 'key'))?.cached !== undefined;
  }

  // --- session ---------------------------------------------------------------------------------

  #newSessionPromise(): void {
    this.#sessionReady = new Promise((resolve) => {
      this.#resolveSession = resolve;
    });
    this.#sessionReady.catch(() => undefined);
  }

  /** Keeps a session open until closed: a new one whenever the current one is lost (Go `monitorSession`). */
  async #keepSession(): Promise<void> {
    const signal = this.#closing.signal;
    while (!signal.aborted) {
      let session: Session<C>;
      try {
        session = await Session.create(this.client, { ttl: this.#ttl, signal });
      } catch (error) {
        if (error instanceof ClientClosedError) return this.#clientClosed();
        await sleep(SESSION_RETRY_MS, signal).catch(() => undefined); // an abort ends the pause; the loop checks it
        continue;
      }
      if (signal.aborted) {
        await session.close().catch(() => undefined);
        return;
      }
      this.#session = session;
      this.#resolveSession(session);
      const ended = await session.done;
      // Lost (or closed): every leasing key went with the lease.
      this.#session = undefined;
      this.#cache.clear();
      if (ended instanceof ClientClosedError) return this.#clientClosed();
      this.#newSessionPromise();
    }
  }

  /**
   * The client was closed: this leasing KV is closed with it (no session can be made any more,
   * and its lease goes when its TTL runs out). Waiting and later calls reject with `ClientClosedError`.
   */
  #clientClosed(): void {
    this.#closed ??= Promise.resolve();
    this.#closing.abort();
    this.#cache.clear();
  }

  /** The current session, waiting for one within `options`' signal and timeout. */
  async #ready(options: CallOptions | undefined, scopeSignal?: AbortSignal): Promise<Session<C>> {
    if (this.#closed !== undefined) throw new ClientClosedError();
    if (this.#session !== undefined && !this.#session.ended) return this.#session;
    const scope = scopeSignal === undefined ? waitScope(undefined, options, 'leasing') : undefined;
    const signal = scopeSignal ?? scope!.signal;
    try {
      return await new Promise<Session<C>>((resolve, reject) => {
        const closing = this.#closing.signal;
        const stop = (): void => {
          signal.removeEventListener('abort', abort);
          closing.removeEventListener('abort', abort);
        };
        const abort = (): void => {
          stop();
          reject(signal.aborted ? signal.reason : new ClientClosedError());
        };
        if (signal.aborted || closing.aborted) return abort();
        signal.addEventListener('abort', abort, { once: true });
        closing.addEventListener('abort', abort, { once: true });
        this.#sessionReady.then((s) => {
          stop();
          resolve(s);
        }, abort);
      });
    } catch (error) {
      throw scope === undefined ? error : scope.failure(error);
    } finally {
      scope?.dispose();
    }
  }

  #leasingKey(key: Uint8Array): Buffer {
    return Buffer.concat([this.prefix, key]);
  }

  #userKey(leasingKey: Buffer): Buffer {
    return leasingKey.subarray(this.prefix.length);
  }

  // --- reads -----------------------------------------------------------------------------------

  /**
   * Reads a key or range (etcd `KV.Range`), as `client.get`. A linearizable read of one key is
   * answered from the cache when this client owns the key, else it takes the key (etcd `KV.Txn`:
   * the read plus the leasing key) and caches the read when no one else owns it.
   */
  async get(key: Bytes, options?: RangeOptions & CallOptions): Promise<GetResponse> {
    const request = rangeRequest(key, options, true);
    if (this.#closed !== undefined) throw new ClientClosedError();
    const session = this.#session;
    if (session === undefined || session.ended || !cacheable(request)) return this.client.get(key, options);
    const k = Buffer.from(request.key!);
    const owned = this.#cache.get(k);
    if (owned?.cached !== undefined) {
      while (owned.pending !== undefined) await owned.pending;
      if (owned.cached !== undefined) return answerFromCache(owned.cached, request);
    }
    if (request.serializable === true || !this.#cache.mayAcquire(k)) return this.client.get(key, options);
    const { call } = split(options);
    const id = k.toString('latin1');
    let acquiring = this.#acquiring.get(id);
    if (acquiring === undefined) {
      acquiring = this.#acquire(k, session, call).finally(() => this.#acquiring.delete(id));
      this.#acquiring.set(id, acquiring);
    }
    return answerFromCache(await acquiring, request);
  }

  /**
   * Reads `k` and takes its leasing key if free and `k` has no lease (Go `acquire`); caches the
   * read when this client owns the key after it. Resolves with the plain read of `k`.
   */
  async #acquire(k: Buffer, session: Session<C>, call: CallOptions | undefined): Promise<GetResponse> {
    const lk = this.#leasingKey(k);
    const response = await this.client
      .txn()
      .if(compare.createRevision(lk, '=', 0), compare.lease(k, '=', 0n))
      .then(op.get(k), op.put(lk, '', { lease: session.lease }))
      .else(op.get(k), op.get(lk))
      .commit(call);
    const read = response.responses[0];
    if (read?.type !== 'get') throw new UnexpectedResponseError('etcd answered the leasing read without its read');
    const result: GetResponse = { header: response.header, kvs: read.kvs, more: read.more, count: read.count };
    if (this.#session !== session || session.ended || this.#closed !== undefined) return result;
    if (response.succeeded) {
      this.#monitor(this.#cache.add(k, response.header.revision, result), session);
      return result;
    }
    const leasing = response.responses[1];
    const lkv = leasing?.type === 'get' ? leasing.kvs[0] : undefined;
    if (lkv === undefined || lkv.lease !== session.lease) return result;
    // Already ours (a read after the cached one was dropped): cache again, unless a writer asked for it.
    const owned = this.#cache.get(k);
    if (lkv.value.equals(REVOKE)) {
      if (owned === undefined) void this.#rescind(k, undefined, response.header.revision + 1, session);
      return result;
    }
    if (owned === undefined) this.#monitor(this.#cache.add(k, response.header.revision, result), session);
    else if (owned.pending === undefined && owned.cached === undefined) owned.cached = result;
    return result;
  }

  // --- giving keys up --------------------------------------------------------------------------

  /**
   * Watches what ends the ownership of `owned` (Go `monitorLease`): a `REVOKE` in its leasing key
   * (give it up), the leasing key's deletion (lost). Also watches the key for writes this client did
   * not make (drop the cached read).
   */
  #monitor(owned: Owned, session: Session<C>): void {
    const signal = owned.controller.signal;
    const lk = this.#leasingKey(owned.key);
    void (async () => {
      try {
        for await (const response of this.client.watch(lk, { startRevision: owned.rev + 1, signal })) {
          for (const event of response.events) {
            if (event.type === 'delete') {
              this.#cache.remove(owned, false);
              return;
            }
            if (event.kv.value.equals(REVOKE)) {
              if (event.kv.lease === session.lease) await this.#rescind(owned.key, owned, event.kv.modRevision, session);
              else this.#cache.remove(owned, true);
              return;
            }
          }
        }
      } catch {
        // The watch failed (compaction, client closed): ownership is in doubt, so give the key up.
        if (!signal.aborted) await this.#rescind(owned.key, owned, 0, session);
      }
    })();
    void (async () => {
      try {
        for await (const response of this.client.watch(owned.key, { startRevision: owned.rev + 1, signal })) {
          for (const event of response.events) {
            while (owned.pending !== undefined) await owned.pending;
            const cached = owned.cached;
            if (cached !== undefined && event.kv.modRevision > cached.header.revision) owned.cached = undefined;
          }
        }
      } catch {
        owned.cached = undefined;
      }
    })();
  }

  /**
   * Gives `k` up (Go `rescind`): forgets it (and `owned`'s cached read) first, then deletes its
   * leasing key if created before `revision` (0: whatever its revision), retrying while the
   * session lasts.
   */
  async #rescind(k: Buffer, owned: Owned | undefined, revision: number, session: Session<C>): Promise<void> {
    if (owned !== undefined) this.#cache.remove(owned, true);
    const lk = this.#leasingKey(k);
    const guard = revision > 0 ? [compare.createRevision(lk, '<', revision)] : [compare.lease(lk, '=', session.lease)];
    while (!session.ended && this.#closed === undefined) {
      try {
        await this.client.txn().if(...guard).then(op.delete(lk)).commit({ timeout: this.#ttl * 1000 });
        return;
      } catch {
        await sleep(RESCIND_RETRY_MS, session.signal).catch(() => undefined); // an abort ends the pause; the loop checks it
      }
    }
  }

  /**
   * Asks the owner of `k`, if another client, to give it up (Go `revoke`): a txn that runs `then`
   * if the leasing key is absent or this client's, else writes `REVOKE` into it and waits for its
   * deletion. Resolves with the txn's response when `then` ran, undefined after waiting.
   */
  async #revoke(k: Buffer, then: Op, signal: AbortSignal): Promise<TxnResponse | undefined> {
    const lk = this.#leasingKey(k);
    const rev = this.#cache.get(k)?.rev ?? 0;
    const response = await this.client
      .txn()
      .if(compare.createRevision(lk, '<', rev + 1))
      .then(then)
      .else(op.put(lk, REVOKE, { ignoreLease: true }))
      .commit({ signal });
    if (response.succeeded) return response;
    await this.#waitRescind(lk, response.header.revision, signal);
    return undefined;
  }

  /** Resolves once the leasing key `lk` is deleted after `revision` (Go `waitRescind`). */
  async #waitRescind(lk: Buffer, revision: number, signal: AbortSignal): Promise<void> {
    try {
      await waitEvent(this.client, lk, 'delete', revision + 1, signal);
    } catch (error) {
      // Compacted meanwhile: the caller's next attempt finds out where things stand.
      if (!(error instanceof CompactedError)) throw error;
    }
  }

  // --- writes ----------------------------------------------------------------------------------

  /** Runs a write of one key through the protocol (Go `put` / `delete` of one key); resolves with the txn. */
  async #modify(o: Op, k: Buffer, call: CallOptions | undefined, operation: string): Promise<TxnResponse> {
    const scope = waitScope(undefined, call, operation);
    try {
      for (;;) {
        await this.#ready(undefined, scope.signal);
        const owned = this.#cache.get(k);
        const release = owned === undefined ? undefined : await this.#cache.lock([owned]);
        let response: TxnResponse | undefined;
        try {
          response = await this.#revoke(k, o, scope.signal);
          if (response !== undefined && owned !== undefined) this.#apply(writesThatRan([o], response.responses), response);
        } catch (error) {
          if (owned !== undefined) owned.cached = undefined; // the write may or may not have happened
          throw error;
        } finally {
          release?.();
        }
        if (response !== undefined) return response;
      }
    } catch (error) {
      throw scope.failure(error);
    } finally {
      scope.dispose();
    }
  }

  /** Updates the cached reads after `writes` ran in `response` (Go `commitToCache`). */
  #apply(writes: readonly Write[], response: TxnResponse): void {
    for (const w of writes) {
      if (w.op.type === 'put') {
        const owned = this.#cache.get(w.key);
        if (owned !== undefined) this.#cache.applyPut(owned, putValue(w.op), response.header, exactPut(w.op));
      } else if (w.rangeEnd === undefined) {
        const owned = this.#cache.get(w.key);
        if (owned !== undefined) this.#cache.applyDelete(owned, response.header);
      } else {
        for (const owned of this.#cache.inRange(w.key, w.rangeEnd)) this.#cache.applyDelete(owned, response.header);
      }
    }
  }

  /**
   * Writes a key (etcd `KV.Txn` guarded by its leasing key), as `client.put`. When another leasing
   * client owns the key, asks it to give the key up and waits, then writes. Rejects with
   * `DeadlineExceededError` past `timeout` (ms), `signal.reason`, or the call's error.
   */
  async put(key: Bytes, value: Bytes, options?: PutOptions & CallOptions): Promise<PutResponse> {
    const { rest, call } = split<PutOptions>(options);
    const o = op.put(key, value, rest);
    const response = await this.#modify(o, Buffer.from(toBytes(key, 'key')), call, 'leasing put');
    const r = response.responses[0];
    return { header: response.header, prevKv: r?.type === 'put' ? r.prevKv : undefined };
  }

  /**
   * Deletes a key or range (etcd `KV.Txn` guarded by the leasing keys), as `client.delete`. Other
   * leasing clients owning keys in the range are asked to give them up first.
   */
  async delete(key: Bytes, options?: DeleteOptions & CallOptions): Promise<DeleteResponse> {
    const { rest, call } = split<DeleteOptions>(options);
    const o = op.delete(key, rest);
    const request = wireOp(o).request as DeleteRangeRequestInit;
    const response =
      request.rangeEnd === undefined || request.rangeEnd.length === 0
        ? await this.#modify(o, Buffer.from(request.key!), call, 'leasing delete')
        : await this.#commitWrites(
            [o],
            (guards, fallback) => this.client.txn().if(...guards).then(o).else(...fallback),
            (r) => this.#apply(writesThatRan([o], r.responses), r),
            call,
            'leasing delete',
          );
    const r = response.responses[0];
    return r?.type === 'delete' ? { header: response.header, deleted: r.deleted, prevKvs: r.prevKvs } : { header: response.header, deleted: 0, prevKvs: [] };
  }

  /**
   * Sends a transaction made by `build(guards, fallback)` (then: the user's ops; else: `fallback`,
   * the reads of the leasing keys written) guarded so that it runs only while no other client owns
   * a key it writes (Go `serverTxn`); on a failed guard, asks the owners to give the keys up and
   * tries again. `applied` updates the cache from the response before the keys' reads resume.
   * Resolves with the response of the guarded txn that ran.
   */
  async #commitWrites(
    userOps: readonly Op[],
    build: (guards: Compare[], fallback: Op[]) => Txn,
    applied: (response: TxnResponse) => void,
    call: CallOptions | undefined,
    operation: string,
  ): Promise<TxnResponse> {
    const writes = gatherWrites(userOps);
    const scope = waitScope(undefined, call, operation);
    const touched = new Set<Owned>();
    for (const w of writes) {
      if (w.rangeEnd === undefined) {
        const owned = this.#cache.get(w.key);
        if (owned !== undefined) touched.add(owned);
      } else {
        for (const owned of this.#cache.inRange(w.key, w.rangeEnd)) touched.add(owned);
      }
    }
    const release = await this.#cache.lock([...touched]);
    try {
      for (;;) {
        const session = await this.#ready(undefined, scope.signal);
        const guards: Compare[] = [];
        const fallback: Op[] = [];
        const seen = new Set<string>();
        for (const w of writes) {
          if (w.rangeEnd === undefined) {
            const id = w.key.toString('latin1');
            const lk = this.#leasingKey(w.key);
            fallback.push(op.get(lk));
            if (seen.has(id)) continue;
            seen.add(id);
            guards.push(compare.createRevision(lk, '<', (this.#cache.get(w.key)?.rev ?? 0) + 1));
          } else {
            const leasing = prefixInterval(this.prefix, w.key, w.rangeEnd);
            fallback.push(op.get(leasing.key, { rangeEnd: leasing.rangeEnd }));
            const maxLeaseRev = await this.#revokeRange(leasing.key, leasing.rangeEnd!, session, scope.signal);
            const last = await this.client.get(w.key, { rangeEnd: w.rangeEnd, limit: 1, sort: { target: 'modRevision', order: 'descend' }, signal: scope.signal });
            const maxModRev = last.kvs[0]?.modRevision ?? 0;
            guards.push(
              compare.modRevision(w.key, '<', maxModRev + 1, { rangeEnd: w.rangeEnd }),
              compare.createRevision(leasing.key, '<', maxLeaseRev + 1, { rangeEnd: leasing.rangeEnd }),
            );
          }
        }
        let response: TxnResponse;
        try {
          response = await build(guards, fallback).commit({ signal: scope.signal });
        } catch (error) {
          for (const owned of touched) owned.cached = undefined; // the writes may or may not have happened
          throw error;
        }
        if (response.succeeded) {
          applied(response);
          return response;
        }
        // A guard failed: another client owns a key written. Ask it (them) to give it up, then again.
        for (const r of response.responses) {
          if (r.type !== 'get') continue;
          await this.#revokeOthers(r.kvs, session, scope.signal);
        }
      }
    } catch (error) {
      throw scope.failure(error);
    } finally {
      release();
      scope.dispose();
    }
  }

  /** Asks the owners of the leasing keys `kvs` that are not this client's to give them up. Returns their highest create revision. */
  async #revokeOthers(kvs: readonly KeyValue[], session: Session<C>, signal: AbortSignal): Promise<number> {
    let maxRev = 0;
    for (const kv of kvs) {
      if (kv.createRevision > maxRev) maxRev = kv.createRevision;
      if (kv.lease === session.lease) continue;
      const k = this.#userKey(kv.key);
      await this.#revoke(k, op.get(k, { countOnly: true }), signal);
    }
    return maxRev;
  }

  /** The leasing keys in `[key, end)` not this client's asked to give up (Go `revokeRange`); resolves with the highest create revision among them all. */
  async #revokeRange(key: Uint8Array, end: Uint8Array, session: Session<C>, signal: AbortSignal): Promise<number> {
    const { kvs } = await this.client.get(key, { rangeEnd: end, signal });
    return this.#revokeOthers(kvs, session, signal);
  }

  /** Compacts the history (etcd `KV.Compact`), as `client.compact`. */
  compact(revision: number, options?: CompactOptions & CallOptions): Promise<CompactResponse> {
    return this.client.compact(revision, options);
  }

  /** Runs one op: reads as `get`, writes as `put` / `delete`, transactions as `txn().commit()`. */
  async do(o: Op, options?: CallOptions): Promise<OpResponse> {
    switch (o.type) {
      case 'get':
        return { type: 'get', ...(await this.get(o.key, { ...o.options, ...options })) };
      case 'put':
        return { type: 'put', ...(await this.put(o.key, o.value, { ...o.options, ...options })) };
      case 'delete':
        return { type: 'delete', ...(await this.delete(o.key, { ...o.options, ...options })) };
      case 'txn':
        return { type: 'txn', ...(await this.txn().if(...o.compares).then(...o.thenOps).else(...o.elseOps).commit(options)) };
      default:
        throw new InvalidArgumentError(`not an op: ${describe(o)}`);
    }
  }

  /**
   * Starts a transaction, as `client.txn`. On `commit()`, one that writes is sent guarded like
   * every write (etcd `KV.Txn` with the user's transaction nested; its response is the nested
   * one's); a read-only one is sent as is.
   */
  txn(): Txn {
    return new CapturedTxn((parts, options) => this.#commitTxn(parts, options));
  }

  async #commitTxn(parts: CapturedTxnParts, options: CallOptions | undefined): Promise<TxnResponse> {
    const user = op.txn(parts.compares, parts.thenOps, parts.elseOps);
    if (!parts.write) {
      const r = await this.client.do(user, options);
      if (r.type !== 'txn') throw new UnexpectedResponseError('etcd answered a txn with another kind of response');
      return { header: r.header, succeeded: r.succeeded, responses: r.responses };
    }
    const response = await this.#commitWrites(
      [user],
      (guards, fallback) => this.client.txn().if(...guards).then(user).else(...fallback),
      (r) => {
        const nested = r.responses[0];
        if (nested?.type === 'txn') this.#apply(writesThatRan(nested.succeeded ? parts.thenOps : parts.elseOps, nested.responses), r);
      },
      options,
      'leasing txn',
    );
    const nested = response.responses[0];
    if (nested?.type !== 'txn') throw new UnexpectedResponseError('etcd answered the leasing txn without the nested txn');
    return { header: response.header, succeeded: nested.succeeded, responses: nested.responses };
  }

  /**
   * Gives every key up and ends the session (etcd `Lease.LeaseRevoke`: the leasing keys go with
   * it, so writers waiting on them go on at once). Later calls reject with `ClientClosedError`.
   * Safe to call more than once.
   */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      this.#closing.abort();
      this.#cache.clear();
      const session = this.#session;
      this.#session = undefined;
      await session?.close();
    })();
    return this.#closed;
  }

  /** `await using kv = await LeasingKV.create(...)` closes it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
