/**
 * Splits the bytes read from the socket into HTTP/2 frames (RFC 9113 section 4), straight out of
 * the socket's chunks: a frame that lies in one chunk is handed over as a view of it; DATA is
 * handed over as it arrives (padding removed), so a DATA frame is never buffered; any other frame
 * split across chunks is copied once into a buffer of its length (at most SETTINGS_MAX_FRAME_SIZE).
 * A chunk is borrowed for one `push` (it is the connection's read buffer, refilled by the next
 * read): the reader keeps no view of it, and neither may the handler.
 *
 * Frames longer than the limit we advertised fail at their header (FRAME_SIZE_ERROR), before any
 * of their bytes are buffered. Everything else is the handler's to check.
 */
import { Http2ProtocolError, ErrorCode } from './errors.js';
import { Flag, FRAME_HEADER_SIZE, FrameType, frameTypeName } from './frames.js';

/** What the reader reports. Every method may throw an Http2ProtocolError; push() passes it on. */
export interface FrameHandler {
  /** A complete frame other than DATA; the payload is `payload[start, end)`, valid during the call only unless kept. */
  onFrame(type: number, flags: number, streamId: number, payload: Buffer, start: number, end: number): void;
  /** A DATA frame begins: `length` is its whole payload, padding included (flow control counts it all). */
  onDataStart(streamId: number, flags: number, length: number): void;
  /** Data bytes of the current DATA frame (padding removed): `chunk[start, end)`, a view of the read buffer, valid during the call only. */
  onData(chunk: Buffer, start: number, end: number): void;
  /** The current DATA frame is complete. */
  onDataEnd(flags: number): void;
}

const HEADER = 0;
const PAYLOAD = 1;
const DATA = 2;

/** Incremental frame parser of one connection's input. */
export class FrameReader {
  private state = HEADER;
  private readonly header = Buffer.alloc(FRAME_HEADER_SIZE);
  private headerFilled = 0;
  private type = 0;
  private flags = 0;
  private streamId = 0;
  private length = 0;
  /** PAYLOAD: the frame being assembled. */
  private payload: Buffer | undefined = undefined;
  private payloadFilled = 0;
  /** DATA: bytes of the frame still to come (pad length byte, data, padding). */
  private remaining = 0;
  /** DATA: -1 until the pad length byte was read (PADDED frames), else the padding length. */
  private padding = 0;
  private stopped = false;

  /**
   * @param handler - receives the frames.
   * @param maxFrameSize - our SETTINGS_MAX_FRAME_SIZE, bytes: longer frames are a FRAME_SIZE_ERROR.
   */
  constructor(
    private readonly handler: FrameHandler,
    private readonly maxFrameSize: number,
  ) {}

  /** Stops parsing: later bytes (and the rest of the current chunk) are dropped. */
  stop(): void {
    this.stopped = true;
  }

  /** True between frames (no partial frame buffered). */
  get atFrameBoundary(): boolean {
    return this.state === HEADER && this.headerFilled === 0;
  }

  /**
   * Parses `chunk[0, end)`, calling the handler for each frame.
   * @param chunk - bytes read from the socket, borrowed for the call.
   * @param end - one past the last byte read (default the chunk's length).
   * @throws Http2ProtocolError from the limits here or from the handler.
   */
  push(chunk: Buffer, end = chunk.length): void {
    let pos = 0;
    while (pos < end && !this.stopped) {
      switch (this.state) {
        case HEADER: {
          if (this.headerFilled === 0 && end - pos >= FRAME_HEADER_SIZE) {
            this.readHeader(chunk, pos);
            pos += FRAME_HEADER_SIZE;
          } else {
            const take = Math.min(FRAME_HEADER_SIZE - this.headerFilled, end - pos);
            chunk.copy(this.header, this.headerFilled, pos, pos + take);
            this.headerFilled += take;
            pos += take;
            if (this.headerFilled < FRAME_HEADER_SIZE) return;
            this.headerFilled = 0;
            this.readHeader(this.header, 0);
          }
          const length = this.length;
          if (this.type === FrameType.DATA) {
            this.handler.onDataStart(this.streamId, this.flags, length);
            this.remaining = length;
            this.padding = (this.flags & Flag.PADDED) !== 0 ? -1 : 0;
            this.state = DATA;
            if (length === 0) {
              if (this.padding < 0) throw new Http2ProtocolError(ErrorCode.FRAME_SIZE_ERROR, 'padded DATA frame without a pad length');
              this.state = HEADER;
              this.handler.onDataEnd(this.flags);
            }
          } else if (end - pos >= length) {
            const start = pos;
            pos += length;
            this.handler.onFrame(this.type, this.flags, this.streamId, chunk, start, pos);
          } else {
            this.payload = Buffer.allocUnsafe(length);
            this.payloadFilled = 0;
            this.state = PAYLOAD;
          }
          break;
        }
        case PAYLOAD: {
          const payload = this.payload!;
          const take = Math.min(this.length - this.payloadFilled, end - pos);
          chunk.copy(payload, this.payloadFilled, pos, pos + take);
          this.payloadFilled += take;
          pos += take;
          if (this.payloadFilled === this.length) {
            this.payload = undefined;
            this.state = HEADER;
            this.handler.onFrame(this.type, this.flags, this.streamId, payload, 0, payload.length);
          }
          break;
        }
        default: {
          // DATA: pad length, then data, then padding.
          if (this.padding < 0) {
            const padding = chunk[pos++]!;
            this.remaining--;
            if (padding > this.remaining) {
              throw new Http2ProtocolError(ErrorCode.PROTOCOL_ERROR, `DATA frame padding of ${padding} bytes exceeds its payload`);
            }
            this.padding = padding;
          }
          const dataLeft = this.remaining - this.padding;
          const take = Math.min(dataLeft, end - pos);
          if (take > 0) {
            this.handler.onData(chunk, pos, pos + take);
            pos += take;
            this.remaining -= take;
          }
          if (this.remaining === this.padding) {
            const skip = Math.min(this.padding, end - pos);
            pos += skip;
            this.remaining -= skip;
            this.padding -= skip;
            if (this.remaining === 0) {
              this.state = HEADER;
              this.handler.onDataEnd(this.flags);
            }
          }
        }
      }
    }
  }

  private readHeader(bytes: Buffer, at: number): void {
    const length = (bytes[at]! << 16) | (bytes[at + 1]! << 8) | bytes[at + 2]!;
    this.type = bytes[at + 3]!;
    this.flags = bytes[at + 4]!;
    this.streamId = ((bytes[at + 5]! & 0x7f) << 24) | (bytes[at + 6]! << 16) | (bytes[at + 7]! << 8) | bytes[at + 8]!;
    if (length > this.maxFrameSize) {
      throw new Http2ProtocolError(
        ErrorCode.FRAME_SIZE_ERROR,
        `${frameTypeName(this.type)} frame of ${length} bytes exceeds SETTINGS_MAX_FRAME_SIZE ${this.maxFrameSize}`,
      );
    }
    this.length = length;
  }
}
