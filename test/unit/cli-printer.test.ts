// The CLI's printers against output recorded from etcdctl 3.4.23 for the same responses.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { CliError } from '../../src/cli/exit.js';
import { createPrinter } from '../../src/cli/printer.js';
import type { KeyValue, ResponseHeader } from '../../src/types.js';
import type { TxnResponse } from '../../src/kv/types.js';

const header = (revision: number): ResponseHeader => ({
  clusterId: 11167223040952991701n,
  memberId: 11793699545250744647n,
  revision,
  raftTerm: 2,
});
const inner = (revision: number): ResponseHeader => ({ clusterId: 0n, memberId: 0n, revision, raftTerm: 0 });
const kv = (key: string, value: string, createRevision: number, modRevision: number, version: number, lease = 0n): KeyValue => ({
  key: Buffer.from(key),
  value: Buffer.from(value),
  createRevision,
  modRevision,
  version,
  lease,
});
const HDR4 = '{"cluster_id":11167223040952991701,"member_id":11793699545250744647,"revision":4,"raft_term":2}';

describe('json printer', () => {
  const json = createPrinter('json');
  test('put with --prev-kv', () => {
    assert.equal(
      json.put({ header: header(4), prevKv: kv('a/b', '2', 3, 3, 1) }).toString(),
      `{"header":${HDR4},"prev_kv":{"key":"YS9i","create_revision":3,"mod_revision":3,"version":1,"value":"Mg=="}}\n`,
    );
    assert.equal(json.put({ header: header(4) }).toString(), `{"header":${HDR4}}\n`);
  });
  test('get: kvs and count; zero fields left out; leases as exact numbers', () => {
    assert.equal(
      json.get({ header: header(4), kvs: [kv('a', '1', 2, 2, 1), kv('a/b', '3', 3, 4, 2)], more: false, count: 2 }).toString(),
      `{"header":${HDR4},"kvs":[{"key":"YQ==","create_revision":2,"mod_revision":2,"version":1,"value":"MQ=="},` +
        '{"key":"YS9i","create_revision":3,"mod_revision":4,"version":2,"value":"Mw=="}],"count":2}\n',
    );
    assert.equal(json.get({ header: header(4), kvs: [], more: false, count: 0 }).toString(), `{"header":${HDR4}}\n`);
    assert.equal(
      json.get({ header: header(4), kvs: [kv('a', '', 2, 7, 2)], more: true, count: 3 }).toString(),
      `{"header":${HDR4},"kvs":[{"key":"YQ==","create_revision":2,"mod_revision":7,"version":2}],"more":true,"count":3}\n`,
    );
    assert.match(
      json.get({ header: header(4), kvs: [kv('l', 'v', 8, 8, 1, 5280367201394384413n)], more: false, count: 1 }).toString(),
      /"value":"dg==","lease":5280367201394384413\}/,
    );
  });
  test('del with --prev-kv, and nothing deleted', () => {
    assert.equal(
      json.del({ header: header(4), deleted: 1, prevKvs: [kv('a/b', '3', 3, 4, 2)] }).toString(),
      `{"header":${HDR4},"deleted":1,"prev_kvs":[{"key":"YS9i","create_revision":3,"mod_revision":4,"version":2,"value":"Mw=="}]}\n`,
    );
    assert.equal(json.del({ header: header(4), deleted: 0, prevKvs: [] }).toString(), `{"header":${HDR4}}\n`);
  });
  test('txn: oneof wrappers, inner headers with only the revision', () => {
    const resp: TxnResponse = {
      header: header(10),
      succeeded: true,
      responses: [
        { type: 'put', header: inner(10), prevKv: kv('a', '1', 2, 7, 2) },
        { type: 'get', header: inner(10), kvs: [kv('a', '2', 2, 10, 3)], more: false, count: 1 },
        { type: 'delete', header: inner(10), deleted: 0, prevKvs: [] },
      ],
    };
    assert.equal(
      json.txn(resp).toString(),
      '{"header":{"cluster_id":11167223040952991701,"member_id":11793699545250744647,"revision":10,"raft_term":2},"succeeded":true,' +
        '"responses":[{"Response":{"ResponsePut":{"header":{"revision":10},"prev_kv":{"key":"YQ==","create_revision":2,"mod_revision":7,"version":2,"value":"MQ=="}}}},' +
        '{"Response":{"ResponseRange":{"header":{"revision":10},"kvs":[{"key":"YQ==","create_revision":2,"mod_revision":10,"version":3,"value":"Mg=="}],"count":1}}},' +
        '{"Response":{"ResponseDeleteRange":{"header":{"revision":10}}}}]}\n',
    );
  });
});

