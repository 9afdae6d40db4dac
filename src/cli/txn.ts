/**
 * `etcdts txn`: a transaction read from standard input in etcdctl's syntax (see txn-parse.ts),
 * sent as one etcd KV.Txn, printed as etcdctl prints it (`SUCCESS`/`FAILURE`, then each response).
 * With `-i/--interactive` a prompt is printed before each section, as etcdctl does. The printer and
 * the library's compares and operations (txn-ops.ts) are loaded (run.ts) once the input is read.
 */
import type { Command } from 'commander';

import { CliError, EXIT_BAD_ARGS } from './exit.js';
import type { SessionRunner } from './kv.js';
import { stdinLines } from './stdin.js';
import { readTxn } from './txn-parse.js';

/** Registers `txn` on `program`. */
export function registerTxnCommand(program: Command, run: SessionRunner): void {
  program
    .command('txn')
    .summary('Txn processes all the requests in one transaction')
    .description(
      'Txn processes all the requests in one transaction (etcd KV.Txn), read from standard input:\n' +
        'compares, an empty line, success requests, an empty line, failure requests, an empty line.\n\n' +
        '  mod("key1") > "0"\n\n  put key1 "overwrote-key1"\n\n  put key1 "created-key1"\n  put key2 "some extra key"\n\n' +
        'Compares: value|val, version|ver, create|c, mod|m, lease ("key") =|!=|<|> "value" (lease in hex).\n' +
        'Requests: get, put, del with their flags.',
    )
    .option('-i, --interactive', 'Input transaction in interactive mode')
    .allowExcessArguments(true)
    .action(async (flags: { interactive?: boolean }, command: Command) => {
      await run(command, async (session) => {
        if (command.args.length !== 0) throw new CliError(EXIT_BAD_ARGS, 'txn command does not accept argument');
        const prompt = flags.interactive ? (text: string) => session.write(`${text}\n`) : undefined;
        const script = await readTxn(stdinLines(), prompt);
        const { createPrinter, toCompare, toOp } = await import('./run.js');
        const printer = createPrinter(session.options.writeOut, { hex: session.options.hex });
        const resp = await session
          .client()
          .txn()
          .if(...script.compares.map(toCompare))
          .then(...script.success.map(toOp))
          .else(...script.failure.map(toOp))
          .commit(session.callOptions());
        session.write(printer.txn(resp));
      });
    });
}
