/**
 * `etcdts watch`, as etcdctl's (3.4, plus 3.5's `--progress-notify`): watches a key, a range or a
 * prefix (etcd `Watch.Watch`) and prints every event until interrupted, in the `-w` format (see
 * watch-printer.ts).
 *
 * - `watch [options] [key] [range_end] [--] [exec-command arg1 arg2 ...]`: with a command after
 *   `--`, runs it once per event (in order, each run ending before the next), with
 *   `ETCD_WATCH_REVISION`, `ETCD_WATCH_EVENT_TYPE`, `ETCD_WATCH_KEY` and `ETCD_WATCH_VALUE` (Go-quoted,
 *   as etcdctl sets them) added to its environment; a failing command ends etcdts with exit 1.
 * - The key (and range end) may come from `ETCDCTL_WATCH_KEY` / `ETCDCTL_WATCH_RANGE_END`; then no
 *   key may be given before `--`.
 * - `watch -i` (interactive): reads commands from stdin, one per line: `watch [options] key
 *   [range_end] [-- cmd ...]` starts a watch (they run side by side), `progress` asks etcd for a
 *   progress notification. The end of stdin ends etcdts (exit 3), as etcdctl.
 * - When the server cancels the watch (e.g. `--rev` compacted) it prints `watch was canceled
 *   (<reason>)` on stderr and exits with etcdctl's code 5.
 *
 * Here: the command line and its checks; the watching and printing: watch-run.ts.
 */
import { Buffer } from 'node:buffer';

import type { Command } from 'commander';

import type { WatchOptions } from '../watch/watch.js';
import { CliError, EXIT_BAD_ARGS, EXIT_INTERRUPTED } from './exit.js';
import { checkPrinterFormat, int64Flag } from './global.js';
import { goQuote } from './go-syntax.js';
import type { SessionRunner } from './kv.js';
import { FlagError, argify, parseFlags, type FlagKind } from './line-args.js';

/** Flags of `etcdts watch` as commander hands them over. */
export interface WatchFlags {
  /** `-i, --interactive`: read watch commands from stdin. */
  interactive?: boolean;
  /** `--prefix`: watch every key starting with the key. */
  prefix?: boolean;
  /** `--rev`: the revision to start from (0 = new events only). */
  rev?: bigint;
  /** `--prev-kv`: print each event's previous pair. */
  prevKv?: boolean;
  /** `--progress-notify`: ask etcd for periodic progress notifications. */
  progressNotify?: boolean;
}

/** What `etcdts watch` watches: the key, and the options from its range end and flags. */
export interface WatchRequest {
  key: string;
  options: WatchOptions;
}

/** A watch to start: what to watch and the command to run per event (empty: none). */
export interface WatchCommandLine {
  /** The key and range end (as etcdctl's `watchArgs`; more than two: the rest is ignored, as etcdctl). */
  watchArgs: string[];
  /** The command and its arguments after `--`; empty without one. */
  execArgs: string[];
}

const errBadArgsNum = (): CliError => new CliError(EXIT_BAD_ARGS, 'bad number of arguments');
const errConflictEnv = (): CliError => new CliError(EXIT_BAD_ARGS, 'bad number of arguments (found conflicting environment key)');
const errSeparator = (): CliError => new CliError(EXIT_BAD_ARGS, 'bad number of arguments (found separator --, but no commands)');

/** `ETCDCTL_WATCH_KEY` and `ETCDCTL_WATCH_RANGE_END` ('' when unset); a range end without a key is an error (exit 128). */
export function watchEnv(env: NodeJS.ProcessEnv = process.env): { key: string; rangeEnd: string } {
  const key = env['ETCDCTL_WATCH_KEY'] ?? '';
  const rangeEnd = env['ETCDCTL_WATCH_RANGE_END'] ?? '';
  if (key === '' && rangeEnd !== '') {
    throw new CliError(EXIT_BAD_ARGS, `ETCDCTL_WATCH_KEY is empty but got ETCDCTL_WATCH_RANGE_END=${goQuote(rangeEnd)}`);
  }
  return { key, rangeEnd };
}

