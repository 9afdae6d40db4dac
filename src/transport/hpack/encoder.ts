/**
 * HPACK encoding of request header fields, stateless: indexed static fields, and literals without
 * indexing (RFC 7541 sections 6.1, 6.2.2), so a block can be built once and sent any number of
 * times, in any order, on a connection: our dynamic table stays empty. Strings are Huffman-coded
 * when that is shorter. (Requests are a few hundred bytes; a precomputed block costs a copy.)
 */
import { huffmanEncode, huffmanEncodedLength } from './huffman.js';
import { staticFieldIndex, staticNameIndex } from './static-table.js';

/**
 * Appends the HPACK integer `value` with an `prefixBits`-bit prefix (5.1) to `out`, the first
 * byte's high bits set to `firstByteFlags`.
 */
export function encodeInteger(out: number[], value: number, prefixBits: number, firstByteFlags: number): void {
  const max = (1 << prefixBits) - 1;
  if (value < max) {
    out.push(firstByteFlags | value);
    return;
  }
  out.push(firstByteFlags | max);
  let rest = value - max;
  while (rest >= 0x80) {
    out.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  out.push(rest);
}

/** Appends a string literal (5.2): Huffman-coded when shorter, else raw Latin-1. */
export function encodeString(out: number[], value: string, huffman = true): void {
  const coded = huffman ? huffmanEncodedLength(value) : Infinity;
  if (coded < value.length) {
    encodeInteger(out, coded, 7, 0x80);
    const bytes = new Uint8Array(coded);
    huffmanEncode(value, bytes, 0);
    for (let i = 0; i < coded; i++) out.push(bytes[i]!);
    return;
  }
  encodeInteger(out, value.length, 7, 0);
  for (let i = 0; i < value.length; i++) out.push(value.charCodeAt(i) & 0xff);
}

/**
 * Appends one header field: the static index when `name: value` is in the static table, else a
 * literal without indexing, with the name indexed when the static table has it.
 */
export function encodeField(out: number[], name: string, value: string, huffman = true): void {
  const full = staticFieldIndex(name, value);
  if (full !== 0) {
    encodeInteger(out, full, 7, 0x80);
    return;
  }
  const nameIndex = staticNameIndex(name);
  encodeInteger(out, nameIndex, 4, 0);
  if (nameIndex === 0) encodeString(out, name, huffman);
  encodeString(out, value, huffman);
}

/**
 * A header block of `fields` (`[name, value, ...]`) as bytes.
 * @param fields - flat name/value list; names lower-case.
 * @param huffman - Huffman-code strings when shorter (default true).
 */
export function encodeHeaderBlock(fields: readonly string[], huffman = true): Buffer {
  const out: number[] = [];
  for (let i = 0; i < fields.length; i += 2) encodeField(out, fields[i]!, fields[i + 1]!, huffman);
  return Buffer.from(out);
}
