/**
 * `etcdts lease grant|revoke|timetolive|list|keep-alive`. STUB written by the lead; the helper owning this file replaces it.
 */
import type { Command } from 'commander';

import type { SessionRunner } from './kv.js';

/** Registers `etcdts lease grant|revoke|timetolive|list|keep-alive` on `program`. */
export function registerLeaseCommands(program: Command, run: SessionRunner): void {
  void program;
  void run;
}
