/**
 * The Election service: etcd's server-side leader election (`v3electionpb.Election`), as
 * `client.election`.
 *
 * The server runs Go's `concurrency.Election` on the caller's behalf: the election `name` is a key
 * prefix, each candidate's key is `<name>/<lease ID in hex>` attached to its lease, and the leader
 * is the candidate whose key has the lowest create revision. Candidacy and leadership last until
 * `resign` or until the lease ends, so the caller keeps its lease alive while campaigning. Elections
 * run here and client-side `Election`s of `etcd-ts/concurrency` with the same name are one election.
 */
import { checkCallOptions, nonEmptyBytes, requiredLease } from '../internal/validation.js';
import { keyValue, responseHeader, toBuffer, toBytes, toNumber } from '../internal/wire.js';
import { concurrencyServerError } from '../errors/by-message.js';
import { describe } from '../internal/describe-value.js';
import { ElectionNoLeaderError, InvalidArgumentError, UnexpectedResponseError } from '../errors/index.js';
import { Election as ElectionMethods } from '../proto/index.js';
import type { LeaderKey as WireLeaderKey, LeaderResponse as WireLeaderResponse } from '../proto/index.js';
import type { Rpc } from '../rpc/types.js';
import type { Bytes, CallOptions, KeyValue, ResponseHeader } from '../types.js';

/**
 * Proof of one leadership (etcd `LeaderKey`), returned by `campaign` and given back to `proclaim`
 * and `resign`.
 */
export interface LeaderKey {
  /** The election's name. */
  name: Buffer;
  /** The leader's key, `<name>/<lease ID in hex>`. */
  key: Buffer;
  /** The create revision of `key`: a later key with the same name is another leadership. */
  rev: number;
  /** The lease the leadership is held under. */
  lease: bigint;
}

/** A {@link LeaderKey} as accepted by `proclaim` and `resign`: the same fields, bytes as string or Uint8Array. */
export interface LeaderKeyInit {
  /** The election's name. */
  name: Bytes;
  /** The leader's key, `<name>/<lease ID in hex>`. */
  key: Bytes;
  /** The create revision of `key`, a positive integer. */
  rev: number;
  /** The lease the leadership is held under (not 0n). */
  lease: bigint;
}

/** Response of `client.election.campaign` (etcd `CampaignResponse`). */
export interface CampaignResponse {
  /** The header of etcd's response (its `revision` is the store's revision then). */
  header: ResponseHeader;
  /** The leadership won. */
  leader: LeaderKey;
}

/** Response of `client.election.leader` and each item of `observe` (etcd `LeaderResponse`). */
export interface LeaderResponse {
  /** The header of etcd's response (its `revision` is the store's revision then). */
  header: ResponseHeader;
  /** The leader's key and its current value (the value it campaigned with or last proclaimed). */
  kv: KeyValue;
}

/** Response of `client.election.proclaim` (etcd `ProclaimResponse`). */
export interface ProclaimResponse {
  /** The header of etcd's response (its `revision` is the store's revision then). */
  header: ResponseHeader;
}

/** Response of `client.election.resign` (etcd `ResignResponse`). */
export interface ResignResponse {
  /** The header of etcd's response (its `revision` is the store's revision then). */
  header: ResponseHeader;
}

/** Options of `client.election.observe`. */
export interface ObserveOptions {
  /** Aborting ends the observation; the iteration then throws `signal.reason`. */
  signal?: AbortSignal;
  /** Deadline of the whole observation, in ms; past it the iteration throws `DeadlineExceededError`. Default: none. */
  timeout?: number;
}

function wireLeaderKey(leader: LeaderKeyInit, operation: string): WireLeaderKey {
  if (typeof leader !== 'object' || leader === null) {
    throw new InvalidArgumentError(`${operation}: leader must be the LeaderKey returned by campaign, got ${describe(leader)}`);
  }
  const rev = leader.rev;
  if (!(typeof rev === 'number' && Number.isSafeInteger(rev) && rev > 0)) {
    throw new InvalidArgumentError(`${operation}: leader.rev must be a positive integer, got ${describe(rev)}`);
  }
  return {
    name: toBytes(leader.name, `${operation}: leader.name`),
    key: nonEmptyBytes(leader.key, `${operation}: leader.key`),
    rev: BigInt(rev),
    lease: requiredLease(leader.lease, `${operation}: leader.lease`),
  };
}

function leaderKey(leader: WireLeaderKey | undefined): LeaderKey {
  if (leader === undefined) throw new UnexpectedResponseError('etcd returned a campaign response without its leader key');
  return {
    name: toBuffer(leader.name),
    key: toBuffer(leader.key),
    rev: toNumber(leader.rev, 'leader revision'),
    lease: leader.lease,
  };
}

