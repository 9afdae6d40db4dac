/**
 * The Cluster service: etcd `Cluster.*`: list, add (as a voting member or a learner), remove,
 * update and promote members. Member IDs are `bigint` (random non-zero 64-bit values).
 */
import { booleanOption, checkMemberId, checkPeerUrls, checkOptions } from '../internal/validation.js';
import { responseHeader } from '../internal/wire.js';
import { Cluster as ClusterMethods } from '../proto/index.js';
import type { Member as WireMember } from '../proto/index.js';
import type { Rpc } from '../rpc/types.js';
import type { CallOptions, ResponseHeader } from '../types.js';

/** One member of the cluster (etcd `Member`). */
export interface Member {
  /** The member ID (non-zero). */
  id: bigint;
  /** The member's `--name`; empty for a member that was added but has not started yet. */
  name: string;
  /** URLs the other members reach it at (`--initial-advertise-peer-urls`). */
  peerURLs: string[];
  /** URLs clients reach it at (`--advertise-client-urls`); empty until it has started. */
  clientURLs: string[];
  /** A non-voting learner (etcd 3.4+), until `memberPromote`. */
  isLearner: boolean;
}

/** Options of `cluster.memberList`. */
export interface MemberListOptions extends CallOptions {
  /**
   * Read the list through raft, so it includes every change committed before the call (etcd 3.5+).
   * etcd 3.4 ignores the field and answers from the member's local view. Default false.
   */
  linearizable?: boolean;
}

/** Response of `cluster.memberList` (etcd `MemberListResponse`). */
export interface MemberListResponse {
  /** Header of the member that answered: cluster and member IDs, revision, raft term. */
  header: ResponseHeader;
  /** Every member, learners included, in etcd's order (by ID). */
  members: Member[];
}

/** Response of `cluster.memberAdd` and `cluster.memberAddAsLearner` (etcd `MemberAddResponse`). */
export interface MemberAddResponse {
  /** Header of the member that answered: cluster and member IDs, revision, raft term. */
  header: ResponseHeader;
  /** The member just added: its new ID and peer URLs (no name nor client URLs until it starts). */
  member: Member;
  /** All members after the change. */
  members: Member[];
}

/** Response of `cluster.memberRemove` (etcd `MemberRemoveResponse`). */
export interface MemberRemoveResponse {
  /** Header of the member that answered: cluster and member IDs, revision, raft term. */
  header: ResponseHeader;
  /** The members left. */
  members: Member[];
}

/** Response of `cluster.memberUpdate` (etcd `MemberUpdateResponse`). */
export interface MemberUpdateResponse {
  /** Header of the member that answered: cluster and member IDs, revision, raft term. */
  header: ResponseHeader;
  /** All members after the change. */
  members: Member[];
}

/** Response of `cluster.memberPromote` (etcd `MemberPromoteResponse`). */
export interface MemberPromoteResponse {
  /** Header of the member that answered: cluster and member IDs, revision, raft term. */
  header: ResponseHeader;
  /** All members after the change. */
  members: Member[];
}

const LIST_OPTIONS = { linearizable: booleanOption };

/**
 * The Cluster service of one client (`client.cluster`). Membership changes go through raft on
 * the leader; etcd refuses a change that would leave the cluster without a quorum of started
 * members (`MemberNotEnoughStartedError`) unless it runs with `--strict-reconfig-check=false`.
 * Bad arguments reject with `InvalidArgumentError` before anything is sent.
 */
export class Cluster {
  readonly #rpc: Rpc;

  /** `rpc`: the client's call layer. */
  constructor(rpc: Rpc) {
    this.#rpc = rpc;
  }

  /**
   * Lists the members (etcd `Cluster.MemberList`). Retried on another endpoint when one is
   * unavailable. `linearizable` needs etcd 3.5+ (ignored by 3.4, see {@link MemberListOptions}).
   */
  async memberList(options?: MemberListOptions): Promise<MemberListResponse> {
    checkOptions(options, 'memberList', LIST_OPTIONS);
    const response = await this.#rpc.unary(ClusterMethods.memberList, { linearizable: options?.linearizable ?? false }, options);
    return { header: responseHeader(response.header), members: response.members.map(member) };
  }

