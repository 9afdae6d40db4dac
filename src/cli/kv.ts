/**
 * The key-value commands of `etcdts`, as etcdctl's: `put`, `get`, `del`, `compaction`.
 * Arguments and flags are checked (see kv-args.ts) before anything is sent; output goes through
 * the printer of `-w/--write-out` (printer.ts, loaded with run.ts when a command runs).
 */
import type { Command } from 'commander';

import { CliError, EXIT_BAD_ARGS, EXIT_ERROR } from './exit.js';
import { checkPrinterFormat, int64Flag } from './global.js';
import { parseGoInt } from './go-syntax.js';
import { deleteRequest, getRequest, putReadsStdin, putRequest, type DelFlags, type GetFlags, type PutFlags } from './kv-args.js';
import type { CliSession } from './session.js';
import { readAllStdin } from './stdin.js';

/**
 * Runs a command's body with a session made from the command's global flags (program.ts loads the
 * session, and with it the library, only then).
 */
export type SessionRunner = (command: Command, body: (session: CliSession) => Promise<void>) => Promise<void>;


/** Registers `put`, `get`, `del` and `compaction` on `program`. */
export function registerKvCommands(program: Command, run: SessionRunner): void {
  program
    .command('put')
    .summary('Puts the given key into the store')
    .description(
      'Puts the given key into the store (etcd KV.Put).\n\n' +
        "When <value> begins with '-', it is taken for a flag: use `put <key> -- <value>`.\n" +
        "Without <value> (and without --ignore-value) the value is read from standard input:\n" +
        '  cat file | etcdts put <key>',
    )
    .argument('[key]', 'the key')
    .argument('[value]', 'the value (default: standard input)')
    .option('--lease <id>', 'lease ID (in hexadecimal) to attach to the key', '0')
    .option('--prev-kv', 'return the previous key-value pair before modification')
    .option('--ignore-value', 'updates the key using its current value')
    .option('--ignore-lease', 'updates the key using its current lease')
    .allowExcessArguments(true)
    .action(async (_key: unknown, _value: unknown, flags: PutFlags, command: Command) => {
      await run(command, async (session) => {
        const args = command.args;
        const stdin = args.length > 0 && putReadsStdin(args, flags) ? await readAllStdin() : undefined;
        const req = putRequest(args, flags, stdin);
        const { createPrinter } = await import('./run.js');
        const printer = createPrinter(session.options.writeOut, { hex: session.options.hex });
        const resp = await session.client().put(req.key, req.value, { ...req.options, ...session.callOptions() });
        session.write(printer.put(resp));
      });
    });

  program
    .command('get')
    .summary('Gets the key or a range of keys')
    .description('Gets the key or a range of keys [key, range_end) (etcd KV.Range).')
    .argument('[key]', 'the key, or the start of the range')
    .argument('[range_end]', 'the end of the range (exclusive)')
    .option('--consistency <l|s>', 'Linearizable(l) or Serializable(s)', 'l')
    .option('--order <order>', 'Order of results; ASCEND or DESCEND (ASCEND by default)')
    .option('--sort-by <target>', 'Sort target; CREATE, KEY, MODIFY, VALUE, or VERSION')
    .option('--limit <n>', 'Maximum number of results', int64Flag('limit'))
    .option('--prefix', 'Get keys with matching prefix')
    .option('--from-key', 'Get keys that are greater than or equal to the given key using byte compare')
    .option('--rev <revision>', 'Specify the kv revision', int64Flag('rev'))
    .option('--keys-only', 'Get only the keys')
    .option('--count-only', 'Get only the count (with --write-out=fields, as etcdctl)')
    .option('--print-value-only', 'Only write values when using the "simple" output format')
    .allowExcessArguments(true)
    .action(async (_key: unknown, _end: unknown, flags: GetFlags, command: Command) => {
      await run(command, async (session) => {
        const req = getRequest(command.args, flags);
        const { createPrinter } = await import('./run.js');
        const format = checkPrinterFormat(session.options.writeOut);
        if (flags.countOnly && format !== 'fields') {
          throw new CliError(EXIT_BAD_ARGS, '--count-only is only for `--write-out=fields`');
        }
        if (flags.printValueOnly && format !== 'simple') {
          throw new CliError(EXIT_BAD_ARGS, 'print-value-only is only for `--write-out=simple`');
        }
        const printer = createPrinter(format, { hex: session.options.hex, valueOnly: flags.printValueOnly ?? false });
        const resp = await session.client().get(req.key, { ...req.options, ...session.callOptions() });
        session.write(printer.get(resp));
      });
    });

  program
    .command('del')
    .summary('Removes the specified key or range of keys [key, range_end)')
    .description('Removes the specified key or range of keys [key, range_end) (etcd KV.DeleteRange).')
    .argument('[key]', 'the key, or the start of the range')
    .argument('[range_end]', 'the end of the range (exclusive)')
    .option('--prefix', 'delete keys with matching prefix')
    .option('--prev-kv', 'return deleted key-value pairs')
    .option('--from-key', 'delete keys that are greater than or equal to the given key using byte compare')
    .option('--range', 'delete range of keys (etcdctl 3.5: makes a range end explicit; accepted, with or without it the second argument is the range end)')
    .allowExcessArguments(true)
    .action(async (_key: unknown, _end: unknown, flags: DelFlags, command: Command) => {
      await run(command, async (session) => {
        const req = deleteRequest(command.args, flags);
        const { createPrinter } = await import('./run.js');
        const printer = createPrinter(session.options.writeOut, { hex: session.options.hex });
        const resp = await session.client().delete(req.key, { ...req.options, ...session.callOptions() });
        session.write(printer.del(resp));
      });
    });

  program
    .command('compaction')
    .summary('Compacts the event history in etcd')
    .description('Compacts the event history in etcd up to <revision> (etcd KV.Compact).')
    .argument('[revision]', 'the revision to compact to')
    .option('--physical', "'true' to wait for compaction to physically remove all old revisions")
    .allowExcessArguments(true)
    .action(async (_rev: unknown, flags: { physical?: boolean }, command: Command) => {
      await run(command, async (session) => {
        const args = command.args;
        if (args.length !== 1) throw new CliError(EXIT_BAD_ARGS, 'compaction command needs 1 argument');
        let rev: bigint;
        try {
          rev = parseGoInt(args[0]!, 10);
        } catch (err) {
          throw new CliError(EXIT_ERROR, err instanceof Error ? err.message : String(err));
        }
        if (rev > BigInt(Number.MAX_SAFE_INTEGER)) {
          throw new CliError(EXIT_ERROR, `revision ${rev} is beyond the exact range of a JavaScript number (2^53 - 1)`);
        }
        await session.client().compact(Number(rev), { physical: flags.physical === true, ...session.callOptions() });
        session.write(`compacted revision ${rev}\n`);
      });
    });
}
