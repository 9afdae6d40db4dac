/**
 * A scripted HTTP/2 server on a plain TCP socket, for transport tests of what real servers do not
 * do on request: PING floods, malformed frames, peers closing mid-frame, byte-exact replies. It
 * speaks just enough HTTP/2: reads the client preface and frames, sends its SETTINGS and
 * acknowledges the client's, decodes request headers, and lets the test write any frame. Listens on
 * 127.0.0.1 only; `close()` destroys every socket.
 */
import { EventEmitter } from 'node:events';
import net from 'node:net';
import { FrameReader, type FrameHandler } from '../../src/transport/h2/frame-reader.js';
import { Flag, FrameType } from '../../src/transport/h2/frames.js';
import { HpackDecoder } from '../../src/transport/hpack/decoder.js';
import { encodeHeaderBlock } from '../../src/transport/hpack/encoder.js';

const PREFACE_LENGTH = 24;

/** Encodes one frame. */
export function frame(type: number, flags: number, streamId: number, payload: Uint8Array = new Uint8Array(0)): Buffer {
  const header = Buffer.alloc(9);
  header.writeUIntBE(payload.length, 0, 3);
  header[3] = type;
  header[4] = flags;
  header.writeUInt32BE(streamId, 5);
  return Buffer.concat([header, payload]);
}

/** A gRPC message: 5-byte prefix and body. */
export function grpcMessage(body: Uint8Array): Buffer {
  const prefix = Buffer.alloc(5);
  prefix.writeUInt32BE(body.length, 1);
  return Buffer.concat([prefix, body]);
}

/** One accepted connection. Events: `stream` (id, fields), `data` (id, bytes, endStream), `ping` (payload, ack), `goaway` (code, lastStreamId), `rst` (id, code), `frame` (type, flags, id). */
export class RawConnection extends EventEmitter implements FrameHandler {
  private prefaceLeft = PREFACE_LENGTH;
  private readonly reader = new FrameReader(this, 1 << 24);
  private readonly decoder = new HpackDecoder(4096, 1 << 24);
  private blockParts: Buffer[] = [];
  private dataStream = 0;
  private dataParts: Buffer[] = [];
  /** Bytes of DATA received per stream. */
  readonly received = new Map<number, number>();
  /** Stream ids of requests whose HEADERS arrived, in order. */
  readonly streams: number[] = [];

  constructor(readonly socket: net.Socket, settings: number[]) {
    super();
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer) => {
      let at = 0;
      if (this.prefaceLeft > 0) {
        at = Math.min(this.prefaceLeft, chunk.length);
        this.prefaceLeft -= at;
        if (at === chunk.length) return;
      }
      try {
        this.reader.push(chunk.subarray(at));
      } catch (error) {
        this.emit('parse-error', error);
        socket.destroy();
      }
    });
    this.settings(settings);
  }

  write(bytes: Uint8Array): void {
    if (!this.socket.destroyed) this.socket.write(bytes);
  }

  settings(pairs: number[]): void {
    const payload = Buffer.alloc(pairs.length * 3);
    for (let i = 0; i < pairs.length; i += 2) {
      payload.writeUInt16BE(pairs[i]!, i * 3);
      payload.writeUInt32BE(pairs[i + 1]!, i * 3 + 2);
    }
    this.write(frame(FrameType.SETTINGS, 0, 0, payload));
  }

  /** HEADERS with `fields` (`[name, value, ...]`). */
  headers(streamId: number, fields: string[], endStream = false): void {
    this.write(frame(FrameType.HEADERS, Flag.END_HEADERS | (endStream ? Flag.END_STREAM : 0), streamId, encodeHeaderBlock(fields)));
  }

  /** A complete OK response carrying `body` as its one message. */
  ok(streamId: number, body: Uint8Array): void {
    this.headers(streamId, [':status', '200', 'content-type', 'application/grpc']);
    this.write(frame(FrameType.DATA, 0, streamId, grpcMessage(body)));
    this.headers(streamId, ['grpc-status', '0'], true);
  }

  ping(payload: Buffer, ack = false): void {
    this.write(frame(FrameType.PING, ack ? Flag.ACK : 0, 0, payload));
  }

  onFrame(type: number, flags: number, streamId: number, payload: Buffer, start: number, end: number): void {
    const body = Buffer.from(payload.subarray(start, end));
    this.emit('frame', type, flags, streamId);
    switch (type) {
      case FrameType.SETTINGS:
        if ((flags & Flag.ACK) === 0) this.write(frame(FrameType.SETTINGS, Flag.ACK, 0));
        return;
      case FrameType.HEADERS:
      case FrameType.CONTINUATION:
        this.blockParts.push(body);
        if ((flags & Flag.END_HEADERS) !== 0) {
          const block = Buffer.concat(this.blockParts);
          this.blockParts = [];
          const fields = this.decoder.decode(block, 0, block.length);
          this.streams.push(streamId);
          this.emit('stream', streamId, fields);
        }
        return;
      case FrameType.PING:
        this.emit('ping', body, (flags & Flag.ACK) !== 0);
        return;
      case FrameType.GOAWAY:
        this.emit('goaway', body.readUInt32BE(4), body.readUInt32BE(0) & 0x7fffffff, body.subarray(8).toString());
        return;
      case FrameType.RST_STREAM:
        this.emit('rst', streamId, body.readUInt32BE(0));
        return;
      default:
    }
  }

  onDataStart(streamId: number): void {
    this.dataStream = streamId;
    this.dataParts = [];
  }

  onData(chunk: Buffer, start: number, end: number): void {
    this.dataParts.push(Buffer.from(chunk.subarray(start, end)));
    this.received.set(this.dataStream, (this.received.get(this.dataStream) ?? 0) + end - start);
  }

  onDataEnd(flags: number): void {
    this.emit('data', this.dataStream, Buffer.concat(this.dataParts), (flags & Flag.END_STREAM) !== 0);
  }
}

/** The server: `onConnection` gets each connection after its SETTINGS went out. */
export class RawH2Server {
  private readonly server: net.Server;
  readonly connections: RawConnection[] = [];
  private readonly sockets = new Set<net.Socket>();

  constructor(onConnection: (connection: RawConnection) => void, settings: number[] = []) {
    this.server = net.createServer((socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      const connection = new RawConnection(socket, settings);
      this.connections.push(connection);
      onConnection(connection);
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as net.AddressInfo).port;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
