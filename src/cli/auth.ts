/**
 * `etcdts auth enable|disable|status`, `user ...`, `role ...`. STUB written by the lead; the helper owning this file replaces it.
 */
import type { Command } from 'commander';

import type { SessionRunner } from './kv.js';

/** Registers `etcdts auth enable|disable|status`, `user ...`, `role ...` on `program`. */
export function registerAuthCommands(program: Command, run: SessionRunner): void {
  void program;
  void run;
}
