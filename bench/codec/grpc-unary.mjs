// A minimal gRPC unary call over one node:http2 session (the method of appendix C of
// shared/research/transport.md): one uncompressed length-prefixed message each way, status from
// the trailers or from a trailers-only response. Enough for a benchmark; not the project's transport.
import http2 from 'node:http2';

/** Opens one HTTP/2 session to `http://127.0.0.1:<port>` and resolves once connected. */
export function connect(port) {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`http://127.0.0.1:${port}`);
    session.once('connect', () => resolve(session));
    session.once('error', reject);
  });
}

/** Sends `body` to gRPC `path`; resolves with the response message (a Buffer view, no copy). */
export function unary(session, path, body) {
  return new Promise((resolve, reject) => {
    const stream = session.request({
      ':method': 'POST',
      ':path': path,
      'content-type': 'application/grpc',
      te: 'trailers',
    });
    const frame = Buffer.allocUnsafe(5 + body.length);
    frame[0] = 0;
    frame.writeUInt32BE(body.length, 1);
    frame.set(body, 5);
    stream.end(frame);
    const chunks = [];
    let size = 0;
    let status;
    let message = '';
    stream.on('response', (headers) => {
      if (headers['grpc-status'] !== undefined) {
        status = String(headers['grpc-status']);
        message = String(headers['grpc-message'] ?? '');
      }
    });
    stream.on('trailers', (trailers) => {
      status = String(trailers['grpc-status']);
      message = String(trailers['grpc-message'] ?? '');
    });
    stream.on('data', (chunk) => {
      chunks.push(chunk);
      size += chunk.length;
    });
    stream.on('error', reject);
    stream.on('end', () => {
      if (status !== '0') {
        reject(new Error(`gRPC ${path} status ${status}: ${decodeURIComponent(message)}`));
        return;
      }
      const all = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size);
      if (all.length < 5 || all[0] !== 0) {
        reject(new Error(`gRPC ${path}: malformed or compressed response`));
        return;
      }
      resolve(all.subarray(5, 5 + all.readUInt32BE(1)));
    });
  });
}
