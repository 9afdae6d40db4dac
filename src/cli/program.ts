/**
 * The `etcdts` program (start.ts runs it; the entries are bin.ts and main.ts): a command line
 * client for etcd v3 in the manner of etcdctl (3.4/3.5): the same commands, flags, `ETCDCTL_*`
 * environment defaults, output formats and exit codes, so scripts written for `etcdctl` work with
 * `etcdts`.
 *
 * Commands: put, get, del, txn, compaction, watch, lease, member, endpoint, snapshot, defrag, alarm,
 * move-leader, auth, user, role, lock, elect, make-mirror, check perf|datascale, version,
 * completion, demo; any unique prefix of a command's name names it (prefix-match.ts). Global flags:
 * --endpoints, --dial-timeout, --command-timeout, --keepalive-time, --keepalive-timeout, --debug,
 * -w/--write-out (simple, json, fields, protobuf; table where etcdctl prints it), --hex, and the
 * security flags --user, --password, --cacert, --cert, --key, --insecure-skip-tls-verify,
 * --insecure-transport.
 */
import { Command, CommanderError } from 'commander';

import { CliError, EXIT_ERROR, EXIT_SUCCESS, exitCodeOf, printError } from './exit.js';
import { registerDemoCommand } from './demo.js';
import {
  DEFAULT_COMMAND_TIMEOUT,
  DEFAULT_DIAL_TIMEOUT,
  DEFAULT_ENDPOINTS,
  DEFAULT_KEEPALIVE_TIME,
  DEFAULT_KEEPALIVE_TIMEOUT,
  DEFAULT_WRITE_OUT,
  collectEndpoints,
  flagError,
  resolveGlobalOptions,
  type GlobalFlags,
} from './global.js';
import { parseGoBool } from './go-syntax.js';
import { registerAuthCommands } from './auth.js';
import { registerCheckCommands } from './check.js';
import { registerSecurityFlags } from './security.js';
import { registerCompletionCommand } from './completion.js';
import { discoveredOptions, registerDiscoveryFlags, type DiscoveryFlags } from './discovery.js';
import { registerConcurrencyCommands } from './concurrency.js';
import { registerMakeMirrorCommand } from './make-mirror.js';
import { registerKvCommands, type SessionRunner } from './kv.js';
import { registerLeaseCommands } from './lease.js';
import { registerMaintenanceCommands } from './maintenance.js';
import { registerMemberCommands } from './member.js';
import { enablePrefixMatching } from './prefix-match.js';
import { registerTxnCommand } from './txn.js';
import { registerVersionCommand } from './version.js';
import { registerWatchCommand } from './watch.js';

/** Longest wait for the client to close after a command, in ms, before exiting anyway. */
const CLOSE_GRACE_MS = 2_000;

/**
 * The long names of every boolean flag of `program` and its commands (a commander option that
 * takes no argument), which pflag also accepts as `--flag=true|false` (commander does not).
 */
export function booleanFlags(program: Command): Set<string> {
  const names = new Set<string>();
  const visit = (command: Command): void => {
    for (const option of command.options) {
      // Negatable ones (`--no-x`) too: `--x=false` becomes `--no-x` where a default-true flag has one.
      if (!option.required && !option.optional && option.long !== undefined) names.add(option.long.slice(2));
    }
    for (const sub of command.commands) visit(sub);
  };
  visit(program);
  return names;
}

/**
 * Rewrites pflag spellings commander does not read: `--bool-flag=true|false` (true keeps the
 * flag, false drops it, or becomes `--no-bool-flag` when the flag has that negation, for flags on
 * by default like `--insecure-transport`) and `-w=json`. Stops at `--`. Throws `CliError` (exit 1) for a boolean
 * that does not parse, with pflag's message. `booleans`: the boolean flags' long names
 * (default: those of {@link buildProgram}).
 */
export function normalizeArgv(argv: readonly string[], booleans: ReadonlySet<string> = booleanFlags(buildProgram())): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      out.push(...argv.slice(i));
      break;
    }
    const bool = /^--([a-z-]+)=(.*)$/s.exec(arg);
    if (bool && booleans.has(bool[1]!)) {
      let on: boolean;
      try {
        on = parseGoBool(bool[2]!);
      } catch (err) {
        throw flagError(bool[1]!, bool[2]!, err);
      }
      if (on) out.push(`--${bool[1]}`);
      else if (booleans.has(`no-${bool[1]}`)) out.push(`--no-${bool[1]}`);
      continue;
    }
    const short = /^-w=(.*)$/s.exec(arg);
    if (short) {
      out.push('-w', short[1]!);
      continue;
    }
    out.push(arg);
  }
  return out;
}

/**
 * Runs one command body with a session built from the command's global flags; always closes it.
 * The session module, and with it the library, is loaded here: a command that fails on its
 * arguments, `version`, `completion` and `--help` never load it.
 */
