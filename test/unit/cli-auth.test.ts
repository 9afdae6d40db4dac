// The CLI's auth pieces without a server: etcdctl's permission ranges, password reading
// (prompts, --interactive=false), the auth printers, and the security flags (--user, --password,
// TLS files, https for host:port endpoints) mapped to client options. (The flag rewriting of
// main.ts is exercised through the binary in test/integration/cli-auth.test.ts.)
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { Client } from '../../src/client.js';
import type { AuthRoleGetResponse } from '../../src/auth/auth.js';
import { AuthPrinter, checkFormatName } from '../../src/cli/auth-printer.js';
import { permRange } from '../../src/cli/auth-perm.js';
import { CliError } from '../../src/cli/exit.js';
import { resolveGlobalOptions, clientOptions } from '../../src/cli/global.js';
import { askNewPassword, askPassword, readLine, scanWord, type ByteSource } from '../../src/cli/password.js';
import { securityClientOptions } from '../../src/cli/security.js';

const HEADER = { clusterId: 14780049947245667446n, memberId: 3522644254865436511n, revision: 4, raftTerm: 2 };

function source(text: string | number[], isTTY = false): ByteSource {
  const bytes = typeof text === 'string' ? [...Buffer.from(text)] : text;
  let i = 0;
  return { isTTY, next: () => (i < bytes.length ? bytes[i++] : undefined) };
}

function cliError(code: number, message: string) {
  return (e: unknown): boolean => e instanceof CliError && e.exitCode === code && e.message === message;
}

describe('permRange (etcdctl role grant-permission / revoke-permission)', () => {
  const hex = (r: { key: Buffer; rangeEnd: Buffer }) => [r.key.toString('hex'), r.rangeEnd.toString('hex')];
  test('keys, ranges, prefixes, from-key, the empty key', () => {
    assert.deepEqual(hex(permRange(['a'], {})), ['61', '']);
    assert.deepEqual(hex(permRange(['a', 'c'], {})), ['61', '63']);
    assert.deepEqual(hex(permRange(['a/'], { prefix: true })), ['612f', '6130']);
    assert.deepEqual(hex(permRange(['a'], { fromKey: true })), ['61', '00']);
    assert.deepEqual(hex(permRange([''], { prefix: true })), ['00', '00']);
    assert.deepEqual(hex(permRange([''], { fromKey: true })), ['00', '00']);
    assert.deepEqual(hex(permRange([''], {})), ['00', '']);
  });
  test("etcdctl's errors, in etcdctl's order", () => {
    assert.throws(() => permRange(['a'], { prefix: true, fromKey: true }), cliError(128, '--from-key and --prefix flags are mutually exclusive'));
    assert.throws(() => permRange([''], { prefix: true, fromKey: true }), cliError(128, '--from-key and --prefix flags are mutually exclusive'));
    assert.throws(() => permRange(['a', 'b'], { prefix: true, fromKey: true }), cliError(128, 'unexpected endkey argument with --prefix flag'));
    assert.throws(() => permRange(['a', 'b'], { fromKey: true }), cliError(128, 'unexpected endkey argument with --from-key flag'));
  });
});

describe('password reading', () => {
  test('readLine: a line without its newline; the rest stays unread', () => {
    const s = source('first\nsecond\n');
    assert.equal(readLine(s), 'first');
    assert.equal(readLine(s), 'second');
    assert.equal(readLine(s), '');
  });
  test('readLine on a terminal: Enter ends, Backspace deletes a character, Ctrl-C interrupts', () => {
    assert.equal(readLine(source([...Buffer.from('pwx'), 0x7f, ...Buffer.from('é'), 0x7f, 0x21, 0x0d, 0x41], true)), 'pw!');
    assert.throws(() => readLine(source([0x61, 0x03], true)), cliError(5, 'interrupted'));
  });
  test('askPassword: prompt, line, newline (as speakeasy)', () => {
    const out: string[] = [];
    assert.equal(askPassword('Password: ', source('pw\n'), (t) => out.push(t)), 'pw');
    assert.deepEqual(out, ['Password: ', '\n']);
  });
  test("askNewPassword: twice, with etcdctl's errors", () => {
    const out: string[] = [];
    assert.equal(askNewPassword('bob', source('pw\npw\n'), (t) => out.push(t)), 'pw');
    assert.equal(out.join(''), 'Password of bob: \nType password of bob again for confirmation: \n');
    assert.throws(() => askNewPassword('bob', source(''), () => undefined), cliError(128, 'empty password'));
    assert.throws(() => askNewPassword('bob', source('a\nb\n'), () => undefined), cliError(128, 'given passwords are different'));
  });
  test('scanWord: one word as Go fmt.Scanf("%s")', () => {
    assert.equal(scanWord(source('  pass word\n')), 'pass');
    assert.equal(scanWord(source('pw')), 'pw');
    assert.equal(scanWord(source('\npw\n')), '');
    assert.equal(scanWord(source('')), '');
  });
});

