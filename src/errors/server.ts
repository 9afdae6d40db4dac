/**
 * One class per error the etcd server returns, matched by its exact message as the Go client's
 * `rpctypes` package does (including messages newer than etcd 3.4), and {@link SERVER_ERRORS}, the
 * list of them all. Each extends `EtcdServerError` (errors/etcd-error.ts).
 */
import { Status } from '../transport/types.js';
import { EtcdServerError, type ServerErrorClass, type ServerErrorOptions } from './etcd-error.js';

// --- keys, revisions, transactions ---

/**
 * `etcdserver: key is not provided` (INVALID_ARGUMENT): the request names no key (an empty key).
 * The client throws the same class before sending when a call is given an empty key
 * ({@link EmptyKeyError.clientSide}), so one `instanceof EmptyKeyError` catches both; `details` is
 * then etcd's own text too.
 */
export class EmptyKeyError extends EtcdServerError {
  static override readonly serverMessage = 'etcdserver: key is not provided';
  static override readonly grpcCode = Status.INVALID_ARGUMENT;
  static override readonly description = 'the request has an empty key; etcd needs a key of at least one byte';
  override name = 'EmptyKeyError';

  /**
   * The client-side form, thrown before anything is sent: `message` names the call and the
   * problem (e.g. `put: key is empty`); `details` is etcd's text (`etcdserver: key is not provided`)
   * and `code` INVALID_ARGUMENT (3), as when the server refuses an empty key.
   */
  static clientSide(message: string): EmptyKeyError {
    const error = new EmptyKeyError();
    error.message = message;
    return error;
  }
}

/** `etcdserver: key not found` (INVALID_ARGUMENT): a transaction operation has no request in it. */
export class KeyNotFoundError extends EtcdServerError {
  static override readonly serverMessage = 'etcdserver: key not found';
  static override readonly grpcCode = Status.INVALID_ARGUMENT;
  static override readonly description = 'key not found (an empty operation in a transaction)';
  override name = 'KeyNotFoundError';
}

/** `etcdserver: value is provided` (INVALID_ARGUMENT): a put with `ignoreValue` also carried a value. */
export class ValueProvidedError extends EtcdServerError {
  static override readonly serverMessage = 'etcdserver: value is provided';
  static override readonly grpcCode = Status.INVALID_ARGUMENT;
  static override readonly description = 'a put with ignoreValue must not carry a value';
  override name = 'ValueProvidedError';
}

/** `etcdserver: lease is provided` (INVALID_ARGUMENT): a put with `ignoreLease` also carried a lease. */
export class LeaseProvidedError extends EtcdServerError {
  static override readonly serverMessage = 'etcdserver: lease is provided';
  static override readonly grpcCode = Status.INVALID_ARGUMENT;
  static override readonly description = 'a put with ignoreLease must not carry a lease';
  override name = 'LeaseProvidedError';
}

/** `etcdserver: too many operations in txn request` (INVALID_ARGUMENT): over `--max-txn-ops` (default 128). */
export class TooManyOpsError extends EtcdServerError {
  static override readonly serverMessage = 'etcdserver: too many operations in txn request';
  static override readonly grpcCode = Status.INVALID_ARGUMENT;
  static override readonly description = "the transaction has more operations than the server's --max-txn-ops allows";
  override name = 'TooManyOpsError';
}

/** `etcdserver: duplicate key given in txn request` (INVALID_ARGUMENT): two writes to one key in a txn branch. */
export class DuplicateKeyError extends EtcdServerError {
  static override readonly serverMessage = 'etcdserver: duplicate key given in txn request';
  static override readonly grpcCode = Status.INVALID_ARGUMENT;
  static override readonly description = 'a transaction branch writes the same key twice';
  override name = 'DuplicateKeyError';
}

