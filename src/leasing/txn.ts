/**
 * What the leasing KV needs to know about the ops of a transaction (Go's `gatherOps` and
 * `gatherResponseOps`): the writes among them, nested transactions included, and which of them ran.
 */
import { toBytes } from '../internal/wire.js';
import { wireOp, type DeleteOp, type Op, type PutOp } from '../kv/op.js';
import type { OpResponse } from '../kv/types.js';

/** A write of a transaction: a put or delete of one key, or a delete of a range. */
export interface Write {
  /** The op. */
  readonly op: PutOp | DeleteOp;
  /** Its key (wire form: `"\0"` for "from the lowest key"). */
  readonly key: Buffer;
  /** Its range end (wire form; `"\0"` = no upper bound); undefined for one key. */
  readonly rangeEnd: Buffer | undefined;
}

function toWrite(o: PutOp | DeleteOp): Write {
  const request = wireOp(o).request as { key?: Uint8Array; rangeEnd?: Uint8Array };
  const key = Buffer.from(request.key ?? new Uint8Array(0));
  const end = request.rangeEnd;
  return { op: o, key, rangeEnd: end === undefined || end.length === 0 ? undefined : Buffer.from(end) };
}

/** Every put and delete of `ops`, those of nested transactions (both branches) included. */
export function gatherWrites(ops: readonly Op[]): Write[] {
  const out: Write[] = [];
  for (const o of ops) {
    if (o.type === 'put' || o.type === 'delete') out.push(toWrite(o));
    else if (o.type === 'txn') out.push(...gatherWrites([...o.thenOps, ...o.elseOps]));
  }
  return out;
}

/**
 * The puts and deletes that ran, given the ops of the branch that ran and their responses: nested
 * transactions contribute the branch their response says ran.
 */
export function writesThatRan(ops: readonly Op[], responses: readonly OpResponse[]): Write[] {
  const out: Write[] = [];
  for (let i = 0; i < ops.length; i++) {
    const o = ops[i]!;
    const r = responses[i];
    if (o.type === 'put' || o.type === 'delete') out.push(toWrite(o));
    else if (o.type === 'txn' && r?.type === 'txn') out.push(...writesThatRan(r.succeeded ? o.thenOps : o.elseOps, r.responses));
  }
  return out;
}

/** Whether the cached read of a put's key stays exact after it: not with `lease`, `ignoreValue`, `ignoreLease`. */
export function exactPut(o: PutOp): boolean {
  const options = o.options;
  if (options === undefined) return true;
  return !((options.lease !== undefined && options.lease !== 0n) || options.ignoreValue === true || options.ignoreLease === true);
}

/** The value a put writes, as a Buffer. */
export function putValue(o: PutOp): Buffer {
  return Buffer.from(toBytes(o.value, 'value'));
}
