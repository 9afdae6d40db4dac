/** Values the benchmark writes: printable bytes, the same for every client. */

const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** A value of `size` bytes of letters and digits (deterministic, so every run writes the same). */
export function benchValue(size: number): Buffer {
  const value = Buffer.allocUnsafe(size);
  let seed = 12345;
  for (let i = 0; i < size; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    value[i] = ALPHABET.charCodeAt(seed % ALPHABET.length);
  }
  return value;
}

/** Bytes of a watch value's stamp: 8 bytes of send time (`process.hrtime` ns) and 4 of sequence number. */
export const STAMP_SIZE = 12;

/** Writes the send time (monotonic ns, the same clock in every process) and sequence number into `value`. */
export function stamp(value: Buffer, sequence: number): void {
  value.writeBigUInt64BE(process.hrtime.bigint(), 0);
  value.writeUInt32BE(sequence, 8);
}

/** Reads a stamp: the send time (ns) and the sequence number. */
export function readStamp(value: Uint8Array): { sentNs: bigint; sequence: number } {
  const buffer = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  return { sentNs: buffer.readBigUInt64BE(0), sequence: buffer.readUInt32BE(8) };
}