/** `etcdserver: invalid client api version` (INVALID_ARGUMENT; etcd >= 3.5). */
export class InvalidClientAPIVersionError extends EtcdServerError {
  static override readonly serverMessage = 'etcdserver: invalid client api version';
  static override readonly grpcCode = Status.INVALID_ARGUMENT;
  static override readonly description = 'the server rejected the client API version header';
  override name = 'InvalidClientAPIVersionError';
}

/** `etcdserver: invalid sort option` (INVALID_ARGUMENT; etcd >= 3.5): unknown sort target or order. */
export class InvalidSortOptionError extends EtcdServerError {
  static override readonly serverMessage = 'etcdserver: invalid sort option';
  static override readonly grpcCode = Status.INVALID_ARGUMENT;
  static override readonly description = 'invalid sort target or sort order';
  override name = 'InvalidSortOptionError';
}

/** Options of {@link CompactedError}. */
export interface CompactedErrorOptions extends ServerErrorOptions {
  /** The revision the store is compacted up to, when known (watch responses carry it). */
  compactRevision?: number;
}

/**
 * `etcdserver: mvcc: required revision has been compacted` (OUT_OF_RANGE): the requested revision
 * is older than the compaction point. `compactRevision` is set when the server told it (watches).
 */
export class CompactedError extends EtcdServerError {
  static override readonly serverMessage = 'etcdserver: mvcc: required revision has been compacted';
  static override readonly grpcCode = Status.OUT_OF_RANGE;
  static override readonly description = 'the requested revision has been compacted';
  override name = 'CompactedError';
  /** The revision the key-value store is compacted up to, when known. */
  readonly compactRevision: number | undefined;

  constructor(details?: string, options?: CompactedErrorOptions) {
    super(details, options);
    this.compactRevision = options?.compactRevision;
    if (this.compactRevision !== undefined) this.message += ` (compacted up to revision ${this.compactRevision})`;
  }
}

/** `etcdserver: mvcc: required revision is a future revision` (OUT_OF_RANGE): newer than the store's revision. */
export class FutureRevisionError extends EtcdServerError {
  static override readonly serverMessage = 'etcdserver: mvcc: required revision is a future revision';
  static override readonly grpcCode = Status.OUT_OF_RANGE;
  static override readonly description = "the requested revision is newer than the store's current revision";
  override name = 'FutureRevisionError';
}

/** `etcdserver: mvcc: database space exceeded` (RESOURCE_EXHAUSTED): the NOSPACE alarm is raised. */
export class NoSpaceError extends EtcdServerError {
  static override readonly serverMessage = 'etcdserver: mvcc: database space exceeded';
  static override readonly grpcCode = Status.RESOURCE_EXHAUSTED;
  static override readonly description =
    'the database is over its space quota (NOSPACE alarm): compact, defragment, then disarm the alarm';
  override name = 'NoSpaceError';
}

// --- leases ---

/** `etcdserver: requested lease not found` (NOT_FOUND): the lease expired or was revoked. */
export class LeaseNotFoundError extends EtcdServerError {
  static override readonly serverMessage = 'etcdserver: requested lease not found';
  static override readonly grpcCode = Status.NOT_FOUND;
  static override readonly description = 'the lease does not exist (expired or revoked)';
  override name = 'LeaseNotFoundError';
}

/** `etcdserver: lease already exists` (FAILED_PRECONDITION): a grant named an ID already in use. */
export class LeaseExistError extends EtcdServerError {
  static override readonly serverMessage = 'etcdserver: lease already exists';
  static override readonly grpcCode = Status.FAILED_PRECONDITION;
  static override readonly description = 'a lease with this ID already exists';
  override name = 'LeaseExistError';
}

/** `etcdserver: too large lease TTL` (OUT_OF_RANGE): the TTL is over the server's maximum (about 9e9 s). */
export class LeaseTTLTooLargeError extends EtcdServerError {
  static override readonly serverMessage = 'etcdserver: too large lease TTL';
  static override readonly grpcCode = Status.OUT_OF_RANGE;
  static override readonly description = 'the lease TTL is larger than the server allows';
  override name = 'LeaseTTLTooLargeError';
}

