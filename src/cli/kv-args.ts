/**
 * From the arguments and flags of `get`, `put`, `del` (on the command line or in a `txn`
 * request line) to the library's request options, with etcdctl's checks, messages and exit codes
 * (etcdctl/ctlv3/command/get_command.go, put_command.go, del_command.go). Pure: nothing is sent.
 */
import type { Bytes } from '../types.js';
import type {
  DeleteOptions,
  KeyRangeOptions,
  PutOptions,
  RangeOptions,
  SortOrder,
  SortTarget,
} from '../kv/types.js';
import { CliError, EXIT_BAD_ARGS, EXIT_BAD_FEATURE } from './exit.js';
import { GoSyntaxError, parseGoInt } from './go-syntax.js';

/** Flags of `get` (integers already parsed). */
export interface GetFlags {
  /** `--consistency`: `l` (linearizable, default) or `s` (serializable). */
  consistency?: string;
  /** `--order`: `ASCEND` or `DESCEND` (any case); empty = none. */
  order?: string;
  /** `--sort-by`: `CREATE`, `KEY`, `MODIFY`, `VALUE` or `VERSION` (any case); empty = key. */
  sortBy?: string;
  /** `--limit`: maximum number of keys; 0 or negative = no limit. */
  limit?: bigint;
  /** `--prefix`. */
  prefix?: boolean;
  /** `--from-key`. */
  fromKey?: boolean;
  /** `--rev`: read at this revision when > 0. */
  rev?: bigint;
  /** `--keys-only`. */
  keysOnly?: boolean;
  /** `--count-only` (etcdctl 3.5; only with `-w fields`). */
  countOnly?: boolean;
  /** `--print-value-only` (only with `-w simple`). */
  printValueOnly?: boolean;
}

/** Flags of `put`. */
export interface PutFlags {
  /** `--lease`: lease ID in hexadecimal; `"0"` (default) = none. */
  lease?: string;
  /** `--prev-kv`. */
  prevKv?: boolean;
  /** `--ignore-value`. */
  ignoreValue?: boolean;
  /** `--ignore-lease`. */
  ignoreLease?: boolean;
}

/** Flags of `del`. */
export interface DelFlags {
  /** `--prefix`. */
  prefix?: boolean;
  /** `--prev-kv`. */
  prevKv?: boolean;
  /** `--from-key`. */
  fromKey?: boolean;
  /** `--range` (etcdctl 3.5+): says a second argument is meant as a range end (it is read as one either way). */
  range?: boolean;
}

/** A read to make. */
export interface GetRequest {
  key: Bytes;
  options: RangeOptions;
}

/** A write to make. */
export interface PutRequest {
  key: Bytes;
  value: Bytes;
  options: PutOptions;
}

/** A delete to make. */
export interface DeleteRequest {
  key: Bytes;
  options: DeleteOptions;
}

/** The key that stands for "every key" with `--prefix`/`--from-key` and an empty key. */
const ALL_KEYS = '\x00';

const SORT_TARGETS: Readonly<Record<string, SortTarget>> = {
  CREATE: 'createRevision',
  KEY: 'key',
  MODIFY: 'modRevision',
  VALUE: 'value',
  VERSION: 'version',
};

/**
 * The key of `get`/`del`, setting the range options in `options` as etcdctl does: a second
 * argument is the range end; `--prefix` or `--from-key` with an empty key covers every key (from
 * `"\0"`). Throws `CliError` (exit 128) for a range end with `--prefix`/`--from-key`.
 */
function keyRange(args: readonly Bytes[], flags: { prefix?: boolean; fromKey?: boolean }, options: KeyRangeOptions): Bytes {
  let key = args[0]!;
  if (args.length > 1) {
    if (flags.prefix || flags.fromKey) {
      throw new CliError(EXIT_BAD_ARGS, 'too many arguments, only accept one argument when `--prefix` or `--from-key` is set');
    }
    options.rangeEnd = args[1]!;
  }
  if ((flags.prefix || flags.fromKey) && key.length === 0) {
    key = ALL_KEYS;
    options.fromKey = true;
  } else if (flags.prefix) {
    options.prefix = true;
  } else if (flags.fromKey) {
    options.fromKey = true;
  }
  return key;
}

/** An int64 flag value as a JS number; `CliError` (exit 128) beyond 2^53 - 1. */
function safeNumber(value: bigint, flag: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new CliError(EXIT_BAD_ARGS, `--${flag} ${value} is beyond the exact range of a JavaScript number (2^53 - 1)`);
  }
  return Number(value);
}

/**
 * The read `get` makes, with etcdctl's rules: `--prefix` or `--from-key` with an empty key
 * reads every key; `--sort-by` without `--order` lets etcd pick (ascending for targets other
 * than the key); `--rev` applies only when > 0. Throws `CliError` with etcdctl's message:
 * missing key, `--prefix` with `--from-key`, `--keys-only` with `--count-only`, a range end with
 * `--prefix`/`--from-key` (exit 128), a bad consistency, order or sort target (exit 4).
 */
