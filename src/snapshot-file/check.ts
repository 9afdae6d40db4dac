/**
 * bbolt's integrity check (`Tx.Check`), the one etcdctl's `snapshot status` runs first: every page
 * below the high-water mark is either reachable from the root bucket (once) or free, and every
 * reachable page is a branch or a leaf. The messages and their order are bbolt's:
 * `page N: already freed`, `page N: out of bounds: M`, `page N: multiple references`,
 * `page N: reachable freed`, `page N: invalid type: T`, `page N: unreachable unfreed`.
 *
 * When the free list is not stored (etcd's backend, `NoFreelistSync`), the free pages are those
 * not reachable, as bbolt rebuilds them; an error while finding them is thrown (bbolt panics).
 */
import { SnapshotFileError } from '../errors/index.js';
import { BUCKET_LEAF, FREELIST_PAGE, NO_FREELIST, bucketEntries, openBucket, type BoltFile, type Bucket, type Page } from './bbolt.js';

/** The free list as bbolt loads it: stored page ids (sorted), or the pages not reachable. */
function freePages(file: BoltFile): bigint[] {
  const { meta } = file;
  if (meta.freelist === NO_FREELIST) {
    const errors: string[] = [];
    const reachable = new Map<bigint, Page>();
    checkBucket(file, { root: meta.root }, reachable, new Set(), errors);
    if (errors.length > 0) throw new SnapshotFileError(`freepages: failed to get all reachable pages (${errors[0]})`);
    const ids: bigint[] = [];
    for (let i = 2n; i < meta.pgid; i++) if (!reachable.has(i)) ids.push(i);
    return ids;
  }
  const page = file.page(meta.freelist);
  if ((page.flags & FREELIST_PAGE) === 0) {
    throw new SnapshotFileError(`invalid freelist page: ${page.id}, page type is ${page.type}`);
  }
  let first = 0;
  let count = BigInt(page.count);
  if (page.count === 0xffff) {
    first = 1;
    count = page.dataU64(0);
  }
  if (count > BigInt(file.size)) throw new SnapshotFileError(`invalid freelist page: ${page.id}, ${count} page ids`);
  const ids: bigint[] = [];
  for (let i = 0; i < Number(count); i++) ids.push(page.dataU64(first + i));
  return ids.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** bbolt's `checkBucket`: the bucket's pages, then each nested bucket's. */
function checkBucket(file: BoltFile, bucket: Bucket, reachable: Map<bigint, Page>, freed: ReadonlySet<bigint>, errors: string[]): void {
  if (bucket.root === 0n) return; // inline buckets have no pages of their own
  const highWater = file.meta.pgid;
  const visit = (id: bigint, path: Set<bigint>): void => {
    const p = file.page(id);
    if (p.id > highWater) errors.push(`page ${p.id}: out of bounds: ${highWater}`);
    for (let i = 0n; i <= BigInt(p.overflow); i++) {
      const at = p.id + i;
      if (reachable.has(at)) errors.push(`page ${at}: multiple references`);
      reachable.set(at, p);
    }
    if (freed.has(p.id)) errors.push(`page ${p.id}: reachable freed`);
    else if (!p.isBranch && !p.isLeaf) errors.push(`page ${p.id}: invalid type: ${p.type}`);
    if (!p.isBranch || path.has(id)) return; // bbolt would loop forever on a cycle
    path.add(id);
    for (let i = 0; i < p.count; i++) visit(p.branch(i).pgid, path);
    path.delete(id);
  };
  visit(bucket.root, new Set());
  for (const entry of bucketEntries(file, bucket)) {
    if ((entry.flags & BUCKET_LEAF) !== 0) checkBucket(file, openBucket(entry.value), reachable, freed, errors);
  }
}

/**
 * The integrity errors of `file`, in bbolt's order (empty when it is sound).
 * @throws SnapshotFileError where bbolt would crash (a free list page that is not one, pages past the end of the file)
 */
export function checkIntegrity(file: BoltFile): string[] {
  const { meta } = file;
  const errors: string[] = [];
  const freed = new Set<bigint>();
  for (const id of freePages(file)) {
    if (freed.has(id)) errors.push(`page ${id}: already freed`);
    freed.add(id);
  }
  const reachable = new Map<bigint, Page>();
  const meta0 = file.page(0n);
  reachable.set(0n, meta0);
  reachable.set(1n, file.page(1n));
  if (meta.freelist !== NO_FREELIST) {
    const list = file.page(meta.freelist);
    for (let i = 0n; i <= BigInt(list.overflow); i++) reachable.set(meta.freelist + i, list);
  }
  checkBucket(file, { root: meta.root }, reachable, freed, errors);
  for (let i = 0n; i < meta.pgid; i++) {
    if (!reachable.has(i) && !freed.has(i)) errors.push(`page ${i}: unreachable unfreed`);
  }
  return errors;
}