/** `etcdserver: watch canceled` (CANCELLED): the server cancelled a watch. */
export class WatchCanceledError extends EtcdServerError {
  static override readonly serverMessage = 'etcdserver: watch canceled';
  static override readonly grpcCode = Status.CANCELLED;
  static override readonly description = 'the server cancelled the watch';
  override name = 'WatchCanceledError';
}

// --- members ---

/** `etcdserver: member ID already exist` (FAILED_PRECONDITION). */
export class MemberExistError extends EtcdServerError {
  static override readonly serverMessage = 'etcdserver: member ID already exist';
  static override readonly grpcCode = Status.FAILED_PRECONDITION;
  static override readonly description = 'a member with this ID already exists';
  override name = 'MemberExistError';
}

/** `etcdserver: Peer URLs already exists` (FAILED_PRECONDITION). */
export class PeerURLExistError extends EtcdServerError {
  static override readonly serverMessage = 'etcdserver: Peer URLs already exists';
  static override readonly grpcCode = Status.FAILED_PRECONDITION;
  static override readonly description = 'another member already uses these peer URLs';
  override name = 'PeerURLExistError';
}

/**
 * `etcdserver: re-configuration failed due to not enough started members` (FAILED_PRECONDITION;
 * UNKNOWN from etcd 3.4, which sends the text without its status).
 */
export class MemberNotEnoughStartedError extends EtcdServerError {
  static override readonly serverMessage = 'etcdserver: re-configuration failed due to not enough started members';
  static override readonly grpcCode = Status.FAILED_PRECONDITION;
  static override readonly description = 'membership change refused: it would leave too few started members for a quorum';
  override name = 'MemberNotEnoughStartedError';
}

/** `etcdserver: given member URLs are invalid` (INVALID_ARGUMENT). */
export class MemberBadURLsError extends EtcdServerError {
  static override readonly serverMessage = 'etcdserver: given member URLs are invalid';
  static override readonly grpcCode = Status.INVALID_ARGUMENT;
  static override readonly description = 'the member URLs are invalid';
  override name = 'MemberBadURLsError';
}

/** `etcdserver: member not found` (NOT_FOUND). */
export class MemberNotFoundError extends EtcdServerError {
  static override readonly serverMessage = 'etcdserver: member not found';
  static override readonly grpcCode = Status.NOT_FOUND;
  static override readonly description = 'no member with this ID';
  override name = 'MemberNotFoundError';
}

/** `etcdserver: can only promote a learner member` (FAILED_PRECONDITION). */
export class MemberNotLearnerError extends EtcdServerError {
  static override readonly serverMessage = 'etcdserver: can only promote a learner member';
  static override readonly grpcCode = Status.FAILED_PRECONDITION;
  static override readonly description = 'the member is not a learner; only learners can be promoted';
  override name = 'MemberNotLearnerError';
}

/** `etcdserver: can only promote a learner member which is in sync with leader` (FAILED_PRECONDITION). */
export class LearnerNotReadyError extends EtcdServerError {
  static override readonly serverMessage = 'etcdserver: can only promote a learner member which is in sync with leader';
  static override readonly grpcCode = Status.FAILED_PRECONDITION;
  static override readonly description = 'the learner is not yet in sync with the leader; retry the promotion later';
  override name = 'LearnerNotReadyError';
}

/** `etcdserver: too many learner members in cluster` (FAILED_PRECONDITION). */
export class TooManyLearnersError extends EtcdServerError {
  static override readonly serverMessage = 'etcdserver: too many learner members in cluster';
  static override readonly grpcCode = Status.FAILED_PRECONDITION;
  static override readonly description = 'the cluster already has the maximum number of learners';
  override name = 'TooManyLearnersError';
}

/** `etcdserver: cluster ID mismatch` (FAILED_PRECONDITION; etcd >= 3.5). */
export class ClusterIDMismatchError extends EtcdServerError {
  static override readonly serverMessage = 'etcdserver: cluster ID mismatch';
  static override readonly grpcCode = Status.FAILED_PRECONDITION;
  static override readonly description = 'the request was meant for another cluster (cluster ID mismatch)';
  override name = 'ClusterIDMismatchError';
}

