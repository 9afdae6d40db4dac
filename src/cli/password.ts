/**
 * Passwords read from standard input the way etcdctl reads them:
 *
 * - {@link askPassword}: a prompt on stdout, then one line read without echo when stdin is a
 *   terminal, then a newline (Go's `speakeasy.Ask`, which etcdctl uses for `--user NAME` and the
 *   interactive `user add` / `user passwd`). When stdin is not a terminal the line is read as it
 *   is, after the same prompt, as etcdctl does.
 * - {@link scanWord}: one whitespace-delimited word (Go's `fmt.Scanf("%s")`, etcdctl's
 *   `--interactive=false`).
 *
 * Reads are synchronous and byte by byte, like Go's unbuffered reads of `os.Stdin`: a prompt can be
 * answered at the moment the client is made (which is synchronous), and nothing past the line is
 * consumed, so later reads of stdin (e.g. a second prompt) get the rest.
 */
import { Buffer } from 'node:buffer';
import { readSync } from 'node:fs';

import { CliError, EXIT_BAD_ARGS, EXIT_INTERRUPTED } from './exit.js';

/** File descriptor of standard input. */
const STDIN_FD = 0;
/** Pause between reads while stdin (non-blocking) has no data yet, ms. */
const EMPTY_READ_PAUSE_MS = 10;

const sleeper = new Int32Array(new SharedArrayBuffer(4));
const one = Buffer.alloc(1);

/** The next byte of stdin, or undefined at its end. Waits (synchronously) while none is available. */
function readByte(): number | undefined {
  for (;;) {
    try {
      return readSync(STDIN_FD, one, 0, 1, null) === 0 ? undefined : one[0];
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') {
        Atomics.wait(sleeper, 0, 0, EMPTY_READ_PAUSE_MS);
        continue;
      }
      if (code === 'EOF') return undefined;
      throw error;
    }
  }
}

/** Where a password line comes from: tests replace it. */
export interface ByteSource {
  /** The next byte, or undefined at the end of input. */
  next(): number | undefined;
  /** Whether input is a terminal (then it is read without echo). */
  readonly isTTY: boolean;
}

const stdinSource: ByteSource = {
  next: readByte,
  get isTTY(): boolean {
    return process.stdin.isTTY === true;
  },
};

/**
 * One line without its `\n` (UTF-8). At the end of input, what was read so far (maybe '').
 * On a terminal (raw mode, no echo): Enter ends the line, Backspace deletes, Ctrl-C interrupts.
 */
export function readLine(source: ByteSource = stdinSource): string {
  const bytes: number[] = [];
  for (;;) {
    const b = source.next();
    if (b === undefined || b === 0x0a) break;
    if (source.isTTY) {
      if (b === 0x0d || b === 0x04) break; // Enter, Ctrl-D
      if (b === 0x03) throw new CliError(EXIT_INTERRUPTED, 'interrupted');
      if (b === 0x7f || b === 0x08) {
        // Backspace: drop the last character (with its UTF-8 continuation bytes).
        while (bytes.length > 0 && (bytes[bytes.length - 1]! & 0xc0) === 0x80) bytes.pop();
        bytes.pop();
        continue;
      }
    }
    bytes.push(b);
  }
  return Buffer.from(bytes).toString('utf8');
}

/**
 * Prints `prompt` on stdout, reads one line (without echo on a terminal) and prints a newline,
 * as etcdctl's `speakeasy.Ask`. Returns the line (maybe '').
 */
export function askPassword(prompt: string, source: ByteSource = stdinSource, write: (text: string) => void = writeStdout): string {
  // Echo goes off before the prompt shows, so that nothing typed after it can be echoed.
  const tty = source === stdinSource && source.isTTY ? process.stdin : undefined;
  tty?.setRawMode(true);
  write(prompt);
  try {
    return readLine(source);
  } finally {
    tty?.setRawMode(false);
    write('\n');
  }
}

/**
 * etcdctl's `readPasswordInteractive(name)`: asks twice (`Password of NAME: `, then `Type
 * password of NAME again for confirmation: `). Throws `CliError` (exit 128) with etcdctl's text for
 * an empty password (`empty password`) or two different ones (`given passwords are different`).
 */
export function askNewPassword(name: string, source: ByteSource = stdinSource, write: (text: string) => void = writeStdout): string {
  const first = askPassword(`Password of ${name}: `, source, write);
  if (first === '') throw new CliError(EXIT_BAD_ARGS, 'empty password');
  const second = askPassword(`Type password of ${name} again for confirmation: `, source, write);
  if (first !== second) throw new CliError(EXIT_BAD_ARGS, 'given passwords are different');
  return first;
}

/**
 * One word, as Go's `fmt.Scanf("%s")`: spaces and tabs before it skipped; it ends at a space, tab,
 * `\r`, newline or the end of input. '' when the line is empty (Go's "unexpected newline").
 */
export function scanWord(source: ByteSource = stdinSource): string {
  const bytes: number[] = [];
  for (;;) {
    const b = source.next();
    if (b === undefined || b === 0x0a) break;
    const blank = b === 0x20 || b === 0x09 || b === 0x0d;
    if (blank) {
      if (bytes.length === 0 && b !== 0x0d) continue;
      break;
    }
    bytes.push(b);
  }
  return Buffer.from(bytes).toString('utf8');
}

function writeStdout(text: string): void {
  process.stdout.write(text);
}
