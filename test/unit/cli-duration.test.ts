// Go-syntax helpers of the CLI: durations (--dial-timeout, --command-timeout), integers and
// booleans as pflag reads them, Go string quoting for -w fields, and the global flag resolution.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { CliError } from '../../src/cli/exit.js';
import { discoveryServerName } from '../../src/cli/discovery.js';
import { keepAliveClientOptions, normalizeEndpoint, resolveGlobalOptions, withTlsServerName } from '../../src/cli/global.js';
import { GoSyntaxError, goQuote, goUnquote, parseGoBool, parseGoDuration, parseGoInt } from '../../src/cli/go-syntax.js';

describe('parseGoDuration', () => {
  const cases: Array<[string, number]> = [
    ['2s', 2000],
    ['500ms', 500],
    ['1m30s', 90_000],
    ['1.5h', 5_400_000],
    ['-2s', -2000],
    ['+3s', 3000],
    ['0', 0],
    ['-0', 0],
    ['.5s', 500],
    ['5.s', 5000],
    ['1ns', 1e-6],
    ['250us', 0.25],
    ['250µs', 0.25],
    ['1h2m3s4ms', 3_723_004],
  ];
  for (const [input, ms] of cases) {
    test(`${JSON.stringify(input)} is ${ms} ms`, () => {
      assert.ok(Math.abs(parseGoDuration(input) - ms) < 1e-9, `${parseGoDuration(input)} != ${ms}`);
    });
  }

  const errors: Array<[string, string]> = [
    ['abc', 'time: invalid duration "abc"'],
    ['', 'time: invalid duration ""'],
    ['1', 'time: missing unit in duration "1"'],
    ['10', 'time: missing unit in duration "10"'],
    ['1d', 'time: unknown unit "d" in duration "1d"'],
    ['.s', 'time: invalid duration ".s"'],
    ['s', 'time: invalid duration "s"'],
    ['1s2', 'time: missing unit in duration "1s2"'],
  ];
  for (const [input, message] of errors) {
    test(`${JSON.stringify(input)} is rejected with Go's message`, () => {
      assert.throws(() => parseGoDuration(input), (err: unknown) => err instanceof GoSyntaxError && err.message === message);
    });
  }
});

describe('parseGoInt', () => {
  test('decimal with a sign', () => {
    assert.equal(parseGoInt('42', 10), 42n);
    assert.equal(parseGoInt('+7', 10), 7n);
    assert.equal(parseGoInt('-7', 10), -7n);
  });
  test('hex (lease IDs) without a prefix', () => {
    assert.equal(parseGoInt('4947a1fe3abc5e1d', 16), 0x4947a1fe3abc5e1dn);
    assert.equal(parseGoInt('FF', 16), 255n);
    assert.throws(() => parseGoInt('0x10', 16), /strconv.ParseInt: parsing "0x10": invalid syntax/);
  });
  test('base 0 as pflag integer flags read them', () => {
    assert.equal(parseGoInt('0x10', 0), 16n);
    assert.equal(parseGoInt('0o17', 0), 15n);
    assert.equal(parseGoInt('017', 0), 15n);
    assert.equal(parseGoInt('0b101', 0), 5n);
    assert.equal(parseGoInt('1_000', 0), 1000n);
    assert.equal(parseGoInt('0', 0), 0n);
    assert.throws(() => parseGoInt('1__0', 0), /invalid syntax/);
    assert.throws(() => parseGoInt('_1', 0), /invalid syntax/);
    assert.throws(() => parseGoInt('08', 0), /invalid syntax/);
  });
  test("errors carry Go's text", () => {
    assert.throws(() => parseGoInt('x', 10), { message: 'strconv.ParseInt: parsing "x": invalid syntax' });
    assert.throws(() => parseGoInt('', 10), { message: 'strconv.ParseInt: parsing "": invalid syntax' });
    assert.throws(() => parseGoInt(' 1', 10), /invalid syntax/);
    assert.throws(() => parseGoInt('9223372036854775808', 10), {
      message: 'strconv.ParseInt: parsing "9223372036854775808": value out of range',
    });
    assert.equal(parseGoInt('-9223372036854775808', 10), -(2n ** 63n));
  });
});