// --- request limits ---

/** Options of {@link RequestTooLargeError}. */
export interface RequestTooLargeErrorOptions extends ServerErrorOptions {
  /** Size of the encoded request in bytes, when known (client-side check). */
  size?: number;
  /** The limit it exceeded in bytes, when known (client-side: `maxCallSendMsgSize`). */
  limit?: number;
}

/**
 * The request is too large. From the server: `etcdserver: request is too large` (INVALID_ARGUMENT,
 * over `--max-request-bytes`, sizes unknown). From the client, before anything is sent: the encoded
 * request is over `maxCallSendMsgSize` (code RESOURCE_EXHAUSTED, `size` and `limit` in bytes set).
 */
export class RequestTooLargeError extends EtcdServerError {
  static override readonly serverMessage = 'etcdserver: request is too large';
  static override readonly grpcCode = Status.INVALID_ARGUMENT;
  static override readonly description = "the request is larger than the server's --max-request-bytes";
  override name = 'RequestTooLargeError';
  /** Encoded request size in bytes, when known. */
  readonly size: number | undefined;
  /** The limit in bytes, when known. */
  readonly limit: number | undefined;

  constructor(details?: string, options?: RequestTooLargeErrorOptions) {
    super(details, options);
    this.size = options?.size;
    this.limit = options?.limit;
  }

  /**
   * The client-side form: the encoded request (`size` bytes) is over `maxCallSendMsgSize`
   * (`limit` bytes); nothing was sent.
   */
  static clientSide(size: number, limit: number): RequestTooLargeError {
    const text = `request of ${size} bytes exceeds maxCallSendMsgSize of ${limit} bytes`;
    const error = new RequestTooLargeError(text, { code: Status.RESOURCE_EXHAUSTED, size, limit });
    error.message = `${text}; nothing was sent`;
    return error;
  }
}

/** `etcdserver: too many requests` (RESOURCE_EXHAUSTED): the server's apply backlog is full. */
export class TooManyRequestsError extends EtcdServerError {
  static override readonly serverMessage = 'etcdserver: too many requests';
  static override readonly grpcCode = Status.RESOURCE_EXHAUSTED;
  static override readonly description = 'the server is overloaded (too many requests); retry later';
  override name = 'TooManyRequestsError';
}

// --- auth ---

/** `etcdserver: root user does not exist` (FAILED_PRECONDITION): auth enable needs a `root` user. */
export class RootUserNotExistError extends EtcdServerError {
  static override readonly serverMessage = 'etcdserver: root user does not exist';
  static override readonly grpcCode = Status.FAILED_PRECONDITION;
  static override readonly description = 'authentication cannot be enabled: the root user does not exist';
  override name = 'RootUserNotExistError';
}

/** `etcdserver: root user does not have root role` (FAILED_PRECONDITION). */
export class RootRoleNotExistError extends EtcdServerError {
  static override readonly serverMessage = 'etcdserver: root user does not have root role';
  static override readonly grpcCode = Status.FAILED_PRECONDITION;
  static override readonly description = 'authentication cannot be enabled: the root user does not have the root role';
  override name = 'RootRoleNotExistError';
}

/** `etcdserver: user name already exists` (FAILED_PRECONDITION). */
export class UserAlreadyExistError extends EtcdServerError {
  static override readonly serverMessage = 'etcdserver: user name already exists';
  static override readonly grpcCode = Status.FAILED_PRECONDITION;
  static override readonly description = 'a user with this name already exists';
  override name = 'UserAlreadyExistError';
}

/** `etcdserver: user name is empty` (INVALID_ARGUMENT); also what a server with auth on says to a call without a token. */
export class UserEmptyError extends EtcdServerError {
  static override readonly serverMessage = 'etcdserver: user name is empty';
  static override readonly grpcCode = Status.INVALID_ARGUMENT;
  static override readonly description = 'no user name (authentication is enabled and the call carried no user)';
  override name = 'UserEmptyError';
}

