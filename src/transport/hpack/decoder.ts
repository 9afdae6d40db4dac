/**
 * HPACK decoder (RFC 7541): header blocks to header fields, with the dynamic table and Huffman.
 *
 * Output is a flat list `[name0, value0, name1, value1, ...]` of Latin-1 strings (header bytes one
 * character each, as node:http2 handed them over). Dynamic table entries keep their strings, so a
 * field indexed from the table (grpc-go indexes its response headers and trailers) costs no
 * allocation but the list. Limits: the table size we advertised (SETTINGS_HEADER_TABLE_SIZE), and
 * the decoded header list size (RFC 9113 section 6.5.2: names + values + 32 bytes per field).
 */
import { HpackError } from './errors.js';
import { huffmanDecode, latin1 } from './huffman.js';
import { STATIC_TABLE, STATIC_TABLE_LENGTH } from './static-table.js';

/** Per-entry overhead in the table size and the header list size (RFC 7541 section 4.1). */
export const ENTRY_OVERHEAD = 32;

/** Largest integer accepted in a header block (lengths, indexes, sizes). */
const MAX_INTEGER = 0x7fffffff;

/** Decodes the header blocks of one connection, in order. */
export class HpackDecoder {
  /** Dynamic table, oldest first: names and values. */
  private names: string[] = [];
  private values: string[] = [];
  /** Oldest live entry in `names` / `values` (entries before it were evicted). */
  private head = 0;
  private size = 0;
  /** Current maximum size, set by dynamic table size updates (at most `settingsMaxSize`). */
  private maxSize: number;
  private pos = 0;

  /**
   * @param settingsMaxSize - the SETTINGS_HEADER_TABLE_SIZE we advertised (4096 by default), bytes.
   * @param maxHeaderListSize - the largest decoded header list accepted, bytes.
   */
  constructor(
    private readonly settingsMaxSize: number,
    private readonly maxHeaderListSize: number,
  ) {
    this.maxSize = settingsMaxSize;
  }

  /** Entries in the dynamic table now. */
  get tableLength(): number {
    return this.names.length - this.head;
  }

  /** The dynamic table's size in the RFC's accounting (bytes). */
  get tableSize(): number {
    return this.size;
  }

  /**
   * Decodes one complete header block.
   * @param block - the block's bytes (HEADERS and CONTINUATION fragments joined).
   * @param start - first byte of the block.
   * @param end - one past its last byte.
   * @param out - an array to fill instead of a new one (the connection reuses one for every block:
   *   a fresh array costs ~180 bytes per block); its old contents are replaced.
   * @returns the fields as `[name, value, ...]` (`out` when given).
   * @throws HpackError for a malformed block, an index out of range, a size update above the
   *   limit or out of place, or a header list larger than `maxHeaderListSize`.
   */
  decode(block: Uint8Array, start: number, end: number, out: string[] = []): string[] {
    const fields = out;
    let count = 0;
    let listSize = 0;
    this.pos = start;
    let sizeUpdateAllowed = true;
    while (this.pos < end) {
      const byte = block[this.pos]!;
      let name: string;
      let value: string;
      if (byte >= 0x80) {
        // Indexed header field (6.1).
        const index = this.integer(block, end, 7);
        if (index === 0) throw new HpackError('indexed header field with index 0');
        name = this.nameAt(index);
        value = this.valueAt(index);
      } else if (byte >= 0x40) {
        // Literal with incremental indexing (6.2.1).
        const index = this.integer(block, end, 6);
        name = index === 0 ? this.string(block, end) : this.nameAt(index);
        value = this.string(block, end);
        this.add(name, value);
      } else if (byte >= 0x20) {
        // Dynamic table size update (6.3): only at the start of a block.
        if (!sizeUpdateAllowed) throw new HpackError('dynamic table size update after the first header field');
        const size = this.integer(block, end, 5);
        if (size > this.settingsMaxSize) {
          throw new HpackError(`dynamic table size update to ${size} above SETTINGS_HEADER_TABLE_SIZE ${this.settingsMaxSize}`);
        }
        this.maxSize = size;
        this.evict(0);
        continue;
      } else {
        // Literal without indexing (0000) or never indexed (0001) (6.2.2, 6.2.3).
        const index = this.integer(block, end, 4);
        name = index === 0 ? this.string(block, end) : this.nameAt(index);
        value = this.string(block, end);
      }
      sizeUpdateAllowed = false;
      listSize += name.length + value.length + ENTRY_OVERHEAD;
      if (listSize > this.maxHeaderListSize) {
        throw new HpackError(`header list larger than SETTINGS_MAX_HEADER_LIST_SIZE (${this.maxHeaderListSize} bytes)`);
      }
      fields[count++] = name;
      fields[count++] = value;
    }
    // Filled by index and cut to length: no new backing store while the array is reused.
    if (fields.length !== count) fields.length = count;
    return fields;
  }

