/**
 * The library's compares and operations for a transaction parsed by txn-parse.ts (`etcdts txn`).
 */
import { compare, type Compare } from '../kv/compare.js';
import { op, type Op } from '../kv/op.js';
import type { TxnCompare, TxnRequest } from './txn-parse.js';

/** The library compare for a parsed compare line. */
export function toCompare(c: TxnCompare): Compare {
  switch (c.target) {
    case 'value':
      return compare.value(c.key, c.operator, c.value);
    case 'version':
      return compare.version(c.key, c.operator, c.value);
    case 'createRevision':
      return compare.createRevision(c.key, c.operator, c.value);
    case 'modRevision':
      return compare.modRevision(c.key, c.operator, c.value);
    case 'lease':
      return compare.lease(c.key, c.operator, c.value);
  }
}

/** The library operation for a parsed request line. */
export function toOp(r: TxnRequest): Op {
  switch (r.type) {
    case 'get':
      return op.get(r.key, r.options);
    case 'put':
      return op.put(r.key, r.value, r.options);
    case 'delete':
      return op.delete(r.key, r.options);
  }
}
