/**
 * `etcdts txn`: a transaction read from standard input in etcdctl's syntax (see txn-parse.ts),
 * sent as one etcd KV.Txn, printed as etcdctl prints it (`SUCCESS`/`FAILURE`, then each response).
 * With `-i/--interactive` a prompt is printed before each section, as etcdctl does.
 */
import type { Command } from 'commander';

import { compare, op, type Compare, type Op } from '../index.js';
import { CliError, EXIT_BAD_ARGS } from './exit.js';
import type { SessionRunner } from './kv.js';
import { createPrinter } from './printer.js';
import { stdinLines } from './session.js';
import { readTxn, type TxnCompare, type TxnRequest } from './txn-parse.js';

/** The library compare for a parsed compare line. */
function toCompare(c: TxnCompare): Compare {
  switch (c.target) {
    case 'value':
      return compare.value(c.key, c.operator, c.value);
    case 'version':
      return compare.version(c.key, c.operator, c.value);
    case 'createRevision':
      return compare.createRevision(c.key, c.operator, c.value);
    case 'modRevision':
      return compare.modRevision(c.key, c.operator, c.value);
    case 'lease':
      return compare.lease(c.key, c.operator, c.value);
  }
}

/** The library operation for a parsed request line. */
function toOp(r: TxnRequest): Op {
  switch (r.type) {
    case 'get':
      return op.get(r.key, r.options);
    case 'put':
      return op.put(r.key, r.value, r.options);
    case 'delete':
      return op.delete(r.key, r.options);
  }
}

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
