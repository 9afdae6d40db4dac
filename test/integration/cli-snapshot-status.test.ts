// `etcdts snapshot status` (read by src/snapshot-file from the bbolt file itself) against etcdctl
// 3.4.23's on the same files: snapshots of a real etcd (branch pages, overflow pages for large
// values, leases, a compaction) and damaged copies of them. Where etcdctl panics, etcdts prints the
// panic's message as an Error line (exit 1); everywhere else stdout, exit code and the Error line
// are equal.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { EtcdCluster } from '../../src/testing/index.js';
import { etcdctl, etcdts } from '../helpers/etcdts.js';
import { errorLine } from '../helpers/side-by-side.js';

const PAGE_SIZE = 4096;

let cluster: EtcdCluster;
let dir: string;
/** A snapshot of a store with 600 keys, large values, leases and a compaction. */
let snapshot: string;
/** A snapshot of a fresh store (a few pages, no keys: revision 0). */
let small: string;

before(async () => {
  cluster = await EtcdCluster.start({ size: 1 });
  dir = mkdtempSync(join(tmpdir(), 'etcdts-snapshot-status-'));
  const client = cluster.client();
  small = join(dir, 'small.db');
  await client.maintenance.saveSnapshot(small);
  const lease = await client.lease.grant(600);
  for (let i = 0; i < 600; i++) await client.put(`k/${String(i).padStart(4, '0')}`, `value ${i} `.repeat(i % 7 === 0 ? 800 : 3), i % 5 === 0 ? { lease: lease.id } : {});
  await client.delete('k/00', { prefix: true });
  await client.compact((await client.put('last', 'x')).header.revision - 50);
  snapshot = join(dir, 'snap.db');
  await client.maintenance.saveSnapshot(snapshot);
});

