/**
 * Encoding a request with one reused `BinaryWriter`. A fresh writer starts at 128 bytes and grows
 * by doubling into new zero-filled arrays (three of them for a 300-byte Put); the shared one keeps
 * its grown buffer, so an encode costs one copy (`finish()`). Encoding is synchronous and reads
 * only the plain message built by `fromPartial`, so no other encode can run in between.
 */
import { BinaryWriter } from '@bufbuild/protobuf/wire';
import type { MessageFns } from './gen/etcdserverpb/rpc.js';

/**
 * After a message larger than this (bytes), the shared writer is replaced, so a 1 MiB Put does
 * not keep a 2 MiB buffer alive for the life of the process.
 */
export const SHARED_WRITER_MAX_BYTES = 64 * 1024;

let shared = new BinaryWriter();

/**
 * `codec.encode(message).finish()` on the shared writer: the encoded bytes, in a new array.
 * @throws whatever the generated encoder throws (e.g. an int64 out of range); the writer is then replaced.
 */
export function encodeMessageWith<T>(codec: MessageFns<T>, message: T): Uint8Array {
  const writer = shared;
  let bytes: Uint8Array;
  try {
    bytes = codec.encode(message, writer).finish();
  } catch (error) {
    shared = new BinaryWriter();
    throw error;
  }
  if (bytes.length > SHARED_WRITER_MAX_BYTES) shared = new BinaryWriter();
  return bytes;
}