/** `etcdserver: user name not found` (FAILED_PRECONDITION). */
export class UserNotFoundError extends EtcdServerError {
  static override readonly serverMessage = 'etcdserver: user name not found';
  static override readonly grpcCode = Status.FAILED_PRECONDITION;
  static override readonly description = 'no user with this name';
  override name = 'UserNotFoundError';
}

/** `etcdserver: role name already exists` (FAILED_PRECONDITION). */
export class RoleAlreadyExistError extends EtcdServerError {
  static override readonly serverMessage = 'etcdserver: role name already exists';
  static override readonly grpcCode = Status.FAILED_PRECONDITION;
  static override readonly description = 'a role with this name already exists';
  override name = 'RoleAlreadyExistError';
}

/** `etcdserver: role name not found` (FAILED_PRECONDITION). */
export class RoleNotFoundError extends EtcdServerError {
  static override readonly serverMessage = 'etcdserver: role name not found';
  static override readonly grpcCode = Status.FAILED_PRECONDITION;
  static override readonly description = 'no role with this name';
  override name = 'RoleNotFoundError';
}

/** `etcdserver: role name is empty` (INVALID_ARGUMENT). */
export class RoleEmptyError extends EtcdServerError {
  static override readonly serverMessage = 'etcdserver: role name is empty';
  static override readonly grpcCode = Status.INVALID_ARGUMENT;
  static override readonly description = 'the role name is empty';
  override name = 'RoleEmptyError';
}

/** `etcdserver: authentication failed, invalid user ID or password` (INVALID_ARGUMENT). */
export class AuthFailedError extends EtcdServerError {
  static override readonly serverMessage = 'etcdserver: authentication failed, invalid user ID or password';
  static override readonly grpcCode = Status.INVALID_ARGUMENT;
  static override readonly description = 'authentication failed: invalid user name or password';
  override name = 'AuthFailedError';
}

/** `etcdserver: permission not given` (INVALID_ARGUMENT; etcd >= 3.5): a grant without a permission. */
export class PermissionNotGivenError extends EtcdServerError {
  static override readonly serverMessage = 'etcdserver: permission not given';
  static override readonly grpcCode = Status.INVALID_ARGUMENT;
  static override readonly description = 'the role grant names no permission';
  override name = 'PermissionNotGivenError';
}

/** `etcdserver: permission denied` (PERMISSION_DENIED): the user's roles do not allow the operation. */
export class PermissionDeniedError extends EtcdServerError {
  static override readonly serverMessage = 'etcdserver: permission denied';
  static override readonly grpcCode = Status.PERMISSION_DENIED;
  static override readonly description = "permission denied: the user's roles do not allow this operation";
  override name = 'PermissionDeniedError';
}

/** `etcdserver: role is not granted to the user` (FAILED_PRECONDITION). */
export class RoleNotGrantedError extends EtcdServerError {
  static override readonly serverMessage = 'etcdserver: role is not granted to the user';
  static override readonly grpcCode = Status.FAILED_PRECONDITION;
  static override readonly description = 'the role is not granted to the user';
  override name = 'RoleNotGrantedError';
}

/** `etcdserver: permission is not granted to the role` (FAILED_PRECONDITION). */
export class PermissionNotGrantedError extends EtcdServerError {
  static override readonly serverMessage = 'etcdserver: permission is not granted to the role';
  static override readonly grpcCode = Status.FAILED_PRECONDITION;
  static override readonly description = 'the permission is not granted to the role';
  override name = 'PermissionNotGrantedError';
}

/** `etcdserver: authentication is not enabled` (FAILED_PRECONDITION). */
export class AuthNotEnabledError extends EtcdServerError {
  static override readonly serverMessage = 'etcdserver: authentication is not enabled';
  static override readonly grpcCode = Status.FAILED_PRECONDITION;
  static override readonly description = 'authentication is not enabled on the server';
  override name = 'AuthNotEnabledError';
}

