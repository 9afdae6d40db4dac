/**
 * `etcdts user add|delete|get|list|passwd|grant-role|revoke-role`, as etcdctl's (etcd `Auth.User*`).
 *
 * Passwords: `user add NAME:PASSWORD`, `--new-user-password`, or read from stdin: by default a
 * prompt asked twice (`--interactive`, etcdctl's default; no echo on a terminal), with
 * `--interactive=false` one word read as is. `--no-password` makes a user that cannot log in with
 * a password (etcd >= 3.4). The printer (auth-printer.ts) is loaded when a command runs.
 */
import { Option, type Command } from 'commander';

import { CliError, EXIT_BAD_ARGS } from './exit.js';
import type { SessionRunner } from './kv.js';
import { askNewPassword, scanWord } from './password.js';

/** `--interactive` as given: undefined (etcdctl's default, true), true, or false (`--interactive=false`). */
interface InteractiveFlags {
  interactive?: boolean;
}

interface UserAddFlags extends InteractiveFlags {
  newUserPassword?: string;
  noPassword?: boolean;
}

/** A password read from stdin for `name`: asked twice (interactive, the default) or one word. */
function readPassword(name: string, flags: InteractiveFlags): string {
  return flags.interactive === false ? scanWord() : askNewPassword(name);
}

/** `--interactive` with its hidden negation (`--interactive=false` is rewritten to `--no-interactive`). */
function addInteractiveFlag(command: Command, description: string): Command {
  return command
    .option('--interactive', `${description} (default true; --interactive=false reads the password from stdin as is)`)
    .addOption(new Option('--no-interactive').hideHelp());
}

/** A boolean flag whose name starts with `no-` but is not a negation (e.g. `--no-password`). */
function plainFlag(flags: string, description: string): Option {
  const option = new Option(flags, description);
  option.negate = false;
  return option;
}

