/**
 * Standard input of `etcdts` commands: all of it (`put KEY` without a value), or line by line as
 * far as asked (`txn`, `watch -i`).
 */
import { Buffer } from 'node:buffer';

import { CliError, EXIT_IO } from './exit.js';

/** All of stdin as bytes (for `put KEY` without a value). Throws `CliError` (exit 6) on a read error. */
export async function readAllStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  } catch (err) {
    throw new CliError(EXIT_IO, `reading stdin: ${err instanceof Error ? err.message : String(err)}`);
  }
  return Buffer.concat(chunks);
}

/**
 * A line reader over stdin that reads only as far as asked (so `txn -i` can prompt between
 * sections): each call resolves to the next `\n`-terminated line (UTF-8, without the `\n`), or
 * `undefined` at the end of input, a final line without `\n` included (as etcdctl's reader).
 */
export function stdinLines(): () => Promise<string | undefined> {
  const iterator = process.stdin[Symbol.asyncIterator]();
  let pending: Buffer = Buffer.alloc(0);
  let ended = false;
  return async () => {
    for (;;) {
      const nl = pending.indexOf(0x0a);
      if (nl >= 0) {
        const line = pending.subarray(0, nl).toString('utf8');
        pending = pending.subarray(nl + 1);
        return line;
      }
      if (ended) return undefined;
      const { value, done } = await iterator.next();
      if (done) {
        ended = true;
        continue;
      }
      const chunk = typeof value === 'string' ? Buffer.from(value) : (value as Buffer);
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    }
  };
}