describe('parseGoBool', () => {
  test('the spellings Go accepts', () => {
    for (const t of ['1', 't', 'T', 'true', 'TRUE', 'True']) assert.equal(parseGoBool(t), true);
    for (const f of ['0', 'f', 'F', 'false', 'FALSE', 'False']) assert.equal(parseGoBool(f), false);
    assert.throws(() => parseGoBool('yes'), { message: 'strconv.ParseBool: parsing "yes": invalid syntax' });
  });
});

describe('goQuote / goUnquote', () => {
  test('quotes like strconv.Quote', () => {
    assert.equal(goQuote('a/b'), '"a/b"');
    assert.equal(goQuote('say "hi"\\'), '"say \\"hi\\"\\\\"');
    assert.equal(goQuote('\n\t\x07\x00\x7f'), '"\\n\\t\\a\\x00\\x7f"');
    assert.equal(goQuote('héllo ☃'), '"héllo ☃"');
    assert.equal(goQuote('\u00a0\u200b'), '"\\u00a0\\u200b"');
    assert.equal(goQuote(Buffer.from([0x61, 0xff, 0xc3])), '"a\\xff\\xc3"');
    assert.equal(goQuote(Buffer.from([0xed, 0xa0, 0x80])), '"\\xed\\xa0\\x80"'); // an encoded surrogate is invalid UTF-8
  });
  test('unquotes Go literals to bytes', () => {
    assert.deepEqual(goUnquote('"a\\tb\\x41"'), Buffer.from('a\tbA'));
    assert.deepEqual(goUnquote('"\\101\\u00e9"'), Buffer.from('Aé'));
    assert.deepEqual(goUnquote('"\\xff"'), Buffer.from([0xff]));
    assert.deepEqual(goUnquote('`raw\\n`'), Buffer.from('raw\\n'));
    assert.throws(() => goUnquote('"\\z"'), { message: 'invalid syntax' });
    assert.throws(() => goUnquote('"\\\'"'), { message: 'invalid syntax' });
    assert.throws(() => goUnquote('"a'), { message: 'invalid syntax' });
  });
});

