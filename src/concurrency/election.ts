/**
 * `Election`: leader election over etcd, the Go client's algorithm and key layout
 * (`concurrency.Election`), so it is one election with `etcdctl elect`, Go programs and etcd's
 * Election service on the same name.
 *
 * Each candidate session puts its value at `<name>/<lease hex>`; the leader is the candidate whose
 * key has the lowest create revision. A candidate waits for the deletion of the key created just
 * before its own (FIFO, as `Mutex`). The leader's key is attached to its session's lease: when the
 * session ends, leadership passes to the next candidate.
 */
import { compare } from '../kv/compare.js';
import { CompactedError, InvalidArgumentError, ElectionNoLeaderError, ElectionNotLeaderError, SessionExpiredError, WatchEndedError } from '../errors/index.js';
import { firstCreate } from '../kv/range.js';
import { op } from '../kv/op.js';
import { checkCallOption, checkOptionsObject, unknownOption } from '../internal/validation.js';
import { toBytes } from '../internal/wire.js';
import type { Bytes, CallOptions, KeyValue, ResponseHeader } from '../types.js';
import type { GetResponse } from '../kv/types.js';
import { keyPrefix, sessionKey } from './keys.js';
import type { Client } from '../client.js';
import type { SessionClient } from '../service-interfaces.js';
import type { Session } from './session.js';
import { CLEANUP_TIMEOUT_MS, callOptions, waitDeletes, waitScope } from './wait.js';

/** Options of {@link Election.observe}. */
export interface ElectionObserveOptions {
  /** Aborting ends the observation; the iteration then throws `signal.reason`. */
  signal?: AbortSignal;
}

/** Text of the `SessionExpiredError` a campaign rejects with when its session ends. */
const CAMPAIGN_EXPIRED = 'election: session is expired';

/**
 * An election named `name`, in which `session` may campaign.
 *
 * ```ts
 * await using session = await Session.create(client);
 * const election = new Election(session, 'my-election');
 * await election.campaign('node-1');        // resolves once elected
 * await election.proclaim('node-1, v2');    // announce a new value as the leader
 * await election.resign();                  // let the next candidate lead
 * ```
 *
 * Anyone may follow the leadership with `observe()` or read it with `leader()`. On a session of a
 * namespace view (`Session.create(client.namespace('app/'))`) the election's keys are under the
 * namespace: it is the election `app/my-election` of `etcdctl elect` and Go programs.
 */
export class Election<C extends SessionClient = Client> {
  /** The session candidacy and leadership are held under. */
  readonly session: Session<C>;
  /** The prefix of the election's keys, `name + '/'`. */
  readonly prefix: Buffer;
  #key: Buffer | undefined;
  #rev = 0;
  #header: ResponseHeader | undefined;

  /**
   * @param session the session to campaign under (its client, or namespace view, holds the keys)
   * @param name the election's name (string or bytes): its keys are under `name + '/'`
   * @throws InvalidArgumentError when `name` is not a string or Uint8Array
   */
  constructor(session: Session<C>, name: Bytes) {
    this.session = session;
    this.prefix = keyPrefix(name, 'election name');
  }

  /**
   * An election in which `session` already leads with `leaderKey` created at `leaderRev` (Go
   * `ResumeElection`), e.g. after a restart with `Session.create(client, { leaseId })`, or from a
   * `LeaderKey` of `client.election.campaign`. `proclaim` and `resign` then act on that leadership
   * (and fail with `ElectionNotLeaderError` / do nothing if it has ended meanwhile).
   *
   * @param leaderKey the leader's key, `<name>/<lease hex>`
   * @param leaderRev its create revision (a positive integer)
   * @throws InvalidArgumentError for a key outside the election or a bad revision
   */
  static resume<C extends SessionClient>(session: Session<C>, name: Bytes, leaderKey: Bytes, leaderRev: number): Election<C> {
    const election = new Election(session, name);
    const key = Buffer.from(toBytes(leaderKey, 'leaderKey'));
    if (key.length <= election.prefix.length || !key.subarray(0, election.prefix.length).equals(election.prefix)) {
      throw new InvalidArgumentError(`leaderKey must be a key of the election, under ${JSON.stringify(election.prefix.toString())}`);
    }
    if (!(typeof leaderRev === 'number' && Number.isSafeInteger(leaderRev) && leaderRev > 0)) {
      throw new InvalidArgumentError(`leaderRev must be a positive integer (the key's create revision), got ${String(leaderRev)}`);
    }
    election.#key = key;
    election.#rev = leaderRev;
    return election;
  }