describe('AuthPrinter (etcdctl 3.4 output)', () => {
  const role: AuthRoleGetResponse = {
    header: HEADER,
    perm: [
      { type: 'readwrite', key: Buffer.from([0]), rangeEnd: Buffer.from([0]) },
      { type: 'write', key: Buffer.from([0]), rangeEnd: Buffer.alloc(0) },
      { type: 'read', key: Buffer.from('a'), rangeEnd: Buffer.from('b') },
      { type: 'read', key: Buffer.from('k/'), rangeEnd: Buffer.from('z') },
    ],
  };
  test('role get, simple', () => {
    assert.equal(
      new AuthPrinter('simple').roleGet('r1', role).toString('latin1'),
      'Role r1\nKV Read:\n\t[\0, <open ended>\n\t[a, b) (prefix a)\n\t[k/, z)\nKV Write:\n\t[\0, <open ended>\n\t\0\n',
    );
  });
  test('role get, json and fields', () => {
    assert.equal(
      new AuthPrinter('json').roleGet('r1', role).toString(),
      '{"header":{"cluster_id":14780049947245667446,"member_id":3522644254865436511,"revision":4,"raft_term":2},' +
        '"perm":[{"permType":2,"key":"AA==","range_end":"AA=="},{"permType":1,"key":"AA=="},{"key":"YQ==","range_end":"Yg=="},{"key":"ay8=","range_end":"eg=="}]}\n',
    );
    const fields = new AuthPrinter('fields').roleGet('r1', { header: HEADER, perm: role.perm.slice(0, 2) }).toString();
    assert.equal(
      fields,
      '"ClusterID" : 14780049947245667446\n"MemberID" : 3522644254865436511\n"Revision" : 4\n"RaftTerm" : 2\n' +
        '"PermType" :  READWRITE\n"Key" : "\\x00"\n"RangeEnd" : "\\x00"\n"PermType" :  WRITE\n"Key" : "\\x00"\n"RangeEnd" : ""\n',
    );
  });
  test('users, roles, changes', () => {
    const simple = new AuthPrinter('simple');
    assert.equal(simple.userGet('alice', { header: HEADER, roles: ['r1', 'r2'] }).toString(), 'User: alice\nRoles: r1 r2\n');
    assert.equal(simple.userGet('bob', { header: HEADER, roles: [] }).toString(), 'User: bob\nRoles:\n');
    assert.equal(simple.userAdd('alice', { header: HEADER }).toString(), 'User alice created\n');
    assert.equal(simple.roleRevokePermission('r1', '', Buffer.from([0]), { header: HEADER }).toString(), 'Permission of range [, <open ended> is revoked from role r1\n');
    assert.equal(simple.roleRevokePermission('r1', 'k', Buffer.alloc(0), { header: HEADER }).toString(), 'Permission of key k is revoked from role r1\n');
    assert.equal(simple.roleRevokePermission('r1', 'a', Buffer.from('c'), { header: HEADER }).toString(), 'Permission of range [a, c) is revoked from role r1\n');
    assert.equal(new AuthPrinter('fields').roleList({ header: HEADER, roles: ['r1', 'root'] }).toString().split('\n')[4], '"Roles" : "r1" "root"');
    assert.equal(new AuthPrinter('json').userList({ header: { ...HEADER, revision: 0 }, users: [] }).toString(), '{"header":{"cluster_id":14780049947245667446,"member_id":3522644254865436511,"raft_term":2}}\n');
  });
  test('formats: unknown names refused before sending, unsupported ones after', () => {
    assert.throws(() => checkFormatName('yaml'), cliError(4, 'unsupported output format'));
    for (const f of ['simple', 'json', 'fields', 'table', 'protobuf']) checkFormatName(f);
    assert.throws(() => new AuthPrinter('fields').userList({ header: HEADER, users: [] }), cliError(4, 'fields not supported as output format'));
    assert.throws(() => new AuthPrinter('table').roleAdd('r', { header: HEADER }), cliError(4, 'table not supported as output format'));
  });
});

