// The txn syntax of `etcdts txn` (etcdctl's): compares, request lines, quoting, sections, and the
// errors (messages and exit codes checked against etcdctl 3.4.23 where etcdctl has one).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { CliError } from '../../src/cli/exit.js';
import { argify } from '../../src/cli/line-args.js';
import { TXN_PROMPTS, linesOf, parseCompare, parseRequest, readTxn } from '../../src/cli/txn-parse.js';

/** Asserts that `fn` throws a CliError with this exit code and exact message. */
function throwsCli(fn: () => unknown, exitCode: number, message: string | RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof CliError, `expected a CliError, got ${String(err)}`);
    assert.equal(err.exitCode, exitCode);
    if (typeof message === 'string') assert.equal(err.message, message);
    else assert.match(err.message, message);
    return true;
  });
}

describe('parseCompare', () => {
  test('each target and its short name', () => {
    assert.deepEqual(parseCompare('mod("a") > "0"'), { target: 'modRevision', key: Buffer.from('a'), operator: '>', value: 0 });
    assert.deepEqual(parseCompare('m("a") < "9"'), { target: 'modRevision', key: Buffer.from('a'), operator: '<', value: 9 });
    assert.deepEqual(parseCompare('create("k") = "2"'), { target: 'createRevision', key: Buffer.from('k'), operator: '=', value: 2 });
    assert.deepEqual(parseCompare('c("k") != "2"'), { target: 'createRevision', key: Buffer.from('k'), operator: '!=', value: 2 });
    assert.deepEqual(parseCompare('version("k") = "+3"'), { target: 'version', key: Buffer.from('k'), operator: '=', value: 3 });
    assert.deepEqual(parseCompare('ver("k") > "-1"'), { target: 'version', key: Buffer.from('k'), operator: '>', value: -1 });
    assert.deepEqual(parseCompare('value("k") = "v w"'), { target: 'value', key: Buffer.from('k'), operator: '=', value: Buffer.from('v w') });
    assert.deepEqual(parseCompare('val("k") != ""'), { target: 'value', key: Buffer.from('k'), operator: '!=', value: Buffer.alloc(0) });
    assert.deepEqual(parseCompare('lease("k") = "1f"'), { target: 'lease', key: Buffer.from('k'), operator: '=', value: 31n });
  });

  test('spacing and quoting Sscanf("%q) %s %q") accepts', () => {
    for (const line of ['mod("a")   >   "0"', 'mod("a")\t>\t"0"', 'mod("a") > "0" trailing', 'mod(`a`) > `0`', 'mod( "a") > "0"', 'mod("a") > "0"x']) {
      assert.deepEqual(parseCompare(line), { target: 'modRevision', key: Buffer.from('a'), operator: '>', value: 0 }, line);
    }
  });

  test('Go escapes in keys and values become bytes', () => {
    const c = parseCompare('value("k\\x00\\n") = "\\xff\\u00e9"');
    assert.deepEqual(c.key, Buffer.from([0x6b, 0x00, 0x0a]));
    assert.deepEqual(c.value, Buffer.from([0xff, 0xc3, 0xa9]));
  });

  test("malformed compares give etcdctl's messages, exit 3", () => {
    const cases: Array<[string, string]> = [
      ['mod(a) > "0"', 'malformed comparison: mod(a) > "0"; got mod("")  ""'],
      ['mod("a") > 0', 'malformed comparison: mod("a") > 0; got mod("a") > ""'],
      ['mod("a")>"0"', 'malformed comparison: mod("a")>"0"; got mod("a")  ""'],
      ['mod( "a" )  >  "0"', 'malformed comparison: mod( "a" )  >  "0"; got mod("a")  ""'],
      ['mod("a) > "0"', 'malformed comparison: mod("a) > "0"; got mod("a) > ")  ""'],
      ['mod("a\\z") > "0"', 'malformed comparison: mod("a\\z") > "0"; got mod("")  ""'],
      ['mod("a") >"0"', 'malformed comparison: mod("a") >"0"; got mod("a") >"0" ""'],
      ['mod("a") >', 'malformed comparison: mod("a") >; got mod("a") > ""'],
      ['mod("a")x > "0"', 'malformed comparison: mod("a")x > "0"; got mod("a")  ""'],
      ['mod"a" > "x"', 'malformed comparison: mod"a" > "x"'],
      ['modx("a") > "0"', 'malformed comparison: modx("a") > "0" (unknown target modx)'],
      ['mod ("a") > "0"', 'malformed comparison: mod ("a") > "0" (unknown target mod )'],
      ['mod("a") > "x"', 'invalid txn compare request: mod("a") > "x"'],
      ['mod("a") > " 1"', 'invalid txn compare request: mod("a") > " 1"'],
      ['mod("a") > "0x1"', 'invalid txn compare request: mod("a") > "0x1"'],
      ['lease("a") = "zz"', 'invalid txn compare request: lease("a") = "zz"'],
      ['mod("a") > "9007199254740992"', 'invalid txn compare request: mod("a") > "9007199254740992"'],
    ];
    for (const [line, message] of cases) throwsCli(() => parseCompare(line), 3, message);
  });

  test('an unknown operator is an error naming the line (etcdctl panics)', () => {
    throwsCli(() => parseCompare('mod("a") >= "0"'), 3, 'malformed comparison: mod("a") >= "0" (unknown operator >=; expected =, !=, < or >)');
  });
});

