/**
 * `etcdts role add|delete|get|list|grant-permission|revoke-permission`, as etcdctl's (etcd
 * `Auth.Role*`). Permission ranges follow etcdctl: `<key> [endkey]`, or `--prefix` / `--from-key`;
 * an empty key means every key with `--prefix`/`--from-key`, and the key `"\0"` without
 * (auth-perm.ts). The permission arguments and the printer (auth-printer.ts) are loaded when a
 * command runs.
 */
import type { Command } from 'commander';

import type { PermFlags } from './auth-perm.js';
import { CliError, EXIT_BAD_ARGS } from './exit.js';
import type { SessionRunner } from './kv.js';

/** Registers the `role` command group on `program`. */
export function registerRoleCommands(program: Command, run: SessionRunner): void {
  const role = program.command('role').summary('Role related commands').description('Role related commands');

  role
    .command('add')
    .summary('Adds a new role')
    .description('Adds a new role (etcd Auth.RoleAdd).')
    .argument('[role]', 'role name')
    .allowExcessArguments(true)
    .action(async (_role: unknown, _flags: unknown, command: Command) => {
      await run(command, async (session) => {
        const { AuthPrinter, checkFormatName } = await import('./run.js');
        const args = command.args;
        if (args.length !== 1) throw new CliError(EXIT_BAD_ARGS, 'role add command requires role name as its argument');
        checkFormatName(session.options.writeOut);
        const resp = await session.client().auth.roleAdd(args[0]!, session.callOptions());
        session.write(new AuthPrinter(session.options.writeOut).roleAdd(args[0]!, resp));
      });
    });

  role
    .command('delete')
    .summary('Deletes a role')
    .description('Deletes a role (etcd Auth.RoleDelete).')
    .argument('[role]', 'role name')
    .allowExcessArguments(true)
    .action(async (_role: unknown, _flags: unknown, command: Command) => {
      await run(command, async (session) => {
        const { AuthPrinter, checkFormatName } = await import('./run.js');
        const args = command.args;
        if (args.length !== 1) throw new CliError(EXIT_BAD_ARGS, 'role delete command requires role name as its argument');
        checkFormatName(session.options.writeOut);
        const resp = await session.client().auth.roleDelete(args[0]!, session.callOptions());
        session.write(new AuthPrinter(session.options.writeOut).roleDelete(args[0]!, resp));
      });
    });

  role
    .command('get')
    .summary('Gets detailed information of a role')
    .description('Gets the key permissions of a role (etcd Auth.RoleGet).')
    .argument('[role]', 'role name')
    .allowExcessArguments(true)
    .action(async (_role: unknown, _flags: unknown, command: Command) => {
      await run(command, async (session) => {
        const { AuthPrinter, checkFormatName } = await import('./run.js');
        const args = command.args;
        if (args.length !== 1) throw new CliError(EXIT_BAD_ARGS, 'role get command requires role name as its argument');
        checkFormatName(session.options.writeOut);
        const resp = await session.client().auth.roleGet(args[0]!, session.callOptions());
        session.write(new AuthPrinter(session.options.writeOut).roleGet(args[0]!, resp));
      });
    });

  role
    .command('list')
    .summary('Lists all roles')
    .description('Lists all roles (etcd Auth.RoleList).')
    .allowExcessArguments(true)
    .action(async (_flags: unknown, command: Command) => {
      await run(command, async (session) => {
        const { AuthPrinter, checkFormatName } = await import('./run.js');
        if (command.args.length !== 0) throw new CliError(EXIT_BAD_ARGS, 'role list command requires no arguments');
        checkFormatName(session.options.writeOut);
        const resp = await session.client().auth.roleList(session.callOptions());
        session.write(new AuthPrinter(session.options.writeOut).roleList(resp));
      });
    });

  role
    .command('grant-permission')
    .summary('Grants a key to a role')
    .description(
      'Grants a key permission to a role (etcd Auth.RoleGrantPermission): ' +
        '<role name> <permission type: read|write|readwrite> <key> [endkey].',
    )
    .argument('[role]', 'role name')
    .argument('[type]', 'permission type: read, write or readwrite')
    .argument('[key]', 'the key, or the start of the range')
    .argument('[endkey]', 'the end of the range (exclusive)')
    .option('--prefix', 'grant a prefix permission')
    .option('--from-key', 'grant a permission of keys that are greater than or equal to the given key using byte compare')
    .allowExcessArguments(true)
    .action(async (_r: unknown, _t: unknown, _k: unknown, _e: unknown, flags: PermFlags, command: Command) => {
      await run(command, async (session) => {
        const { AuthPrinter, checkFormatName } = await import('./run.js');
        const args = command.args;
        if (args.length < 3) {
          throw new CliError(EXIT_BAD_ARGS, 'role grant command requires role name, permission type, and key [endkey] as its argument');
        }
        const { permissionType, permRange } = await import('./run.js');
        const type = permissionType(args[1]!);
        const { key, rangeEnd } = permRange(args.slice(2), flags);
        checkFormatName(session.options.writeOut);
        const resp = await session.client().auth.roleGrantPermission(args[0]!, { type, key, rangeEnd }, session.callOptions());
        session.write(new AuthPrinter(session.options.writeOut).roleGrantPermission(args[0]!, resp));
      });
    });

  role
    .command('revoke-permission')
    .summary('Revokes a key from a role')
    .description('Revokes the permission of a role on a key or range (etcd Auth.RoleRevokePermission): <role name> <key> [endkey].')
    .argument('[role]', 'role name')
    .argument('[key]', 'the key, or the start of the range')
    .argument('[endkey]', 'the end of the range (exclusive)')
    .option('--prefix', 'revoke a prefix permission')
    .option('--from-key', 'revoke a permission of keys that are greater than or equal to the given key using byte compare')
    .allowExcessArguments(true)
    .action(async (_r: unknown, _k: unknown, _e: unknown, flags: PermFlags, command: Command) => {
      await run(command, async (session) => {
        const { AuthPrinter, checkFormatName } = await import('./run.js');
        const args = command.args;
        if (args.length < 2) {
          throw new CliError(EXIT_BAD_ARGS, 'role revoke-permission command requires role name and key [endkey] as its argument');
        }
        const { permRange } = await import('./run.js');
        const { key, rangeEnd } = permRange(args.slice(1), flags);
        checkFormatName(session.options.writeOut);
        const resp = await session.client().auth.roleRevokePermission(args[0]!, key, rangeEnd, session.callOptions());
        session.write(new AuthPrinter(session.options.writeOut).roleRevokePermission(args[0]!, args[1]!, rangeEnd, resp));
      });
    });
}
