/**
 * A stand-in for etcd's watch stream, for bench/watch-floor.ts: a plain TCP server that speaks just
 * enough HTTP/2 (RFC 9113) and gRPC to answer one `Watch.Watch` call with `created`, then with a
 * steady feed of one-event WatchResponses shaped like etcd's (header, a 32-byte key, a 256-byte
 * value, increasing revisions), `batch` responses per socket write at `rate` events/s, within the
 * client's flow-control windows. It runs in its own process (pinned to etcd's core), so the
 * client's CPU per event can be measured without etcd's timing in it. Not a test server: it checks
 * nothing and answers every other request with an empty OK.
 *
 * Usage (child of watch-floor.ts): node --import tsx bench/lib/watch-feed.ts '{"rate":10000,"batch":1}'
 * It prints `listening <port>` on stdout, then serves until its stdin closes.
 */
import { createServer, type Socket } from 'node:net';
import { WatchResponse } from '../../src/proto/gen/etcdserverpb/rpc.js';
import { encodeMessage } from '../../src/transport/framing.js';
import { HpackDecoder } from '../../src/transport/hpack/decoder.js';
import { benchValue } from './values.js';

/** What the feed is asked to do. */
export interface FeedJob {
  /** Events per second (0: as fast as the windows allow). */
  rate: number;
  /** WatchResponses per socket write. */
  batch: number;
}

const PREFACE_LENGTH = 24;
const DATA = 0x0;
const HEADERS = 0x1;
const SETTINGS = 0x4;
const WINDOW_UPDATE = 0x8;
const END_HEADERS = 0x4;
const ACK = 0x1;
const END_STREAM = 0x1;
/** HPACK: `:status: 200` (static index 8), `content-type: application/grpc` (literal, static name 31). */
const RESPONSE_HEADERS = Buffer.concat([Buffer.from([0x88, 0x0f, 0x10, 16]), Buffer.from('application/grpc')]);
/** HPACK: `grpc-status: 0` as a literal without indexing, new name. */
const OK_TRAILERS = Buffer.concat([Buffer.from([0x00, 11]), Buffer.from('grpc-status'), Buffer.from([1]), Buffer.from('0')]);
const WATCH_PATH = '/etcdserverpb.Watch/Watch';

function frame(type: number, flags: number, stream: number, payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(9 + payload.length);
  out.writeUIntBE(payload.length, 0, 3);
  out[3] = type;
  out[4] = flags;
  out.writeUInt32BE(stream, 5);
  out.set(payload, 9);
  return out;
}