after(async () => {
  await cluster?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Runs `snapshot status FILE` (with `-w format`) with both and compares them. */
async function same(file: string, format = 'simple'): Promise<{ stdout: string; code: number | null }> {
  const args = ['-w', format, 'snapshot', 'status', file];
  const [theirs, ours] = await Promise.all([etcdctl(args), etcdts(args)]);
  const what = `${args.join(' ')}\n etcdctl: ${theirs.stdout.toString()}${theirs.stderr}\n etcdts: ${ours.stdout.toString()}${ours.stderr}`;
  const panic = /^panic: (.*)$/m.exec(theirs.stderr)?.[1];
  if (panic !== undefined) {
    assert.equal(ours.code, 1, what);
    assert.equal(ours.stderr, `Error: ${panic}\n`, what);
    return { stdout: '', code: 1 };
  }
  assert.equal(ours.stdout.toString(), theirs.stdout.toString(), `stdout of ${what}`);
  assert.equal(ours.code, theirs.code, `exit code of ${what}`);
  assert.equal(errorLine(ours.stderr), errorLine(theirs.stderr), `Error line of ${what}`);
  return { stdout: ours.stdout.toString(), code: ours.code };
}

/** A copy of `from` with `change` applied to its bytes. */
function damaged(name: string, from: string, change: (bytes: Buffer) => Buffer | void): string {
  const bytes = Buffer.from(readFileSync(from));
  const path = join(dir, name);
  writeFileSync(path, change(bytes) ?? bytes);
  return path;
}

/** Flips every bit of the first byte of the first element's value in the leaf page at byte offset `leaf`. */
function flipFirstValue(b: Buffer, leaf: number): void {
  const pos = b.readUInt32LE(leaf + 16 + 4);
  const ksize = b.readUInt32LE(leaf + 16 + 8);
  b[leaf + 16 + pos + ksize] = b[leaf + 16 + pos + ksize]! ^ 0xff;
}

/** Pages of `bytes` with the given flags (0x01 branch, 0x02 leaf) and at least one element. */
function pagesOfType(bytes: Buffer, flags: number): number[] {
  const highWater = Number(bytes.readBigUInt64LE(16 + 40));
  const out: number[] = [];
  for (let id = 2; id < highWater; id++) {
    const at = id * PAGE_SIZE;
    if (bytes.readUInt16LE(at + 8) === flags && bytes.readUInt16LE(at + 10) > 0) out.push(id);
  }
  return out;
}

describe('etcdts snapshot status against etcdctl 3.4.23', { timeout: 180_000 }, () => {
  test('hash, revision, total keys and total size in every output format', async () => {
    for (const format of ['simple', 'json', 'fields', 'table']) await same(snapshot, format);
    const { stdout } = await same(small, 'json');
    assert.match(stdout, /^\{"hash":\d+,"revision":0,"totalKey":\d+,"totalSize":\d+\}\n$/);
    const big = await same(snapshot);
    assert.match(big.stdout, /^[0-9a-f]+, \d+, \d+, [\d.]+ [kM]B\n$/);
    // bad use: no file, two files, a format it does not print
    await same(join(dir, 'missing.db'));
    const twoArgs = await Promise.all([etcdctl(['snapshot', 'status', 'a', 'b']), etcdts(['snapshot', 'status', 'a', 'b'])]);
    assert.equal(twoArgs[1].code, twoArgs[0].code);
    assert.equal(errorLine(twoArgs[1].stderr), errorLine(twoArgs[0].stderr));
    await same(snapshot, 'protobuf');
  });

  test('damaged files: the same errors, or the same (changed) hash', async () => {
    const leaves = pagesOfType(readFileSync(snapshot), 0x02);
    const branches = pagesOfType(readFileSync(snapshot), 0x01);
    assert.ok(leaves.length > 10 && branches.length > 0, 'the snapshot has branch pages');
    const leaf = leaves[Math.floor(leaves.length / 2)]! * PAGE_SIZE;
    const cases: Array<[string, (b: Buffer) => Buffer | void]> = [
      ['empty', () => Buffer.alloc(0)],
      ['short', (b) => b.subarray(0, 3000)],
      ['one-page', (b) => b.subarray(0, 6000)],
      ['no-magic', (b) => void (b.fill(0, 16, 20), b.fill(0, PAGE_SIZE + 16, PAGE_SIZE + 20))],
      ['bad-version', (b) => void (b.writeUInt32LE(3, 20), b.writeUInt32LE(3, PAGE_SIZE + 20))],
      ['bad-checksums', (b) => void ((b[16 + 60] = b[16 + 60]! ^ 1), (b[PAGE_SIZE + 16 + 60] = b[PAGE_SIZE + 16 + 60]! ^ 1))],
      ['meta0-bad', (b) => void b.writeUInt32LE(3, 20)],
      // e2e's SnapshotCorrupt writes 512 zero bytes at the start (the meta pages are at 16..)
      ['zero-512', (b) => void b.fill(0, 0, 512)],
      ['value-flipped', (b) => flipFirstValue(b, leaf)],
      ['leaf-type', (b) => void b.writeUInt16LE(0x20, leaf + 8)],
      [
        'child-twice',
        (b) => {
          const at = branches[0]! * PAGE_SIZE;
          b.writeBigUInt64LE(b.readBigUInt64LE(at + 16 + 16 + 8), at + 16 + 8);
        },
      ],
    ];
    const results: string[] = [];
    for (const [name, change] of cases) {
      const r = await same(damaged(`${name}.db`, snapshot, change));
      results.push(`${name}: ${r.code}`);
    }
    // Sanity: a flipped value in a leaf in use changes the hash but nothing else. A leaf page of the
    // file may be a free one (bbolt copies pages on write, and a snapshot holds the freed pages
    // too: flipping a byte there changes nothing), so leaves are tried from the middle outwards.
    const fields = (s: Buffer | string) => s.toString().trim().split(', ');
    const good = fields((await etcdts(['snapshot', 'status', snapshot])).stdout);
    const middle = Math.floor(leaves.length / 2);
    const byDistance = [...leaves].sort((a, b) => Math.abs(leaves.indexOf(a) - middle) - Math.abs(leaves.indexOf(b) - middle));
    let flipped: string[] | undefined;
    for (const id of byDistance.slice(0, 30)) {
      const file = damaged(`value-flipped-${id}.db`, snapshot, (b) => flipFirstValue(b, id * PAGE_SIZE));
      const r = await etcdts(['snapshot', 'status', file]);
      if (r.code !== 0 || fields(r.stdout)[0] === good[0]) continue;
      flipped = fields((await same(file)).stdout);
      break;
    }
    assert.ok(flipped !== undefined, `no leaf whose flipped value changes the hash\n${results.join('\n')}`);
    assert.notEqual(flipped[0], good[0]);
    assert.deepEqual(flipped.slice(1), good.slice(1));
  });
});

describe('etcdts snapshot restore', () => {
  test('says in one line that etcdutl does it, exit 4', async () => {
    const r = await etcdts(['snapshot', 'restore', 'x.db', '--data-dir', join(dir, 'restored')]);
    assert.equal(r.code, 4);
    assert.equal(r.stdout.toString(), '');
    assert.match(r.stderr, /^Error: snapshot restore is not supported by etcdts: .*etcdutl snapshot restore.*\n$/);
  });
});
