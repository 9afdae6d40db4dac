/**
 * The Auth service: etcd `Auth.*`: enable/disable authentication, users, roles and key
 * permissions, with typed responses (Go's `clientv3.Auth`, names in camelCase).
 *
 * Every method checks its arguments before sending (a rejected promise with `InvalidArgumentError`,
 * or `EmptyKeyError` for an empty permission key without a range) and rejects with the server's
 * typed error otherwise (`UserNotFoundError`, `RoleAlreadyExistError`, `PermissionDeniedError`
 * for a non-root caller, `AuthNotEnabledError`, ...). Passwords are never put in an error message.
 *
 * Reads (`userGet`, `userList`, `roleGet`, `roleList`) are retried on another endpoint when one is
 * unavailable; changes are retried only when the request provably never left the client.
 */
import { checkCallOptions, checkOptionsObject, toFlag, unknownOption } from '../internal/validation.js';
import { describe } from '../internal/describe-value.js';
import { responseHeader, toBuffer, toBytes, toNumber } from '../internal/wire.js';
import { InvalidArgumentError, NotSupportedError, UnexpectedResponseError } from '../errors/index.js';
import { Auth as AuthMethods, Maintenance, Permission_Type } from '../proto/index.js';
import type { Permission as WirePermission, ResponseHeader as WireResponseHeader } from '../proto/index.js';
import { setKeyRange } from '../kv/range.js';
import type { Rpc } from '../rpc/types.js';
import type { Bytes, CallOptions, ResponseHeader } from '../types.js';

/** What a permission allows on its keys (etcd `authpb.Permission.Type`). */
export type PermissionType = 'read' | 'write' | 'readwrite';

/** A key permission of a role, as `roleGet` returns it (etcd `authpb.Permission`). */
export interface Permission {
  /** What it allows. */
  type: PermissionType;
  /** The key, or the first key of the range. */
  key: Buffer;
  /**
   * End of the range `[key, rangeEnd)`; empty for the single key `key`; `"\0"` (one zero byte)
   * for every key from `key` on. A prefix permission has `rangeEnd = prefixRangeEnd(key)`.
   */
  rangeEnd: Buffer;
}

/**
 * The keys a permission covers: `key` alone, or a range given by at most one of `rangeEnd`,
 * `prefix`, `fromKey` (the rules of `client.get`). An empty `key` with `prefix` or `fromKey`
 * covers every key.
 */
export interface PermissionRange {
  /** The key, or the first key of the range (string as UTF-8, or bytes). */
  key: Bytes;
  /** End of the range `[key, rangeEnd)` (exclusive). */
  rangeEnd?: Bytes;
  /** Every key starting with `key`. */
  prefix?: boolean;
  /** Every key from `key` on (byte order). */
  fromKey?: boolean;
}

/** A permission to grant: what it allows and on which keys. */
export interface PermissionGrant extends PermissionRange {
  /** `'read'`, `'write'` or `'readwrite'`. */
  type: PermissionType;
}

/** Response of the Auth calls that return only a header (enable, disable, adds, deletes, grants, revokes). */
export interface AuthResponse {
  /** Header of the member that answered: cluster and member IDs, revision, raft term. */
  header: ResponseHeader;
}

/** Response of `authStatus` (etcd `AuthStatusResponse`, etcd >= 3.5). */
export interface AuthStatusResponse {
  /** Header of the member that answered: cluster and member IDs, revision, raft term. */
  header: ResponseHeader;
  /** Whether authentication is enabled. */
  enabled: boolean;
  /** Revision of the auth store: incremented by every change to users, roles or permissions. */
  authRevision: number;
}

/** Response of `authenticate` (etcd `AuthenticateResponse`). */
export interface AuthenticateResponse {
  /** Header of the member that answered: cluster and member IDs, revision, raft term. */
  header: ResponseHeader;
  /** The token to send as the `token` metadata of later calls. A secret: do not log it. */
  token: string;
}

/** Response of `userGet` (etcd `AuthUserGetResponse`). */
export interface AuthUserGetResponse {
  /** Header of the member that answered: cluster and member IDs, revision, raft term. */
  header: ResponseHeader;
  /** Names of the roles granted to the user. */
  roles: string[];
}