/** One connection: the client's frames in, the feed out. */
function serve(socket: Socket, job: FeedJob): void {
  socket.setNoDelay(true);
  let input: Buffer = Buffer.alloc(0);
  const hpack = new HpackDecoder(4096, 1 << 20);
  let prefaceSeen = false;
  let watchStream = 0;
  let connWindow = 65_535;
  let streamWindow = 65_535;
  let initialWindow = 65_535;
  let revision = 1000;
  let sent = 0;
  let requests = 0;
  const t0 = performance.now();
  const key = Buffer.from('bench/watch/feed/000000000000000');
  const value = benchValue(256);
  const header = { clusterId: 0x1234567890abcdefn, memberId: 0x1122334455667788n, revision: 0n, raftTerm: 2n };

  const message = (): Buffer => {
    revision++;
    header.revision = BigInt(revision);
    const bytes = WatchResponse.encode({
      header,
      watchId: 0n,
      created: false,
      canceled: false,
      compactRevision: 0n,
      cancelReason: '',
      fragment: false,
      events: [{ type: 0, kv: { key, value, createRevision: 1000n, modRevision: BigInt(revision), version: BigInt(revision - 999), lease: 0n }, prevKv: undefined }],
    }).finish();
    return frame(DATA, 0, watchStream, encodeMessage(bytes));
  };

  let timer: NodeJS.Timeout | undefined;
  const pump = (): void => {
    timer = undefined;
    if (watchStream <= 0 || socket.destroyed) return;
    const due = job.rate === 0 ? Infinity : Math.floor(((performance.now() - t0) / 1000) * job.rate);
    while (sent < due && !socket.writableNeedDrain) {
      const parts: Buffer[] = [];
      for (let i = 0; i < job.batch; i++) {
        const f = message();
        const size = f.length - 9;
        if (size > connWindow || size > streamWindow) {
          revision--;
          break;
        }
        connWindow -= size;
        streamWindow -= size;
        parts.push(f);
      }
      if (parts.length === 0) return; // wait for WINDOW_UPDATE
      sent += parts.length;
      socket.write(parts.length === 1 ? parts[0]! : Buffer.concat(parts));
    }
    if (socket.writableNeedDrain) return; // 'drain' pumps again
    timer = setTimeout(pump, 1);
  };
  socket.on('drain', pump);

  socket.on('data', (chunk: Buffer) => {
    input = input.length === 0 ? chunk : Buffer.concat([input, chunk]);
    if (!prefaceSeen) {
      if (input.length < PREFACE_LENGTH) return;
      input = input.subarray(PREFACE_LENGTH);
      prefaceSeen = true;
      socket.write(frame(SETTINGS, 0, 0, Buffer.alloc(0)));
    }
    while (input.length >= 9) {
      const length = input.readUIntBE(0, 3);
      if (input.length < 9 + length) break;
      const type = input[3]!;
      const flags = input[4]!;
      const stream = input.readUInt32BE(5) & 0x7fffffff;
      const payload = input.subarray(9, 9 + length);
      input = input.subarray(9 + length);
      if (type === SETTINGS && (flags & ACK) === 0) {
        for (let at = 0; at + 6 <= payload.length; at += 6) {
          if (payload.readUInt16BE(at) === 0x4) {
            const v = payload.readUInt32BE(at + 2);
            streamWindow += v - initialWindow;
            initialWindow = v;
          }
        }
        socket.write(frame(SETTINGS, ACK, 0, Buffer.alloc(0)));
      } else if (type === WINDOW_UPDATE) {
        const increment = payload.readUInt32BE(0) & 0x7fffffff;
        if (stream === 0) connWindow += increment;
        else if (stream === watchStream) streamWindow += increment;
        if (timer === undefined) pump();
      } else if (type === HEADERS) {
        // (A client's header blocks fit one frame here: no CONTINUATION.)
        const fields = hpack.decode(payload, (flags & 0x20) !== 0 ? 5 : 0, payload.length);
        const path = fields[fields.indexOf(':path') + 1];
        if (watchStream === 0 && path === WATCH_PATH) {
          watchStream = stream;
          streamWindow = initialWindow;
          socket.write(frame(HEADERS, END_HEADERS, stream, RESPONSE_HEADERS));
          const created = WatchResponse.encode({ ...WatchResponse.fromPartial({ created: true, header }) }).finish();
          socket.write(frame(DATA, 0, stream, encodeMessage(created)));
          setTimeout(pump, 50);
        } else {
          socket.write(Buffer.concat([frame(HEADERS, END_HEADERS, stream, RESPONSE_HEADERS), frame(DATA, 0, stream, encodeMessage(new Uint8Array(0))), frame(HEADERS, END_HEADERS | END_STREAM, stream, OK_TRAILERS)]));
        }
      } else if (type === DATA && stream !== 0 && length > 0) {
        // Return the credit of what the client sent; a request after the create is its cancel:
        // confirm it and stop the feed.
        const credit = Buffer.allocUnsafe(4);
        credit.writeUInt32BE(length, 0);
        socket.write(Buffer.concat([frame(WINDOW_UPDATE, 0, 0, credit), frame(WINDOW_UPDATE, 0, stream, credit)]));
        if (stream === watchStream && requests++ > 0) {
          const canceled = WatchResponse.encode(WatchResponse.fromPartial({ canceled: true, header })).finish();
          socket.write(frame(DATA, 0, stream, encodeMessage(canceled)));
          watchStream = -1;
        }
      }
    }
  });
  socket.on('error', () => {});
  socket.on('close', () => clearTimeout(timer));
}

function main(): void {
  const job = JSON.parse(process.argv[2] ?? '{}') as FeedJob;
  const server = createServer((socket) => serve(socket, { rate: job.rate ?? 10_000, batch: job.batch ?? 1 }));
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    process.stdout.write(`listening ${typeof address === 'object' && address !== null ? address.port : 0}\n`);
  });
  process.stdin.on('end', () => process.exit(0));
  process.stdin.resume();
}

main();
