// `etcdts auth|user|role` and the --user/--password/TLS flags against etcdctl 3.4.23, byte for
// byte: etcdctl runs on cluster A, etcdts on cluster B, with the same arguments and stdin; stdout
// (cluster and member IDs replaced by placeholders), the exit code and the `Error:` line must match.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { etcdctl as runEtcdctl, etcdts as runEtcdts, type CommandResult as Result } from '../helpers/etcdts.js';
import { errorLine, inParallel, normalize, startSide, type Side } from '../helpers/side-by-side.js';

const etcdctl = (args: readonly string[], stdin = '', env: Record<string, string> = {}) => runEtcdctl(args, { stdin, env });
/** etcdts, bundled once per test process (test/helpers/etcdts.ts; ETCDTS_CLI_JS runs a build instead). */
const etcdts = (args: readonly string[], stdin = '', env: Record<string, string> = {}) => runEtcdts(args, { stdin, env });

let sideA: Side; // etcdctl's
let sideB: Side; // etcdts's

interface Step {
  args: string[];
  stdin?: string;
  env?: Record<string, string>;
  /** `exact` (default): equal Error lines; `code`: only the exit code (etcdts words this error differently). */
  error?: 'exact' | 'code';
}

/** Runs a step on both sides at once and compares stdout, exit code and the Error line. */
async function same(step: Step): Promise<Result> {
  const argsFor = (side: Side) => ['--endpoints', side.endpoint, ...step.args];
  const [theirs, ours] = await Promise.all([
    etcdctl(argsFor(sideA), step.stdin, step.env),
    etcdts(argsFor(sideB), step.stdin, step.env),
  ]);
  const what = `${step.args.join(' ')}\n etcdctl stderr: ${theirs.stderr}\n etcdts stderr: ${ours.stderr}`;
  assert.equal(normalize(sideB, ours.stdout), normalize(sideA, theirs.stdout), `stdout of: ${what}`);
  assert.equal(ours.code, theirs.code, `exit code of: ${what}`);
  const want = errorLine(theirs.stderr);
  const got = ours.stderr.split('\n')[0] ?? '';
  if (want === '') assert.equal(ours.stderr, '', `stderr of: ${what}`);
  else if ((step.error ?? 'exact') === 'exact') assert.equal(got, want, `Error line of: ${what}`);
  else assert.match(got, /^Error: /, what);
  return ours;
}

/**
 * Steps that do not depend on each other's effects, three at a time. Auth changes do not move the
 * key-value revision, so headers agree whatever the order.
 */
async function together(steps: readonly Step[]): Promise<void> {
  await inParallel(steps, 3, same);
}

const asRoot = (...args: string[]): string[] => ['--user', 'root:pw', ...args];

before(async () => {
  [sideA, sideB] = await Promise.all([startSide(['--bcrypt-cost=4']), startSide(['--bcrypt-cost=4'])]);
});

after(async () => {
  await Promise.all([sideA?.cluster.close(), sideB?.cluster.close()]);
});