/** Response of `userList` (etcd `AuthUserListResponse`). */
export interface AuthUserListResponse {
  /** Header of the member that answered: cluster and member IDs, revision, raft term. */
  header: ResponseHeader;
  /** Every user name, sorted. */
  users: string[];
}

/** Response of `roleGet` (etcd `AuthRoleGetResponse`). */
export interface AuthRoleGetResponse {
  /** Header of the member that answered: cluster and member IDs, revision, raft term. */
  header: ResponseHeader;
  /** The role's key permissions, in etcd's order (by key). */
  perm: Permission[];
}

/** Response of `roleList` (etcd `AuthRoleListResponse`). */
export interface AuthRoleListResponse {
  /** Header of the member that answered: cluster and member IDs, revision, raft term. */
  header: ResponseHeader;
  /** Every role name, sorted. */
  roles: string[];
}

/** The second argument of `userAdd` for a user without a password (Go `UserAddOptions{NoPassword: true}`). */
export interface NoPassword {
  /** The user cannot authenticate with a password (e.g. authenticated by its TLS certificate's common name). */
  noPassword: true;
}

const GRANT_NAMES: readonly string[] = ['type', 'key', 'rangeEnd', 'prefix', 'fromKey'];

/**
 * The Auth service of one client (`client.auth`). Changing users, roles or permissions, and
 * enabling or disabling auth, needs the `root` role once auth is enabled.
 */
export class Auth {
  readonly #rpc: Rpc;

  /** `rpc`: the client's call layer. */
  constructor(rpc: Rpc) {
    this.#rpc = rpc;
  }