describe('simple printer', () => {
  test('put, get, del, --keys-only, --print-value-only, --hex', () => {
    const simple = createPrinter('simple');
    assert.equal(simple.put({ header: header(4) }).toString(), 'OK\n');
    assert.equal(simple.put({ header: header(4), prevKv: kv('k', 'old', 1, 1, 1) }).toString(), 'OK\nk\nold\n');
    assert.equal(simple.get({ header: header(4), kvs: [kv('a', '', 2, 2, 1), kv('a/b', '', 3, 3, 1)], more: false, count: 2 }).toString(), 'a\n\na/b\n\n');
    assert.equal(simple.del({ header: header(4), deleted: 1, prevKvs: [kv('x', 'y', 1, 1, 1)] }).toString(), '1\nx\ny\n');
    const valueOnly = createPrinter('simple', { valueOnly: true });
    assert.equal(valueOnly.get({ header: header(4), kvs: [kv('a', '1', 2, 2, 1)], more: false, count: 1 }).toString(), '1\n');
    const hex = createPrinter('simple', { hex: true });
    assert.equal(hex.get({ header: header(4), kvs: [kv('a', '1', 2, 2, 1)], more: false, count: 1 }).toString(), '\\x61\n\\x31\n');
  });
  test('binary values are written as raw bytes', () => {
    const simple = createPrinter('simple');
    const out = simple.get({ header: header(4), kvs: [{ ...kv('b', '', 1, 1, 1), value: Buffer.from([0xff, 0x00]) }], more: false, count: 1 });
    assert.deepEqual(out, Buffer.from([0x62, 0x0a, 0xff, 0x00, 0x0a]));
  });
  test('txn: SUCCESS/FAILURE, an empty line before each response', () => {
    const simple = createPrinter('simple');
    const resp: TxnResponse = {
      header: header(12),
      succeeded: true,
      responses: [
        { type: 'put', header: inner(12), prevKv: kv('a', '1', 2, 7, 2) },
        { type: 'get', header: inner(12), kvs: [kv('a', '2', 2, 12, 3)], more: false, count: 1 },
        { type: 'delete', header: inner(12), deleted: 0, prevKvs: [] },
      ],
    };
    assert.equal(simple.txn(resp).toString(), 'SUCCESS\n\nOK\na\n1\n\na\n2\n\n0\n');
    assert.equal(simple.txn({ header: header(12), succeeded: false, responses: [] }).toString(), 'FAILURE\n');
  });
});

describe('fields printer', () => {
  const fields = createPrinter('fields');
  test('get', () => {
    assert.equal(
      fields.get({ header: header(4), kvs: [kv('a/b', '3', 3, 4, 2)], more: false, count: 1 }).toString(),
      '"ClusterID" : 11167223040952991701\n"MemberID" : 11793699545250744647\n"Revision" : 4\n"RaftTerm" : 2\n' +
        '"Key" : "a/b"\n"CreateRevision" : 3\n"ModRevision" : 4\n"Version" : 2\n"Value" : "3"\n"Lease" : 0\n' +
        '"More" : false\n"Count" : 1\n',
    );
  });
  test('txn with inner zero headers; keys quoted the Go way', () => {
    const resp: TxnResponse = {
      header: header(13),
      succeeded: false,
      responses: [{ type: 'put', header: inner(13), prevKv: kv('q"\n', 'é', 1, 1, 1) }],
    };
    assert.equal(
      fields.txn(resp).toString(),
      '"ClusterID" : 11167223040952991701\n"MemberID" : 11793699545250744647\n"Revision" : 13\n"RaftTerm" : 2\n"Succeeded" : false\n' +
        '"ClusterID" : 0\n"MemberID" : 0\n"Revision" : 13\n"RaftTerm" : 0\n' +
        '"PrevKey" : "q\\"\\n"\n"PrevCreateRevision" : 1\n"PrevModRevision" : 1\n"PrevVersion" : 1\n"PrevValue" : "é"\n"PrevLease" : 0\n',
    );
  });
});

describe('output formats', () => {
  test("etcdctl's errors for formats etcdts does not print (exit 4)", () => {
    assert.throws(() => createPrinter('table'), (e: unknown) => e instanceof CliError && e.exitCode === 4 && e.message === 'table not supported as output format');
    assert.equal(createPrinter('protobuf').format, 'protobuf');
    assert.throws(() => createPrinter('yaml'), (e: unknown) => e instanceof CliError && e.exitCode === 4 && e.message === 'unsupported output format');
  });
});