  /**
   * Adds a voting member with the given peer URLs (etcd `Cluster.MemberAdd`); start it afterwards
   * with `--initial-cluster-state existing`. Rejects with `PeerURLExistError` for a URL in use,
   * `MemberNotEnoughStartedError` when the cluster would lose its quorum of started members.
   * Not retried once it may have reached the server.
   *
   * @param peerURLs `http(s)://host:port` URLs, at least one (checked before sending)
   */
  memberAdd(peerURLs: readonly string[], options?: CallOptions): Promise<MemberAddResponse> {
    return this.#add('memberAdd', peerURLs, false, options);
  }

  /**
   * Adds a non-voting learner (etcd `Cluster.MemberAdd` with `isLearner`, etcd 3.4+): it receives
   * the log but does not vote until {@link memberPromote}. etcd allows one learner at a time
   * (`TooManyLearnersError`).
   *
   * @param peerURLs `http(s)://host:port` URLs, at least one
   */
  memberAddAsLearner(peerURLs: readonly string[], options?: CallOptions): Promise<MemberAddResponse> {
    return this.#add('memberAddAsLearner', peerURLs, true, options);
  }

  /**
   * Removes a member (etcd `Cluster.MemberRemove`); the removed member shuts itself down.
   * Rejects with `MemberNotFoundError` for an unknown ID.
   *
   * @param id the member ID (bigint)
   */
  async memberRemove(id: bigint, options?: CallOptions): Promise<MemberRemoveResponse> {
    const ID = checkMemberId(id, 'memberRemove: id');
    checkOptions(options, 'memberRemove');
    const response = await this.#rpc.unary(ClusterMethods.memberRemove, { ID }, options);
    return { header: responseHeader(response.header), members: response.members.map(member) };
  }

  /**
   * Replaces a member's peer URLs (etcd `Cluster.MemberUpdate`). Rejects with `MemberNotFoundError`
   * or `PeerURLExistError`. Beware: etcd 3.4 drops the learner flag of the member it updates,
   * turning a learner into a voting member (fixed in 3.5); update learners after promoting them.
   *
   * @param id the member ID
   * @param peerURLs its new `http(s)://host:port` URLs, at least one
   */
  async memberUpdate(id: bigint, peerURLs: readonly string[], options?: CallOptions): Promise<MemberUpdateResponse> {
    const ID = checkMemberId(id, 'memberUpdate: id');
    const urls = checkPeerUrls(peerURLs, 'memberUpdate');
    checkOptions(options, 'memberUpdate');
    const response = await this.#rpc.unary(ClusterMethods.memberUpdate, { ID, peerURLs: urls }, options);
    return { header: responseHeader(response.header), members: response.members.map(member) };
  }

  /**
   * Makes a learner a voting member (etcd `Cluster.MemberPromote`, etcd 3.4+). Rejects with
   * `LearnerNotReadyError` while the learner's log is behind the leader's (retry a little later),
   * `MemberNotLearnerError` for a voting member, `MemberNotFoundError` for an unknown ID.
   *
   * @param id the learner's member ID
   */
  async memberPromote(id: bigint, options?: CallOptions): Promise<MemberPromoteResponse> {
    const ID = checkMemberId(id, 'memberPromote: id');
    checkOptions(options, 'memberPromote');
    const response = await this.#rpc.unary(ClusterMethods.memberPromote, { ID }, options);
    return { header: responseHeader(response.header), members: response.members.map(member) };
  }

  async #add(operation: string, peerURLs: readonly string[], isLearner: boolean, options: CallOptions | undefined): Promise<MemberAddResponse> {
    const urls = checkPeerUrls(peerURLs, operation);
    checkOptions(options, operation);
    const response = await this.#rpc.unary(ClusterMethods.memberAdd, { peerURLs: urls, isLearner }, options);
    const added = response.member !== undefined
      ? member(response.member)
      : { id: 0n, name: '', peerURLs: urls, clientURLs: [], isLearner };
    return { header: responseHeader(response.header), member: added, members: response.members.map(member) };
  }
}

function member(m: WireMember): Member {
  return { id: m.ID, name: m.name, peerURLs: m.peerURLs, clientURLs: m.clientURLs, isLearner: m.isLearner };
}
