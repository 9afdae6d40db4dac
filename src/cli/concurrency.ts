/**
 * `etcdts lock`, `elect`, `make-mirror`. STUB written by the lead; the helper owning this file replaces it.
 */
import type { Command } from 'commander';

import type { SessionRunner } from './kv.js';

/** Registers `etcdts lock`, `elect`, `make-mirror` on `program`. */
export function registerConcurrencyCommands(program: Command, run: SessionRunner): void {
  void program;
  void run;
}