export function getRequest(args: readonly Bytes[], flags: GetFlags): GetRequest {
  if (args.length === 0) {
    throw new CliError(EXIT_BAD_ARGS, 'get command needs one argument as key and an optional argument as range_end');
  }
  if (flags.prefix && flags.fromKey) {
    throw new CliError(EXIT_BAD_ARGS, '`--prefix` and `--from-key` cannot be set at the same time, choose one');
  }
  if (flags.keysOnly && flags.countOnly) {
    throw new CliError(EXIT_BAD_ARGS, '`--keys-only` and `--count-only` cannot be set at the same time, choose one');
  }
  const options: RangeOptions = {};
  const consistency = flags.consistency ?? 'l';
  if (consistency === 's') options.serializable = true;
  else if (consistency !== 'l') throw new CliError(EXIT_BAD_FEATURE, `unknown consistency flag ${JSON.stringify(consistency)}`);

  const key = keyRange(args, flags, options);
  // etcd reads a limit <= 0 as "no limit"; etcdctl passes negative values through.
  const limit = flags.limit ?? 0n;
  if (limit > 0n) options.limit = safeNumber(limit, 'limit');
  const rev = flags.rev ?? 0n;
  if (rev > 0n) options.revision = safeNumber(rev, 'rev');

  let order: SortOrder = 'none';
  const orderName = (flags.order ?? '').toUpperCase();
  if (orderName === 'ASCEND') order = 'ascend';
  else if (orderName === 'DESCEND') order = 'descend';
  else if (orderName !== '') throw new CliError(EXIT_BAD_FEATURE, `bad sort order ${flags.order}`);

  let target: SortTarget = 'key';
  const targetName = (flags.sortBy ?? '').toUpperCase();
  if (targetName !== '') {
    const t = SORT_TARGETS[targetName];
    if (t === undefined) throw new CliError(EXIT_BAD_FEATURE, `bad sort target ${flags.sortBy}`);
    target = t;
  }
  if (target !== 'key' || order !== 'none') options.sort = { target, order };

  if (flags.keysOnly) options.keysOnly = true;
  if (flags.countOnly) options.countOnly = true;
  return { key, options };
}

/**
 * The write `put` makes. `stdinValue` is the value read from standard input, used when only the
 * key is given (pass `undefined` when there is none). Throws `CliError` (exit 128) with etcdctl's
 * messages: no key, a value with `--ignore-value`, no value anywhere, a lease ID that is not hex.
 */
export function putRequest(args: readonly Bytes[], flags: PutFlags, stdinValue?: Bytes): PutRequest {
  const needs = 'put command needs 1 argument and input from stdin or 2 arguments';
  if (args.length === 0) throw new CliError(EXIT_BAD_ARGS, needs);
  const key = args[0]!;
  if (flags.ignoreValue && args.length > 1) {
    throw new CliError(EXIT_BAD_ARGS, "put command needs only 1 argument when 'ignore-value' is set");
  }
  let value: Bytes = '';
  if (!flags.ignoreValue) {
    if (args.length > 1) value = args[1]!;
    else if (stdinValue !== undefined && stdinValue.length > 0) value = stdinValue;
    else throw new CliError(EXIT_BAD_ARGS, needs);
  }
  let lease: bigint;
  try {
    lease = parseGoInt(flags.lease ?? '0', 16);
  } catch (err) {
    const why = err instanceof GoSyntaxError ? err.message : String(err);
    throw new CliError(EXIT_BAD_ARGS, `bad lease ID (${why}), expecting ID in Hex`);
  }
  const options: PutOptions = {};
  if (lease !== 0n) options.lease = lease;
  if (flags.prevKv) options.prevKv = true;
  if (flags.ignoreValue) options.ignoreValue = true;
  if (flags.ignoreLease) options.ignoreLease = true;
  return { key, value, options };
}

/** True when `put` with these arguments takes its value from standard input. */
export function putReadsStdin(args: readonly Bytes[], flags: PutFlags): boolean {
  return args.length === 1 && !flags.ignoreValue;
}

/**
 * The delete `del` makes (`--prefix`/`--from-key` with an empty key delete every key).
 * Throws `CliError` (exit 128) with etcdctl's messages: no key or more than two arguments,
 * `--prefix` with `--from-key`, a range end with `--prefix`/`--from-key`.
 */
export function deleteRequest(args: readonly Bytes[], flags: DelFlags): DeleteRequest {
  if (args.length === 0 || args.length > 2) {
    throw new CliError(EXIT_BAD_ARGS, 'del command needs one argument as key and an optional argument as range_end');
  }
  if (flags.prefix && flags.fromKey) {
    throw new CliError(EXIT_BAD_ARGS, '`--prefix` and `--from-key` cannot be set at the same time, choose one');
  }
  const options: DeleteOptions = {};
  const key = keyRange(args, flags, options);
  if (flags.prevKv) options.prevKv = true;
  return { key, options };
}