describe('resolveGlobalOptions', () => {
  test('defaults as etcdctl', () => {
    const o = resolveGlobalOptions({}, {});
    assert.deepEqual(o, {
      endpoints: ['http://127.0.0.1:2379'],
      dialTimeoutMs: 2000,
      commandTimeoutMs: 5000,
      writeOut: 'simple',
      hex: false,
      keepAliveTimeMs: 2000,
      keepAliveTimeoutMs: 6000,
    });
  });
  test('environment gives defaults; an empty variable is unset', () => {
    const env = { ETCDCTL_ENDPOINTS: 'a:1, b:2', ETCDCTL_DIAL_TIMEOUT: '3s', ETCDCTL_COMMAND_TIMEOUT: '', ETCDCTL_WRITE_OUT: 'json', ETCDCTL_HEX: 'true' };
    const o = resolveGlobalOptions({}, env);
    assert.deepEqual(o, {
      endpoints: ['http://a:1', 'http://b:2'],
      dialTimeoutMs: 3000,
      commandTimeoutMs: 5000,
      writeOut: 'json',
      hex: true,
      keepAliveTimeMs: 2000,
      keepAliveTimeoutMs: 6000,
    });
  });
  test('--keepalive-time/--keepalive-timeout as grpc-go applies them: below 10 s means 10 s, 0 turns pings off, a 0 timeout means 20 s', () => {
    assert.deepEqual(keepAliveClientOptions(resolveGlobalOptions({}, {})), { keepAliveTime: 10_000, keepAliveTimeout: 6000 });
    assert.deepEqual(keepAliveClientOptions(resolveGlobalOptions({ keepaliveTime: '30s', keepaliveTimeout: '2s' }, {})), { keepAliveTime: 30_000, keepAliveTimeout: 2000 });
    assert.deepEqual(keepAliveClientOptions(resolveGlobalOptions({}, { ETCDCTL_KEEPALIVE_TIME: '0', ETCDCTL_KEEPALIVE_TIMEOUT: '0s' })), { keepAliveTime: 0, keepAliveTimeout: 20_000 });
    assert.throws(() => resolveGlobalOptions({ keepaliveTime: '2' }, {}), (e: unknown) => e instanceof CliError && e.exitCode === 1 && /"--keepalive-time" flag/.test(e.message));
  });
  test('--debug: every global flag as ETCDCTL_<FLAG>=<value>, sorted, passwords hidden', () => {
    const o = resolveGlobalOptions({ debug: true, user: 'root:S3cret', endpoints: ['a:1', 'b:2'], dialTimeout: '1500ms' }, { ETCDCTL_PASSWORD: 'Other-S3cret' });
    const lines = o.debug ?? [];
    assert.equal(lines.length, 18);
    assert.deepEqual([...lines].sort(), lines);
    assert.ok(lines.includes('ETCDCTL_ENDPOINTS=[a:1,b:2]'));
    assert.ok(lines.includes('ETCDCTL_DIAL_TIMEOUT=1.5s'));
    assert.ok(lines.includes('ETCDCTL_KEEPALIVE_TIME=2s'));
    assert.ok(lines.includes('ETCDCTL_USER=root:<hidden>'));
    assert.ok(lines.includes('ETCDCTL_PASSWORD=<hidden>'));
    assert.ok(!lines.join('\n').includes('S3cret'));
    assert.equal(resolveGlobalOptions({}, {}).debug, undefined);
    assert.ok(resolveGlobalOptions({}, { ETCDCTL_DEBUG: 'true' }).debug !== undefined);
  });
  test('discovery with --insecure-discovery=false checks certificates against the SRV domain (etcdctl 3.5)', () => {
    assert.equal(discoveryServerName({ discoverySrv: 'example.com' }, {}), undefined);
    assert.equal(discoveryServerName({ discoverySrv: 'example.com', insecureDiscovery: false }, {}), 'example.com');
    assert.equal(discoveryServerName({}, { ETCDCTL_DISCOVERY_SRV: 'example.org', ETCDCTL_INSECURE_DISCOVERY: 'false' }), 'example.org');
    assert.equal(discoveryServerName({ insecureDiscovery: false }, {}), undefined);
    const o = { ...resolveGlobalOptions({}, {}), endpoints: ['https://m1.example.com:2379'], tlsServerName: 'example.com' };
    assert.deepEqual(withTlsServerName({ endpoints: o.endpoints }, o), { endpoints: o.endpoints, tls: { servername: 'example.com' } });
    assert.deepEqual(withTlsServerName({ endpoints: o.endpoints, tls: { rejectUnauthorized: false } }, o).tls, { rejectUnauthorized: false, servername: 'example.com' });
  });
  test('a flag beats the environment', () => {
    const env = { ETCDCTL_ENDPOINTS: 'a:1', ETCDCTL_COMMAND_TIMEOUT: '9s', ETCDCTL_WRITE_OUT: 'json' };
    const o = resolveGlobalOptions({ endpoints: ['https://c:3'], commandTimeout: '250ms', writeOut: 'simple' }, env);
    assert.deepEqual(o.endpoints, ['https://c:3']);
    assert.equal(o.commandTimeoutMs, 250);
    assert.equal(o.writeOut, 'simple');
  });
  test('bad durations: exit 1 for a flag (pflag), 128 for the environment', () => {
    assert.throws(
      () => resolveGlobalOptions({ dialTimeout: 'abc' }, {}),
      (err: unknown) => err instanceof CliError && err.exitCode === 1 &&
        err.message === 'invalid argument "abc" for "--dial-timeout" flag: time: invalid duration "abc"',
    );
    assert.throws(
      () => resolveGlobalOptions({}, { ETCDCTL_COMMAND_TIMEOUT: '5' }),
      (err: unknown) => err instanceof CliError && err.exitCode === 128 && /ETCDCTL_COMMAND_TIMEOUT: time: missing unit/.test(err.message),
    );
  });
  test('endpoints get a scheme when they have none', () => {
    assert.equal(normalizeEndpoint('127.0.0.1:2379'), 'http://127.0.0.1:2379');
    assert.equal(normalizeEndpoint('https://h:1'), 'https://h:1');
    assert.throws(() => resolveGlobalOptions({ endpoints: ['', ' '] }, {}), /no endpoints given/);
  });
});
