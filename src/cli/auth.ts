/**
 * `etcdts auth enable|disable|status`, and the `user` and `role` command groups (auth-user.ts,
 * auth-role.ts), as etcdctl's: same arguments, checks, messages, output and exit codes.
 * `auth status` is etcdctl 3.5's (etcdctl 3.4 has none; it needs etcd >= 3.5). The printer
 * (auth-printer.ts) is loaded when a command runs.
 */
import type { Command } from 'commander';

import { RootRoleNotExistError } from '../errors/index.js';
import { registerRoleCommands } from './auth-role.js';
import { registerUserCommands } from './auth-user.js';
import { CliError, EXIT_BAD_ARGS } from './exit.js';
import type { SessionRunner } from './kv.js';

/** Registers `auth enable|disable|status`, `user ...` and `role ...` on `program`. */
export function registerAuthCommands(program: Command, run: SessionRunner): void {
  const auth = program.command('auth').summary('Enable or disable authentication').description('Enable or disable authentication');

  auth
    .command('enable')
    .summary('Enables authentication')
    .description(
      'Enables authentication (etcd Auth.AuthEnable). The root user must exist; when it lacks the root role, ' +
        'the role is created and granted first, as etcdctl does.',
    )
    .allowExcessArguments(true)
    .action(async (_flags: unknown, command: Command) => {
      await run(command, async (session) => {
        const { checkFormatName } = await import('./run.js');
        if (command.args.length !== 0) throw new CliError(EXIT_BAD_ARGS, 'auth enable command does not accept any arguments');
        checkFormatName(session.options.writeOut);
        const client = session.client();
        for (;;) {
          try {
            await client.auth.authEnable(session.callOptions());
            break;
          } catch (err) {
            if (!(err instanceof RootRoleNotExistError)) throw err;
            await client.auth.roleAdd('root', session.callOptions());
            await client.auth.userGrantRole('root', 'root', session.callOptions());
          }
        }
        session.write('Authentication Enabled\n');
      });
    });

  auth
    .command('disable')
    .summary('Disables authentication')
    .description('Disables authentication (etcd Auth.AuthDisable).')
    .allowExcessArguments(true)
    .action(async (_flags: unknown, command: Command) => {
      await run(command, async (session) => {
        const { checkFormatName } = await import('./run.js');
        if (command.args.length !== 0) throw new CliError(EXIT_BAD_ARGS, 'auth disable command does not accept any arguments');
        checkFormatName(session.options.writeOut);
        await session.client().auth.authDisable(session.callOptions());
        session.write('Authentication Disabled\n');
      });
    });

  auth
    .command('status')
    .summary('Returns authentication status')
    .description('Returns whether authentication is enabled and the auth revision (etcd Auth.AuthStatus; etcd >= 3.5).')
    .allowExcessArguments(true)
    .action(async (_flags: unknown, command: Command) => {
      await run(command, async (session) => {
        const { AuthPrinter, checkFormatName } = await import('./run.js');
        if (command.args.length !== 0) throw new CliError(EXIT_BAD_ARGS, 'auth status command does not accept any arguments');
        checkFormatName(session.options.writeOut);
        const resp = await session.client().auth.authStatus(session.callOptions());
        session.write(new AuthPrinter(session.options.writeOut).authStatus(resp));
      });
    });

  registerUserCommands(program, run);
  registerRoleCommands(program, run);
}