describe('security flags', () => {
  test('flags and ETCDCTL_* variables; TLS makes host:port endpoints https', () => {
    const plain = resolveGlobalOptions({ endpoints: ['h:1'] }, {});
    assert.equal(plain.security, undefined);
    const env = { ETCDCTL_USER: 'root:pw', ETCDCTL_CACERT: '/ca.pem', ETCDCTL_INSECURE_SKIP_TLS_VERIFY: 'true' };
    const o = resolveGlobalOptions({ endpoints: ['h:1', 'http://h:2'] }, env);
    assert.deepEqual(o.endpoints, ['https://h:1', 'http://h:2']);
    assert.deepEqual(o.security, { user: 'root:pw', cacert: '/ca.pem', insecureSkipTlsVerify: true });
    const off = resolveGlobalOptions({ endpoints: ['h:1'], insecureTransport: false, user: 'u' }, { ETCDCTL_USER: 'other' });
    assert.deepEqual(off.endpoints, ['https://h:1']);
    assert.equal(off.security?.user, 'u');
    assert.throws(() => resolveGlobalOptions({}, { ETCDCTL_INSECURE_TRANSPORT: 'maybe' }), (e: unknown) => e instanceof CliError && e.exitCode === 128);
  });

  test('--insecure-skip-tls-verify alone asks for no TLS: http:// endpoints stay plaintext (as etcdctl), https:// skip verification', () => {
    const plain = clientOptions(resolveGlobalOptions({ insecureSkipTlsVerify: true }, {}));
    assert.deepEqual(plain.endpoints, ['http://127.0.0.1:2379']);
    assert.equal(plain.tls, undefined);
    assert.doesNotThrow(() => new Client(plain).close());
    const socket = clientOptions(resolveGlobalOptions({ endpoints: ['unix:///run/etcd.sock'], insecureSkipTlsVerify: true }, {}));
    assert.equal(socket.tls, undefined, 'a unix:// socket stays plaintext too');
    const secure = clientOptions(resolveGlobalOptions({ endpoints: ['https://h:1'], insecureSkipTlsVerify: true }, {}));
    assert.deepEqual(secure.tls, { insecureSkipVerify: true });
  });

  test('credentials: user:password, --password, and none for an empty name or password (as Go)', () => {
    const creds = (security: Record<string, unknown>) => {
      const { username, password } = securityClientOptions(security);
      return [username, password];
    };
    assert.deepEqual(creds({ user: 'root:p:w' }), ['root', 'p:w']);
    assert.deepEqual(creds({ user: 'root:x', password: 'pw' }), ['root:x', 'pw']);
    assert.deepEqual(creds({ user: 'root:' }), [undefined, undefined]);
    assert.deepEqual(creds({ user: ':pw' }), [undefined, undefined]);
    assert.deepEqual(creds({ user: '' }), [undefined, undefined]);
  });

  test('TLS files read into tls options; errors worded as etcdctl', () => {
    const dir = mkdtempSync(join(tmpdir(), 'etcd-ts-cli-tls-'));
    try {
      for (const name of ['ca.pem', 'c.pem', 'k.pem']) writeFileSync(join(dir, name), `-----${name}-----\n`);
      const o = resolveGlobalOptions({ endpoints: ['h:1'], cacert: join(dir, 'ca.pem'), cert: join(dir, 'c.pem'), key: join(dir, 'k.pem'), insecureSkipTlsVerify: true }, {});
      const client = clientOptions(o);
      assert.deepEqual(client.endpoints, ['https://h:1']);
      assert.equal(client.tls?.ca?.toString(), '-----ca.pem-----\n');
      assert.equal(client.tls?.cert?.toString(), '-----c.pem-----\n');
      assert.equal(client.tls?.key?.toString(), '-----k.pem-----\n');
      assert.equal(client.tls?.insecureSkipVerify, true);
      assert.throws(() => securityClientOptions({ cacert: join(dir, 'none') }), cliError(128, `open ${join(dir, 'none')}: no such file or directory`));
      assert.throws(() => securityClientOptions({ cert: '/c' }), cliError(128, 'KeyFile and CertFile must both be present[key: , cert: /c]'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
