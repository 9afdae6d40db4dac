/**
 * The text syntax of `etcdts txn` (etcdctl's, etcdctl/ctlv3/command/txn_command.go): three
 * sections, each ended by an empty line — compares, success requests, failure requests.
 *
 * ```
 * mod("key1") > "0"
 * value("key2") = "v"
 *
 * put key1 "overwrote-key1"
 * get key2 --prefix
 *
 * put key1 "created-key1"
 *
 * ```
 *
 * A compare is `TARGET("key") OP "value"` with TARGET one of `value`/`val`, `version`/`ver`,
 * `create`/`c`, `mod`/`m`, `lease` (value in hex), OP one of `=`, `!=`, `<`, `>`, and Go string
 * literals for key and value. A request is `get`, `put` or `del` with the command's own
 * arguments and flags, split like a shell line (`"double quoted"` Go literals, `'single quoted'`).
 *
 * Pure parsing: errors are `CliError`s naming the bad line, with etcdctl's exit codes (3 for
 * unparsable input, 128 for a request etcdctl's command would reject).
 */
import { Buffer } from 'node:buffer';

import type { CompareOperator, CompareTarget } from '../kv/compare.js';
import type { Bytes } from '../types.js';
import { CliError, EXIT_INVALID_INPUT } from './exit.js';
import { goQuote, isBlank, parseGoInt, scanQuoted } from './go-syntax.js';
import { FlagError, argify, parseFlags, type FlagKind, type FlagValues } from './line-args.js';
import {
  deleteRequest,
  getRequest,
  putRequest,
  type DeleteRequest,
  type DelFlags,
  type GetFlags,
  type GetRequest,
  type PutFlags,
  type PutRequest,
} from './kv-args.js';

/** One parsed compare line (target and operator as the library's `compare.*` take them). */
export type TxnCompare =
  | { target: 'value'; key: Buffer; operator: CompareOperator; value: Buffer }
  | { target: 'version' | 'createRevision' | 'modRevision'; key: Buffer; operator: CompareOperator; value: number }
  | { target: 'lease'; key: Buffer; operator: CompareOperator; value: bigint };

/** One parsed request line. */
export type TxnRequest =
  | ({ type: 'get' } & GetRequest)
  | ({ type: 'put' } & PutRequest)
  | ({ type: 'delete' } & DeleteRequest);

/** A whole parsed transaction. */
export interface TxnScript {
  compares: TxnCompare[];
  success: TxnRequest[];
  failure: TxnRequest[];
}

/** The prompts `txn -i` prints before each section (etcdctl's). */
export const TXN_PROMPTS = {
  compares: 'compares:',
  success: 'success requests (get, put, del):',
  failure: 'failure requests (get, put, del):',
} as const;

/** A `CliError` with exit code 3 (etcdctl's ExitInvalidInput). */
function invalidInput(message: string): CliError {
  return new CliError(EXIT_INVALID_INPUT, message);
}

const TARGETS: Readonly<Record<string, CompareTarget>> = {
  ver: 'version',
  version: 'version',
  c: 'createRevision',
  create: 'createRevision',
  m: 'modRevision',
  mod: 'modRevision',
  val: 'value',
  value: 'value',
  lease: 'lease',
};

const OPERATORS: readonly string[] = ['=', '!=', '<', '>'];

/**
 * Parses one compare line (already trimmed), e.g. `mod("key1") > "0"`. Reads like Go's
 * `fmt.Sscanf(rest, "%q) %s %q")`: the key literal must be followed directly by `)`, then white
 * space, the operator, white space and the value literal; anything after the value is ignored.
 * Throws `CliError` (exit 3): `malformed comparison: LINE; got ...`, `... (unknown target T)`,
 * `... (unknown operator OP; ...)`, or `invalid txn compare request: LINE` for a number that
 * does not parse (decimal for version/create/mod, hex for lease).
 */
export function parseCompare(line: string): TxnCompare {
  const paren = line.indexOf('(');
  if (paren < 0) throw invalidInput(`malformed comparison: ${line}`);
  const targetName = line.slice(0, paren);
  const rest = line.slice(paren + 1);

  let key: Buffer = Buffer.alloc(0);
  let op = '';
  let val: Buffer = Buffer.alloc(0);
  let scanned = 0;
  scan: {
    let pos: number;
    try {
      const k = scanQuoted(rest, 0);
      key = k.value;
      pos = k.end;
    } catch {
      break scan;
    }
    if (rest[pos] !== ')') break scan;
    pos++;
    if (pos >= rest.length || !isBlank(rest[pos]!)) break scan;
    while (pos < rest.length && isBlank(rest[pos]!)) pos++;
    const opStart = pos;
    while (pos < rest.length && !isBlank(rest[pos]!)) pos++;
    if (pos === opStart) break scan;
    op = rest.slice(opStart, pos);
    scanned = 2;
    try {
      val = scanQuoted(rest, pos).value;
    } catch {
      break scan;
    }
    scanned = 3;
  }
  if (scanned !== 3) {
    throw invalidInput(`malformed comparison: ${line}; got ${targetName}(${goQuote(key)}) ${op} ${goQuote(val)}`);
  }

  const target = TARGETS[targetName];
  if (target === undefined) throw invalidInput(`malformed comparison: ${line} (unknown target ${targetName})`);
  if (!OPERATORS.includes(op)) {
    throw invalidInput(`malformed comparison: ${line} (unknown operator ${op}; expected =, !=, < or >)`);
  }
  const operator = op as CompareOperator;
  if (target === 'value') return { target, key, operator, value: val };

  const text = val.toString('utf8');
  let n: bigint;
  try {
    n = parseGoInt(text, target === 'lease' ? 16 : 10);
  } catch {
    throw invalidInput(`invalid txn compare request: ${line}`);
  }
  if (target === 'lease') return { target, key, operator, value: n };
  if (n > BigInt(Number.MAX_SAFE_INTEGER) || n < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw invalidInput(`invalid txn compare request: ${line}`);
  }
  return { target, key, operator, value: Number(n) };
}