/** `etcdserver: invalid auth token` (UNAUTHENTICATED): the token expired or the server does not know it. */
export class InvalidAuthTokenError extends EtcdServerError {
  static override readonly serverMessage = 'etcdserver: invalid auth token';
  static override readonly grpcCode = Status.UNAUTHENTICATED;
  static override readonly description = 'the auth token is invalid or expired';
  override name = 'InvalidAuthTokenError';
}

/** `etcdserver: invalid auth management` (INVALID_ARGUMENT): e.g. revoking the root role from root. */
export class InvalidAuthMgmtError extends EtcdServerError {
  static override readonly serverMessage = 'etcdserver: invalid auth management';
  static override readonly grpcCode = Status.INVALID_ARGUMENT;
  static override readonly description = 'invalid auth management operation';
  override name = 'InvalidAuthMgmtError';
}

/** `etcdserver: revision of auth store is old` (INVALID_ARGUMENT): auth data changed during the call. */
export class AuthOldRevisionError extends EtcdServerError {
  static override readonly serverMessage = 'etcdserver: revision of auth store is old';
  static override readonly grpcCode = Status.INVALID_ARGUMENT;
  static override readonly description = 'the auth store changed while the request was processed';
  override name = 'AuthOldRevisionError';
}

// --- raft, leader, server state ---

/** `etcdserver: no leader` (UNAVAILABLE): the member has no leader (election, partition). */
export class NoLeaderError extends EtcdServerError {
  static override readonly serverMessage = 'etcdserver: no leader';
  static override readonly grpcCode = Status.UNAVAILABLE;
  static override readonly description = 'the member has no leader';
  override name = 'NoLeaderError';
}

/** `etcdserver: not leader` (FAILED_PRECONDITION): an operation that needs the leader reached a follower. */
export class NotLeaderError extends EtcdServerError {
  static override readonly serverMessage = 'etcdserver: not leader';
  static override readonly grpcCode = Status.FAILED_PRECONDITION;
  static override readonly description = 'the member is not the leader';
  override name = 'NotLeaderError';
}

/** `etcdserver: leader changed` (UNAVAILABLE): the leader changed while the request was processed. */
export class LeaderChangedError extends EtcdServerError {
  static override readonly serverMessage = 'etcdserver: leader changed';
  static override readonly grpcCode = Status.UNAVAILABLE;
  static override readonly description = 'the leader changed while the request was processed';
  override name = 'LeaderChangedError';
}

/** `etcdserver: not capable` (FAILED_PRECONDITION; UNAVAILABLE in etcd 3.4): the cluster version is too low. */
export class NotCapableError extends EtcdServerError {
  static override readonly serverMessage = 'etcdserver: not capable';
  static override readonly grpcCode = Status.FAILED_PRECONDITION;
  static override readonly description = 'the cluster is not capable of this operation (cluster version too low)';
  override name = 'NotCapableError';
}

/** `etcdserver: server stopped` (UNAVAILABLE). */
export class StoppedError extends EtcdServerError {
  static override readonly serverMessage = 'etcdserver: server stopped';
  static override readonly grpcCode = Status.UNAVAILABLE;
  static override readonly description = 'the member is stopping';
  override name = 'StoppedError';
}

/** `etcdserver: request timed out` (UNAVAILABLE): the proposal was not committed in time; it may still apply. */
export class TimeoutError extends EtcdServerError {
  static override readonly serverMessage = 'etcdserver: request timed out';
  static override readonly grpcCode = Status.UNAVAILABLE;
  static override readonly description = 'the server timed out the request (it may still be applied)';
  override name = 'TimeoutError';
}

/** `etcdserver: request timed out, possibly due to previous leader failure` (UNAVAILABLE). */
export class TimeoutDueToLeaderFailError extends EtcdServerError {
  static override readonly serverMessage = 'etcdserver: request timed out, possibly due to previous leader failure';
  static override readonly grpcCode = Status.UNAVAILABLE;
  static override readonly description = 'the server timed out the request, possibly because the previous leader failed';
  override name = 'TimeoutDueToLeaderFailError';
}

