/**
 * HPACK Huffman coding (RFC 7541 section 5.2, code of Appendix B).
 *
 * Decoding runs a table-driven automaton four bits at a time: each state is an inner node of the
 * code tree, and for each nibble the table gives the next state, the symbol completed on the way
 * (at most one: every code is at least 5 bits long), and whether stopping there is a valid end
 * (the bits since the last symbol are all ones and fewer than 8: the EOS prefix used as padding).
 */
import { HpackError } from './errors.js';
import { HUFFMAN_CODES, HUFFMAN_LENGTHS } from './huffman-table.js';

const EOS = 256;

/** Flag bits of a decode table entry; the next state is in bits 16-23, the symbol in bits 0-7. */
const EMITS = 0x100;
const ACCEPTS = 0x200;
const FAILS = 0x400;

/** DECODE_TABLE[state * 16 + nibble]. */
const DECODE_TABLE: Int32Array = buildDecodeTable();

function buildDecodeTable(): Int32Array {
  // Tree: node 0 is the root; children[node*2 + bit] is a node id, or -(symbol + 1) for a leaf.
  const children: number[] = [0, 0];
  let nodes = 1;
  for (let symbol = 0; symbol <= EOS; symbol++) {
    const code = HUFFMAN_CODES[symbol]!;
    const length = HUFFMAN_LENGTHS[symbol]!;
    let node = 0;
    for (let i = length - 1; i >= 0; i--) {
      const bit = (code >>> i) & 1;
      const slot = node * 2 + bit;
      if (i === 0) {
        children[slot] = -(symbol + 1);
      } else {
        if (children[slot] === 0 || children[slot] === undefined) {
          children[slot] = nodes;
          children.push(0, 0);
          nodes++;
        }
        node = children[slot]!;
      }
    }
  }
  // Depth of each inner node and whether its path from the root is all ones.
  const depth = new Int32Array(nodes);
  const allOnes = new Uint8Array(nodes);
  allOnes[0] = 1;
  for (let node = 0; node < nodes; node++) {
    for (let bit = 0; bit < 2; bit++) {
      const child = children[node * 2 + bit]!;
      if (child > 0) {
        depth[child] = depth[node]! + 1;
        allOnes[child] = allOnes[node]! & bit;
      }
    }
  }
  const table = new Int32Array(nodes * 16);
  for (let state = 0; state < nodes; state++) {
    for (let nibble = 0; nibble < 16; nibble++) {
      let node = state;
      let entry = 0;
      for (let i = 3; i >= 0; i--) {
        const child = children[node * 2 + ((nibble >>> i) & 1)]!;
        if (child < 0) {
          const symbol = -child - 1;
          if (symbol === EOS) {
            entry |= FAILS;
            break;
          }
          entry |= EMITS | symbol;
          node = 0;
        } else {
          node = child;
        }
      }
      if ((entry & FAILS) === 0 && allOnes[node] === 1 && depth[node]! < 8) entry |= ACCEPTS;
      table[state * 16 + nibble] = entry | (node << 16);
    }
  }
  return table;
}

/** Scratch space for decoded strings (grown on demand; decoding is synchronous). */
let scratch = new Uint8Array(256);

/**
 * Decodes a Huffman-coded string literal to a Latin-1 string (one character per byte).
 * @param source - the encoded bytes.
 * @param start - first byte.
 * @param end - one past the last byte.
 * @throws HpackError for an EOS symbol in the data or invalid padding.
 */
export function huffmanDecode(source: Uint8Array, start: number, end: number): string {
  // Codes are at least 5 bits, so the output is at most 8/5 of the input.
  const max = ((end - start) * 8) / 5 + 1;
  if (scratch.length < max) scratch = new Uint8Array(Math.max(max, scratch.length * 2));
  const out = scratch;
  let n = 0;
  let state = 0;
  let accepts = true;
  for (let i = start; i < end; i++) {
    const byte = source[i]!;
    let entry = DECODE_TABLE[state * 16 + (byte >>> 4)]!;
    if ((entry & FAILS) !== 0) throw new HpackError('Huffman-coded string contains EOS');
    if ((entry & EMITS) !== 0) out[n++] = entry & 0xff;
    state = entry >>> 16;
    entry = DECODE_TABLE[state * 16 + (byte & 0x0f)]!;
    if ((entry & FAILS) !== 0) throw new HpackError('Huffman-coded string contains EOS');
    if ((entry & EMITS) !== 0) out[n++] = entry & 0xff;
    state = entry >>> 16;
    accepts = (entry & ACCEPTS) !== 0;
  }
  if (!accepts) throw new HpackError('Huffman-coded string has invalid padding');
  return latin1(out, 0, n);
}

/** Bytes as a Latin-1 string. */
export function latin1(bytes: Uint8Array, start: number, end: number): string {
  const length = end - start;
  if (length <= 0) return '';
  if (length < 64) {
    let s = '';
    for (let i = start; i < end; i++) s += String.fromCharCode(bytes[i]!);
    return s;
  }
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, length).toString('latin1');
}

/** Length in bytes of `value` (Latin-1, one byte per character) once Huffman-coded. */
export function huffmanEncodedLength(value: string): number {
  let bits = 0;
  for (let i = 0; i < value.length; i++) bits += HUFFMAN_LENGTHS[value.charCodeAt(i) & 0xff]!;
  return (bits + 7) >>> 3;
}

/**
 * Huffman-codes `value` (Latin-1) into `target` at `offset`, padded with the EOS prefix.
 * @returns the offset after the written bytes.
 */
export function huffmanEncode(value: string, target: Uint8Array, offset: number): number {
  let acc = 0;
  let bits = 0;
  let at = offset;
  for (let i = 0; i < value.length; i++) {
    const symbol = value.charCodeAt(i) & 0xff;
    let code = HUFFMAN_CODES[symbol]!;
    let length = HUFFMAN_LENGTHS[symbol]!;
    if (length > 16) {
      // Add the high part first so the accumulator stays within 32 bits.
      const high = length - 16;
      acc = (acc << high) | (code >>> 16);
      bits += high;
      while (bits >= 8) {
        bits -= 8;
        target[at++] = (acc >>> bits) & 0xff;
      }
      code &= 0xffff;
      length = 16;
    }
    acc = ((acc << length) | code) & 0xffffff;
    bits += length;
    while (bits >= 8) {
      bits -= 8;
      target[at++] = (acc >>> bits) & 0xff;
    }
  }
  if (bits > 0) target[at++] = ((acc << (8 - bits)) | (0xff >>> bits)) & 0xff;
  return at;
}
