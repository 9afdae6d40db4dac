#!/usr/bin/env node
/**
 * The `etcdts` executable: handles Ctrl-C from its first moment (early-interrupts.ts), then loads
 * and runs the program (program.ts). Kept this small so that nothing is loaded before the handlers.
 */
import { installEarlyInterrupts } from './early-interrupts.js';

installEarlyInterrupts();
void import('./program.js').then((program) => program.runCli(process.argv.slice(2)));
