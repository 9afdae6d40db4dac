// The Go formatting of the administration commands: go-humanize sizes, Go durations, hex member
// IDs, and tablewriter tables. Expected texts are etcdctl 3.4.23's output (captured from the real
// binary; the integration test cli-admin.test.ts compares with it live).
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { goDuration, goJsonString, hex16, humanizeBytes, parseHexUint64 } from '../../src/cli/go-format.js';
import { renderTable, wrapText } from '../../src/cli/table.js';

test('humanizeBytes as go-humanize Bytes', () => {
  const cases: Array<[number, string]> = [
    [0, '0 B'], [9, '9 B'], [10, '10 B'], [999, '999 B'], [1000, '1.0 kB'], [24608, '25 kB'], [32768, '33 kB'],
    [20480, '20 kB'], [1540096, '1.5 MB'], [930000, '930 kB'], [24500, '24 kB'] /* Go: half to even */, [2_147_483_648, '2.1 GB'],
  ];
  for (const [bytes, text] of cases) assert.equal(humanizeBytes(bytes), text, String(bytes));
});

test('goDuration as time.Duration.String', () => {
  const cases: Array<[bigint, string]> = [
    [0n, '0s'], [42n, '42ns'], [1_500n, '1.5µs'], [1_837_988n, '1.837988ms'], [2_000_000n, '2ms'],
    [1_500_000_000n, '1.5s'], [61_000_000_000n, '1m1s'], [3_600_000_000_000n, '1h0m0s'], [-2_000_000n, '-2ms'],
  ];
  for (const [ns, text] of cases) assert.equal(goDuration(ns), text, String(ns));
});

test('hex IDs, Go JSON strings, strconv.ParseUint(s, 16, 64)', () => {
  assert.equal(hex16(0xf58f6207abe538cn), ' f58f6207abe538c');
  assert.equal(goJsonString('a<b>&c'), '"a\\u003cb\\u003e\\u0026c"');
  assert.equal(parseHexUint64('bdae9bbc11dd390d'), 0xbdae9bbc11dd390dn);
  assert.throws(() => parseHexUint64('0x12'), { message: 'strconv.ParseUint: parsing "0x12": invalid syntax' });
  assert.throws(() => parseHexUint64(''), { message: 'strconv.ParseUint: parsing "": invalid syntax' });
  assert.throws(() => parseHexUint64('fffffffffffffffff'), { message: 'strconv.ParseUint: parsing "fffffffffffffffff": value out of range' });
});

test('tablewriter wrapping: minimal raggedness, the limit raised to the longest word', () => {
  assert.deepEqual(wrapText('memberID:3990370604368066554 alarm:NOSPACE ', 30), ['memberID:3990370604368066554', 'alarm:NOSPACE ']);
  assert.deepEqual(wrapText('short', 30), ['short']);
  assert.deepEqual(wrapText('a-very-long-word-without-any-space-at-all', 30), ['a-very-long-word-without-any-space-at-all']);
});

const STATUS_HEADERS = ['endpoint', 'ID', 'version', 'db size', 'is leader', 'is learner', 'raft term', 'raft index', 'raft applied index', 'errors'];

test('renderTable: etcdctl endpoint status with a wrapped errors cell', () => {
  const row = ['127.0.0.1:23793', '3760a4ec3b84f7fa', '3.4.23', '1.5 MB', 'true', 'false', '2', '18', '18', 'memberID:3990370604368066554 alarm:NOSPACE '];
  assert.equal(renderTable(STATUS_HEADERS, [row]), [
    '+-----------------+------------------+---------+---------+-----------+------------+-----------+------------+--------------------+--------------------------------+',
    '|    ENDPOINT     |        ID        | VERSION | DB SIZE | IS LEADER | IS LEARNER | RAFT TERM | RAFT INDEX | RAFT APPLIED INDEX |             ERRORS             |',
    '+-----------------+------------------+---------+---------+-----------+------------+-----------+------------+--------------------+--------------------------------+',
    '| 127.0.0.1:23793 | 3760a4ec3b84f7fa |  3.4.23 |  1.5 MB |      true |      false |         2 |         18 |                 18 |   memberID:3990370604368066554 |',
    '|                 |                  |         |         |           |            |           |            |                    |                 alarm:NOSPACE  |',
    '+-----------------+------------------+---------+---------+-----------+------------+-----------+------------+--------------------+--------------------------------+',
    '',
  ].join('\n'));
});

test('renderTable: no rows, as etcdctl when every endpoint failed', () => {
  const border = '+----------+----+---------+---------+-----------+------------+-----------+------------+--------------------+--------+';
  assert.equal(renderTable(STATUS_HEADERS, []), [
    border,
    '| ENDPOINT | ID | VERSION | DB SIZE | IS LEADER | IS LEARNER | RAFT TERM | RAFT INDEX | RAFT APPLIED INDEX | ERRORS |',
    border,
    border,
    '',
  ].join('\n'));
});

test('renderTable: etcdctl member list', () => {
  const rows = [
    ['bdae9bbc11dd390d', 'started', 'm0', 'http://127.0.0.1:23801', 'http://127.0.0.1:23791', 'false'],
    ['d7d28f9d72469cab', 'unstarted', '', 'http://127.0.0.1:23904', '', 'true'],
  ];
  assert.equal(renderTable(['ID', 'Status', 'Name', 'Peer Addrs', 'Client Addrs', 'Is Learner'], rows), [
    '+------------------+-----------+------+------------------------+------------------------+------------+',
    '|        ID        |  STATUS   | NAME |       PEER ADDRS       |      CLIENT ADDRS      | IS LEARNER |',
    '+------------------+-----------+------+------------------------+------------------------+------------+',
    '| bdae9bbc11dd390d |   started |   m0 | http://127.0.0.1:23801 | http://127.0.0.1:23791 |      false |',
    '| d7d28f9d72469cab | unstarted |      | http://127.0.0.1:23904 |                        |       true |',
    '+------------------+-----------+------+------------------------+------------------------+------------+',
    '',
  ].join('\n'));
});
