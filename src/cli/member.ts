/**
 * `etcdts member list|add|remove|update|promote`, as etcdctl 3.4's: the same arguments, checks,
 * messages, exit codes and output (see admin-printer.ts, loaded when a command runs). Member IDs
 * are given and printed in hex.
 */
import type { Command } from 'commander';

import { memberIdArg } from './admin-args.js';
import { CliError, EXIT_BAD_ARGS } from './exit.js';
import type { SessionRunner } from './kv.js';

/** Flags of `member add` and `member update`. */
interface MemberFlags {
  peerUrls?: string;
  learner?: boolean;
}

/** Registers `etcdts member list|add|remove|update|promote` on `program`. */
export function registerMemberCommands(program: Command, run: SessionRunner): void {
  const member = program.command('member').summary('Membership related commands').description('Membership related commands');

  member
    .command('list')
    .summary('Lists all members in the cluster')
    .description(
      'Lists all members in the cluster (etcd Cluster.MemberList).\n\n' +
        'When --write-out is set to simple, this command prints out comma-separated member lists for each endpoint.\n' +
        'The items in the lists are ID, Status, Name, Peer Addrs, Client Addrs, Is Learner.',
    )
    .allowExcessArguments(true)
    .action(async (_flags: unknown, command: Command) => {
      await run(command, async (session) => {
        const { adminFormat, printMemberList } = await import('./run.js');
        const format = adminFormat(session.options.writeOut);
        const resp = await session.client().cluster.memberList(session.callOptions());
        session.write(await printMemberList(format, resp));
      });
    });

  member
    .command('add')
    .summary('Adds a member into the cluster')
    .description('Adds a member into the cluster (etcd Cluster.MemberAdd); prints the settings to start it with.')
    .argument('[memberName]', 'name of the new member')
    .option('--peer-urls <urls>', 'comma separated peer URLs for the new member.', '')
    .option('--learner', 'indicates if the new member is raft learner')
    .allowExcessArguments(true)
    .action(async (_name: unknown, flags: MemberFlags, command: Command) => {
      await run(command, async (session) => {
        const args = command.args;
        if (args.length < 1) throw new CliError(EXIT_BAD_ARGS, 'member name not provided');
        if (args.length > 1) {
          let message = 'too many arguments';
          for (const a of args) if (a.toLowerCase().startsWith('http')) message += `, did you mean --peer-urls=${a}`;
          throw new CliError(EXIT_BAD_ARGS, message);
        }
        const peerUrls = flags.peerUrls ?? '';
        if (peerUrls === '') throw new CliError(EXIT_BAD_ARGS, 'member peer urls not provided');
        const { adminFormat, printMemberAdd } = await import('./run.js');
        const format = adminFormat(session.options.writeOut);
        const urls = peerUrls.split(',');
        const cluster = session.client().cluster;
        const resp = flags.learner === true
          ? await cluster.memberAddAsLearner(urls, session.callOptions())
          : await cluster.memberAdd(urls, session.callOptions());
        session.write(printMemberAdd(format, resp, args[0]!, peerUrls));
      });
    });

  member
    .command('remove')
    .summary('Removes a member from the cluster')
    .description('Removes a member from the cluster (etcd Cluster.MemberRemove).')
    .argument('[memberID]', 'the member ID, in hex')
    .allowExcessArguments(true)
    .action(async (_id: unknown, _flags: unknown, command: Command) => {
      await run(command, async (session) => {
        const id = idArgument(command);
        const { adminFormat, printMemberChange } = await import('./run.js');
        const format = adminFormat(session.options.writeOut);
        const resp = await session.client().cluster.memberRemove(id, session.callOptions());
        session.write(printMemberChange(format, 'removed from', id, resp));
      });
    });

  member
    .command('update')
    .summary('Updates a member in the cluster')
    .description('Updates the peer URLs of a member (etcd Cluster.MemberUpdate).')
    .argument('[memberID]', 'the member ID, in hex')
    .option('--peer-urls <urls>', 'comma separated peer URLs for the updated member.', '')
    .allowExcessArguments(true)
    .action(async (_id: unknown, flags: MemberFlags, command: Command) => {
      await run(command, async (session) => {
        const id = idArgument(command);
        const peerUrls = flags.peerUrls ?? '';
        if (peerUrls === '') throw new CliError(EXIT_BAD_ARGS, 'member peer urls not provided');
        const { adminFormat, printMemberChange } = await import('./run.js');
        const format = adminFormat(session.options.writeOut);
        const resp = await session.client().cluster.memberUpdate(id, peerUrls.split(','), session.callOptions());
        session.write(printMemberChange(format, 'updated in', id, resp));
      });
    });

  member
    .command('promote')
    .summary('Promotes a non-voting member in the cluster')
    .description('Promotes a non-voting learner member to a voting one in the cluster (etcd Cluster.MemberPromote).')
    .argument('[memberID]', 'the member ID, in hex')
    .allowExcessArguments(true)
    .action(async (_id: unknown, _flags: unknown, command: Command) => {
      await run(command, async (session) => {
        const id = idArgument(command);
        const { adminFormat, printMemberChange } = await import('./run.js');
        const format = adminFormat(session.options.writeOut);
        const resp = await session.client().cluster.memberPromote(id, session.callOptions());
        session.write(printMemberChange(format, 'promoted in', id, resp));
      });
    });
}

/** The one member ID argument of `remove|update|promote` (exit 128 when missing or not hex). */
function idArgument(command: Command): bigint {
  if (command.args.length !== 1) throw new CliError(EXIT_BAD_ARGS, 'member ID is not provided');
  return memberIdArg(command.args[0]!);
}
