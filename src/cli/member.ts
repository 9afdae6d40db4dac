/**
 * `etcdts member list|add|remove|update|promote`. STUB written by the lead; the helper owning this file replaces it.
 */
import type { Command } from 'commander';

import type { SessionRunner } from './kv.js';

/** Registers `etcdts member list|add|remove|update|promote` on `program`. */
export function registerMemberCommands(program: Command, run: SessionRunner): void {
  void program;
  void run;
}