function leaderResponse(response: WireLeaderResponse): LeaderResponse {
  // etcd answers "election: no leader" rather than an empty response; guard anyway.
  if (response.kv === undefined) throw new ElectionNoLeaderError();
  return { header: responseHeader(response.header), kv: keyValue(response.kv) };
}

/** Runs one call, turning Go's concurrency messages into their typed errors. */
async function call<T>(promise: Promise<T>): Promise<T> {
  try {
    return await promise;
  } catch (error) {
    throw concurrencyServerError(error);
  }
}

/**
 * The Election service of one client (`client.election`). Not the client-side `Election` of
 * `etcd-ts/concurrency` (Go's `concurrency.Election`), though both take part in the same elections.
 */
export class ElectionService {
  readonly #rpc: Rpc;

  /** `rpc`: the client's call layer. */
  constructor(rpc: Rpc) {
    this.#rpc = rpc;
  }

  /**
   * Campaigns in election `name` with `value` under `lease` and waits until elected (etcd
   * `Election.Campaign`); bound the wait with `timeout` (ms) or `signal`. If the lease is already a
   * candidate in this election, its candidacy is resumed (and its value updated).
   *
   * - `name`: the election's name, a key prefix.
   * - `value`: announced as the leader's value once elected.
   * - `lease`: a granted lease ID (not 0n); candidacy and leadership end with it.
   *
   * Rejects with `InvalidArgumentError` (before sending), `LeaseNotFoundError` for an unknown
   * lease, `DeadlineExceededError` / `signal.reason`. Not retried by the client once sent.
   */
  async campaign(name: Bytes, value: Bytes, lease: bigint, options?: CallOptions): Promise<CampaignResponse> {
    const request = {
      name: toBytes(name, 'campaign name'),
      value: toBytes(value, 'campaign value'),
      lease: requiredLease(lease, 'campaign lease'),
    };
    checkCallOptions(options, 'campaign');
    const response = await call(this.#rpc.unary(ElectionMethods.campaign, request, options));
    return { header: responseHeader(response.header), leader: leaderKey(response.leader) };
  }

  /**
   * Announces a new `value` as the leader, without a new election (etcd `Election.Proclaim`).
   * Rejects with `ElectionNotLeaderError` when `leader` no longer holds the election.
   */
  async proclaim(leader: LeaderKeyInit, value: Bytes, options?: CallOptions): Promise<ProclaimResponse> {
    const request = { leader: wireLeaderKey(leader, 'proclaim'), value: toBytes(value, 'proclaim value') };
    checkCallOptions(options, 'proclaim');
    const response = await call(this.#rpc.unary(ElectionMethods.proclaim, request, options));
    return { header: responseHeader(response.header) };
  }

  /**
   * The current leader of election `name`: its key and value (etcd `Election.Leader`). Rejects with
   * `ElectionNoLeaderError` when nobody holds it.
   */
  async leader(name: Bytes, options?: CallOptions): Promise<LeaderResponse> {
    const request = { name: toBytes(name, 'leader name') };
    checkCallOptions(options, 'leader');
    return leaderResponse(await call(this.#rpc.unary(ElectionMethods.leader, request, options)));
  }

  /**
   * Follows the leadership of election `name` (etcd `Election.Observe`, a server stream): one
   * response for the current leader (or the first one elected), then one per change: a new value
   * proclaimed, a new leader. Leaving the `for await` loop, or aborting `signal`, ends the stream
   * on the server. The iteration throws the stream's error (e.g. `ConnectionError`).
   */
  observe(name: Bytes, options?: ObserveOptions): AsyncIterable<LeaderResponse> {
    const request = { name: toBytes(name, 'observe name') };
    checkCallOptions(options, 'observe');
    const stream = this.#rpc.serverStream(ElectionMethods.observe, request, options);
    return {
      async *[Symbol.asyncIterator]() {
        for await (const response of stream) yield leaderResponse(response);
      },
    };
  }

  /**
   * Gives up `leader`'s leadership, so the next candidate is elected (etcd `Election.Resign`).
   * Resolves also when `leader` no longer held the election.
   */
  async resign(leader: LeaderKeyInit, options?: CallOptions): Promise<ResignResponse> {
    const request = { leader: wireLeaderKey(leader, 'resign') };
    checkCallOptions(options, 'resign');
    const response = await call(this.#rpc.unary(ElectionMethods.resign, request, options));
    return { header: responseHeader(response.header) };
  }
}

/**
 * The former name of {@link ElectionService}, the type of `client.election`.
 * @deprecated Use `ElectionService`: `Election` is also the client-side class of
 *   `etcd-ts/concurrency`. This alias will be removed in the next release.
 */
export type Election = ElectionService;