describe('etcdts auth, user, role against etcdctl 3.4.23', { timeout: 300_000 }, () => {
  test('users and roles before auth is enabled', async () => {
    await together([
      { args: ['user', 'add', 'root:pw'] },
      { args: ['user', 'add', 'alice:apw', '-w', 'json'] },
      { args: ['user', 'add', 'bob', '--no-password', '-w', 'fields'] },
      { args: ['user', 'add', 'carol', '--new-user-password=cpw'] },
      { args: ['user', 'add', 'dave'], stdin: 'dpw\ndpw\n' }, // prompts, read from a pipe
      { args: ['user', 'add', 'erin', '--interactive=false'], stdin: '  epw rest\n' },
      { args: ['user', 'add', 'frank'], stdin: 'a\nb\n' },
      { args: ['role', 'add', 'app'] },
    ]);
    await together([
      { args: ['role', 'grant-permission', 'app', 'readwrite', 'app/', '--prefix'] },
      { args: ['role', 'grant-permission', 'app', 'read', 'shared/', 'shared0', '-w', 'json'] },
      { args: ['role', 'grant-permission', 'app', 'WRITE', 'logs', '--from-key'] },
      { args: ['role', 'grant-permission', 'app', 'Read', '', '--prefix'] },
      { args: ['role', 'grant-permission', 'app', 'read', 'single'] },
      { args: ['user', 'grant-role', 'alice', 'app'] },
      { args: ['user', 'grant-role', 'dave', 'app', '-w', 'table'] }, // granted, then "table not supported"
    ]);
  });

  test('reads in every format, and argument errors', async () => {
    await together([
      { args: ['role', 'get', 'app'] },
      { args: ['role', 'get', 'app', '-w', 'json'] },
      { args: ['role', 'get', 'app', '-w', 'fields'] },
      { args: ['user', 'get', 'alice'] },
      { args: ['user', 'get', 'alice', '-w', 'fields'] },
      { args: ['user', 'get', 'alice', '--detail'] },
      { args: ['user', 'get', 'dave', '--detail', '-w', 'json'] },
      { args: ['user', 'get', 'nobody'] },
      { args: ['user', 'list', '-w', 'json'] },
      { args: ['user', 'list', '-w', 'fields'] },
      { args: ['role', 'list', '-w', 'fields'] },
      { args: ['role', 'list', '-w', 'yaml'] },
      { args: ['user', 'add', ':pw'] },
      { args: ['user', 'add', 'alice:again'] },
      { args: ['role', 'grant-permission', 'app', 'all', 'k'] },
      { args: ['role', 'grant-permission', 'app', 'read', 'k', 'z', '--prefix'] },
      { args: ['role', 'revoke-permission', 'app', 'k', '--prefix', '--from-key'] },
      { args: ['auth', 'enable', 'extra'] },
    ]);
  });

  test('auth enable (creating the root role), then --user, --password, prompts and permissions', async () => {
    await same({ args: ['auth', 'enable'] });
    await together([
      { args: ['user', 'list'] },
      { args: ['--user', 'root:wrong', 'user', 'list'] },
      { args: ['--user', 'root', '--password', 'pw', 'role', 'list'] },
      { args: ['--user', 'root', 'role', 'list'], stdin: 'pw\n' },
      { args: ['role', 'list'], env: { ETCDCTL_USER: 'root:pw' } },
      { args: ['--user', 'alice:apw', 'get', 'shared/x'] },
      { args: ['--user', 'bob:x', 'get', 'k'], error: 'code' },
      { args: ['--cacert', '/nonexistent/ca.pem', 'user', 'list'] },
      { args: ['--cert', '/nonexistent/c.pem', 'user', 'list'] },
    ]);
    await together([
      { args: ['--user', 'alice:apw', 'put', 'app/x', '1'] },
      { args: ['--user', 'alice:apw', 'put', 'shared/x', '1'] },
      { args: asRoot('user', 'passwd', 'carol', '--interactive=false'), stdin: 'newpw\n' },
    ]);
    await together([
      { args: ['--user', 'carol:cpw', 'get', 'k'] },
      { args: ['--user', 'carol:newpw', 'get', 'k'] },
      { args: asRoot('user', 'passwd', 'carol'), stdin: 'x\ny\n' },
    ]);
  });

  test('revokes and deletes, then auth disable', async () => {
    await together([
      { args: asRoot('role', 'revoke-permission', 'app', 'single') },
      { args: asRoot('role', 'revoke-permission', 'app', 'app/', '--prefix') },
      { args: asRoot('role', 'revoke-permission', 'app', 'logs', '--from-key', '-w', 'fields') },
      { args: asRoot('role', 'revoke-permission', 'app', '', '--prefix') },
      { args: asRoot('role', 'revoke-permission', 'app', 'nothing') },
      { args: asRoot('user', 'revoke-role', 'alice', 'app') },
    ]);
    await same({ args: asRoot('role', 'get', 'app') });
    await together([{ args: asRoot('role', 'delete', 'app') }, { args: asRoot('user', 'delete', 'alice') }]);
    // In order: deleting alice again fails differently once auth is disabled.
    await same({ args: asRoot('user', 'delete', 'alice') });
    await same({ args: asRoot('-w', 'json', 'auth', 'disable') });
  });

  test('etcdts only: auth status, --insecure-transport=false for host:port endpoints', async () => {
    const status = await etcdts(['--endpoints', sideB.endpoint, 'auth', 'status']);
    if (sideB.cluster.etcdVersion.startsWith('3.4.')) {
      assert.equal(status.code, 1);
      assert.equal(status.stderr, `Error: authStatus (etcd >= 3.5) is not supported by etcd ${sideB.cluster.etcdVersion}\n`);
    } else {
      assert.equal(status.stdout.toString().split('\n')[0], 'Authentication Status: false');
    }
    const bare = sideB.endpoint.replace(/^http:\/\//, '');
    const plain = await etcdts(['--endpoints', bare, '--insecure-transport=true', 'get', 'k', '-w', 'json']);
    assert.equal(plain.code, 0, plain.stderr);
    const tls = await etcdts(['--endpoints', bare, '--insecure-transport=false', '--dial-timeout=1s', 'get', 'k']);
    assert.equal(tls.code, 1, 'TLS to a plain-text member fails');
    assert.match(tls.stderr, /^Error: /);
  });
});
