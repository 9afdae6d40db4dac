/**
 * `etcdts snapshot save|status|restore`, as etcdctl 3.4's.
 *
 * `snapshot save <filename>`: exactly one endpoint; the snapshot is
 * streamed to `<filename>.part`, its SHA-256 trailer checked, then renamed (see src/maintenance/snapshot.ts).
 * stdout gets etcdctl's `Snapshot saved at <filename>`; stderr gets etcdctl's log lines (as JSON,
 * with the checked SHA-256 added) and, when stderr is a terminal, a progress bar (cli-progress).
 * No deadline unless `--command-timeout` is given (a large database takes a while). Every failure
 * exits with 5, as etcdctl's.
 *
 * `snapshot status <filename>`: reads the file itself (src/snapshot-file: bbolt's integrity check,
 * then hash, revision, total keys and total size) and prints them as etcdctl does: `-w simple`
 * `hash, revision, total keys, total size` (`%x`, decimal, decimal, go-humanize), `-w json`
 * `{"hash":..,"revision":..,"totalKey":..,"totalSize":..}`, `-w fields`, `-w table`. Errors exit 1.
 *
 * `snapshot restore` writes an etcd data directory offline, a server-side operation that etcd 3.5
 * moved to etcdutl: etcdts says so and exits with 4.
 */
import type { Command } from 'commander';

import type { SnapshotStatus } from '../snapshot-file/index.js';
import { givenEndpoints } from './admin-args.js';
import { CliError, EXIT_BAD_ARGS, EXIT_BAD_FEATURE, EXIT_ERROR, EXIT_INTERRUPTED, errorText } from './exit.js';
import { ENV_PREFIX, requestTimeoutMs, resolveGlobalOptions, type GlobalFlags } from './global.js';
import { goStringSlice, humanizeBytes } from './go-format.js';
import type { SessionRunner } from './kv.js';

/** The line etcdts prints for `snapshot restore`. */
export const RESTORE_UNSUPPORTED =
  'snapshot restore is not supported by etcdts: it writes an etcd data directory offline (a server-side tool); ' +
  'use `etcdutl snapshot restore` (etcd 3.5+) or `etcdctl snapshot restore` (etcd 3.4)';

