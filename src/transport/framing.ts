/**
 * gRPC message framing: every message on the wire is a 5-byte prefix (1 byte compressed flag,
 * 4 bytes big-endian length) followed by the message bytes. We never compress, and we never
 * negotiate compression, so a set compressed flag is a protocol error.
 */
import { CallError, Status } from './types.js';

/** Size of the length prefix in front of every message, in bytes. */
export const MESSAGE_PREFIX_SIZE = 5;

/** Largest message length the 4-byte prefix can express, in bytes (2^32 - 1). */
export const MAX_FRAMED_MESSAGE_SIZE = 0xffffffff;

/**
 * Returns `message` with its 5-byte prefix in one new buffer (one copy of the message).
 * @param message - the encoded protobuf message.
 * @throws RangeError when the message is longer than 2^32 - 1 bytes.
 */
export function encodeMessage(message: Uint8Array): Buffer {
  const length = message.length;
  if (length > MAX_FRAMED_MESSAGE_SIZE) throw new RangeError(`message of ${length} bytes is too large to frame`);
  const frame = Buffer.allocUnsafe(MESSAGE_PREFIX_SIZE + length);
  frame[0] = 0;
  frame.writeUInt32BE(length, 1);
  frame.set(message, MESSAGE_PREFIX_SIZE);
  return frame;
}

/**
 * Returns just the 5-byte prefix of an uncompressed message of `length` bytes.
 * @param length - message length in bytes, 0 to 2^32 - 1.
 * @throws RangeError when `length` does not fit in the prefix.
 */
export function encodeMessagePrefix(length: number): Buffer {
  if (length > MAX_FRAMED_MESSAGE_SIZE) throw new RangeError(`message of ${length} bytes is too large to frame`);
  const prefix = Buffer.allocUnsafe(MESSAGE_PREFIX_SIZE);
  prefix[0] = 0;
  prefix.writeUInt32BE(length, 1);
  return prefix;
}

/** Receives the messages a `MessageDecoder` finds. */
export interface MessageSink {
  /**
   * One complete message, in memory of its own: a message that lay inside one input chunk is
   * copied out of it (the chunk is the connection's read buffer, which the next read overwrites);
   * one that spanned chunks is a buffer allocated once, at its length prefix, and filled as the
   * bytes arrive (no join copy).
   */
  onMessage(message: Uint8Array): void;
}

/**
 * Messages spanning chunks up to this size (bytes) get their buffer at the length prefix; larger
 * ones are kept as copied pieces and joined at the end, so a peer announcing a huge message
 * cannot make us allocate it before sending it.
 */
export const PREALLOCATE_LIMIT = 64 * 1024 * 1024;

/**
 * Incremental decoder of length-prefixed messages from a sequence of DATA chunks: a message may be
 * split across chunks (even inside its prefix) and a chunk may hold several messages.
 *
 * `push` throws a `CallError` (sent = true, the stream was open) on the first bad message:
 * RESOURCE_EXHAUSTED when a message is longer than `maxMessageSize`, INTERNAL when the compressed
 * flag (or any other flag bit) is set. After an error the decoder must not be used again.
 */
export class MessageDecoder {
  /** Bytes of a prefix split across chunks (allocated on first need). */
  private prefix: Uint8Array | undefined = undefined;
  private prefixFilled = 0;
  /** Body length of the message being assembled across chunks, or -1 between messages. */
  private bodyLength = -1;
  /** The message being assembled: allocated at its prefix (up to PREALLOCATE_LIMIT)... */
  private body: Buffer | undefined = undefined;
  /** ...or its pieces, joined when complete. */
  private parts: Uint8Array[] | undefined = undefined;
  private received = 0;

  /**
   * @param maxMessageSize - largest accepted message, in bytes (not counting the 5-byte prefix).
   * @param sink - receives each complete message, in order, synchronously from `push`.
   */
  constructor(
    private readonly maxMessageSize: number,
    private readonly sink: MessageSink,
  ) {}

  /** True while part of a message (prefix or body) has been received but not all of it. */
  get partial(): boolean {
    return this.prefixFilled > 0 || this.bodyLength >= 0;
  }

  /**
   * Feeds the bytes `chunk[start, end)`; delivers every message they complete to the sink.
   * @param chunk - the next bytes of the response body, borrowed for the call: nothing keeps a
   *   view of it afterwards, so the caller may overwrite it once `push` returns.
   * @param start - first byte (default 0).
   * @param end - one past the last byte (default the chunk's length).
   * @throws CallError RESOURCE_EXHAUSTED or INTERNAL, see the class docs.
   */
  push(chunk: Uint8Array, start = 0, end = chunk.length): void {
    let offset = start;
    while (offset < end) {
      if (this.bodyLength < 0) {
        let length: number;
        if (this.prefixFilled === 0 && end - offset >= MESSAGE_PREFIX_SIZE) {
          // The whole prefix is in this chunk (the common case).
          length = this.readPrefix(chunk, offset);
          offset += MESSAGE_PREFIX_SIZE;
          if (end - offset >= length) {
            const message = Buffer.from(chunk.subarray(offset, offset + length));
            offset += length;
            this.sink.onMessage(message);
            continue;
          }
        } else {
          // The prefix is split across chunks: collect its bytes.
          const prefix = (this.prefix ??= new Uint8Array(MESSAGE_PREFIX_SIZE));
          const take = Math.min(MESSAGE_PREFIX_SIZE - this.prefixFilled, end - offset);
          for (let i = 0; i < take; i++) prefix[this.prefixFilled + i] = chunk[offset + i]!;
          this.prefixFilled += take;
          offset += take;
          if (this.prefixFilled < MESSAGE_PREFIX_SIZE) return;
          this.prefixFilled = 0;
          length = this.readPrefix(prefix, 0);
          if (length === 0) {
            this.sink.onMessage(Buffer.alloc(0));
            continue;
          }
        }
        this.bodyLength = length;
        this.received = 0;
        if (length <= PREALLOCATE_LIMIT) this.body = Buffer.allocUnsafe(length);
        else this.parts = [];
        continue;
      }
      // Continue a message that spans chunks.
      const take = Math.min(this.bodyLength - this.received, end - offset);
      if (this.body !== undefined) this.body.set(chunk.subarray(offset, offset + take), this.received);
      else this.parts!.push(Buffer.from(chunk.subarray(offset, offset + take)));
      this.received += take;
      offset += take;
      if (this.received === this.bodyLength) {
        const message = this.body ?? Buffer.concat(this.parts!, this.bodyLength);
        this.body = undefined;
        this.parts = undefined;
        this.bodyLength = -1;
        this.received = 0;
        this.sink.onMessage(message);
      }
    }
  }
  /** Reads and checks a prefix; returns the body length. */
  private readPrefix(bytes: Uint8Array, at: number): number {
    const flags = bytes[at]!;
    const length = bytes[at + 1]! * 0x1000000 + ((bytes[at + 2]! << 16) | (bytes[at + 3]! << 8) | bytes[at + 4]!);
    if (flags !== 0) {
      throw new CallError(
        Status.INTERNAL,
        flags === 1
          ? 'received a compressed message, but no compression was negotiated'
          : `received a message with unknown flags 0x${flags.toString(16)}`,
        true,
      );
    }
    if (length > this.maxMessageSize) {
      throw new CallError(
        Status.RESOURCE_EXHAUSTED,
        `received message larger than max (${length} vs. ${this.maxMessageSize} bytes)`,
        true,
      );
    }
    return length;
  }
}
