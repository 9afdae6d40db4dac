/**
 * `etcdts watch`. STUB written by the lead; the helper owning this file replaces it.
 */
import type { Command } from 'commander';

import type { SessionRunner } from './kv.js';

/** Registers `etcdts watch` on `program`. */
export function registerWatchCommand(program: Command, run: SessionRunner): void {
  void program;
  void run;
}
