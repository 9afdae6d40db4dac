/**
 * Command prefixes, as etcdctl's (cobra's `EnablePrefixMatching`): a command may be named by any
 * prefix of its name that no sibling shares (`compact` for `compaction`, `role grant` for
 * `role grant-permission`, `mem l` for `member list`). An exact name (or alias) always wins; an
 * ambiguous prefix is an unknown command, as with etcdctl.
 */
import type { Command } from 'commander';

/** The part of commander's Command that finds a subcommand by the name given on the command line. */
interface CommandFinder {
  _findCommand(name: string | undefined): Command | undefined;
}

/** The subcommand of `parent` named `name` exactly, or by a prefix only one subcommand has; else undefined. */
export function findCommandByPrefix(parent: Command, name: string | undefined): Command | undefined {
  if (name === undefined || name === '') return undefined;
  const exact = parent.commands.find((c) => c.name() === name || c.aliases().includes(name));
  if (exact !== undefined) return exact;
  const matches = parent.commands.filter((c) => c.name().startsWith(name) || c.aliases().some((a) => a.startsWith(name)));
  return matches.length === 1 ? matches[0] : undefined;
}

/**
 * Turns on prefix matching for `program` and every command below it. Call it once every command
 * is registered (while registering, commander looks names up to refuse duplicates, which must
 * stay exact).
 */
export function enablePrefixMatching(program: Command): void {
  const finder = program as unknown as CommandFinder;
  finder._findCommand = (name) => findCommandByPrefix(program, name);
  for (const sub of program.commands) enablePrefixMatching(sub);
}