/** Registers the `user` command group on `program`. */
export function registerUserCommands(program: Command, run: SessionRunner): void {
  const user = program.command('user').summary('User related commands').description('User related commands');

  addInteractiveFlag(
    user
      .command('add')
      .summary('Adds a new user')
      .description('Adds a new user (etcd Auth.UserAdd): <user name or user:password>.')
      .argument('[user]', 'user name, or user:password'),
    'Read password from stdin instead of interactive terminal',
  )
    .option('--new-user-password <password>', 'Supply password from the command line flag')
    .addOption(plainFlag('--no-password', 'Create a user without password (CN based auth only)'))
    .allowExcessArguments(true)
    .action(async (_user: unknown, flags: UserAddFlags, command: Command) => {
      await run(command, async (session) => {
        const { AuthPrinter, checkFormatName } = await import('./run.js');
        const args = command.args;
        if (args.length !== 1) throw new CliError(EXIT_BAD_ARGS, 'user add command requires user name as its argument');
        let name = args[0]!;
        let password = '';
        if (flags.noPassword === true) {
          // etcdctl takes the argument as the name as it is, colon included.
        } else if (flags.newUserPassword !== undefined && flags.newUserPassword !== '') {
          password = flags.newUserPassword;
        } else {
          const colon = name.indexOf(':');
          if (colon < 0) {
            password = readPassword(name, flags);
          } else {
            password = name.slice(colon + 1);
            name = name.slice(0, colon);
            if (name === '') throw new CliError(EXIT_BAD_ARGS, 'empty user name is not allowed');
          }
        }
        checkFormatName(session.options.writeOut);
        const resp = await session
          .client()
          .auth.userAdd(name, flags.noPassword === true ? { noPassword: true } : password, session.callOptions());
        session.write(new AuthPrinter(session.options.writeOut).userAdd(name, resp));
      });
    });

  user
    .command('delete')
    .summary('Deletes a user')
    .description('Deletes a user (etcd Auth.UserDelete).')
    .argument('[user]', 'user name')
    .allowExcessArguments(true)
    .action(async (_user: unknown, _flags: unknown, command: Command) => {
      await run(command, async (session) => {
        const { AuthPrinter, checkFormatName } = await import('./run.js');
        const args = command.args;
        if (args.length !== 1) throw new CliError(EXIT_BAD_ARGS, 'user delete command requires user name as its argument');
        checkFormatName(session.options.writeOut);
        const resp = await session.client().auth.userDelete(args[0]!, session.callOptions());
        session.write(new AuthPrinter(session.options.writeOut).userDelete(args[0]!, resp));
      });
    });

  user
    .command('get')
    .summary('Gets detailed information of a user')
    .description('Gets the roles of a user (etcd Auth.UserGet); with --detail, the permissions of each role (Auth.RoleGet).')
    .argument('[user]', 'user name')
    .option('--detail', 'Show permissions of roles granted to the user')
    .allowExcessArguments(true)
    .action(async (_user: unknown, flags: { detail?: boolean }, command: Command) => {
      await run(command, async (session) => {
        const { AuthPrinter, checkFormatName } = await import('./run.js');
        const args = command.args;
        if (args.length !== 1) throw new CliError(EXIT_BAD_ARGS, 'user get command requires user name as its argument');
        const name = args[0]!;
        checkFormatName(session.options.writeOut);
        const client = session.client();
        const printer = new AuthPrinter(session.options.writeOut);
        const resp = await client.auth.userGet(name, session.callOptions());
        if (flags.detail !== true) {
          session.write(printer.userGet(name, resp));
          return;
        }
        session.write(`User: ${name}\n`);
        for (const role of resp.roles) {
          session.write('\n');
          session.write(printer.roleGet(role, await client.auth.roleGet(role, session.callOptions())));
        }
      });
    });

  user
    .command('list')
    .summary('Lists all users')
    .description('Lists all users (etcd Auth.UserList).')
    .allowExcessArguments(true)
    .action(async (_flags: unknown, command: Command) => {
      await run(command, async (session) => {
        const { AuthPrinter, checkFormatName } = await import('./run.js');
        if (command.args.length !== 0) throw new CliError(EXIT_BAD_ARGS, 'user list command requires no arguments');
        checkFormatName(session.options.writeOut);
        const resp = await session.client().auth.userList(session.callOptions());
        session.write(new AuthPrinter(session.options.writeOut).userList(resp));
      });
    });

  addInteractiveFlag(
    user
      .command('passwd')
      .summary('Changes password of user')
      .description('Changes the password of a user (etcd Auth.UserChangePassword); the password is read from stdin.')
      .argument('[user]', 'user name'),
    'If true, read password from stdin instead of interactive terminal',
  )
    .allowExcessArguments(true)
    .action(async (_user: unknown, flags: InteractiveFlags, command: Command) => {
      await run(command, async (session) => {
        const { AuthPrinter, checkFormatName } = await import('./run.js');
        const args = command.args;
        if (args.length !== 1) throw new CliError(EXIT_BAD_ARGS, 'user passwd command requires user name as its argument');
        const password = readPassword(args[0]!, flags);
        checkFormatName(session.options.writeOut);
        const resp = await session.client().auth.userChangePassword(args[0]!, password, session.callOptions());
        session.write(new AuthPrinter(session.options.writeOut).userChangePassword(resp));
      });
    });

  user
    .command('grant-role')
    .summary('Grants a role to a user')
    .description('Grants a role to a user (etcd Auth.UserGrantRole).')
    .argument('[user]', 'user name')
    .argument('[role]', 'role name')
    .allowExcessArguments(true)
    .action(async (_user: unknown, _role: unknown, _flags: unknown, command: Command) => {
      await run(command, async (session) => {
        const { AuthPrinter, checkFormatName } = await import('./run.js');
        const args = command.args;
        if (args.length !== 2) throw new CliError(EXIT_BAD_ARGS, 'user grant command requires user name and role name as its argument');
        checkFormatName(session.options.writeOut);
        const resp = await session.client().auth.userGrantRole(args[0]!, args[1]!, session.callOptions());
        session.write(new AuthPrinter(session.options.writeOut).userGrantRole(args[0]!, args[1]!, resp));
      });
    });

  user
    .command('revoke-role')
    .summary('Revokes a role from a user')
    .description('Revokes a role from a user (etcd Auth.UserRevokeRole).')
    .argument('[user]', 'user name')
    .argument('[role]', 'role name')
    .allowExcessArguments(true)
    .action(async (_user: unknown, _role: unknown, _flags: unknown, command: Command) => {
      await run(command, async (session) => {
        const { AuthPrinter, checkFormatName } = await import('./run.js');
        const args = command.args;
        if (args.length !== 2) throw new CliError(EXIT_BAD_ARGS, 'user revoke-role requires user name and role name as its argument');
        checkFormatName(session.options.writeOut);
        const resp = await session.client().auth.userRevokeRole(args[0]!, args[1]!, session.callOptions());
        session.write(new AuthPrinter(session.options.writeOut).userRevokeRole(args[0]!, args[1]!, resp));
      });
    });
}
