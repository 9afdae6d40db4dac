// maintenance.snapshotWithVersion over a stand-in call layer: what a server that sends a version
// and a header (etcd 3.6 sends the version; no etcd sends the header yet) gives the caller, the
// chunks in order, and the stream closed however the caller stops. The integration test
// (maintenance.test.ts) runs it against a real etcd 3.4, which sends neither.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { SnapshotChecksumError } from '../../src/errors/index.js';
import { Maintenance } from '../../src/maintenance/maintenance.js';
import type { Init, SnapshotResponse } from '../../src/proto/index.js';
import type { Rpc } from '../../src/rpc/types.js';

const HEADER = { clusterId: 1n, memberId: 2n, revision: 42n, raftTerm: 3n };

/** A call layer whose `serverStream` yields `responses` and records whether the loop over it ended early. */
function stub(responses: Array<Init<SnapshotResponse>>): { rpc: Rpc; state: { read: number; closed: boolean } } {
  const state = { read: 0, closed: false };
  const rpc = {
    serverStream: () => ({
      async *[Symbol.asyncIterator]() {
        try {
          for (const r of responses) {
            state.read++;
            yield { header: undefined, remainingBytes: 0n, blob: new Uint8Array(0), version: '', ...r };
          }
        } finally {
          state.closed = state.read < responses.length;
        }
      },
    }),
  } as unknown as Rpc;
  return { rpc, state };
}

test('version and header of the first response; every chunk, the first included, in order', async () => {
  const { rpc } = stub([
    { header: HEADER, blob: Buffer.from('ab'), remainingBytes: 1n, version: '3.6.0' },
    { blob: Buffer.from('c'), remainingBytes: 0n, version: '3.6.0' },
    { blob: Buffer.from('trailer'), version: '3.6.0' },
  ]);
  const { header, version, snapshot } = await new Maintenance(rpc).snapshotWithVersion();
  assert.equal(version, '3.6.0');
  assert.deepEqual(header, { clusterId: 1n, memberId: 2n, revision: 42, raftTerm: 3 });
  const chunks: string[] = [];
  for await (const chunk of snapshot) chunks.push(chunk.toString());
  assert.deepEqual(chunks, ['ab', 'c', 'trailer']);
});

test('close() before reading, and leaving the loop early, end the stream', async () => {
  const three = [{ blob: Buffer.from('a') }, { blob: Buffer.from('b') }, { blob: Buffer.from('c') }];
  const unread = stub(three);
  const first = await new Maintenance(unread.rpc).snapshotWithVersion();
  assert.equal(first.header, undefined);
  assert.equal(first.version, '');
  await first.snapshot.close();
  assert.equal(unread.state.closed, true);
  for await (const _ of first.snapshot) assert.fail('a closed snapshot yields nothing');

  const left = stub(three);
  const second = await new Maintenance(left.rpc).snapshotWithVersion();
  for await (const chunk of second.snapshot) {
    assert.equal(chunk.toString(), 'a');
    break;
  }
  assert.equal(left.state.closed, true);
});

test('a stream without any response: SnapshotChecksumError', async () => {
  await assert.rejects(new Maintenance(stub([]).rpc).snapshotWithVersion(), SnapshotChecksumError);
});
