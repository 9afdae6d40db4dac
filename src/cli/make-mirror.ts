/**
 * `etcdts make-mirror [options] <destination>`, as etcdctl 3.4's (etcdctl/ctlv3/command/
 * make_mirror_command.go): copies the keys under `--prefix` of the source cluster (the global
 * `--endpoints`) to the destination cluster as of one revision, then applies every later change,
 * one transaction per source revision, until interrupted. Every 30 seconds it prints the number of
 * keys and changes copied so far (a bare number on its own line, as etcdctl).
 *
 * Flags as etcdctl's: `--prefix`, `--dest-prefix` (default: the same as `--prefix`),
 * `--no-dest-prefix` (copy to the root), `--dest-cacert`, `--dest-cert`, `--dest-key`,
 * `--dest-insecure-transport` (default true; false: TLS for a `host:port` destination), and etcdctl
 * 3.5's `--dest-user` / `--dest-password` (a prompt `Destination Password: ` without one). One
 * extension, hidden from the help: `--progress-interval <duration>` (default 30s) sets the printing
 * interval.
 *
 * Here: the command, its flags and their checks; the mirroring (loaded when it runs): make-mirror-run.ts.
 */
import { Option, type Command } from 'commander';

import { CliError, EXIT_BAD_ARGS } from './exit.js';
import { flagError } from './global.js';
import { parseGoDuration } from './go-syntax.js';
import type { SessionRunner } from './kv.js';

/** Interval between the counts printed, in ms (etcdctl's 30 seconds). */
export const DEFAULT_PROGRESS_INTERVAL_MS = 30_000;

/** Flags of `etcdts make-mirror` as commander hands them over. */
export interface MakeMirrorFlags {
  prefix?: string;
  destCacert?: string;
  destCert?: string;
  destKey?: string;
  /** `--dest-user` (etcdctl 3.5): `name` or `name:password` for the destination. */
  destUser?: string;
  /** `--dest-password` (etcdctl 3.5): the destination password (then `--dest-user` is the name alone). */
  destPassword?: string;
  /** `--dest-insecure-transport` (default true); false with `--dest-insecure-transport=false`. */
  destInsecureTransport?: boolean;
  /** Hidden: `--progress-interval`, in ms. */
  progressInterval?: number;
}

function intervalFlag(value: string): number {
  try {
    return parseGoDuration(value);
  } catch (err) {
    throw flagError('progress-interval', value, err);
  }
}

/** Registers `etcdts make-mirror` on `program`. */
export function registerMakeMirrorCommand(program: Command, run: SessionRunner): void {
  // `--dest-prefix` and `--no-dest-prefix` share one commander attribute; their events tell both apart.
  let destPrefixFlag: string | undefined;
  let noDestPrefix = false;
  const command = program.command('make-mirror');
  command.on('option:dest-prefix', (value: string) => {
    destPrefixFlag = value;
  });
  command.on('option:no-dest-prefix', () => {
    noDestPrefix = true;
  });
  command
    .summary('Makes a mirror at the destination etcd cluster')
    .description(
      'Makes a mirror at the destination etcd cluster: copies the keys under --prefix as of now, then every ' +
        'later change, until interrupted. Prints the number of keys and changes copied every 30 seconds.',
    )
    .usage('[options] <destination>')
    .argument('[destination]', 'the destination cluster endpoint (host:port or URL)')
    .option('--prefix <prefix>', 'Key-value prefix to mirror')
    .option('--dest-prefix <prefix>', 'destination prefix to mirror a prefix to a different prefix in the destination cluster')
    .option('--no-dest-prefix', 'mirror key-values to the root of the destination cluster')
    .option('--dest-cert <file>', 'Identify secure client using this TLS certificate file for the destination cluster')
    .option('--dest-key <file>', 'Identify secure client using this TLS key file')
    .option('--dest-cacert <file>', 'Verify certificates of TLS enabled secure servers using this CA bundle')
    .option('--dest-user <user>', 'Destination username[:password] for authentication (prompt if password is not supplied)')
    .option('--dest-password <password>', 'Destination password for authentication (if this option is used, --dest-user option shouldn\'t include password)')
    .option('--dest-insecure-transport', 'Disable transport security for client connections (default true)')
    .addOption(new Option('--no-dest-insecure-transport', 'use TLS for a host:port destination').hideHelp())
    .addOption(new Option('--progress-interval <duration>', 'interval between the counts printed').argParser(intervalFlag).hideHelp())
    .allowExcessArguments(true)
    .action(async (_destination: unknown, flags: MakeMirrorFlags) => {
      await run(command, async (session) => {
        if (command.args.length !== 1) throw new CliError(EXIT_BAD_ARGS, 'make-mirror takes one destination argument');
        if (noDestPrefix && destPrefixFlag !== undefined && destPrefixFlag !== '') {
          throw new CliError(EXIT_BAD_ARGS, '`--dest-prefix` and `--no-dest-prefix` cannot be set at the same time, choose one');
        }
        const prefix = Buffer.from(flags.prefix ?? '', 'utf8');
        const destPrefix = noDestPrefix ? Buffer.alloc(0) : destPrefixFlag !== undefined && destPrefixFlag !== '' ? Buffer.from(destPrefixFlag, 'utf8') : prefix;
        const { runMirror } = await import('./run.js');
        await runMirror(session, command.args[0]!, flags, prefix, destPrefix);
      });
    });
}