/** The environment key (and range end) followed by `args`, or `args` when there is no environment key. */
function withEnvKey(args: readonly string[], envKey: { key: string; rangeEnd: string }): string[] {
  if (envKey.key === '') return [...args];
  return [envKey.key, ...(envKey.rangeEnd !== '' ? [envKey.rangeEnd] : []), ...args];
}

/**
 * Splits `watch`'s command line as etcdctl does. `rawArgs`: the arguments after `watch` as typed
 * (flags, `--` and all); `positional`: the parsed positional arguments (those after `--` included).
 * Throws `CliError` (exit 128) with etcdctl's texts: `--` last, no key, a key given both before
 * `--` and in `ETCDCTL_WATCH_KEY`.
 */
export function parseWatchCommandLine(
  rawArgs: readonly string[],
  positional: readonly string[],
  envKey: { key: string; rangeEnd: string },
): WatchCommandLine {
  const sep = rawArgs.indexOf('--');
  if (sep >= 0 && sep === rawArgs.length - 1) throw errSeparator();
  const execArgs = sep >= 0 ? rawArgs.slice(sep + 1) : [];
  const keyArgs = positional.slice(0, positional.length - execArgs.length);
  if (envKey.key !== '' && keyArgs.length > 0) throw errConflictEnv();
  const watchArgs = withEnvKey(keyArgs, envKey);
  if (watchArgs.length < 1) throw errBadArgsNum();
  return { watchArgs, execArgs };
}

/**
 * The key and options of a watch from its `watchArgs` and flags, with etcdctl's checks and
 * messages. Throws `CliError` (exit 128): no key, a range end with `--prefix`, a revision beyond
 * 2^53 - 1.
 */
export function watchRequest(watchArgs: readonly string[], flags: WatchFlags): WatchRequest {
  if (watchArgs.length < 1) throw errBadArgsNum();
  const options: WatchOptions = {};
  if (watchArgs.length >= 2) {
    if (flags.prefix) throw new CliError(EXIT_BAD_ARGS, '`range_end` and `--prefix` are mutually exclusive');
    options.rangeEnd = watchArgs[1]!;
  }
  if (flags.prefix) options.prefix = true;
  if (flags.prevKv) options.prevKv = true;
  if (flags.progressNotify) options.progressNotify = true;
  const rev = flags.rev ?? 0n;
  if (rev > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new CliError(EXIT_BAD_ARGS, `revision ${rev} is beyond the exact range of a JavaScript number (2^53 - 1)`);
  }
  if (rev > 0n) options.startRevision = Number(rev);
  return { key: watchArgs[0]!, options };
}

/** The flags a `watch` line of `watch -i` takes (those of the command). */
const LINE_FLAGS: Readonly<Record<string, FlagKind>> = {
  interactive: 'bool',
  prefix: 'bool',
  rev: 'int',
  'prev-kv': 'bool',
  'progress-notify': 'bool',
};

/** What one line of `watch -i` asks for. */
export type InteractiveLine =
  | { kind: 'watch'; line: WatchCommandLine; flags: WatchFlags }
  | { kind: 'progress' }
  /** A line etcdctl rejects and goes on: `message` goes to stderr. */
  | { kind: 'invalid'; message: string };

/**
 * Parses one line of `watch -i` as etcdctl does. Lines it reports and skips come back as
 * `invalid` (with etcdctl's message); errors that end etcdctl are thrown as `CliError` (exit 128:
 * a bad flag, `--` last, no key, a key both on the line and in `ETCDCTL_WATCH_KEY`; exit 3: a bad
 * quoted argument).
 */
