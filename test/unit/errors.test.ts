/**
 * The typed errors and the mapping from transport failures to them (src/errors/,
 * src/rpc/error-mapping.ts). The table below is written out independently of src/errors/, from the Go
 * client's api/v3rpc/rpctypes/error.go (current main plus etcd 3.4.23's codes), so a typo in either
 * the message or the class shows up here.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import * as errors from '../../src/errors/index.js';
import {
  ClientClosedError,
  CompactedError,
  ConnectionError,
  DeadlineExceededError,
  EtcdError,
  EtcdServerError,
  InvalidArgumentError,
  NoAvailableEndpointsError,
  NoLeaderError,
  NotSupportedError,
  NotSupportedForLearnerError,
  RequestTooLargeError,
  SERVER_ERRORS,
  isServerError,
  isUnavailableError,
} from '../../src/errors/index.js';
import { mapCallError, requestMayHaveBeenSent, toEtcdError } from '../../src/rpc/error-mapping.js';
import { CallError, Status, type StatusCode } from '../../src/transport/types.js';

const S = Status;

/** [server message, class name, gRPC code in current etcd] */
const TABLE: ReadonlyArray<readonly [string, string, StatusCode]> = [
  ['etcdserver: key is not provided', 'EmptyKeyError', S.INVALID_ARGUMENT],
  ['etcdserver: key not found', 'KeyNotFoundError', S.INVALID_ARGUMENT],
  ['etcdserver: value is provided', 'ValueProvidedError', S.INVALID_ARGUMENT],
  ['etcdserver: lease is provided', 'LeaseProvidedError', S.INVALID_ARGUMENT],
  ['etcdserver: too many operations in txn request', 'TooManyOpsError', S.INVALID_ARGUMENT],
  ['etcdserver: duplicate key given in txn request', 'DuplicateKeyError', S.INVALID_ARGUMENT],
  ['etcdserver: invalid client api version', 'InvalidClientAPIVersionError', S.INVALID_ARGUMENT],
  ['etcdserver: invalid sort option', 'InvalidSortOptionError', S.INVALID_ARGUMENT],
  ['etcdserver: mvcc: required revision has been compacted', 'CompactedError', S.OUT_OF_RANGE],
  ['etcdserver: mvcc: required revision is a future revision', 'FutureRevisionError', S.OUT_OF_RANGE],
  ['etcdserver: mvcc: database space exceeded', 'NoSpaceError', S.RESOURCE_EXHAUSTED],
  ['etcdserver: requested lease not found', 'LeaseNotFoundError', S.NOT_FOUND],
  ['etcdserver: lease already exists', 'LeaseExistError', S.FAILED_PRECONDITION],
  ['etcdserver: too large lease TTL', 'LeaseTTLTooLargeError', S.OUT_OF_RANGE],
  ['etcdserver: watch canceled', 'WatchCanceledError', S.CANCELLED],
  ['etcdserver: member ID already exist', 'MemberExistError', S.FAILED_PRECONDITION],
  ['etcdserver: Peer URLs already exists', 'PeerURLExistError', S.FAILED_PRECONDITION],
  ['etcdserver: re-configuration failed due to not enough started members', 'MemberNotEnoughStartedError', S.FAILED_PRECONDITION],
  ['etcdserver: given member URLs are invalid', 'MemberBadURLsError', S.INVALID_ARGUMENT],
  ['etcdserver: member not found', 'MemberNotFoundError', S.NOT_FOUND],
  ['etcdserver: can only promote a learner member', 'MemberNotLearnerError', S.FAILED_PRECONDITION],
  ['etcdserver: can only promote a learner member which is in sync with leader', 'LearnerNotReadyError', S.FAILED_PRECONDITION],
  ['etcdserver: too many learner members in cluster', 'TooManyLearnersError', S.FAILED_PRECONDITION],
  ['etcdserver: cluster ID mismatch', 'ClusterIDMismatchError', S.FAILED_PRECONDITION],
  ['etcdserver: request is too large', 'RequestTooLargeError', S.INVALID_ARGUMENT],
  ['etcdserver: too many requests', 'TooManyRequestsError', S.RESOURCE_EXHAUSTED],
  ['etcdserver: root user does not exist', 'RootUserNotExistError', S.FAILED_PRECONDITION],
  ['etcdserver: root user does not have root role', 'RootRoleNotExistError', S.FAILED_PRECONDITION],
  ['etcdserver: user name already exists', 'UserAlreadyExistError', S.FAILED_PRECONDITION],
  ['etcdserver: user name is empty', 'UserEmptyError', S.INVALID_ARGUMENT],
  ['etcdserver: user name not found', 'UserNotFoundError', S.FAILED_PRECONDITION],
  ['etcdserver: role name already exists', 'RoleAlreadyExistError', S.FAILED_PRECONDITION],
  ['etcdserver: role name not found', 'RoleNotFoundError', S.FAILED_PRECONDITION],
  ['etcdserver: role name is empty', 'RoleEmptyError', S.INVALID_ARGUMENT],
  ['etcdserver: authentication failed, invalid user ID or password', 'AuthFailedError', S.INVALID_ARGUMENT],
  ['etcdserver: permission not given', 'PermissionNotGivenError', S.INVALID_ARGUMENT],
  ['etcdserver: permission denied', 'PermissionDeniedError', S.PERMISSION_DENIED],
  ['etcdserver: role is not granted to the user', 'RoleNotGrantedError', S.FAILED_PRECONDITION],
  ['etcdserver: permission is not granted to the role', 'PermissionNotGrantedError', S.FAILED_PRECONDITION],
  ['etcdserver: authentication is not enabled', 'AuthNotEnabledError', S.FAILED_PRECONDITION],
  ['etcdserver: invalid auth token', 'InvalidAuthTokenError', S.UNAUTHENTICATED],
  ['etcdserver: invalid auth management', 'InvalidAuthMgmtError', S.INVALID_ARGUMENT],
  ['etcdserver: revision of auth store is old', 'AuthOldRevisionError', S.INVALID_ARGUMENT],
  ['etcdserver: no leader', 'NoLeaderError', S.UNAVAILABLE],
  ['etcdserver: not leader', 'NotLeaderError', S.FAILED_PRECONDITION],
  ['etcdserver: leader changed', 'LeaderChangedError', S.UNAVAILABLE],
  ['etcdserver: not capable', 'NotCapableError', S.FAILED_PRECONDITION],
  ['etcdserver: server stopped', 'StoppedError', S.UNAVAILABLE],
  ['etcdserver: request timed out', 'TimeoutError', S.UNAVAILABLE],
  ['etcdserver: request timed out, possibly due to previous leader failure', 'TimeoutDueToLeaderFailError', S.UNAVAILABLE],
  ['etcdserver: request timed out, possibly due to connection lost', 'TimeoutDueToConnectionLostError', S.UNAVAILABLE],
  ['etcdserver: request timed out, waiting for the applied index took too long', 'TimeoutWaitAppliedIndexError', S.UNAVAILABLE],
  ['etcdserver: unhealthy cluster', 'UnhealthyError', S.UNAVAILABLE],
  ['etcdserver: corrupt cluster', 'CorruptError', S.DATA_LOSS],
  ['etcdserver: rpc not supported for learner', 'NotSupportedForLearnerError', S.FAILED_PRECONDITION],
  ['etcdserver: bad leader transferee', 'BadLeaderTransfereeError', S.FAILED_PRECONDITION],
  ['etcdserver: cluster version not found during downgrade', 'ClusterVersionUnavailableError', S.FAILED_PRECONDITION],
  ['etcdserver: wrong downgrade target version format', 'WrongDowngradeVersionFormatError', S.INVALID_ARGUMENT],
  ['etcdserver: invalid downgrade target version', 'InvalidDowngradeTargetVersionError', S.INVALID_ARGUMENT],
  ['etcdserver: cluster has a downgrade job in progress', 'DowngradeInProcessError', S.FAILED_PRECONDITION],
  ['etcdserver: no inflight downgrade job', 'NoInflightDowngradeError', S.FAILED_PRECONDITION],
  ['etcdserver: request canceled', 'CanceledError', S.CANCELLED],
];