/** The flags each request command takes, with their kinds (the same as the top-level commands). */
const REQUEST_FLAGS: Readonly<Record<'get' | 'put' | 'del', Readonly<Record<string, FlagKind>>>> = {
  get: {
    consistency: 'string',
    order: 'string',
    'sort-by': 'string',
    limit: 'int',
    prefix: 'bool',
    'from-key': 'bool',
    rev: 'int',
    'keys-only': 'bool',
    'count-only': 'bool',
    'print-value-only': 'bool',
  },
  put: { lease: 'string', 'prev-kv': 'bool', 'ignore-value': 'bool', 'ignore-lease': 'bool' },
  del: { prefix: 'bool', 'prev-kv': 'bool', 'from-key': 'bool' },
};

/**
 * Parses one request line (already trimmed): `put KEY VALUE [flags]`, `get KEY [RANGE_END]
 * [flags]`, `del KEY [RANGE_END] [flags]`. Throws `CliError`: exit 3 `invalid txn compare
 * request: LINE` for fewer than two words (etcdctl's wording), exit 3 `invalid txn request: LINE
 * (...)` for an unknown command or flag, and the command's own errors (exit 128 / 4) as the
 * top-level command would give them. `put` in a transaction takes no value from stdin.
 */
export function parseRequest(line: string): TxnRequest {
  const tokens = argify(line);
  if (tokens.length < 2) throw invalidInput(`invalid txn compare request: ${line}`);
  const command = tokens[0]!.toString('utf8');
  if (command !== 'get' && command !== 'put' && command !== 'del') {
    throw invalidInput(`invalid txn request: ${line} (unknown command ${JSON.stringify(command)}; expected get, put or del)`);
  }
  let parsed: { args: Buffer[]; flags: FlagValues };
  try {
    parsed = parseFlags(tokens.slice(1), REQUEST_FLAGS[command]);
  } catch (err) {
    if (err instanceof FlagError) throw invalidInput(`invalid txn request: ${line} (${err.message})`);
    throw err;
  }
  const args: Bytes[] = parsed.args;
  switch (command) {
    case 'get':
      return { type: 'get', ...getRequest(args, parsed.flags as GetFlags) };
    case 'put':
      return { type: 'put', ...putRequest(args, parsed.flags as PutFlags, undefined) };
    case 'del':
      return { type: 'delete', ...deleteRequest(args, parsed.flags as DelFlags) };
  }
}

/** A source of input lines: each call gives the next line without its `\n`, or `undefined` at the end of input (a last line without `\n` counts as the end, as in etcdctl). */
export type LineSource = () => Promise<string | undefined>;

/**
 * Reads a whole transaction from `next`, section by section, calling `prompt` with each
 * section's prompt before reading it (for `txn -i`). Lines are trimmed; an empty line ends a
 * section. Throws `CliError` (exit 3) when the input ends before the third section's empty line,
 * or the error of the first bad line.
 */
export async function readTxn(next: LineSource, prompt?: (text: string) => void): Promise<TxnScript> {
  const section = async <T>(name: keyof typeof TXN_PROMPTS, parse: (line: string) => T): Promise<T[]> => {
    prompt?.(TXN_PROMPTS[name]);
    const items: T[] = [];
    for (;;) {
      const raw = await next();
      if (raw === undefined) {
        throw invalidInput(`EOF (the input ended before the empty line that ends the ${TXN_PROMPTS[name].replace(/:$/, '')} section)`);
      }
      const line = raw.trim();
      if (line === '') return items;
      items.push(parse(line));
    }
  };
  const compares = await section('compares', parseCompare);
  const success = await section('success', parseRequest);
  const failure = await section('failure', parseRequest);
  return { compares, success, failure };
}

/** A {@link LineSource} over a string (each `\n`-terminated line; a trailing partial line is the end). */
export function linesOf(text: string): LineSource {
  let pos = 0;
  return async () => {
    const nl = text.indexOf('\n', pos);
    if (nl < 0) return undefined;
    const line = text.slice(pos, nl);
    pos = nl + 1;
    return line;
  };
}
