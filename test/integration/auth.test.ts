// The Auth service and client authentication against real etcd: users, roles and prefix
// permissions; PermissionDeniedError for what a user may not do, root may do everything; a new
// password invalidates the old one; expired simple tokens (--auth-token-ttl) and stale JWTs
// (AuthOldRevisionError after an auth change) are replaced transparently, once, writes included,
// without applying a write twice; concurrent calls share one authentication; the token reaches
// unary calls and streams; neither the password nor a token appears in a log line or an error.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { inspect } from 'node:util';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import {
  AuthFailedError,
  AuthNotEnabledError,
  EmptyKeyError,
  InvalidArgumentError,
  NotSupportedError,
  PermissionDeniedError,
  PermissionNotGrantedError,
  RoleNotFoundError,
  RootUserNotExistError,
  UserAlreadyExistError,
  UserEmptyError,
  UserNotFoundError,
  op,
  type Client,
  type Logger,
} from '../../src/index.js';
import { Auth } from '../../src/auth/auth.js';
import { Maintenance, Watch } from '../../src/proto/index.js';
import { RpcClient } from '../../src/rpc/invoke.js';
import { createConnection } from '../../src/transport/index.js';
import type { CallOptions, Connection, ConnectionOptions, Endpoint } from '../../src/transport/types.js';
import { EtcdCluster, PREFERRED_DATA_PARENT } from '../../src/testing/index.js';

const run = promisify(execFile);

/** Simple tokens of the main cluster expire after this many seconds without use. */
const TOKEN_TTL_S = 2;
/** etcd drops expired simple tokens on a 1 s tick: a token is gone by TTL + this, in ms. */
const TOKEN_EXPIRY_MARGIN_MS = 1_500;
const ROOT_PASSWORD = 'r00t-S3cret-password';
const ALICE_PASSWORD = 'alice-S3cret-password';

let simple: EtcdCluster; // --auth-token simple (default), short TTL
let jwt: EtcdCluster; // --auth-token jwt
let keyDir: string;

/** A logger that keeps every line with its fields, as text. */
function recordingLogger(): Logger & { lines: string[]; text(): string; count(message: RegExp): number } {
  const lines: string[] = [];
  const record = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    lines.push(`${level} ${message} ${inspect(fields, { depth: 10 })}`);
  };
  return {
    lines,
    debug: record('debug'),
    info: record('info'),
    warn: record('warn'),
    error: record('error'),
    text: () => lines.join('\n'),
    count: (message) => lines.filter((l) => message.test(l)).length,
  };
}

/** Everything an error shows: message, details, stack and its cause chain. */
function errorText(error: unknown): string {
  return inspect(error, { depth: 10 }) + String((error as Error | undefined)?.stack ?? '');
}

async function rejects<T>(promise: Promise<T>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail('expected a rejection');
}

/** Sets up root (with the root role), enables auth; returns a root client. */
async function enableAuth(cluster: EtcdCluster): Promise<Client> {
  const admin = cluster.client();
  await admin.auth.userAdd('root', ROOT_PASSWORD);
  await admin.auth.roleAdd('root');
  await admin.auth.userGrantRole('root', 'root');
  await admin.auth.authEnable();
  await admin.close();
  return cluster.client({ username: 'root', password: ROOT_PASSWORD });
}

before(async () => {
  keyDir = mkdtempSync(join(PREFERRED_DATA_PARENT, 'etcd-ts-jwt-'));
  const priv = join(keyDir, 'jwt.key');
  const pub = join(keyDir, 'jwt.pub');
  await run('openssl', ['genrsa', '-out', priv, '2048']);
  await run('openssl', ['rsa', '-in', priv, '-pubout', '-out', pub]);
  [simple, jwt] = await Promise.all([
    EtcdCluster.start({ size: 1, args: [`--auth-token-ttl=${TOKEN_TTL_S}`, '--bcrypt-cost=4'] }),
    EtcdCluster.start({ size: 1, args: [`--auth-token=jwt,pub-key=${pub},priv-key=${priv},sign-method=RS256`, '--bcrypt-cost=4'] }),
  ]);
});

after(async () => {
  await Promise.all([simple?.close(), jwt?.close()]);
  if (keyDir !== undefined) rmSync(keyDir, { recursive: true, force: true });
});