/** Codes etcd 3.4.23 sends that differ from current etcd. */
const CODES_IN_3_4: ReadonlyArray<readonly [string, StatusCode]> = [
  ['etcdserver: not capable', S.UNAVAILABLE],
  ['etcdserver: rpc not supported for learner', S.UNAVAILABLE],
];

const exported = errors as unknown as Record<string, unknown>;

describe('server error mapping', () => {
  for (const [message, className, code] of TABLE) {
    it(`${message} -> ${className}`, () => {
      const cls = exported[className];
      assert.equal(typeof cls, 'function', `${className} is exported`);
      const callError = new CallError(code, message, true);
      const mapped = mapCallError(callError, { endpoint: 'http://127.0.0.1:2379', path: '/etcdserverpb.KV/Range' });
      assert.ok(mapped instanceof (cls as new () => Error), `mapped to ${className}, got ${mapped.name}`);
      assert.ok(mapped instanceof EtcdServerError);
      assert.ok(mapped instanceof EtcdError);
      assert.ok(mapped instanceof Error);
      assert.equal(mapped.name, className);
      assert.equal(mapped.code, code);
      assert.equal(mapped.details, message);
      assert.equal(mapped.cause, callError);
      assert.notEqual(mapped.message, '', 'readable message');
      assert.equal((cls as unknown as { grpcCode: number }).grpcCode, code, 'class carries the current code');
      assert.equal((cls as unknown as { serverMessage: string }).serverMessage, message);
    });
  }

  it('SERVER_ERRORS lists exactly the classes of the table', () => {
    assert.deepEqual(
      SERVER_ERRORS.map((c) => c.serverMessage).sort(),
      TABLE.map(([m]) => m).sort(),
    );
    assert.equal(new Set(SERVER_ERRORS.map((c) => c.serverMessage)).size, SERVER_ERRORS.length, 'no duplicate message');
  });

  it('keeps the code the server actually sent (etcd 3.4 codes)', () => {
    for (const [message, code] of CODES_IN_3_4) {
      const mapped = mapCallError(new CallError(code, message, true));
      assert.ok(mapped instanceof EtcdServerError);
      assert.equal(mapped.code, code);
    }
    const learner = mapCallError(new CallError(S.UNAVAILABLE, 'etcdserver: rpc not supported for learner', true));
    assert.ok(learner instanceof NotSupportedForLearnerError);
    assert.equal(isUnavailableError(learner), false, 'meaning is not UNAVAILABLE whatever code it came with');
  });

  it('matches the exact text only (no prefix stripping, no case folding)', () => {
    for (const text of ['key is not provided', 'etcdserver: Key is not provided', 'etcdserver: key is not provided ', 'mvcc: required revision has been compacted']) {
      const mapped = mapCallError(new CallError(S.INVALID_ARGUMENT, text, true));
      assert.equal(mapped.constructor, EtcdError, text);
      assert.equal(mapped.details, text);
    }
  });

  it('an unknown message keeps its code and text in a plain EtcdError', () => {
    const callError = new CallError(S.INTERNAL, 'stream terminated by RST_STREAM with error code: PROTOCOL_ERROR', true);
    const mapped = mapCallError(callError, { path: '/etcdserverpb.KV/Put' });
    assert.equal(mapped.constructor, EtcdError);
    assert.equal(mapped.code, S.INTERNAL);
    assert.equal(mapped.details, callError.details);
    assert.match(mapped.message, /INTERNAL/);
    assert.match(mapped.message, /KV\/Put/);
    assert.equal(mapped.cause, callError);
  });

  it('DEADLINE_EXCEEDED (any text) and the context-deadline texts -> DeadlineExceededError', () => {
    const cases: Array<[StatusCode, string]> = [
      [S.DEADLINE_EXCEEDED, 'deadline exceeded'],
      [S.DEADLINE_EXCEEDED, ''],
      [S.DEADLINE_EXCEEDED, 'etcdserver: context deadline exceeded'],
      [S.UNKNOWN, 'context deadline exceeded'],
    ];
    for (const [code, text] of cases) {
      const mapped = mapCallError(new CallError(code, text, true), { timeout: 7 });
      assert.ok(mapped instanceof DeadlineExceededError, `${code} ${text}`);
      assert.equal(mapped.code, S.DEADLINE_EXCEEDED);
      assert.equal((mapped as DeadlineExceededError).timeout, 7);
      assert.match(mapped.message, /7 ms/);
    }
  });

  it("etcd 3.4's bare 'context canceled' (UNKNOWN) -> CanceledError", () => {
    const mapped = mapCallError(new CallError(S.UNKNOWN, 'context canceled', true));
    assert.ok(mapped instanceof errors.CanceledError);
    assert.equal(mapped.code, S.UNKNOWN);
  });

  it('UNAVAILABLE with an unknown text -> ConnectionError naming the endpoint', () => {
    const callError = new CallError(S.UNAVAILABLE, 'connect ECONNREFUSED 127.0.0.1:1', false);
    const mapped = mapCallError(callError, { endpoint: 'http://127.0.0.1:1' });
    assert.ok(mapped instanceof ConnectionError);
    assert.equal((mapped as ConnectionError).endpoint, 'http://127.0.0.1:1');
    assert.equal(mapped.code, S.UNAVAILABLE);
    assert.match(mapped.message, /127\.0\.0\.1:1.*ECONNREFUSED/);
    assert.equal(isUnavailableError(mapped), true);
  });

  it('UNIMPLEMENTED -> NotSupportedError naming the RPC', () => {
    const mapped = mapCallError(new CallError(S.UNIMPLEMENTED, 'unknown method Downgrade', true), {
      path: '/etcdserverpb.Maintenance/Downgrade',
    });
    assert.ok(mapped instanceof NotSupportedError);
    assert.equal(mapped.code, S.UNIMPLEMENTED);
    assert.equal(mapped.details, 'unknown method Downgrade');
    assert.match(mapped.message, /Maintenance\/Downgrade is not supported/);
  });

  it('toEtcdError passes typed and other errors through and wraps non-errors', () => {
    const typed = new NoLeaderError();
    assert.equal(toEtcdError(typed), typed);
    const bug = new TypeError('boom');
    assert.equal(toEtcdError(bug), bug);
    const wrapped = toEtcdError('weird');
    assert.ok(wrapped instanceof EtcdError);
    assert.equal(wrapped.details, 'weird');
  });

  it('requestMayHaveBeenSent reads the CallError, directly or as cause', () => {
    assert.equal(requestMayHaveBeenSent(new CallError(S.UNAVAILABLE, 'x', false)), false);
    assert.equal(requestMayHaveBeenSent(mapCallError(new CallError(S.UNAVAILABLE, 'x', false))), false);
    assert.equal(requestMayHaveBeenSent(mapCallError(new CallError(S.UNAVAILABLE, 'x', true))), true);
    assert.equal(requestMayHaveBeenSent(new Error('no call error')), true);
  });
});

