/**
 * The few pieces of Go syntax etcdctl's input and output depend on, so that `etcdts` reads and
 * prints the same bytes: Go string literals (`strconv.Quote` / `strconv.Unquote`, the `%q` verb),
 * Go integers (`strconv.ParseInt`), Go booleans (`strconv.ParseBool`) and Go durations
 * (`time.ParseDuration`). Pure functions, no I/O.
 */

/** Error message prefix of Go's `strconv.ParseInt`. */
const PARSE_INT = 'strconv.ParseInt';

/** Thrown when a Go literal does not parse; `message` is the text Go's own error would print. */
export class GoSyntaxError extends Error {
  override name = 'GoSyntaxError';
}

/** Letters, marks, numbers, punctuation and symbols: what Go's `strconv.IsPrint` accepts besides U+0020. */
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;

/**
 * `bytes` as a Go double-quoted string literal, like Go's `strconv.Quote` (and `fmt`'s `%q`):
 * printable UTF-8 as is, `"` and `\` escaped, `\a \b \f \n \r \t \v`, other control and
 * non-printable characters as `\xNN`, `\uNNNN` or `\UNNNNNNNN`, bytes that are not valid UTF-8 as `\xNN`.
 */
export function goQuote(bytes: Uint8Array | string): string {
  const buf = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
  let out = '"';
  let i = 0;
  while (i < buf.length) {
    const [cp, size] = decodeRune(buf, i);
    if (cp < 0) {
      out += `\\x${hex2(buf[i]!)}`;
      i += 1;
      continue;
    }
    i += size;
    out += quoteRune(cp);
  }
  return out + '"';
}

function quoteRune(cp: number): string {
  switch (cp) {
    case 0x22: return '\\"';
    case 0x5c: return '\\\\';
    case 0x07: return '\\a';
    case 0x08: return '\\b';
    case 0x0c: return '\\f';
    case 0x0a: return '\\n';
    case 0x0d: return '\\r';
    case 0x09: return '\\t';
    case 0x0b: return '\\v';
  }
  // Printable ASCII (letters, digits, punctuation, symbols) without the Unicode regex, which costs
  // ~0.3 ms a test until V8 has optimized it (a command's start quotes a few flag values).
  if (cp >= 0x20 && cp < 0x7f) return String.fromCharCode(cp);
  const ch = String.fromCodePoint(cp);
  if (cp > 0x20 && cp !== 0x7f && PRINTABLE.test(ch)) return ch;
  if (cp < 0x20 || cp === 0x7f) return `\\x${hex2(cp)}`;
  if (cp < 0x10000) return `\\u${cp.toString(16).padStart(4, '0')}`;
  return `\\U${cp.toString(16).padStart(8, '0')}`;
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}

/**
 * Decodes one UTF-8 sequence at `i`: `[codePoint, byteLength]`, or `[-1, 1]` for a byte that does
 * not start a valid (shortest-form, non-surrogate) sequence, as Go's `utf8.DecodeRune` does.
 */
