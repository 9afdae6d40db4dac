/**
 * CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum etcd uses for its snapshot
 * status hash (Go's `crc32.MakeTable(crc32.Castagnoli)`), fed incrementally.
 */

const TABLE = ((): Uint32Array => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** An incremental CRC-32C: `update` with each piece, `digest()` for the sum so far (unsigned 32-bit). */
export class Crc32c {
  #crc = 0xffffffff;

  /** Adds `bytes` to the sum. */
  update(bytes: Uint8Array): void {
    let c = this.#crc;
    for (let i = 0; i < bytes.length; i++) c = TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
    this.#crc = c;
  }

  /** The sum of everything added so far, as an unsigned 32-bit number. */
  digest(): number {
    return (this.#crc ^ 0xffffffff) >>> 0;
  }
}
