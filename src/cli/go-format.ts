/**
 * Go formatting the administration commands' output depends on, so that `etcdts` prints the bytes
 * etcdctl 3.4 prints: `humanize.Bytes` (go-humanize), `time.Duration.String`, `%x` / `%16x` of a
 * uint64, `fmt` of a `[]string`, `encoding/json` string escaping, and `strconv.ParseUint(s, 16, 64)`
 * for member IDs given in hex. Pure functions, no I/O.
 */
import { GoSyntaxError, goQuote } from './go-syntax.js';

/** Suffixes of go-humanize's SI sizes (`humanize.Bytes`, base 1000). */
const SI_SIZES = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB'];

/**
 * `bytes` as go-humanize's `Bytes` prints it (as etcdctl's `DB SIZE`): `25 kB`, `1.5 MB`, `9 B`.
 * One decimal below 10 units, none from 10 on, Go's round-half-to-even on exact halves.
 */
export function humanizeBytes(bytes: number): string {
  if (bytes < 10) return `${bytes} B`;
  const e = Math.floor(Math.log(bytes) / Math.log(1000));
  const value = Math.floor((bytes / 1000 ** e) * 10 + 0.5) / 10;
  return `${value < 10 ? value.toFixed(1) : goRound0(value)} ${SI_SIZES[e]}`;
}

/** `%.0f` of Go: the nearest integer, an exact half to the even one. */
function goRound0(value: number): string {
  const floor = Math.floor(value);
  const diff = value - floor;
  if (diff === 0.5) return String(floor % 2 === 0 ? floor : floor + 1);
  return value.toFixed(0);
}

/**
 * A duration in nanoseconds as Go's `time.Duration.String()`: `1.837988ms`, `850.123µs`, `42ns`,
 * `1.5s`, `2m3.5s`, `1h0m0s`, `0s`.
 */
export function goDuration(nanoseconds: bigint): string {
  if (nanoseconds === 0n) return '0s';
  const sign = nanoseconds < 0n ? '-' : '';
  const u = nanoseconds < 0n ? -nanoseconds : nanoseconds;
  if (u < 1_000n) return `${sign}${u}ns`;
  if (u < 1_000_000n) return `${sign}${fraction(u, 3)}µs`;
  if (u < 1_000_000_000n) return `${sign}${fraction(u, 6)}ms`;
  const seconds = fraction(u % 60_000_000_000n, 9);
  const totalMinutes = u / 60_000_000_000n;
  if (totalMinutes === 0n) return `${sign}${seconds}s`;
  const minutes = totalMinutes % 60n;
  const hours = totalMinutes / 60n;
  return hours === 0n ? `${sign}${minutes}m${seconds}s` : `${sign}${hours}h${minutes}m${seconds}s`;
}

/** `v / 10^digits` with its fraction, trailing zeros (and a bare point) removed. */
function fraction(v: bigint, digits: number): string {
  const scale = 10n ** BigInt(digits);
  const whole = v / scale;
  const frac = (v % scale).toString().padStart(digits, '0').replace(/0+$/, '');
  return frac === '' ? whole.toString() : `${whole}.${frac}`;
}

/** `%x` of a uint64: lower-case hex without padding (etcdctl's member IDs in tables and lists). */
export function hex(id: bigint): string {
  return id.toString(16);
}

/** `%16x` of a uint64: lower-case hex padded with spaces to 16 characters (etcdctl's `member add` line). */
export function hex16(id: bigint): string {
  return id.toString(16).padStart(16, ' ');
}

/** A 64-bit ID as Go's `%016x` prints it (a negative one with its sign inside the width). */
export function goHex16(id: bigint): string {
  return id < 0n ? `-${(-id).toString(16).padStart(15, '0')}` : id.toString(16).padStart(16, '0');
}

/** `fmt.Print` of a Go `[]string`: `[a b c]`. */
export function goStringSlice(items: readonly string[]): string {
  return `[${items.join(' ')}]`;
}

/**
 * A JSON string as Go's `encoding/json` writes it: like `JSON.stringify`, plus `<`, `>`, `&`,
 * U+2028 and U+2029 as `\u00xx` escapes.
 */
export function goJsonString(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * A uint64 in hex as Go's `strconv.ParseUint(s, 16, 64)` reads it: hex digits only (no sign, no
 * `0x`). Throws `GoSyntaxError` with Go's message, e.g. `strconv.ParseUint: parsing "zz": invalid
 * syntax` or `... value out of range`.
 */
export function parseHexUint64(s: string): bigint {
  if (!/^[0-9a-fA-F]+$/.test(s)) throw new GoSyntaxError(`strconv.ParseUint: parsing ${goQuote(s)}: invalid syntax`);
  const value = BigInt(`0x${s}`);
  if (value > 0xffffffffffffffffn) throw new GoSyntaxError(`strconv.ParseUint: parsing ${goQuote(s)}: value out of range`);
  return value;
}