  /**
   * Enables authentication (etcd `Auth.AuthEnable`). The `root` user must exist and have the
   * `root` role. Rejects with `RootUserNotExistError` / `RootRoleNotExistError` otherwise.
   */
  async authEnable(options?: CallOptions): Promise<AuthResponse> {
    checkCallOptions(options, 'authEnable');
    return headerOnly(await this.#rpc.unary(AuthMethods.authEnable, {}, options));
  }

  /** Disables authentication (etcd `Auth.AuthDisable`); needs the `root` role while it is on. */
  async authDisable(options?: CallOptions): Promise<AuthResponse> {
    checkCallOptions(options, 'authDisable');
    return headerOnly(await this.#rpc.unary(AuthMethods.authDisable, {}, options));
  }

  /**
   * Whether authentication is enabled, and the auth store's revision (etcd `Auth.AuthStatus`,
   * etcd >= 3.5). On an older server rejects with `NotSupportedError` naming its version (read
   * with `Maintenance.Status`).
   */
  async authStatus(options?: CallOptions): Promise<AuthStatusResponse> {
    checkCallOptions(options, 'authStatus');
    let r;
    try {
      r = await this.#rpc.unary(AuthMethods.authStatus, {}, options);
    } catch (error) {
      if (error instanceof NotSupportedError) throw await this.#notSupported('authStatus (etcd >= 3.5)', error, options);
      throw error;
    }
    return { header: responseHeader(r.header), enabled: r.enabled, authRevision: toNumber(r.authRevision, 'auth revision') };
  }

  /**
   * Exchanges a user name and password for a token (etcd `Auth.Authenticate`). A client made
   * with `username`/`password` does this itself; this is for checking credentials or passing a
   * token elsewhere. Rejects with `AuthFailedError` for a wrong name or password,
   * `AuthNotEnabledError` when auth is off.
   */
  async authenticate(name: string, password: string, options?: CallOptions): Promise<AuthenticateResponse> {
    checkName(name, 'authenticate', 'name');
    checkPassword(password, 'authenticate');
    checkCallOptions(options, 'authenticate');
    const r = await this.#rpc.unary(AuthMethods.authenticate, { name, password }, options);
    return { header: responseHeader(r.header), token: r.token };
  }

  /**
   * Adds a user (etcd `Auth.UserAdd`) with a password, or with `{ noPassword: true }` a user
   * that cannot log in with one (Go `UserAddWithOptions`; etcd >= 3.4). Rejects with
   * `UserAlreadyExistError` when the name is taken.
   */
  async userAdd(name: string, password: string | NoPassword, options?: CallOptions): Promise<AuthResponse> {
    checkName(name, 'userAdd', 'name');
    let request: { name: string; password: string; options?: { noPassword: boolean } };
    if (typeof password === 'string') {
      request = { name, password };
    } else if (isNoPassword(password)) {
      request = { name, password: '', options: { noPassword: true } };
    } else {
      throw new InvalidArgumentError(`userAdd: password must be a string or { noPassword: true }, got ${kindOf(password)}`);
    }
    checkCallOptions(options, 'userAdd');
    return headerOnly(await this.#rpc.unary(AuthMethods.userAdd, request, options));
  }

  /** The roles of a user (etcd `Auth.UserGet`). Rejects with `UserNotFoundError`. */
  async userGet(name: string, options?: CallOptions): Promise<AuthUserGetResponse> {
    checkName(name, 'userGet', 'name');
    checkCallOptions(options, 'userGet');
    const r = await this.#rpc.unary(AuthMethods.userGet, { name }, options);
    return { header: responseHeader(r.header), roles: r.roles };
  }

  /** Every user name (etcd `Auth.UserList`). */
  async userList(options?: CallOptions): Promise<AuthUserListResponse> {
    checkCallOptions(options, 'userList');
    const r = await this.#rpc.unary(AuthMethods.userList, {}, options);
    return { header: responseHeader(r.header), users: r.users };
  }

  /** Deletes a user (etcd `Auth.UserDelete`). Rejects with `UserNotFoundError`. */
  async userDelete(name: string, options?: CallOptions): Promise<AuthResponse> {
    checkName(name, 'userDelete', 'name');
    checkCallOptions(options, 'userDelete');
    return headerOnly(await this.#rpc.unary(AuthMethods.userDelete, { name }, options));
  }

  /**
   * Sets a user's password (etcd `Auth.UserChangePassword`); tokens issued before stay valid
   * until they expire, but the old password no longer authenticates. Rejects with `UserNotFoundError`.
   */
  async userChangePassword(name: string, password: string, options?: CallOptions): Promise<AuthResponse> {
    checkName(name, 'userChangePassword', 'name');
    checkPassword(password, 'userChangePassword');
    checkCallOptions(options, 'userChangePassword');
    return headerOnly(await this.#rpc.unary(AuthMethods.userChangePassword, { name, password }, options));
  }

  /** Grants a role to a user (etcd `Auth.UserGrantRole`). Rejects with `UserNotFoundError`, `RoleNotFoundError`. */
  async userGrantRole(user: string, role: string, options?: CallOptions): Promise<AuthResponse> {
    checkName(user, 'userGrantRole', 'user');
    checkName(role, 'userGrantRole', 'role');
    checkCallOptions(options, 'userGrantRole');
    return headerOnly(await this.#rpc.unary(AuthMethods.userGrantRole, { user, role }, options));
  }

  /**
   * Revokes a role from a user (etcd `Auth.UserRevokeRole`). Rejects with `RoleNotGrantedError`
   * when the user does not have it, `InvalidAuthMgmtError` for the root role of `root` with auth on.
   */
  async userRevokeRole(user: string, role: string, options?: CallOptions): Promise<AuthResponse> {
    checkName(user, 'userRevokeRole', 'user');
    checkName(role, 'userRevokeRole', 'role');
    checkCallOptions(options, 'userRevokeRole');
    return headerOnly(await this.#rpc.unary(AuthMethods.userRevokeRole, { name: user, role }, options));
  }

  /** Adds a role (etcd `Auth.RoleAdd`). Rejects with `RoleAlreadyExistError`. */
  async roleAdd(name: string, options?: CallOptions): Promise<AuthResponse> {
    checkName(name, 'roleAdd', 'name');
    checkCallOptions(options, 'roleAdd');
    return headerOnly(await this.#rpc.unary(AuthMethods.roleAdd, { name }, options));
  }

  /**
   * The key permissions of a role (etcd `Auth.RoleGet`), keys and range ends as `Buffer`s.
   * The `root` role has none listed: it may do everything. Rejects with `RoleNotFoundError`.
   */
  async roleGet(name: string, options?: CallOptions): Promise<AuthRoleGetResponse> {
    checkName(name, 'roleGet', 'name');
    checkCallOptions(options, 'roleGet');
    const r = await this.#rpc.unary(AuthMethods.roleGet, { role: name }, options);
    return { header: responseHeader(r.header), perm: r.perm.map(permission) };
  }

  /** Every role name (etcd `Auth.RoleList`). */
  async roleList(options?: CallOptions): Promise<AuthRoleListResponse> {
    checkCallOptions(options, 'roleList');
    const r = await this.#rpc.unary(AuthMethods.roleList, {}, options);
    return { header: responseHeader(r.header), roles: r.roles };
  }

  /** Deletes a role (etcd `Auth.RoleDelete`); users lose it. Rejects with `RoleNotFoundError`. */
  async roleDelete(name: string, options?: CallOptions): Promise<AuthResponse> {
    checkName(name, 'roleDelete', 'name');
    checkCallOptions(options, 'roleDelete');
    return headerOnly(await this.#rpc.unary(AuthMethods.roleDelete, { role: name }, options));
  }

  /**
   * Grants a key permission to a role (etcd `Auth.RoleGrantPermission`), e.g.
   * `roleGrantPermission('app', { type: 'readwrite', key: 'app/', prefix: true })`. Granting the
   * same range again replaces its type. Rejects with `RoleNotFoundError`.
   */
  async roleGrantPermission(role: string, permission: PermissionGrant, options?: CallOptions): Promise<AuthResponse> {
    checkName(role, 'roleGrantPermission', 'role');
    const perm = grantRequest(permission);
    checkCallOptions(options, 'roleGrantPermission');
    return headerOnly(await this.#rpc.unary(AuthMethods.roleGrantPermission, { name: role, perm }, options));
  }

  /**
   * Revokes the permission of a role on exactly this key or range (etcd
   * `Auth.RoleRevokePermission`): `roleRevokePermission(role, key, rangeEnd?)` as in Go, or
   * `roleRevokePermission(role, { key, prefix | fromKey | rangeEnd })` (a `Permission` from
   * `roleGet` works too; its `type` is ignored). Rejects with `PermissionNotGrantedError` when the
   * role has no permission on that exact range, `RoleNotFoundError`.
   */
  roleRevokePermission(role: string, key: Bytes, rangeEnd?: Bytes, options?: CallOptions): Promise<AuthResponse>;
  roleRevokePermission(role: string, range: PermissionRange & { type?: PermissionType }, options?: CallOptions): Promise<AuthResponse>;
  async roleRevokePermission(
    role: string,
    keyOrRange: Bytes | (PermissionRange & { type?: PermissionType }),
    rangeEndOrOptions?: Bytes | CallOptions,
    maybeOptions?: CallOptions,
  ): Promise<AuthResponse> {
    checkName(role, 'roleRevokePermission', 'role');
    let target: { key?: Uint8Array; rangeEnd?: Uint8Array };
    let options: CallOptions | undefined;
    if (typeof keyOrRange === 'string' || keyOrRange instanceof Uint8Array) {
      const rangeEnd = rangeEndOrOptions === undefined ? undefined : toBytes(rangeEndOrOptions as Bytes, 'roleRevokePermission: rangeEnd');
      target = keyRange({ key: keyOrRange, rangeEnd }, 'roleRevokePermission');
      options = maybeOptions;
    } else {
      if (maybeOptions !== undefined) {
        throw new InvalidArgumentError('roleRevokePermission: with a range object, the third argument is the options');
      }
      target = keyRange(rangeObject(keyOrRange, 'roleRevokePermission', true), 'roleRevokePermission');
      options = rangeEndOrOptions as CallOptions | undefined;
    }
    checkCallOptions(options, 'roleRevokePermission');
    return headerOnly(await this.#rpc.unary(AuthMethods.roleRevokePermission, { role, key: target.key, rangeEnd: target.rangeEnd }, options));
  }

  /** A `NotSupportedError` for `feature` naming the server's version (etcd `Maintenance.Status`), when it can be read. */
  async #notSupported(feature: string, error: NotSupportedError, options: CallOptions | undefined): Promise<NotSupportedError> {
    let version: string | undefined;
    try {
      version = (await this.#rpc.unary(Maintenance.status, {}, options)).version || undefined;
    } catch {
      // The version stays unknown; the original error still says what is missing.
    }
    return new NotSupportedError(feature, version, error.details, { cause: error });
  }
}

// --- argument checks ---------------------------------------------------------------------------

/** A user or role name: a non-empty string. */
function checkName(value: unknown, operation: string, what: string): void {
  if (typeof value === 'string' && value !== '') return;
  throw new InvalidArgumentError(`${operation}: ${what} must be a non-empty string, got ${describe(value)}`);
}

/** A password: a string (the message never shows it). */
function checkPassword(value: unknown, operation: string): void {
  if (typeof value === 'string') return;
  throw new InvalidArgumentError(`${operation}: password must be a string, got ${kindOf(value)}`);
}

/** The kind of a value, never the value itself (for arguments that may hold secrets). */
function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : typeof value;
}

function isNoPassword(value: unknown): value is NoPassword {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && keys[0] === 'noPassword' && (value as NoPassword).noPassword === true;
}

function permissionType(value: unknown, operation: string): Permission_Type {
  switch (value) {
    case 'read':
      return Permission_Type.READ;
    case 'write':
      return Permission_Type.WRITE;
    case 'readwrite':
      return Permission_Type.READWRITE;
    default:
      throw new InvalidArgumentError(`${operation}: type must be 'read', 'write' or 'readwrite', got ${describe(value)}`);
  }
}

/** A range object's fields, checked (unknown names rejected; `type` allowed where `withType`). */
function rangeObject(value: unknown, operation: string, withType: boolean): { key: Bytes; rangeEnd?: Uint8Array; prefix: boolean; fromKey: boolean } {
  checkOptionsObject(value, `${operation}: the permission`);
  if (value === undefined) throw new InvalidArgumentError(`${operation}: the permission is missing`);
  const v = value as Record<string, unknown>;
  let prefix = false;
  let fromKey = false;
  let rangeEnd: Uint8Array | undefined;
  for (const name in v) {
    const field = v[name];
    if (field === undefined) continue;
    switch (name) {
      case 'key':
        break;
      case 'type':
        if (withType) permissionType(field, operation);
        break;
      case 'rangeEnd':
        rangeEnd = toBytes(field as Bytes, `${operation}: rangeEnd`);
        break;
      case 'prefix':
        prefix = toFlag(field, `${operation}: prefix`);
        break;
      case 'fromKey':
        fromKey = toFlag(field, `${operation}: fromKey`);
        break;
      default:
        throw unknownOption(name, `${operation}'s permission`, GRANT_NAMES);
    }
  }
  if (v.key === undefined) throw new InvalidArgumentError(`${operation}: the permission needs a key`);
  return { key: v.key as Bytes, rangeEnd, prefix, fromKey };
}

/** `key` and `rangeEnd` of a permission range (Go's rules, as `client.get`'s). */
function keyRange(
  range: { key: Bytes; rangeEnd?: Uint8Array; prefix?: boolean; fromKey?: boolean },
  operation: string,
): { key?: Uint8Array; rangeEnd?: Uint8Array } {
  const target: { key?: Uint8Array; rangeEnd?: Uint8Array } = {};
  setKeyRange(target, toBytes(range.key, `${operation}: key`), range.prefix ?? false, range.rangeEnd, range.fromKey ?? false, operation);
  return target;
}

function grantRequest(permission: unknown): { permType: Permission_Type; key?: Uint8Array; rangeEnd?: Uint8Array } {
  const range = rangeObject(permission, 'roleGrantPermission', false);
  const permType = permissionType((permission as Record<string, unknown>).type, 'roleGrantPermission');
  return { permType, ...keyRange(range, 'roleGrantPermission') };
}

// --- response mapping --------------------------------------------------------------------------

function headerOnly(r: { header: WireResponseHeader | undefined }): AuthResponse {
  return { header: responseHeader(r.header) };
}

const TYPE_NAMES: Readonly<Record<number, PermissionType>> = {
  [Permission_Type.READ]: 'read',
  [Permission_Type.WRITE]: 'write',
  [Permission_Type.READWRITE]: 'readwrite',
};

function permission(p: WirePermission): Permission {
  const type = TYPE_NAMES[p.permType];
  if (type === undefined) throw new UnexpectedResponseError(`etcd returned a permission of unknown type ${p.permType}`);
  return { type, key: toBuffer(p.key), rangeEnd: toBuffer(p.rangeEnd) };
}