/** Registers `etcdts snapshot save|status|restore` on `program`. */
export function registerSnapshotCommands(program: Command, run: SessionRunner): void {
  const snapshot = program.command('snapshot').summary('Manages etcd node snapshots').description('Manages etcd node snapshots');

  snapshot
    .command('status')
    .summary('Gets backend snapshot status of a given file')
    .description(
      'Gets backend snapshot status of a given file, read offline (no etcd needed).\n' +
        'When --write-out is set to simple, this command prints out comma-separated status lists for each endpoint.\n' +
        'The items in the lists are hash, revision, total keys, total size.',
    )
    .argument('[filename]', 'the snapshot file')
    .allowExcessArguments(true)
    .action(async (_file: unknown, _flags: unknown, command: Command) => {
      if (command.args.length !== 1) throw new CliError(EXIT_BAD_ARGS, 'snapshot status requires exactly one argument');
      const { adminFormat, printSnapshotStatus, snapshotStatus, unsupported } = await import('./run.js');
      const format = adminFormat(resolveGlobalOptions(command.optsWithGlobals() as GlobalFlags).writeOut);
      if (format === 'protobuf') throw unsupported(format);
      let st: SnapshotStatus;
      try {
        st = snapshotStatus(command.args[0]!);
      } catch (err) {
        throw new CliError(EXIT_ERROR, errorText(err));
      }
      process.stdout.write(await printSnapshotStatus(format, st));
    });

  snapshot
    .command('restore')
    .summary('Not supported by etcdts: use etcdutl snapshot restore')
    .description(`${RESTORE_UNSUPPORTED}.`)
    .allowUnknownOption(true)
    .allowExcessArguments(true)
    .action(() => {
      throw new CliError(EXIT_BAD_FEATURE, RESTORE_UNSUPPORTED);
    });

  snapshot
    .command('save')
    .summary('Stores an etcd node backend snapshot to a given file')
    .description(
      'Stores an etcd node backend snapshot to a given file (etcd Maintenance.Snapshot), checking the\n' +
        "SHA-256 etcd appends. Restore it with `etcdctl snapshot restore` (or etcdutl).",
    )
    .argument('[filename]', 'the file to write')
    .allowExcessArguments(true)
    .action(async (_file: unknown, _flags: unknown, command: Command) => {
      await run(command, async (session) => {
        if (command.args.length !== 1) throw new CliError(EXIT_BAD_ARGS, 'snapshot save expects one argument');
        const path = command.args[0]!;
        const endpoints = givenEndpoints(command);
        if (endpoints.length !== 1) {
          throw new CliError(EXIT_INTERRUPTED, `snapshot must be requested to one selected node, not multiple ${goStringSlice(endpoints)}`);
        }
        const endpoint = endpoints[0]!;
        const { SNAPSHOT_PART_SUFFIX } = await import('./run.js');
        const timeout = commandTimeoutGiven(command) ? requestTimeoutMs(session.options) : undefined;
        // cli-progress is loaded only for a terminal (every command pays for what it loads at start).
        const cliProgress = process.stderr.isTTY ? (await import('cli-progress')).default : undefined;
        const bar = cliProgress ? new cliProgress.SingleBar({
          stream: process.stderr,
          format: 'snapshot [{bar}] {percentage}% | {value}/{total} bytes',
          hideCursor: true,
        }, cliProgress.Presets.shades_classic) : undefined;
        let barStarted = false;
        const started = process.hrtime.bigint();
        log('created temporary db file', { path: path + SNAPSHOT_PART_SUFFIX });
        log('fetching snapshot', { endpoint });
        try {
          const saved = await session.client().maintenance.saveSnapshot(path, {
            timeout,
            onProgress: bar === undefined ? undefined : (received, total) => {
              if (!barStarted) {
                bar.start(total, 0);
                barStarted = true;
              }
              bar.setTotal(total);
              bar.update(received);
            },
          });
          if (barStarted) bar?.stop();
          log('fetched snapshot', {
            endpoint,
            size: humanizeBytes(saved.size),
            took: Number(process.hrtime.bigint() - started) / 1e9,
            sha256: saved.sha256,
          });
          log('saved', { path });
        } catch (err) {
          if (barStarted) bar?.stop();
          throw new CliError(EXIT_INTERRUPTED, saveErrorText(err, path, SNAPSHOT_PART_SUFFIX));
        }
        session.write(`Snapshot saved at ${path}\n`);
      });
    });
}

/** Whether `--command-timeout` was given (flag or environment): etcdctl sets a deadline only then. */
function commandTimeoutGiven(command: Command): boolean {
  const flags = command.optsWithGlobals() as GlobalFlags;
  const env = process.env[`${ENV_PREFIX}COMMAND_TIMEOUT`];
  return flags.commandTimeout !== undefined || (env !== undefined && env !== '');
}

/** One etcdctl-style (zap JSON) info line on stderr. */
function log(msg: string, fields: Record<string, string | number>): void {
  process.stderr.write(`${JSON.stringify({ level: 'info', ts: Date.now() / 1000, msg, ...fields })}\n`);
}

/** etcdctl's text for a failed save; a part file (`path` + `partSuffix`) that cannot be created in Go's words. */
function saveErrorText(err: unknown, path: string, partSuffix: string): string {
  const e = err as NodeJS.ErrnoException;
  if (e instanceof Error && e.syscall === 'open' && typeof e.path === 'string' && e.path.endsWith(partSuffix)) {
    const reason = /^[A-Z0-9]+: ([^,]+),/.exec(e.message)?.[1] ?? e.message;
    return `could not open ${path}${partSuffix} (open ${e.path}: ${reason})`;
  }
  return errorText(err);
}