  /** The key of this session's candidacy or leadership, `<name>/<lease hex>`; undefined when not campaigning. */
  get key(): Buffer | undefined {
    return this.#key;
  }

  /** The create revision of {@link key} (when the candidacy began); 0 when not campaigning. */
  get rev(): number {
    return this.#rev;
  }

  /** The header of the last successful campaign, proclaim or resign. */
  get header(): ResponseHeader | undefined {
    return this.#header;
  }

  /**
   * Campaigns with `value` and resolves once this session is the leader (etcd `KV.Txn` to put its
   * key if absent, then read-only `KV.Txn`s and `Watch.Watch` while waiting for the candidates before it).
   * A session already a candidate keeps its place and updates its value. `timeout` (ms) and
   * `signal` bound the wait.
   *
   * Rejects with `SessionExpiredError` when the session ends first, `DeadlineExceededError` past
   * `timeout`, `signal.reason` when aborted, or a call's error. On failure the candidacy is
   * withdrawn (its key deleted, best effort).
   */
  async campaign(value: Bytes, options?: CallOptions): Promise<void> {
    const val = Buffer.from(toBytes(value, 'campaign value'));
    const scope = waitScope(this.session, options, 'campaign');
    const client = this.session.client;
    const key = sessionKey(this.prefix, this.session.lease);
    const wasCandidate = this.#key !== undefined;
    try {
      const response = await client
        .txn()
        .if(compare.createRevision(key, '=', 0))
        .then(op.put(key, val, { lease: this.session.lease }))
        .else(op.get(key))
        .commit({ signal: scope.signal });
      this.#key = key;
      this.#rev = response.header.revision;
      if (!response.succeeded) {
        const own = response.responses[0];
        const kv = own?.type === 'get' ? own.kvs[0] : undefined;
        if (kv !== undefined) {
          this.#rev = kv.createRevision;
          if (!kv.value.equals(val)) await this.proclaim(val, { signal: scope.signal });
        }
      }
      const waited = await waitDeletes(client, this.prefix, this.#rev - 1, key, scope.signal);
      // Our key may have gone with the session while we waited.
      if (waited.own?.createRevision !== this.#rev) {
        this.#key = undefined;
        this.#rev = 0;
        throw new SessionExpiredError(CAMPAIGN_EXPIRED);
      }
      this.#header = response.header;
    } catch (error) {
      await this.#withdraw(key, wasCandidate);
      throw scope.failure(error, CAMPAIGN_EXPIRED);
    } finally {
      scope.dispose();
    }
  }

  /**
   * Announces a new `value` as the leader, without a new election (etcd `KV.Txn`, put only if the
   * leader key is still ours). Rejects with `ElectionNotLeaderError` when this session is not (or
   * no longer) the leader, or the call's error.
   */
  async proclaim(value: Bytes, options?: CallOptions): Promise<void> {
    const val = toBytes(value, 'proclaim value');
    const key = this.#key;
    if (key === undefined) throw new ElectionNotLeaderError();
    const response = await this.session.client
      .txn()
      .if(compare.createRevision(key, '=', this.#rev))
      .then(op.put(key, val, { lease: this.session.lease }))
      .commit(options);
    if (!response.succeeded) {
      this.#key = undefined;
      this.#rev = 0;
      throw new ElectionNotLeaderError();
    }
    this.#header = response.header;
  }

  /**
   * Gives up leadership (or candidacy), so the next candidate is elected (etcd `KV.Txn`, delete the
   * key only if it is still ours). Does nothing when not campaigning. Rejects with the call's error;
   * the election then forgets the key anyway (as Go's), and the session's end releases it.
   */
  async resign(options?: CallOptions): Promise<void> {
    const key = this.#key;
    if (key === undefined) return;
    const rev = this.#rev;
    this.#key = undefined;
    this.#rev = 0;
    const response = await this.session.client.txn().if(compare.createRevision(key, '=', rev)).then(op.delete(key)).commit(options);
    this.#header = response.header;
  }

  /**
   * The current leader: a read of the key with the lowest create revision under the prefix (etcd
   * `KV.Range`); `kvs[0]` holds its key and value. Rejects with `ElectionNoLeaderError` when there is
   * none, or the call's error.
   */
  async leader(options?: CallOptions): Promise<GetResponse> {
    const response = await this.session.client.get(this.prefix, { ...firstCreate(), ...callOptions(options, 'leader') });
    if (response.kvs.length === 0) throw new ElectionNoLeaderError();
    return response;
  }

  /**
   * Follows the leadership (Go `Election.Observe`): yields the current leader (waiting for the
   * first one when there is none), then one response per change, in order: each value the leader
   * proclaims, and each new leader. Every response has the leader's key-value as `kvs[0]`; its
   * `header.revision` is the revision as of which it is the leader with that value.
   *
   * Unlike Go's, it does not skip a leader that reigned only briefly: after a leader's key is
   * deleted at revision R, the next leader is read as of R (falling back to the newest state only
   * when R has been compacted). Uses etcd `KV.Range` and `Watch.Watch`. Leaving the `for await`
   * loop, or aborting `signal`, stops it; the iteration throws the calls' errors.
   */
  observe(options?: ElectionObserveOptions): AsyncIterable<GetResponse> {
    checkOptionsObject(options, 'observe options');
    for (const name in options) {
      const value: unknown = (options as Record<string, unknown>)[name];
      if (value === undefined) continue;
      if (name !== 'signal') throw unknownOption(name, 'observe', ['signal']);
      checkCallOption(name, value);
    }
    const signal = options?.signal;
    const client = this.session.client;
    const prefix = this.prefix;
    return {
      async *[Symbol.asyncIterator](): AsyncGenerator<GetResponse> {
        let read = await client.get(prefix, { ...firstCreate(), signal });
        let asOf = read.header.revision;
        for (;;) {
          let kv: KeyValue | undefined = read.kvs[0];
          let header: ResponseHeader = { ...read.header, revision: asOf };
          if (kv === undefined) {
            // No leader as of `asOf`: the first key put under the prefix after it is the leader.
            wait: for await (const response of client.watch(prefix, { prefix: true, startRevision: asOf + 1, signal })) {
              for (const event of response.events) {
                if (event.type === 'put') {
                  kv = event.kv;
                  header = { ...response.header, revision: event.kv.modRevision };
                  break wait;
                }
              }
            }
            if (kv === undefined) {
              signal?.throwIfAborted();
              throw new WatchEndedError('election observe: the watch ended while waiting for a leader');
            }
          }
          yield { header, kvs: [kv], more: false, count: 1 };
          // Follow the leader's key: its new values, until it is deleted.
          let deletedAt = 0;
          follow: for await (const response of client.watch(kv.key, { startRevision: header.revision + 1, signal })) {
            for (const event of response.events) {
              if (event.type === 'delete') {
                deletedAt = event.kv.modRevision;
                break follow;
              }
              yield { header: { ...response.header, revision: event.kv.modRevision }, kvs: [event.kv], more: false, count: 1 };
            }
          }
          if (deletedAt === 0) {
            signal?.throwIfAborted();
            throw new WatchEndedError('election observe: the watch of the leader key ended');
          }
          // The next leader, as of the deletion.
          try {
            read = await client.get(prefix, { ...firstCreate(), revision: deletedAt, signal });
            asOf = deletedAt;
          } catch (error) {
            if (!(error instanceof CompactedError)) throw error;
            read = await client.get(prefix, { ...firstCreate(), signal });
            asOf = read.header.revision;
          }
        }
      },
    };
  }

  /** Deletes our key after a failed campaign, unless the session was a candidate before (best effort). */
  async #withdraw(key: Buffer, wasCandidate: boolean): Promise<void> {
    if (wasCandidate) return;
    const rev = this.#rev;
    this.#key = undefined;
    this.#rev = 0;
    const client = this.session.client;
    const txn = rev > 0 ? client.txn().if(compare.createRevision(key, '=', rev)).then(op.delete(key)) : client.txn().then(op.delete(key));
    await txn.commit({ timeout: CLEANUP_TIMEOUT_MS }).catch(() => undefined);
  }
}