describe('error classes', () => {
  it('server errors default to their message and code', () => {
    const e = new errors.EmptyKeyError();
    assert.equal(e.details, 'etcdserver: key is not provided');
    assert.equal(e.code, S.INVALID_ARGUMENT);
    assert.equal(e.name, 'EmptyKeyError');
    assert.ok(isServerError(e));
    assert.equal(String(e).startsWith('EmptyKeyError: '), true);
  });

  it('EmptyKeyError.clientSide: the call in the message, etcd\'s text in details', () => {
    const e = errors.EmptyKeyError.clientSide('put: key is empty');
    assert.ok(e instanceof errors.EmptyKeyError);
    assert.ok(isServerError(e));
    assert.equal(e.message, 'put: key is empty');
    assert.equal(e.details, 'etcdserver: key is not provided');
    assert.equal(e.code, S.INVALID_ARGUMENT);
    assert.equal(String(e), 'EmptyKeyError: put: key is empty');
  });

  it('CompactedError carries compactRevision when known', () => {
    const known = new CompactedError(undefined, { compactRevision: 42 });
    assert.equal(known.compactRevision, 42);
    assert.match(known.message, /42/);
    assert.equal(new CompactedError().compactRevision, undefined);
  });

  it('RequestTooLargeError: server form has no sizes, client form has both', () => {
    const server = new RequestTooLargeError();
    assert.equal(server.size, undefined);
    assert.equal(server.limit, undefined);
    const client = RequestTooLargeError.clientSide(3000, 2048);
    assert.equal(client.size, 3000);
    assert.equal(client.limit, 2048);
    assert.equal(client.code, S.RESOURCE_EXHAUSTED);
    assert.match(client.message, /3000 bytes.*2048 bytes/);
  });

  it('client-side errors', () => {
    const bad = new InvalidArgumentError('timeout must be a non-negative finite number of milliseconds, got -1');
    assert.equal(bad.code, S.INVALID_ARGUMENT);
    assert.equal(bad.details, bad.message);
    assert.equal(isServerError(bad), false);

    const deadline = new DeadlineExceededError(undefined, { timeout: 5 });
    assert.equal(deadline.code, S.DEADLINE_EXCEEDED);
    assert.equal(deadline.timeout, 5);

    const closed = new ClientClosedError();
    assert.equal(closed.code, S.CANCELLED);

    const cause = new Error('connect ECONNREFUSED 127.0.0.1:1');
    const none = new NoAvailableEndpointsError(
      [
        { endpoint: 'http://127.0.0.1:1', error: new ConnectionError('http://127.0.0.1:1', cause.message, { cause }) },
        { endpoint: 'http://127.0.0.1:2', error: undefined },
      ],
      1000,
    );
    assert.equal(none.code, S.UNAVAILABLE);
    assert.equal(none.endpoints.length, 2);
    assert.match(none.message, /within 1000 ms/);
    assert.match(none.message, /127\.0\.0\.1:1 \(.*ECONNREFUSED/);
    assert.match(none.message, /127\.0\.0\.1:2 \(not tried\)/);
    assert.equal(isUnavailableError(none), false, 'already waited dialTimeout');

    const old = new NotSupportedError('AuthStatus', '3.4.23');
    assert.equal(old.code, S.UNIMPLEMENTED);
    assert.equal(old.serverVersion, '3.4.23');
    assert.match(old.message, /AuthStatus is not supported by etcd 3\.4\.23/);
  });

  it('isUnavailableError: by meaning for known server errors, by code otherwise', () => {
    assert.equal(isUnavailableError(new NoLeaderError()), true);
    assert.equal(isUnavailableError(new CompactedError(undefined, { code: S.UNAVAILABLE })), false);
    assert.equal(isUnavailableError(new EtcdError('x', S.UNAVAILABLE)), true);
    assert.equal(isUnavailableError(new EtcdError('x', S.INTERNAL)), false);
    assert.equal(isUnavailableError(new Error('plain')), false);
  });
});