  /** Reads an integer with an `prefixBits`-bit prefix at `this.pos` (5.1). */
  private integer(block: Uint8Array, end: number, prefixBits: number): number {
    const mask = (1 << prefixBits) - 1;
    let value = block[this.pos++]! & mask;
    if (value < mask) return value;
    let shift = 0;
    for (;;) {
      if (this.pos >= end) throw new HpackError('header block ends inside an integer');
      const byte = block[this.pos++]!;
      value += (byte & 0x7f) * 2 ** shift;
      if (value > MAX_INTEGER) throw new HpackError('integer in header block too large');
      if (byte < 0x80) return value;
      shift += 7;
    }
  }

  /** Reads a string literal at `this.pos` (5.2). */
  private string(block: Uint8Array, end: number): string {
    if (this.pos >= end) throw new HpackError('header block ends before a string literal');
    const huffman = (block[this.pos]! & 0x80) !== 0;
    const length = this.integer(block, end, 7);
    const start = this.pos;
    if (length > end - start) throw new HpackError('string literal runs past the end of the header block');
    this.pos = start + length;
    return huffman ? huffmanDecode(block, start, start + length) : latin1(block, start, start + length);
  }

  private nameAt(index: number): string {
    if (index <= STATIC_TABLE_LENGTH) return STATIC_TABLE[index - 1]![0];
    return this.names[this.dynamicSlot(index)]!;
  }

  private valueAt(index: number): string {
    if (index <= STATIC_TABLE_LENGTH) return STATIC_TABLE[index - 1]![1];
    return this.values[this.dynamicSlot(index)]!;
  }

  /** Array slot of dynamic index `index` (62 = newest). */
  private dynamicSlot(index: number): number {
    const fromNewest = index - STATIC_TABLE_LENGTH - 1;
    if (fromNewest >= this.names.length - this.head) {
      throw new HpackError(`header index ${index} is beyond the dynamic table (${this.names.length - this.head} entries)`);
    }
    return this.names.length - 1 - fromNewest;
  }

  /** Adds an entry (4.4): evicts old entries first; an entry larger than the table empties it. */
  private add(name: string, value: string): void {
    const entrySize = name.length + value.length + ENTRY_OVERHEAD;
    this.evict(entrySize);
    if (entrySize > this.maxSize) return;
    this.names.push(name);
    this.values.push(value);
    this.size += entrySize;
  }

  /** Evicts the oldest entries until `room` more bytes fit. */
  private evict(room: number): void {
    while (this.size + room > this.maxSize && this.head < this.names.length) {
      this.size -= this.names[this.head]!.length + this.values[this.head]!.length + ENTRY_OVERHEAD;
      this.head++;
    }
    if (this.head > 64 && this.head * 2 > this.names.length) {
      this.names = this.names.slice(this.head);
      this.values = this.values.slice(this.head);
      this.head = 0;
    }
  }
}