/** `etcdserver: request timed out, possibly due to connection lost` (UNAVAILABLE). */
export class TimeoutDueToConnectionLostError extends EtcdServerError {
  static override readonly serverMessage = 'etcdserver: request timed out, possibly due to connection lost';
  static override readonly grpcCode = Status.UNAVAILABLE;
  static override readonly description = 'the server timed out the request, possibly because it lost its peer connections';
  override name = 'TimeoutDueToConnectionLostError';
}

/**
 * `etcdserver: request timed out, waiting for the applied index took too long` (UNAVAILABLE): a
 * lease keep-alive reached a leader whose apply loop is more than a second behind.
 */
export class TimeoutWaitAppliedIndexError extends EtcdServerError {
  static override readonly serverMessage = 'etcdserver: request timed out, waiting for the applied index took too long';
  static override readonly grpcCode = Status.UNAVAILABLE;
  static override readonly description = 'the server timed out the request while waiting for its applied index';
  override name = 'TimeoutWaitAppliedIndexError';
}

/** `etcdserver: unhealthy cluster` (UNAVAILABLE): a membership change would leave the cluster unhealthy. */
export class UnhealthyError extends EtcdServerError {
  static override readonly serverMessage = 'etcdserver: unhealthy cluster';
  static override readonly grpcCode = Status.UNAVAILABLE;
  static override readonly description = 'the cluster is unhealthy';
  override name = 'UnhealthyError';
}

/** `etcdserver: corrupt cluster` (DATA_LOSS): the CORRUPT alarm is raised. */
export class CorruptError extends EtcdServerError {
  static override readonly serverMessage = 'etcdserver: corrupt cluster';
  static override readonly grpcCode = Status.DATA_LOSS;
  static override readonly description = 'the cluster has a data corruption alarm';
  override name = 'CorruptError';
}

/**
 * `etcdserver: rpc not supported for learner` (FAILED_PRECONDITION; UNAVAILABLE in etcd 3.4): a
 * learner serves only Status and serializable Range.
 */
export class NotSupportedForLearnerError extends EtcdServerError {
  static override readonly serverMessage = 'etcdserver: rpc not supported for learner';
  static override readonly grpcCode = Status.FAILED_PRECONDITION;
  static override readonly description = 'the member is a learner and does not serve this RPC';
  override name = 'NotSupportedForLearnerError';
}

/** `etcdserver: bad leader transferee` (FAILED_PRECONDITION): MoveLeader to a member that cannot lead. */
export class BadLeaderTransfereeError extends EtcdServerError {
  static override readonly serverMessage = 'etcdserver: bad leader transferee';
  static override readonly grpcCode = Status.FAILED_PRECONDITION;
  static override readonly description = 'the target member cannot become leader';
  override name = 'BadLeaderTransfereeError';
}

// --- downgrade (etcd >= 3.5) ---

/** `etcdserver: cluster version not found during downgrade` (FAILED_PRECONDITION; UNAVAILABLE before 3.6). */
export class ClusterVersionUnavailableError extends EtcdServerError {
  static override readonly serverMessage = 'etcdserver: cluster version not found during downgrade';
  static override readonly grpcCode = Status.FAILED_PRECONDITION;
  static override readonly description = 'downgrade: the cluster version is not known yet';
  override name = 'ClusterVersionUnavailableError';
}

/** `etcdserver: wrong downgrade target version format` (INVALID_ARGUMENT). */
export class WrongDowngradeVersionFormatError extends EtcdServerError {
  static override readonly serverMessage = 'etcdserver: wrong downgrade target version format';
  static override readonly grpcCode = Status.INVALID_ARGUMENT;
  static override readonly description = 'downgrade: the target version is not of the form major.minor[.patch]';
  override name = 'WrongDowngradeVersionFormatError';
}