function decodeRune(buf: Uint8Array, i: number): [number, number] {
  const b0 = buf[i]!;
  if (b0 < 0x80) return [b0, 1];
  let need: number;
  let cp: number;
  let min: number;
  if (b0 >= 0xc2 && b0 <= 0xdf) { need = 1; cp = b0 & 0x1f; min = 0x80; }
  else if (b0 >= 0xe0 && b0 <= 0xef) { need = 2; cp = b0 & 0x0f; min = 0x800; }
  else if (b0 >= 0xf0 && b0 <= 0xf4) { need = 3; cp = b0 & 0x07; min = 0x10000; }
  else return [-1, 1];
  if (i + need >= buf.length) return [-1, 1];
  for (let k = 1; k <= need; k++) {
    const b = buf[i + k]!;
    if ((b & 0xc0) !== 0x80) return [-1, 1];
    cp = (cp << 6) | (b & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return [-1, 1];
  return [cp, need + 1];
}

/**
 * Reads one Go quoted string (`"..."` with escapes, or a raw `` `...` ``) at `start` of `text`,
 * after skipping white space, as `fmt.Sscanf`'s `%q` does. Returns the bytes it denotes and the
 * index just past the closing quote. Throws `GoSyntaxError` ("expected quoted string",
 * "unexpected EOF", or Go's "invalid syntax" for a bad escape).
 */
export function scanQuoted(text: string, start: number): { value: Buffer; end: number } {
  let i = start;
  while (i < text.length && isBlank(text[i]!)) i++;
  if (i >= text.length) throw new GoSyntaxError('unexpected EOF');
  const open = text[i]!;
  if (open === '`') {
    const close = text.indexOf('`', i + 1);
    if (close < 0) throw new GoSyntaxError('unexpected EOF');
    return { value: Buffer.from(text.slice(i + 1, close).replaceAll('\r', ''), 'utf8'), end: close + 1 };
  }
  if (open !== '"') throw new GoSyntaxError('expected quoted string');
  let j = i + 1;
  for (;;) {
    if (j >= text.length) throw new GoSyntaxError('unexpected EOF');
    const c = text[j]!;
    if (c === '\\') {
      j += 2;
      continue;
    }
    if (c === '"') break;
    j++;
  }
  return { value: goUnquote(text.slice(i, j + 1)), end: j + 1 };
}

/**
 * The bytes a complete Go string literal denotes, like Go's `strconv.Unquote` for `"..."` and
 * `` `...` `` literals. Escapes: `\a \b \f \n \r \t \v \\ \"`, `\xNN` (a byte), `\NNN` (octal
 * byte), `\uNNNN`, `\UNNNNNNNN` (a code point, UTF-8 encoded). Throws `GoSyntaxError("invalid syntax")`.
 */
export function goUnquote(literal: string): Buffer {
  const bad = () => new GoSyntaxError('invalid syntax');
  if (literal.length < 2) throw bad();
  const q = literal[0]!;
  if (q !== literal[literal.length - 1]) throw bad();
  const body = literal.slice(1, -1);
  if (q === '`') {
    if (body.includes('`')) throw bad();
    return Buffer.from(body.replaceAll('\r', ''), 'utf8');
  }
  if (q !== '"') throw bad();
  const parts: Buffer[] = [];
  let plain = '';
  const flush = () => {
    if (plain) parts.push(Buffer.from(plain, 'utf8'));
    plain = '';
  };
  for (let i = 0; i < body.length; ) {
    const c = body[i]!;
    if (c === '"' || c === '\n') throw bad();
    if (c !== '\\') {
      plain += c;
      i++;
      continue;
    }
    const e = body[i + 1];
    if (e === undefined) throw bad();
    const simple: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"' };
    if (e in simple) {
      plain += simple[e];
      i += 2;
      continue;
    }
    if (e === 'x' || e === 'u' || e === 'U') {
      const len = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const digits = body.slice(i + 2, i + 2 + len);
      if (digits.length !== len || !/^[0-9a-fA-F]+$/.test(digits)) throw bad();
      const v = parseInt(digits, 16);
      if (e === 'x') {
        flush();
        parts.push(Buffer.from([v]));
      } else {
        if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) throw bad();
        plain += String.fromCodePoint(v);
      }
      i += 2 + len;
      continue;
    }
    if (e >= '0' && e <= '7') {
      const digits = body.slice(i + 1, i + 4);
      if (!/^[0-7]{3}$/.test(digits)) throw bad();
      const v = parseInt(digits, 8);
      if (v > 255) throw bad();
      flush();
      parts.push(Buffer.from([v]));
      i += 4;
      continue;
    }
    throw bad();
  }
  flush();
  return Buffer.concat(parts);
}

/** True for the white space Go's scanner skips inside a line (not newline). */
export function isBlank(c: string): boolean {
  return c !== '\n' && /\s/u.test(c);
}

/**
 * A 64-bit signed integer like Go's `strconv.ParseInt(s, base, 64)`: an optional sign, then digits
 * of `base` (10 or 16: digits only; 0: Go's literal syntax, `0x1f`, `0o17`, `017`, `0b101`, with
 * `_` allowed between digits, as pflag's integer flags accept). Throws `GoSyntaxError` with Go's
 * message: `strconv.ParseInt: parsing "x": invalid syntax` or `... value out of range`.
 */
export function parseGoInt(s: string, base: 0 | 10 | 16): bigint {
  const invalid = () => new GoSyntaxError(`${PARSE_INT}: parsing ${goQuote(s)}: invalid syntax`);
  let body = s;
  let negative = false;
  if (body.startsWith('+') || body.startsWith('-')) {
    negative = body[0] === '-';
    body = body.slice(1);
  }
  let radix: number = base;
  let prefixed = false;
  if (base === 0) {
    radix = 10;
    const p = body.slice(0, 2).toLowerCase();
    if (p === '0x' || p === '0o' || p === '0b') {
      radix = p === '0x' ? 16 : p === '0o' ? 8 : 2;
      body = body.slice(2);
      prefixed = true;
    } else if (body.length > 1 && body[0] === '0') {
      radix = 8;
      body = body.slice(1);
      prefixed = true;
    }
    if (body.includes('_')) {
      // Go: underscores only between digits, or between the base prefix and a digit.
      if (body.endsWith('_') || body.includes('__') || (!prefixed && body.startsWith('_'))) throw invalid();
      body = body.replaceAll('_', '');
    }
  }
  const digitClass = radix === 16 ? '0-9a-fA-F' : radix === 8 ? '0-7' : radix === 2 ? '01' : '0-9';
  if (!new RegExp(`^[${digitClass}]+$`).test(body)) throw invalid();
  let magnitude = 0n;
  const r = BigInt(radix);
  for (const d of body) magnitude = magnitude * r + BigInt(parseInt(d, radix));
  const value = negative ? -magnitude : magnitude;
  if (value > 0x7fffffffffffffffn || value < -0x8000000000000000n) {
    throw new GoSyntaxError(`${PARSE_INT}: parsing ${goQuote(s)}: value out of range`);
  }
  return value;
}

/**
 * A boolean as Go's `strconv.ParseBool` reads it: 1 t T TRUE true True / 0 f F FALSE false False.
 * Throws `GoSyntaxError` with Go's message otherwise.
 */
export function parseGoBool(s: string): boolean {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s)) return false;
  throw new GoSyntaxError(`strconv.ParseBool: parsing ${goQuote(s)}: invalid syntax`);
}