export function parseInteractiveLine(line: string, envKey: { key: string; rangeEnd: string }): InteractiveLine {
  const args = argify(line).map((b) => b.toString('utf8'));
  if (args.length < 1) return { kind: 'invalid', message: `Invalid command: ${line} (watch and progress supported)` };
  if (args[0] === 'progress') return { kind: 'progress' };
  if (args[0] !== 'watch') return { kind: 'invalid', message: `Invalid command ${line} (only support watch)` };
  if (args.length < 2 && envKey.key === '') {
    return { kind: 'invalid', message: `Invalid command ${line} (command type or key is not provided)` };
  }
  const rest = args.slice(1).map((a) => (a === '-i' ? '--interactive' : a));
  const sep = rest.indexOf('--');
  if (sep >= 0 && sep === rest.length - 1) throw errSeparator();
  const before = sep >= 0 ? rest.slice(0, sep) : rest;
  const execArgs = sep >= 0 ? rest.slice(sep + 1) : [];
  let parsed: ReturnType<typeof parseFlags>;
  try {
    parsed = parseFlags(before.map((a) => Buffer.from(a, 'utf8')), LINE_FLAGS);
  } catch (err) {
    if (err instanceof FlagError) throw new CliError(EXIT_BAD_ARGS, err.message);
    throw err;
  }
  const positional = parsed.args.map((b) => b.toString('utf8'));
  if (sep < 0 && envKey.key === '' && positional.length < 1) throw errBadArgsNum();
  if (sep < 0 && envKey.key !== '' && positional.length > 0) throw errConflictEnv();
  const f = parsed.flags;
  const flags: WatchFlags = {};
  if (f['prefix'] === true) flags.prefix = true;
  if (f['prevKv'] === true) flags.prevKv = true;
  if (f['progressNotify'] === true) flags.progressNotify = true;
  if (typeof f['rev'] === 'bigint') flags.rev = f['rev'];
  return { kind: 'watch', line: { watchArgs: withEnvKey(positional, envKey), execArgs }, flags };
}

/** The arguments typed after the `watch` command word (etcdctl looks for the first `watch` in os.Args). */
function argsAfterCommand(command: Command): string[] {
  let root = command;
  while (root.parent) root = root.parent;
  const raw = (root as unknown as { rawArgs?: string[] }).rawArgs ?? [];
  let at = raw.indexOf(command.name());
  if (at < 0) at = raw.findIndex((a) => a !== '' && !a.startsWith('-') && command.name().startsWith(a));
  return at < 0 ? [...command.args] : raw.slice(at + 1);
}

/** Registers `etcdts watch` on `program`. */
export function registerWatchCommand(program: Command, run: SessionRunner): void {
  program
    .command('watch')
    .summary('Watches events stream on keys or prefixes')
    .description(
      'Watches events stream on keys or prefixes [key, range_end) (etcd Watch.Watch), until interrupted.\n' +
        'The key may also come from ETCDCTL_WATCH_KEY (and ETCDCTL_WATCH_RANGE_END).\n' +
        'After --, a command to run for each event, with ETCD_WATCH_REVISION, ETCD_WATCH_EVENT_TYPE,\n' +
        'ETCD_WATCH_KEY and ETCD_WATCH_VALUE in its environment:  watch [options] key [range_end] -- cmd args\n' +
        'With -i, watch commands are read from stdin, one per line ("watch [options] key ...", "progress").',
    )
    .usage('[options] [key or prefix] [range_end] [--] [exec-command arg1 arg2 ...]')
    .argument('[key]', 'the key, or the prefix with --prefix')
    .argument('[range_end]', 'the end of the range (exclusive)')
    .option('-i, --interactive', 'Interactive mode')
    .option('--prefix', 'Watch on a prefix if prefix is set')
    .option('--rev <revision>', 'Revision to start watching', int64Flag('rev'))
    .option('--prev-kv', 'get the previous key-value pair before the event happens')
    .option('--progress-notify', 'get periodic watch progress notification from server')
    .allowExcessArguments(true)
    .action(async (_key: unknown, _end: unknown, flags: WatchFlags, command: Command) => {
      const envKey = watchEnv();
      const line = flags.interactive ? undefined : parseWatchCommandLine(argsAfterCommand(command), command.args, envKey);
      await run(command, async (session) => {
        const format = checkPrinterFormat(session.options.writeOut);
        const { interactiveWatch, printWatch } = await import('./run.js');
        if (line === undefined) {
          await interactiveWatch(session, envKey, format);
          return;
        }
        const client = session.client();
        const req = watchRequest(line.watchArgs, flags);
        await printWatch(session, client.watch(req.key, req.options), line.execArgs, format);
        throw new CliError(EXIT_INTERRUPTED, 'watch is canceled by the server');
      });
    });
}
