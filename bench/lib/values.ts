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

/** Bytes of a watch value's stamp: 8 bytes of send time (Unix ns) and 4 of sequence number. */
export const STAMP_SIZE = 12;

/**
 * Now on the clock of the stamps: Unix time in ns, read as the process's time origin plus
 * `performance.now()` (µs precision). The wall clock, because the Go program reads it
 * (`time.Now().UnixNano()`) and Go has no cheap read of Node's monotonic clock.
 */
export function stampClockNs(): number {
  return (performance.timeOrigin + performance.now()) * 1e6;
}

/** Writes the send time (`stampClockNs`) and sequence number into `value`. */
export function stamp(value: Buffer, sequence: number): void {
  value.writeBigUInt64BE(BigInt(Math.round(stampClockNs())), 0);
  value.writeUInt32BE(sequence, 8);
}

/** A stamp's send time, ns (a double: 256 ns steps at today's Unix times), read without allocating. */
export function stampSentNs(value: Buffer): number {
  return value.readUInt32BE(0) * 2 ** 32 + value.readUInt32BE(4);
}

/** A stamp's sequence number. */
export function stampSequence(value: Buffer): number {
  return value.readUInt32BE(8);
}
