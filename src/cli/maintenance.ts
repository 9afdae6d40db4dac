/**
 * The maintenance commands of `etcdts`, as etcdctl 3.4's: `endpoint health|status|hashkv`
 * (endpoint.ts), `snapshot save` (snapshot.ts), and here `defrag [--cluster]`, `alarm list|disarm`
 * and `move-leader <member-id>`. Same arguments, messages, exit codes and output (admin-printer.ts,
 * loaded when a command runs).
 */
import type { Command } from 'commander';

import { endpointsFromCluster, givenEndpoints } from './admin-args.js';
import { registerEndpointCommands } from './endpoint.js';
import { CliError, EXIT_BAD_ARGS, EXIT_ERROR, errorText } from './exit.js';
import { goStringSlice, parseHexUint64 } from './go-format.js';
import type { SessionRunner } from './kv.js';
import { registerSnapshotCommands } from './snapshot.js';

/** Registers `etcdts endpoint status|health|hashkv`, `snapshot save`, `defrag`, `alarm list|disarm`, `move-leader` on `program`. */
export function registerMaintenanceCommands(program: Command, run: SessionRunner): void {
  registerEndpointCommands(program, run);
  registerSnapshotCommands(program, run);

  program
    .command('defrag')
    .summary('Defragments the storage of the etcd members with given endpoints')
    .description('Defragments the storage of each etcd member, one at a time (etcd Maintenance.Defragment).')
    .option('--cluster', 'use all endpoints from the cluster member list')
    .option('--data-dir <dir>', 'not supported by etcdts (offline defragmentation of a data directory: use etcdctl or etcdutl)')
    .allowExcessArguments(true)
    .action(async (flags: { dataDir?: string }, command: Command) => {
      await run(command, async (session) => {
        if (flags.dataDir !== undefined) {
          throw new CliError(EXIT_ERROR, 'defrag --data-dir (offline defragmentation) is not supported by etcdts; use etcdctl or etcdutl');
        }
        let failures = 0;
        for (const ep of await endpointsFromCluster(command, session)) {
          try {
            await session.client().maintenance.defragment(ep, session.callOptions());
            session.write(`Finished defragmenting etcd member[${ep}]\n`);
          } catch (err) {
            failures++;
            process.stderr.write(`Failed to defragment etcd member[${ep}] (${errorText(err)})\n`);
          }
        }
        if (failures !== 0) throw new CliError(EXIT_ERROR, `failed to defragment ${failures} endpoint(s)`, { quiet: true });
      });
    });

  const alarm = program.command('alarm').summary('Alarm related commands').description('Alarm related commands');
  alarm
    .command('disarm')
    .summary('Disarms all alarms')
    .description('Disarms all alarms (etcd Maintenance.Alarm, DEACTIVATE each active one).')
    .allowExcessArguments(true)
    .action(async (_flags: unknown, command: Command) => {
      await run(command, async (session) => {
        if (command.args.length !== 0) throw new CliError(EXIT_BAD_ARGS, 'alarm disarm command accepts no arguments');
        const { adminFormat, printAlarms } = await import('./run.js');
        const format = adminFormat(session.options.writeOut);
        session.write(printAlarms(format, await session.client().maintenance.alarmDisarm(undefined, session.callOptions())));
      });
    });
  alarm
    .command('list')
    .summary('Lists all alarms')
    .description('Lists all alarms (etcd Maintenance.Alarm, GET).')
    .allowExcessArguments(true)
    .action(async (_flags: unknown, command: Command) => {
      await run(command, async (session) => {
        if (command.args.length !== 0) throw new CliError(EXIT_BAD_ARGS, 'alarm list command accepts no arguments');
        const { adminFormat, printAlarms } = await import('./run.js');
        const format = adminFormat(session.options.writeOut);
        session.write(printAlarms(format, await session.client().maintenance.alarmList(session.callOptions())));
      });
    });

  program
    .command('move-leader')
    .summary('Transfers leadership to another etcd cluster member.')
    .description('Transfers leadership to another etcd cluster member (etcd Maintenance.MoveLeader, sent to the leader among the given endpoints).')
    .argument('[transferee-member-id]', 'the new leader\'s member ID, in hex')
    .allowExcessArguments(true)
    .action(async (_id: unknown, _flags: unknown, command: Command) => {
      await run(command, async (session) => {
        if (command.args.length !== 1) throw new CliError(EXIT_BAD_ARGS, 'move-leader command needs 1 argument');
        let target: bigint;
        try {
          target = parseHexUint64(command.args[0]!);
        } catch (err) {
          throw new CliError(EXIT_BAD_ARGS, (err as Error).message);
        }
        const { adminFormat, printMoveLeader } = await import('./run.js');
        const format = adminFormat(session.options.writeOut);
        const maintenance = session.client().maintenance;
        const endpoints = givenEndpoints(command);
        let leader: { endpoint: string; id: bigint } | undefined;
        for (const ep of endpoints) {
          const status = await maintenance.status(ep, session.callOptions());
          if (status.header.memberId === status.leader) {
            leader = { endpoint: ep, id: status.leader };
            break;
          }
        }
        if (leader === undefined) throw new CliError(EXIT_BAD_ARGS, `no leader endpoint given at ${goStringSlice(endpoints)}`);
        const resp = await maintenance.moveLeader(target, { endpoint: leader.endpoint, ...session.callOptions() });
        session.write(printMoveLeader(format, leader.id, target, resp));
      });
    });
}
