/**
 * Builds outgoing frames into a slab and writes everything produced in one tick with one socket
 * write (a corked batch when large payloads ride along as views): the first frame of a tick
 * schedules the flush with `setImmediate`, after the tick's I/O callbacks and promise reactions.
 *
 * Bytes handed to the socket are never overwritten while a write may still read them: the slab
 * moves forward, a full slab is replaced by a fresh one (the old one lives on while its writes are
 * pending), and once the socket has reported every write done, the next tick's frames start again
 * at the slab's beginning. So a steady connection writes from one slab whose pages stay mapped: a
 * fresh 64 KiB per 64 KiB sent was garbage that the C heap returned to the kernel after each GC and
 * faulted in again (page faults are costly on a VM).
 */
import { FRAME_HEADER_SIZE, FrameType, Flag } from './frames.js';

/** Bytes of one slab. */
const SLAB_SIZE = 64 * 1024;
/** Payload pieces at least this long go out as views of the caller's memory instead of copies. */
const VIEW_THRESHOLD = 2048;

/** What the writer needs of a socket. */
export interface WritableSocket {
  /** Queues `chunk`; `done` is called once the socket no longer needs its bytes (also on failure). */
  write(chunk: Uint8Array, done: (error?: Error | null) => void): boolean;
  cork(): void;
  uncork(): void;
  readonly destroyed: boolean;
}

function flushWriter(writer: FrameWriter): void {
  writer.flush();
}

/** The outgoing side of one connection. */
export class FrameWriter {
  private slab = Buffer.allocUnsafe(SLAB_SIZE);
  /** Next free byte of the slab. */
  private at = 0;
  /** Start of the slab bytes not yet closed into a segment. */
  private segmentStart = 0;
  /** Closed segments waiting for the flush, in order. */
  private segments: Uint8Array[] = [];
  private scheduled = false;
  /** Bytes queued since the last flush. */
  private pendingBytes = 0;
  /** Socket writes handed over and not yet reported done (each may still read slab bytes). */
  private writing = 0;
  private readonly written = (): void => {
    this.writing--;
  };

  /** @param socket - where frames go; the flush is skipped once it is destroyed. */
  constructor(private readonly socket: WritableSocket) {}

  /** Bytes queued and not yet handed to the socket. */
  get queued(): number {
    return this.pendingBytes;
  }

  /** Makes room for `n` contiguous bytes in the slab; returns the slab to write into at `this.at`. */
  private reserve(n: number): Buffer {
    if (!this.scheduled) {
      // The tick's first frame: nothing is queued (the last flush took it all), and when no write
      // is pending either, no byte of the slab is still needed.
      if (this.writing === 0) {
        this.at = 0;
        this.segmentStart = 0;
      }
      this.scheduled = true;
      setImmediate(flushWriter, this);
    }
    if (this.at + n > this.slab.length) {
      this.closeSegment();
      this.slab = Buffer.allocUnsafe(Math.max(SLAB_SIZE, n));
      this.at = 0;
      this.segmentStart = 0;
    }
    this.pendingBytes += n;
    return this.slab;
  }

  private closeSegment(): void {
    if (this.at > this.segmentStart) this.segments.push(this.slab.subarray(this.segmentStart, this.at));
    this.segmentStart = this.at;
  }

  /** Writes a frame header. */
  frameHeader(length: number, type: number, flags: number, streamId: number): void {
    const slab = this.reserve(FRAME_HEADER_SIZE);
    let at = this.at;
    slab[at++] = length >>> 16;
    slab[at++] = (length >>> 8) & 0xff;
    slab[at++] = length & 0xff;
    slab[at++] = type;
    slab[at++] = flags;
    slab.writeUInt32BE(streamId, at);
    this.at = at + 4;
  }

  /** Appends payload bytes `source[start, end)`: copied when short, else queued as a view (not copied). */
  bytes(source: Uint8Array, start: number, end: number): void {
    const n = end - start;
    if (n >= VIEW_THRESHOLD) {
      this.reserve(0);
      this.closeSegment();
      this.segments.push(source.subarray(start, end));
      this.pendingBytes += n;
      return;
    }
    const slab = this.reserve(n);
    slab.set(n === source.length ? source : source.subarray(start, end), this.at);
    this.at += n;
  }

  /** Appends one byte. */
  u8(value: number): void {
    const slab = this.reserve(1);
    slab[this.at++] = value;
  }

  /** Appends a 32-bit big-endian integer. */
  u32(value: number): void {
    const slab = this.reserve(4);
    slab.writeUInt32BE(value >>> 0, this.at);
    this.at += 4;
  }

  /** A SETTINGS frame with `[id, value, ...]`, or an ACK when `ack`. */
  settings(pairs: readonly number[], ack = false): void {
    this.frameHeader(ack ? 0 : pairs.length * 3, FrameType.SETTINGS, ack ? Flag.ACK : 0, 0);
    if (ack) return;
    for (let i = 0; i < pairs.length; i += 2) {
      const slab = this.reserve(6);
      slab.writeUInt16BE(pairs[i]!, this.at);
      slab.writeUInt32BE(pairs[i + 1]! >>> 0, this.at + 2);
      this.at += 6;
    }
  }

  /** A WINDOW_UPDATE frame. */
  windowUpdate(streamId: number, increment: number): void {
    this.frameHeader(4, FrameType.WINDOW_UPDATE, 0, streamId);
    this.u32(increment);
  }

  /** A PING frame with 8 opaque bytes `opaque[start, start + 8)`. */
  ping(opaque: Uint8Array, start: number, ack: boolean): void {
    this.frameHeader(8, FrameType.PING, ack ? Flag.ACK : 0, 0);
    const slab = this.reserve(8);
    for (let i = 0; i < 8; i++) slab[this.at + i] = opaque[start + i]!;
    this.at += 8;
  }

  /** An RST_STREAM frame. */
  rstStream(streamId: number, code: number): void {
    this.frameHeader(4, FrameType.RST_STREAM, 0, streamId);
    this.u32(code);
  }

  /** A GOAWAY frame. */
  goaway(lastStreamId: number, code: number, debug: string): void {
    const data = Buffer.from(debug, 'utf8');
    this.frameHeader(8 + data.length, FrameType.GOAWAY, 0, 0);
    this.u32(lastStreamId);
    this.u32(code);
    if (data.length > 0) this.bytes(data, 0, data.length);
  }

  /** Appends raw bytes (the connection preface). */
  raw(bytes: Uint8Array): void {
    this.bytes(bytes, 0, bytes.length);
  }

  /** Hands everything queued to the socket now (one write, or one corked batch). */
  flush(): void {
    this.scheduled = false;
    this.closeSegment();
    const segments = this.segments;
    this.pendingBytes = 0;
    if (segments.length === 0) return;
    this.segments = [];
    const socket = this.socket;
    if (socket.destroyed) return;
    this.writing += segments.length;
    if (segments.length === 1) {
      socket.write(segments[0]!, this.written);
      return;
    }
    socket.cork();
    for (const segment of segments) socket.write(segment, this.written);
    socket.uncork();
  }
}