/** `etcdserver: invalid downgrade target version` (INVALID_ARGUMENT). */
export class InvalidDowngradeTargetVersionError extends EtcdServerError {
  static override readonly serverMessage = 'etcdserver: invalid downgrade target version';
  static override readonly grpcCode = Status.INVALID_ARGUMENT;
  static override readonly description = 'downgrade: invalid target version (only one minor version down is allowed)';
  override name = 'InvalidDowngradeTargetVersionError';
}

/** `etcdserver: cluster has a downgrade job in progress` (FAILED_PRECONDITION). */
export class DowngradeInProcessError extends EtcdServerError {
  static override readonly serverMessage = 'etcdserver: cluster has a downgrade job in progress';
  static override readonly grpcCode = Status.FAILED_PRECONDITION;
  static override readonly description = 'downgrade: a downgrade is already in progress';
  override name = 'DowngradeInProcessError';
}

/** `etcdserver: no inflight downgrade job` (FAILED_PRECONDITION). */
export class NoInflightDowngradeError extends EtcdServerError {
  static override readonly serverMessage = 'etcdserver: no inflight downgrade job';
  static override readonly grpcCode = Status.FAILED_PRECONDITION;
  static override readonly description = 'downgrade: no downgrade is in progress';
  override name = 'NoInflightDowngradeError';
}

// --- cancellation ---

/**
 * `etcdserver: request canceled` (CANCELLED; etcd >= 3.5), or etcd 3.4's raw `context canceled`
 * (UNKNOWN): the server saw the request cancelled. Not what a call aborted through its own signal
 * rejects with (that is `signal.reason`).
 */
export class CanceledError extends EtcdServerError {
  static override readonly serverMessage = 'etcdserver: request canceled';
  static override readonly grpcCode = Status.CANCELLED;
  static override readonly description = 'the server cancelled the request';
  override name = 'CanceledError';
}

/**
 * Every server error class, one per known etcd message (the Go client's `rpctypes` list, including
 * messages newer than etcd 3.4). The rpc layer builds its message lookup from this list.
 * (`etcdserver: context deadline exceeded` maps to the client-side {@link DeadlineExceededError}.)
 */
export const SERVER_ERRORS: readonly ServerErrorClass[] = Object.freeze([
  EmptyKeyError, KeyNotFoundError, ValueProvidedError, LeaseProvidedError, TooManyOpsError, DuplicateKeyError,
  InvalidClientAPIVersionError, InvalidSortOptionError, CompactedError, FutureRevisionError, NoSpaceError,
  LeaseNotFoundError, LeaseExistError, LeaseTTLTooLargeError, WatchCanceledError,
  MemberExistError, PeerURLExistError, MemberNotEnoughStartedError, MemberBadURLsError, MemberNotFoundError,
  MemberNotLearnerError, LearnerNotReadyError, TooManyLearnersError, ClusterIDMismatchError,
  RequestTooLargeError, TooManyRequestsError,
  RootUserNotExistError, RootRoleNotExistError, UserAlreadyExistError, UserEmptyError, UserNotFoundError,
  RoleAlreadyExistError, RoleNotFoundError, RoleEmptyError, AuthFailedError, PermissionNotGivenError,
  PermissionDeniedError, RoleNotGrantedError, PermissionNotGrantedError, AuthNotEnabledError,
  InvalidAuthTokenError, InvalidAuthMgmtError, AuthOldRevisionError,
  NoLeaderError, NotLeaderError, LeaderChangedError, NotCapableError, StoppedError, TimeoutError,
  TimeoutDueToLeaderFailError, TimeoutDueToConnectionLostError, TimeoutWaitAppliedIndexError, UnhealthyError,
  CorruptError, NotSupportedForLearnerError, BadLeaderTransfereeError,
  ClusterVersionUnavailableError, WrongDowngradeVersionFormatError, InvalidDowngradeTargetVersionError,
  DowngradeInProcessError, NoInflightDowngradeError,
  CanceledError,
]);