const runWithSession: SessionRunner = async (command, body) => {
  const flags = command.optsWithGlobals() as GlobalFlags & DiscoveryFlags;
  const options = await discoveredOptions(resolveGlobalOptions(flags), flags);
  const { CliSession } = await import('./run.js');
  const session = new CliSession(options);
  try {
    await body(session);
  } finally {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      session.close().catch(() => undefined),
      new Promise((resolve) => {
        timer = setTimeout(resolve, CLOSE_GRACE_MS);
      }),
    ]);
    clearTimeout(timer);
  }
};

/** The `etcdts` program with every command registered. */
export function buildProgram(): Command {
  const program = new Command('etcdts');
  program
    .description('A command line client for etcd v3, compatible with etcdctl.')
    .option('--endpoints <list>', `gRPC endpoints, comma-separated (env ETCDCTL_ENDPOINTS; default ${DEFAULT_ENDPOINTS.join(',')})`, collectEndpoints)
    .option('--dial-timeout <duration>', `dial timeout for client connections (env ETCDCTL_DIAL_TIMEOUT; default ${DEFAULT_DIAL_TIMEOUT})`)
    .option('--command-timeout <duration>', `timeout for short running command (env ETCDCTL_COMMAND_TIMEOUT; default ${DEFAULT_COMMAND_TIMEOUT})`)
    .option('-w, --write-out <format>', `set the output format: simple, json, fields, protobuf, table (env ETCDCTL_WRITE_OUT; default ${DEFAULT_WRITE_OUT})`)
    .option('--hex', 'print byte strings as hex encoded strings (env ETCDCTL_HEX)')
    .option('--debug', 'enable client-side debug logging: the resolved flags, then the client\'s log, on stderr (env ETCDCTL_DEBUG)')
    .option('--keepalive-time <duration>', `keepalive time for client connections (env ETCDCTL_KEEPALIVE_TIME; default ${DEFAULT_KEEPALIVE_TIME}; below 10s means 10s, as in etcdctl)`)
    .option('--keepalive-timeout <duration>', `keepalive timeout for client connections (env ETCDCTL_KEEPALIVE_TIMEOUT; default ${DEFAULT_KEEPALIVE_TIMEOUT})`)
    .exitOverride()
    .configureOutput({ outputError: () => undefined })
    .showSuggestionAfterError(false);
  registerSecurityFlags(program);
  registerDiscoveryFlags(program);
  registerKvCommands(program, runWithSession);
  registerTxnCommand(program, runWithSession);
  registerWatchCommand(program, runWithSession);
  registerLeaseCommands(program, runWithSession);
  registerMemberCommands(program, runWithSession);
  registerMaintenanceCommands(program, runWithSession);
  registerAuthCommands(program, runWithSession);
  registerConcurrencyCommands(program, runWithSession);
  registerMakeMirrorCommand(program, runWithSession);
  registerCheckCommands(program, runWithSession);
  registerVersionCommand(program);
  registerCompletionCommand(program);
  registerDemoCommand(program);
  const quiet = (command: Command): void => {
    for (const sub of command.commands) {
      sub.exitOverride().configureOutput({ outputError: () => undefined });
      quiet(sub);
    }
  };
  quiet(program);
  enablePrefixMatching(program);
  return program;
}

/** etcdctl's (cobra's and pflag's) wording for commander's parse errors. */
function commanderErrorText(err: CommanderError): string {
  const quoted = /'([^']*)'/.exec(err.message)?.[1] ?? '';
  switch (err.code) {
    case 'commander.unknownOption':
      return `unknown flag: ${quoted}`;
    case 'commander.unknownCommand':
      return `unknown command "${quoted}" for "etcdts"\nRun 'etcdts --help' for usage.`;
    case 'commander.optionMissingArgument':
      return `flag needs an argument: ${quoted.split(' ')[0]!.split(',').pop()!.trim()}`;
    default:
      return err.message.replace(/^error: /, '');
  }
}

/**
 * Runs `etcdts` with `argv` (the arguments after the program name) and resolves to the exit
 * code. Errors are printed as etcdctl prints them: `Error: <message>` on stderr (nothing for a
 * quiet `CliError`, whose command has reported its failures itself).
 */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    const program = buildProgram();
    const args = normalizeArgv(argv, booleanFlags(program));
    if (args.length === 0) {
      process.stdout.write(program.helpInformation());
      return EXIT_SUCCESS;
    }
    await program.parseAsync(args, { from: 'user' });
    return EXIT_SUCCESS;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.help' || err.code === 'commander.version') {
        return EXIT_SUCCESS;
      }
      if (err.exitCode === 0) return EXIT_SUCCESS;
      process.stderr.write(`Error: ${commanderErrorText(err)}\n`);
      return EXIT_ERROR;
    }
    if (!(err instanceof CliError && err.quiet)) printError(err);
    return exitCodeOf(err);
  }
}

/** Runs `etcdts` with `argv` and ends the process with its exit code once stdout and stderr are written. */
export function runCli(argv: readonly string[]): void {
  void main(argv).then((code) => {
    // Exit once stdout and stderr have taken everything written (a pipe may still be draining).
    process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
  });
}
