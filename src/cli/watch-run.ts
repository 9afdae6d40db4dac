/**
 * The running part of `etcdts watch` (watch.ts parses its command line): prints a watch's
 * responses in the `-w` format, runs the exec command per event, and `watch -i`'s loop over stdin.
 */
import { EtcdError } from '../errors/index.js';
import type { Watcher } from '../watch/watch.js';
import { CliError, EXIT_ERROR, EXIT_INVALID_INPUT, errorText } from './exit.js';
import { runCommand } from './exec-command.js';
import type { PrinterFormat } from './global.js';
import { goQuote } from './go-syntax.js';
import type { CliSession } from './session.js';
import { stdinLines } from './stdin.js';
import { parseInteractiveLine, watchRequest, type WatchRequest } from './watch.js';
import { printWatchResponse } from './watch-printer.js';

/** The environment etcdctl adds for an event's command (Go's `%d` and `%q`). */
function eventEnv(revision: number, type: 'put' | 'delete', key: Uint8Array, value: Uint8Array): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ETCD_WATCH_REVISION: String(revision),
    ETCD_WATCH_EVENT_TYPE: type === 'put' ? '"PUT"' : '"DELETE"',
    ETCD_WATCH_KEY: goQuote(key),
    ETCD_WATCH_VALUE: goQuote(value),
  };
}

/** Go's `%q` of a string slice: `["echo" "hello"]`. */
function goQuoteSlice(args: readonly string[]): string {
  return `[${args.map((a) => goQuote(a)).join(' ')}]`;
}

/**
 * Prints a watch's responses until it ends, running `execArgs` per event. Resolves when the stream
 * ends (the server cancelled it: `watch was canceled (...)` printed on stderr); rethrows other
 * errors. A failing command is a `CliError` (exit 1) after etcdctl's `command [...] error (...)` line.
 */
export async function printWatch(session: CliSession, watcher: Watcher, execArgs: readonly string[], format: PrinterFormat): Promise<void> {
  let canceled = false;
  try {
    for await (const resp of watcher) {
      if (resp.created) continue;
      if (resp.canceled) canceled = true;
      if (resp.isProgressNotify) session.write(`progress notify: ${resp.header.revision}\n`);
      session.write(printWatchResponse(format, resp, session.options.hex));
      if (execArgs.length === 0) continue;
      for (const ev of resp.events) {
        try {
          await runCommand(execArgs[0]!, execArgs.slice(1), eventEnv(resp.header.revision, ev.type, ev.kv.key, ev.kv.value));
        } catch (err) {
          process.stderr.write(`command ${goQuoteSlice(execArgs)} error (${errorText(err)})\n`);
          throw new CliError(EXIT_ERROR, 'watch command failed', { quiet: true });
        }
      }
    }
  } catch (err) {
    if (!canceled || err instanceof CliError) throw err;
    const reason = err instanceof EtcdError ? err.details : err instanceof Error ? err.message : String(err);
    process.stderr.write(`watch was canceled (${reason})\n`);
  }
}

/** `watch -i`: one watch per `watch` line, side by side, until stdin ends (then exit 3, as etcdctl). */
export async function interactiveWatch(session: CliSession, envKey: { key: string; rangeEnd: string }, format: PrinterFormat): Promise<void> {
  const client = session.client();
  const nextLine = stdinLines();
  const watchers = new Set<Watcher>();
  let failure: unknown;
  let fail: (err: unknown) => void = () => {};
  const failed = new Promise<never>((_, reject) => {
    fail = reject;
  });
  failed.catch(() => undefined);
  for (;;) {
    const line = await Promise.race([nextLine(), failed]).catch((err: unknown) => {
      failure = err;
      return undefined;
    });
    if (failure !== undefined) throw failure;
    if (line === undefined) throw new CliError(EXIT_INVALID_INPUT, 'Error reading watch request line: EOF');
    const parsed = parseInteractiveLine(line, envKey);
    if (parsed.kind === 'invalid') {
      process.stderr.write(`${parsed.message}\n`);
      continue;
    }
    if (parsed.kind === 'progress') {
      // One request on the client's shared watch stream reaches every watch.
      watchers.values().next().value?.requestProgress();
      continue;
    }
    let req: WatchRequest;
    try {
      req = watchRequest(parsed.line.watchArgs, parsed.flags);
    } catch (err) {
      process.stderr.write(`Invalid command ${line} (${errorText(err)})\n`);
      continue;
    }
    const watcher = client.watch(req.key, req.options);
    watchers.add(watcher);
    printWatch(session, watcher, parsed.line.execArgs, format)
      .catch((err: unknown) => {
        if (err instanceof CliError) fail(err);
        else process.stderr.write(`watch ended (${errorText(err)})\n`);
      })
      .finally(() => watchers.delete(watcher));
  }
}