describe('Auth administration (simple tokens)', { timeout: 60_000 }, () => {
  let root: Client;

  test('auth enable needs a root user; with it, an anonymous call gets UserEmptyError', async () => {
    const anonymous = simple.client();
    assert.ok((await rejects(anonymous.auth.authEnable())) instanceof RootUserNotExistError);
    // A client with credentials made while auth is off: Authenticate says "not enabled", it goes on without a token.
    const early = simple.client({ username: 'root', password: ROOT_PASSWORD });
    await early.put('before-auth', 'x');
    root = await enableAuth(simple);
    assert.ok((await rejects(anonymous.get('before-auth'))) instanceof UserEmptyError);
    // The early client now gets UserEmptyError once, authenticates and carries on.
    assert.equal((await early.get('before-auth')).kvs[0]?.value.toString(), 'x');
    assert.ok((await rejects(anonymous.auth.authenticate('root', 'wrong'))) instanceof AuthFailedError);
    const token = await anonymous.auth.authenticate('root', ROOT_PASSWORD);
    assert.ok(token.token.length > 0);
  });

  test('users and roles with typed responses', async () => {
    assert.deepEqual((await root.auth.roleAdd('app-rw')).header.revision > 0, true);
    await root.auth.roleAdd('reader');
    await root.auth.roleGrantPermission('app-rw', { type: 'readwrite', key: 'app/', prefix: true });
    await root.auth.roleGrantPermission('app-rw', { type: 'write', key: 'logs/a', rangeEnd: 'logs/m' });
    await root.auth.roleGrantPermission('reader', { type: 'read', key: 'shared/', prefix: true });
    await root.auth.roleGrantPermission('reader', { type: 'read', key: 'z', fromKey: true });
    await root.auth.roleGrantPermission('reader', { type: 'read', key: 'one-key' });
    await root.auth.userAdd('alice', ALICE_PASSWORD);
    await root.auth.userAdd('cn-only', { noPassword: true });
    await root.auth.userGrantRole('alice', 'app-rw');
    await root.auth.userGrantRole('alice', 'reader');

    const role = await root.auth.roleGet('app-rw');
    assert.deepEqual(
      role.perm.map((p) => [p.type, p.key.toString(), p.rangeEnd.toString()]),
      [['readwrite', 'app/', 'app0'], ['write', 'logs/a', 'logs/m']],
    );
    assert.ok(Buffer.isBuffer(role.perm[0]!.key) && Buffer.isBuffer(role.perm[0]!.rangeEnd));
    const reader = await root.auth.roleGet('reader');
    assert.deepEqual(
      reader.perm.map((p) => [p.type, p.key.toString(), p.rangeEnd.toString('hex')]),
      [['read', 'one-key', ''], ['read', 'shared/', Buffer.from('shared0').toString('hex')], ['read', 'z', '00']],
    );
    assert.deepEqual((await root.auth.userGet('alice')).roles, ['app-rw', 'reader']);
    assert.deepEqual((await root.auth.userList()).users, ['alice', 'cn-only', 'root']);
    assert.deepEqual((await root.auth.roleList()).roles, ['app-rw', 'reader', 'root']);
    assert.equal(typeof (await root.auth.userList()).header.clusterId, 'bigint');

    assert.ok((await rejects(root.auth.userAdd('alice', 'x'))) instanceof UserAlreadyExistError);
    assert.ok((await rejects(root.auth.userGet('nobody'))) instanceof UserNotFoundError);
    assert.ok((await rejects(root.auth.roleGet('nobody'))) instanceof RoleNotFoundError);
    assert.ok((await rejects(root.auth.roleRevokePermission('reader', 'not-granted'))) instanceof PermissionNotGrantedError);
    // A user without a password exists but cannot log in with one.
    assert.deepEqual((await root.auth.userGet('cn-only')).roles, []);
    const cn = simple.client({ username: 'cn-only', password: 'anything' });
    await assert.rejects(cn.get('app/x'));

    // Revoke by range, in both forms; a Permission from roleGet works as the range.
    await root.auth.roleRevokePermission('app-rw', 'logs/a', 'logs/m');
    await root.auth.roleRevokePermission('reader', reader.perm[2]!);
    assert.deepEqual((await root.auth.roleGet('reader')).perm.map((p) => p.key.toString()), ['one-key', 'shared/']);
  });

  test('a user gets PermissionDeniedError outside its permissions; root may do everything', async () => {
    const logger = recordingLogger();
    const alice = simple.client({ username: 'alice', password: ALICE_PASSWORD, logger });
    await alice.put('app/config', 'v1');
    assert.equal((await alice.get('app/', { prefix: true })).count, 1);
    await root.put('shared/motd', 'hello');
    assert.equal((await alice.get('shared/motd')).kvs[0]?.value.toString(), 'hello');
    const denied = await Promise.all([
      rejects(alice.put('shared/motd', 'mine')),
      rejects(alice.get('secret/x')),
      rejects(alice.delete('other/', { prefix: true })),
      rejects(alice.txn().then(op.put('app/ok', 'v'), op.put('elsewhere', 'v')).commit()),
      rejects(alice.auth.userList()),
      rejects(alice.auth.roleAdd('sneaky')),
    ]);
    for (const error of denied) assert.ok(error instanceof PermissionDeniedError, String(error));
    assert.equal((await root.get('app/ok')).count, 0, 'a refused txn wrote nothing');
    // root: any key, any admin call.
    await root.put('secret/x', 'root only');
    assert.equal((await root.get('secret/x')).kvs[0]?.value.toString(), 'root only');
    assert.equal((await root.auth.userList()).users.includes('alice'), true);
    // Revoking a role takes effect at once.
    await root.auth.userRevokeRole('alice', 'reader');
    assert.ok((await rejects(alice.get('shared/motd'))) instanceof PermissionDeniedError);
    await root.auth.userGrantRole('alice', 'reader');
    assert.equal(logger.count(/authenticating/), 1, logger.text());
  });

  test('a new password invalidates the old one', async () => {
    await root.auth.userAdd('bob', 'old-password');
    const before = simple.client({ username: 'bob', password: 'old-password' });
    assert.ok((await rejects(before.get('x'))) instanceof PermissionDeniedError); // authenticated, no role
    await root.auth.userChangePassword('bob', 'new-password');
    assert.ok((await rejects(simple.client({ username: 'bob', password: 'old-password' }).get('x'))) instanceof AuthFailedError);
    assert.ok((await rejects(simple.client({ username: 'bob', password: 'new-password' }).get('x'))) instanceof PermissionDeniedError);
    await root.auth.userDelete('bob');
    assert.ok((await rejects(simple.client({ username: 'bob', password: 'new-password' }).get('x'))) instanceof AuthFailedError);
  });

  test('concurrent calls share one authentication; an expired token is replaced once, a write applied once', async () => {
    const logger = recordingLogger();
    const alice = simple.client({ username: 'alice', password: ALICE_PASSWORD, logger });
    await Promise.all(Array.from({ length: 20 }, (_, i) => alice.put(`app/c${i}`, String(i))));
    assert.equal(logger.count(/etcd: authenticating/), 1, logger.text());
    const lastUse = Date.now();

    // Let the token expire (etcd forgets a simple token TTL seconds after its last use).
    await new Promise((resolve) => setTimeout(resolve, lastUse + TOKEN_TTL_S * 1000 + TOKEN_EXPIRY_MARGIN_MS - Date.now()));
    const before = await root.get('app/once');
    const results = await Promise.all([
      alice.put('app/once', 'written once'),
      ...Array.from({ length: 10 }, (_, i) => alice.get(`app/c${i}`)),
    ]);
    assert.equal(results.length, 11);
    const after = await root.get('app/once');
    assert.equal(before.count, 0);
    assert.equal(after.kvs[0]?.version, 1, 'the refused put was applied exactly once');
    assert.equal(after.kvs[0]?.value.toString(), 'written once');
    assert.ok(logger.count(/auth token refused/) >= 1, logger.text());
    assert.equal(logger.count(/etcd: authenticating/), 2, `one re-authentication for all refused calls:\n${logger.text()}`);
  });

  test('the token reaches unary calls, server streams and bidi streams; no secret in logs or errors', async () => {
    const logger = recordingLogger();
    const sent: { path: string; token: string | undefined }[] = [];
    const spy = (endpoint: Endpoint, options: ConnectionOptions): Connection => {
      const connection = createConnection(endpoint, options);
      const record = (path: string, o: CallOptions | undefined): void => {
        sent.push({ path, token: o?.metadata?.token });
      };
      return new Proxy(connection, {
        get(target, name) {
          const value: unknown = Reflect.get(target, name, target);
          if (name === 'unary' || name === 'serverStream' || name === 'bidi') {
            const fn = value as (...args: unknown[]) => unknown;
            return (path: string, ...rest: unknown[]) => {
              record(path, rest[rest.length - 1] as CallOptions | undefined);
              return fn.call(target, path, ...rest);
            };
          }
          return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        },
      });
    };
    const rpc = new RpcClient({ endpoints: simple.endpoints, username: 'root', password: ROOT_PASSWORD, logger, createConnection: spy });
    const wrong = new RpcClient({ endpoints: simple.endpoints, username: 'root', password: 'wrong-S3cret', logger });
    const errors: unknown[] = [];
    try {
      const auth = new Auth(rpc);
      await auth.userList();
      // A server stream: the snapshot (root only) starts streaming.
      for await (const chunk of rpc.serverStream(Maintenance.snapshot, {})) {
        assert.ok(chunk.blob.length > 0);
        break;
      }
      // A bidi stream: a watch is created (a call without a valid token would be refused).
      const created = await new Promise<boolean>((resolve, reject) => {
        const stream = rpc.bidi(Watch.watch, {
          onMessage(message) {
            resolve(message.created && !message.canceled);
            stream.cancel();
          },
          onEnd(error) {
            if (error !== undefined && error.name !== 'AbortError') reject(error);
          },
        });
        stream.write({ requestUnion: { $case: 'createRequest', value: { key: Buffer.from('app/') } } });
      });
      assert.equal(created, true);
      assert.equal(await rpc.refreshToken(), true);
      await auth.roleList();

      // Failures, each kept for the secret check.
      errors.push(await rejects(wrong.unary(Maintenance.status, {})));
      errors.push(await rejects(auth.userAdd('x', 42 as unknown as string)));
      errors.push(await rejects(auth.authenticate('root', 'wrong-S3cret')));
      for (const e of errors.slice(1)) assert.ok(e instanceof InvalidArgumentError || e instanceof AuthFailedError);
      assert.ok(errors[0] instanceof AuthFailedError);
    } finally {
      await Promise.all([rpc.close(), wrong.close()]);
    }
    const tokens = new Set(sent.map((s) => s.token).filter((t): t is string => t !== undefined));
    assert.ok(tokens.size >= 2, 'a token, then the refreshed one');
    for (const kind of ['/etcdserverpb.Auth/UserList', '/etcdserverpb.Maintenance/Snapshot', '/etcdserverpb.Watch/Watch']) {
      assert.ok(sent.some((s) => s.path === kind && s.token !== undefined), `${kind} carried the token`);
    }
    assert.equal(sent.find((s) => s.path === '/etcdserverpb.Auth/Authenticate')?.token, undefined);
    const visible = [logger.text(), ...errors.map(errorText), inspect(rpc, { depth: 10 })].join('\n');
    for (const secret of [ROOT_PASSWORD, 'wrong-S3cret', ...tokens]) {
      assert.ok(!visible.includes(secret), `a secret appeared in logs or errors`);
    }
    assert.ok(logger.count(/authenticat/) > 0);
  });

  test('authStatus: NotSupportedError naming the version on etcd 3.4, the status on 3.5+', async () => {
    if (simple.etcdVersion.startsWith('3.4.')) {
      const error = await rejects(root.auth.authStatus());
      assert.ok(error instanceof NotSupportedError);
      assert.equal(error.serverVersion, simple.etcdVersion);
      assert.match(error.message, new RegExp(`etcd ${simple.etcdVersion.replaceAll('.', '\\.')}`));
    } else {
      const status = await root.auth.authStatus();
      assert.equal(status.enabled, true);
      assert.ok(status.authRevision > 0);
    }
  });

  test('bad input is refused before sending, never echoing a password', async () => {
    const cases: [() => Promise<unknown>, RegExp, typeof InvalidArgumentError | typeof EmptyKeyError][] = [
      [() => root.auth.userAdd('', 'pw'), /userAdd: name must be a non-empty string/, InvalidArgumentError],
      [() => root.auth.userAdd('u', { noPassword: false } as never), /userAdd: password must be a string or \{ noPassword: true \}/, InvalidArgumentError],
      [() => root.auth.userChangePassword('u', { secret: 'S3cret-object' } as never), /userChangePassword: password must be a string, got an object/, InvalidArgumentError],
      [() => root.auth.roleGrantPermission('r', { type: 'all' as never, key: 'k' }), /type must be 'read', 'write' or 'readwrite'/, InvalidArgumentError],
      [() => root.auth.roleGrantPermission('r', { type: 'read', key: 'k', prefix: true, fromKey: true }), /prefix and fromKey cannot be combined/, InvalidArgumentError],
      [() => root.auth.roleGrantPermission('r', { type: 'read', key: '' }), /key is empty/, EmptyKeyError],
      [() => root.auth.roleGrantPermission('r', { type: 'read', key: 'k', size: 1 } as never), /unknown option 'size'/, InvalidArgumentError],
      [() => root.auth.userGrantRole('u', ''), /userGrantRole: role must be a non-empty string/, InvalidArgumentError],
      [() => root.auth.userList({ limit: 1 } as never), /unknown option 'limit' for userList/, InvalidArgumentError],
    ];
    for (const [call, message, cls] of cases) {
      const error = await rejects(call());
      assert.ok(error instanceof cls, String(error));
      assert.match((error as Error).message, message);
      assert.ok(!errorText(error).includes('S3cret-object'));
    }
    assert.throws(() => simple.client({ username: 'root' }), /username was given without password/);
    assert.throws(() => simple.client({ password: 'S3cret-x' }), (e: Error) => e instanceof InvalidArgumentError && !e.message.includes('S3cret-x'));
    assert.throws(() => simple.client({ username: 'root', password: '' }), /password must be a non-empty string, got an empty string/);
  });

  test('auth disable, then calls need no token; a client with credentials goes on', async () => {
    const alice = simple.client({ username: 'alice', password: ALICE_PASSWORD });
    await alice.get('app/config');
    await root.auth.authDisable();
    const anonymous = simple.client();
    await anonymous.put('after-auth', 'open');
    assert.equal((await alice.get('after-auth')).kvs[0]?.value.toString(), 'open');
    assert.ok((await rejects(anonymous.auth.authenticate('root', ROOT_PASSWORD))) instanceof AuthNotEnabledError);
    assert.equal(await anonymous.rpc.refreshToken?.(), false);
  });
});