/** Nanoseconds per unit of a Go duration. */
const DURATION_UNITS_NS: Readonly<Record<string, number>> = {
  ns: 1,
  us: 1e3,
  'µs': 1e3, // U+00B5 micro sign
  'μs': 1e3, // U+03BC Greek mu
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/**
 * A Go duration string (`time.ParseDuration`: `"2s"`, `"500ms"`, `"1m30s"`, `"1.5h"`, `"-2s"`,
 * `"0"`) in milliseconds (fractional for sub-millisecond parts: `"1ns"` is 1e-6). Throws
 * `GoSyntaxError` with Go's messages: `time: invalid duration "x"`, `time: missing unit in
 * duration "1"`, `time: unknown unit "d" in duration "1d"`.
 */
export function parseGoDuration(s: string): number {
  // The quoted value, for the errors only (quoting is not free).
  let quotedValue: string | undefined;
  const quotedText = (): string => (quotedValue ??= goQuote(s));
  let rest = s;
  let negative = false;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    negative = rest[0] === '-';
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') throw new GoSyntaxError(`time: invalid duration ${quotedText()}`);
  let totalNs = 0;
  while (rest !== '') {
    const num = /^([0-9]*)(\.([0-9]*))?/.exec(rest)!;
    const whole = num[1]!;
    const frac = num[3] ?? '';
    if (whole === '' && frac === '') throw new GoSyntaxError(`time: invalid duration ${quotedText()}`);
    rest = rest.slice(num[0].length);
    const unit = /^[^0-9.]*/.exec(rest)![0];
    if (unit === '') throw new GoSyntaxError(`time: missing unit in duration ${quotedText()}`);
    const scale = DURATION_UNITS_NS[unit];
    if (scale === undefined) throw new GoSyntaxError(`time: unknown unit ${goQuote(unit)} in duration ${quotedText()}`);
    rest = rest.slice(unit.length);
    totalNs += Number(`${whole || '0'}.${frac || '0'}`) * scale;
    if (totalNs > 2 ** 63) throw new GoSyntaxError(`time: invalid duration ${quotedText()}`);
  }
  const ms = totalNs / 1e6;
  return negative ? -ms : ms;
}
