/**
 * `etcdts endpoint status|health|hashkv`, `snapshot save`, `defrag`, `alarm list|disarm`, `move-leader`. STUB written by the lead; the helper owning this file replaces it.
 */
import type { Command } from 'commander';

import type { SessionRunner } from './kv.js';

/** Registers `etcdts endpoint status|health|hashkv`, `snapshot save`, `defrag`, `alarm list|disarm`, `move-leader` on `program`. */
export function registerMaintenanceCommands(program: Command, run: SessionRunner): void {
  void program;
  void run;
}