describe('JWT tokens', { timeout: 60_000 }, () => {
  test('a JWT issued before an auth change is refused (AuthOldRevisionError) and replaced once; the write applies once', async () => {
    const root = await enableAuth(jwt);
    await root.auth.roleAdd('jobs');
    await root.auth.roleGrantPermission('jobs', { type: 'readwrite', key: 'jobs/', prefix: true });
    await root.auth.userAdd('worker', 'worker-pw');
    await root.auth.userGrantRole('worker', 'jobs');

    const logger = recordingLogger();
    const worker = jwt.client({ username: 'worker', password: 'worker-pw', logger });
    await worker.put('jobs/1', 'first');
    assert.equal(logger.count(/etcd: authenticating/), 1);

    // Any change to users, roles or permissions bumps the auth revision the JWT carries.
    await root.auth.roleAdd('unrelated');
    await worker.put('jobs/2', 'after the change');
    const job = await root.get('jobs/2');
    assert.equal(job.kvs[0]?.version, 1);
    assert.match(logger.text(), /auth token refused.*revision of auth store is old|the auth store changed/s);
    assert.equal(logger.count(/etcd: authenticating/), 2, logger.text());

    assert.ok((await rejects(worker.get('other/x'))) instanceof PermissionDeniedError);
    assert.ok((await rejects(jwt.client({ username: 'worker', password: 'nope' }).get('jobs/1'))) instanceof AuthFailedError);
  });
});

describe("examples/auth.ts prints what Go's ExampleAuth prints", { timeout: 60_000 }, () => {
  test('ExampleAuth', async () => {
    await using cluster = await EtcdCluster.start({ size: 1, args: ['--bcrypt-cost=4'] });
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'examples/auth.ts'], {
      cwd: new URL('../..', import.meta.url),
      env: { ...process.env, ETCD_ENDPOINTS: cluster.endpoints.join(',') },
      timeout: 30_000,
    });
    assert.equal(stdout, 'etcdserver: permission denied\nuser u permission: key "foo", range end "zoo"\n');
    // The example left auth disabled again.
    assert.equal((await cluster.client().get('foo1')).kvs[0]?.value.toString(), 'bar');
  });
});
