/**
 * `etcdts watch [key] [range_end]`, as etcdctl 3.4's: watches a key, a range or a prefix (etcd
 * `Watch.Watch`) and prints every event until interrupted, in the `-w` format (see
 * watch-printer.ts). Flags `--prefix`, `--rev`, `--prev-kv`, and `--progress-notify` (etcdctl 3.5's:
 * prints `progress notify: <revision>` for each progress notification). The key may come from
 * `ETCDCTL_WATCH_KEY` / `ETCDCTL_WATCH_RANGE_END`. When the server cancels the watch (e.g. `--rev`
 * compacted) it prints `watch was canceled (<reason>)` on stderr and exits with etcdctl's code 5.
 * etcdctl's interactive mode (`-i`) and exec command (`-- cmd`) are not supported.
 */
import type { Command } from 'commander';

import { EtcdError } from '../errors.js';
import type { WatchOptions } from '../watch.js';
import { CliError, EXIT_BAD_ARGS, EXIT_INTERRUPTED } from './exit.js';
import { checkOutputFormat, int64Flag } from './global.js';
import { goQuote } from './go-syntax.js';
import type { SessionRunner } from './kv.js';
import { printWatchResponse } from './watch-printer.js';

/** Flags of `etcdts watch` as commander hands them over. */
export interface WatchFlags {
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

/**
 * The key and options of `etcdts watch` from its arguments, flags and the `ETCDCTL_WATCH_KEY` /
 * `ETCDCTL_WATCH_RANGE_END` variables, with etcdctl's checks and messages. Throws `CliError`
 * (exit 128): no key, a key both in the arguments and the environment, a range end with
 * `--prefix`, a revision beyond 2^53 - 1.
 */
export function watchRequest(args: readonly string[], flags: WatchFlags, env: NodeJS.ProcessEnv = process.env): WatchRequest {
  const envKey = env['ETCDCTL_WATCH_KEY'] ?? '';
  const envRange = env['ETCDCTL_WATCH_RANGE_END'] ?? '';
  if (envKey === '' && envRange !== '') {
    throw new CliError(EXIT_BAD_ARGS, `ETCDCTL_WATCH_KEY is empty but got ETCDCTL_WATCH_RANGE_END=${goQuote(envRange)}`);
  }
  if (envKey !== '' && args.length > 0) throw new CliError(EXIT_BAD_ARGS, 'bad number of arguments (found conflicting environment key)');
  const watchArgs = envKey !== '' ? (envRange !== '' ? [envKey, envRange] : [envKey]) : args;
  if (watchArgs.length < 1) throw new CliError(EXIT_BAD_ARGS, 'bad number of arguments');
  const options: WatchOptions = {};
  if (watchArgs.length === 2) {
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

/** Registers `etcdts watch` on `program`. */
export function registerWatchCommand(program: Command, run: SessionRunner): void {
  program
    .command('watch')
    .summary('Watches events stream on keys or prefixes')
    .description(
      'Watches events stream on keys or prefixes [key, range_end) (etcd Watch.Watch), until interrupted.\n' +
        'The key may also come from ETCDCTL_WATCH_KEY (and ETCDCTL_WATCH_RANGE_END).',
    )
    .argument('[key]', 'the key, or the prefix with --prefix')
    .argument('[range_end]', 'the end of the range (exclusive)')
    .option('--prefix', 'Watch on a prefix if prefix is set')
    .option('--rev <revision>', 'Revision to start watching', int64Flag('rev'))
    .option('--prev-kv', 'get the previous key-value pair before the event happens')
    .option('--progress-notify', 'get periodic watch progress notification from server')
    .allowExcessArguments(true)
    .action(async (_key: unknown, _end: unknown, flags: WatchFlags, command: Command) => {
      await run(command, async (session) => {
        const req = watchRequest(command.args, flags);
        const format = checkOutputFormat(session.options.writeOut);
        const hex = session.options.hex;
        let canceled = false;
        try {
          for await (const resp of session.client().watch(req.key, req.options)) {
            if (resp.created) continue;
            if (resp.canceled) canceled = true;
            if (resp.isProgressNotify) session.write(`progress notify: ${resp.header.revision}\n`);
            session.write(printWatchResponse(format, resp, hex));
          }
        } catch (err) {
          if (!canceled) throw err;
          const reason = err instanceof EtcdError ? err.details : err instanceof Error ? err.message : String(err);
          process.stderr.write(`watch was canceled (${reason})\n`);
        }
        throw new CliError(EXIT_INTERRUPTED, 'watch is canceled by the server');
      });
    });
}
