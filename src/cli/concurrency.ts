/**
 * `etcdts lock` and `etcdts elect`, as etcdctl 3.4's (etcdctl/ctlv3/command/lock_command.go,
 * elect_command.go), on the client-side `Mutex` and `Election` of `etcd-ts/concurrency`, so they
 * share locks and elections with etcdctl and Go programs:
 *
 * - `lock <lockname> [exec-command arg1 arg2 ...]` (`--ttl`, default 10 s): acquires the lock; with a
 *   command, runs it with `ETCD_LOCK_KEY` and `ETCD_LOCK_REV` in its environment and releases the
 *   lock when it exits (`Error: exit status N` when it fails); without, prints the lock key (as
 *   `get` prints it) and holds the lock until interrupted (SIGINT/SIGTERM).
 * - `elect <election-name> <proposal>`: campaigns, prints the leader key once elected and leads
 *   until interrupted, then resigns. `elect -l <election-name>`: prints the leader and every change.
 *
 * Put `--` before a command that has flags of its own: `etcdts lock L -- sh -c 'echo $ETCD_LOCK_KEY'`.
 *
 * Here: the commands and their flags; what they run (loaded when they run): concurrency-run.ts.
 */
import type { Command } from 'commander';

import type { SessionRunner } from './kv.js';

/** Default `--ttl` of `lock`, in seconds (etcdctl's `lockTTL`). */
export const DEFAULT_LOCK_TTL = 10;

/**
 * Registers `etcdts lock` and `etcdts elect` on `program` (`make-mirror` is registered by the
 * mirror's own command file).
 */
export function registerConcurrencyCommands(program: Command, run: SessionRunner): void {
  program
    .command('lock')
    .summary('Acquires a named lock')
    .description(
      'Acquires a named lock (client-side, as etcdctl: keys <lockname>/<lease hex> under a session lease).\n\n' +
        'With a command, runs it while holding the lock, with ETCD_LOCK_KEY and ETCD_LOCK_REV set, then\n' +
        'releases the lock; put -- before a command with flags of its own. Without, prints the lock key and\n' +
        'holds the lock until interrupted (Ctrl-C).',
    )
    .usage('<lockname> [exec-command arg1 arg2 ...] [flags]')
    .argument('[lockname]', 'the lock name')
    .argument('[command...]', 'a command to run while holding the lock')
    .option('--ttl <seconds>', `timeout for session (default ${DEFAULT_LOCK_TTL})`)
    .allowExcessArguments(true)
    .action(async (_name: unknown, _cmd: unknown, flags: { ttl?: string }, command: Command) => {
      await run(command, async (cli) => (await import('./run.js')).lockCommand(cli, command.args, flags.ttl));
    });

  program
    .command('elect')
    .summary('Observes and participates in leader election')
    .description(
      'Campaigns in election <election-name> with <proposal>, prints the leader key once elected and leads\n' +
        'until interrupted (Ctrl-C), then resigns. With -l, prints the leader and each change instead.',
    )
    .usage('<election-name> [proposal] [flags]')
    .argument('[election-name]', 'the election name')
    .argument('[proposal]', 'the value to campaign with')
    .option('-l, --listen', 'observation mode')
    .allowExcessArguments(true)
    .action(async (_name: unknown, _proposal: unknown, flags: { listen?: boolean }, command: Command) => {
      await run(command, async (cli) => (await import('./run.js')).electCommand(cli, command.args, flags.listen === true));
    });
}