describe('argify', () => {
  const words = (line: string) => argify(line).map((b) => b.toString('utf8'));
  test('splits on blanks; double quotes are Go literals, single quotes literal', () => {
    assert.deepEqual(words('put "a b" c'), ['put', 'a b', 'c']);
    assert.deepEqual(words("put q 'hello world'"), ['put', 'q', 'hello world']);
    assert.deepEqual(words("put q 'a\\tb'"), ['put', 'q', 'a\\tb']);
    assert.deepEqual(words('put q "a\\tb\\x41"'), ['put', 'q', 'a\tbA']);
    assert.deepEqual(words('put q1 b"c d"'), ['put', 'q1', 'b"c', 'd"']);
    assert.deepEqual(words('  get   x  '), ['get', 'x']);
    assert.deepEqual(words('put k ""'), ['put', 'k', '']);
  });
  test('a bad escape names the argument and the line, exit 3', () => {
    throwsCli(() => argify('put a "\\z"'), 3, 'invalid syntax: bad quoted argument "\\z" in line: put a "\\z"');
  });
});

describe('parseRequest', () => {
  test('put with flags', () => {
    assert.deepEqual(parseRequest('put k v --prev-kv --lease=1f'), {
      type: 'put', key: Buffer.from('k'), value: Buffer.from('v'), options: { prevKv: true, lease: 31n },
    });
    assert.deepEqual(parseRequest('put k -- -v'), { type: 'put', key: Buffer.from('k'), value: Buffer.from('-v'), options: {} });
    assert.deepEqual(parseRequest('put k --ignore-value --ignore-lease'), {
      type: 'put', key: Buffer.from('k'), value: '', options: { ignoreValue: true, ignoreLease: true },
    });
  });

  test('get with flags, pflag spellings included', () => {
    assert.deepEqual(parseRequest('get a --prefix=true --limit 0x2 --rev=5 --sort-by=modify --order=descend --keys-only'), {
      type: 'get',
      key: Buffer.from('a'),
      options: { prefix: true, limit: 2, revision: 5, sort: { target: 'modRevision', order: 'descend' }, keysOnly: true },
    });
    assert.deepEqual(parseRequest('get a z --consistency=s'), {
      type: 'get', key: Buffer.from('a'), options: { serializable: true, rangeEnd: Buffer.from('z') },
    });
    assert.deepEqual(parseRequest('get a --prefix=false'), { type: 'get', key: Buffer.from('a'), options: {} });
    assert.deepEqual(parseRequest('get a --limit=-1 --rev=-3'), { type: 'get', key: Buffer.from('a'), options: {} }); // etcd: no limit, newest
    assert.deepEqual(parseRequest('get a --sort-by=KEY --order=ASCEND'), {
      type: 'get', key: Buffer.from('a'), options: { sort: { target: 'key', order: 'ascend' } },
    });
    assert.deepEqual(parseRequest('get "" --prefix'), { type: 'get', key: '\x00', options: { fromKey: true } });
  });

  test('del with flags', () => {
    assert.deepEqual(parseRequest('del a --prefix --prev-kv'), { type: 'delete', key: Buffer.from('a'), options: { prefix: true, prevKv: true } });
    assert.deepEqual(parseRequest('del a --from-key'), { type: 'delete', key: Buffer.from('a'), options: { fromKey: true } });
  });

  test('errors: wording and exit codes as etcdctl', () => {
    throwsCli(() => parseRequest('put'), 3, 'invalid txn compare request: put');
    throwsCli(() => parseRequest('del'), 3, 'invalid txn compare request: del');
    throwsCli(() => parseRequest('foo bar'), 3, /^invalid txn request: foo bar \(unknown command "foo"/);
    throwsCli(() => parseRequest('get a --bogus'), 3, 'invalid txn request: get a --bogus (unknown flag: --bogus)');
    throwsCli(() => parseRequest('get a -w json'), 3, /^invalid txn request: get a -w json/);
    throwsCli(() => parseRequest('get q --limit=x'), 3, /^invalid txn request: get q --limit=x \(invalid argument "x" for "--limit" flag/);
    throwsCli(() => parseRequest('get q --rev'), 3, 'invalid txn request: get q --rev (flag needs an argument: --rev)');
    throwsCli(() => parseRequest('put q'), 128, 'put command needs 1 argument and input from stdin or 2 arguments');
    throwsCli(() => parseRequest('put q v --lease zz'), 128, 'bad lease ID (strconv.ParseInt: parsing "zz": invalid syntax), expecting ID in Hex');
    throwsCli(() => parseRequest('get a --prefix --from-key'), 128, '`--prefix` and `--from-key` cannot be set at the same time, choose one');
    throwsCli(() => parseRequest('get a b --prefix'), 128, 'too many arguments, only accept one argument when `--prefix` or `--from-key` is set');
    throwsCli(() => parseRequest('del q1 q2 q3'), 128, 'del command needs one argument as key and an optional argument as range_end');
    throwsCli(() => parseRequest('get a --order=up'), 4, 'bad sort order up');
    throwsCli(() => parseRequest('get a --sort-by=size'), 4, 'bad sort target size');
    throwsCli(() => parseRequest('get a --consistency=x'), 4, 'unknown consistency flag "x"');
  });
});

describe('readTxn', () => {
  test('three sections, each ended by an empty line; prompts in order', async () => {
    const prompts: string[] = [];
    const text = 'mod("a") > "0"\nval("b") = "x"\n\nput a 2 --prev-kv\n  get a  \n\nput a 3\n\n';
    const script = await readTxn(linesOf(text), (p) => prompts.push(p));
    assert.deepEqual(prompts, [TXN_PROMPTS.compares, TXN_PROMPTS.success, TXN_PROMPTS.failure]);
    assert.equal(script.compares.length, 2);
    assert.deepEqual(script.success.map((r) => r.type), ['put', 'get']);
    assert.deepEqual(script.failure.map((r) => r.type), ['put']);
  });

  test('empty sections', async () => {
    const script = await readTxn(linesOf('\n\nput a 2\n\n'));
    assert.deepEqual(script.compares, []);
    assert.deepEqual(script.success, []);
    assert.equal(script.failure.length, 1);
  });

  test('input that ends before the last empty line is an error (exit 3), as etcdctl', async () => {
    for (const text of ['mod("a") > "0"\n\nput a 2\n\nput a 3\n', 'mod("a") > "0"\n\nput a 2\n\nput a 3', '', 'mod("a") > "0"\n']) {
      await assert.rejects(readTxn(linesOf(text)), (err: unknown) => err instanceof CliError && err.exitCode === 3 && /^EOF/.test(err.message));
    }
  });

  test('the first bad line stops the reading', async () => {
    let reads = 0;
    const source = linesOf('bad\n\n\n\n');
    await assert.rejects(
      readTxn(async () => {
        reads++;
        return source();
      }),
      { message: 'malformed comparison: bad' },
    );
    assert.equal(reads, 1);
  });
});
