/**
 * Lines of arguments read from stdin (by `txn` and `watch -i`), split and parsed the way etcdctl
 * does: {@link argify} splits a line like a shell (`"double quoted"` Go literals, `'single
 * quoted'` text), {@link parseFlags} reads pflag-style flags from the pieces.
 */
import { Buffer } from 'node:buffer';

import { CliError, EXIT_INVALID_INPUT } from './exit.js';
import { GoSyntaxError, parseGoBool, parseGoInt, scanQuoted } from './go-syntax.js';

/** etcdctl's tokenizer: double-quoted Go literals, single-quoted text, or runs of non-space. */
const TOKEN = /"(?:[^"\\]|\\.)*"|'[^']*'|[^'"\t\n\f\r ][^\t\n\f\r ]*[^'"\t\n\f\r ]?/g;

/**
 * Splits a request line into arguments like etcdctl: `"..."` is a Go string literal (escapes
 * decoded to bytes), `'...'` is taken literally, anything else is a run of non-blank characters.
 * Throws `CliError` (exit 3) naming the line for a bad escape in a double-quoted argument.
 */
export function argify(line: string): Buffer[] {
  const out: Buffer[] = [];
  for (const m of line.matchAll(TOKEN)) {
    const token = m[0];
    if (token.startsWith('"')) {
      try {
        out.push(scanQuoted(token, 0).value);
      } catch (err) {
        const why = err instanceof GoSyntaxError ? err.message : String(err);
        throw new CliError(EXIT_INVALID_INPUT, `${why}: bad quoted argument ${token} in line: ${line}`);
      }
    } else if (token.startsWith("'")) {
      out.push(Buffer.from(token.slice(1, -1), 'utf8'));
    } else {
      out.push(Buffer.from(token, 'utf8'));
    }
  }
  return out;
}

/** The kind of a flag's value. */
export type FlagKind = 'bool' | 'string' | 'int';

/** Flag values keyed by camelCase name. */
export type FlagValues = Record<string, string | boolean | bigint>;

/** Thrown by {@link parseFlags} for a flag error; the caller reports the whole line. */
export class FlagError extends Error {}

/**
 * Parses flags the way pflag does: `--name=value`, `--name value`, `--name` for booleans,
 * `--` ends flags, flags and arguments may mix. Returns the arguments and the flag values keyed
 * by camelCase name. Throws {@link FlagError} for an unknown flag, a missing or bad value.
 */
export function parseFlags(tokens: readonly Buffer[], spec: Readonly<Record<string, FlagKind>>): { args: Buffer[]; flags: FlagValues } {
  const args: Buffer[] = [];
  const flags: FlagValues = {};
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const text = token.toString('utf8');
    if (text === '--') {
      args.push(...tokens.slice(i + 1));
      break;
    }
    if (!text.startsWith('-') || text === '-') {
      args.push(token);
      continue;
    }
    if (!text.startsWith('--')) throw new FlagError(`unknown shorthand flag in ${text}`);
    const eq = text.indexOf('=');
    const name = eq < 0 ? text.slice(2) : text.slice(2, eq);
    const kind = spec[name];
    if (kind === undefined) throw new FlagError(`unknown flag: --${name}`);
    let value: string;
    if (eq >= 0) value = text.slice(eq + 1);
    else if (kind === 'bool') value = 'true';
    else if (i + 1 < tokens.length) value = tokens[++i]!.toString('utf8');
    else throw new FlagError(`flag needs an argument: --${name}`);
    const camel = name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    try {
      flags[camel] = kind === 'bool' ? parseGoBool(value) : kind === 'int' ? parseGoInt(value, 0) : value;
    } catch (err) {
      throw new FlagError(`invalid argument ${JSON.stringify(value)} for "--${name}" flag: ${(err as Error).message}`);
    }
  }
  return { args, flags };
}
