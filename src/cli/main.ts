#!/usr/bin/env node
/**
 * The `etcdts` entry when run from source (and in the tests' bundle): handles Ctrl-C from its first
 * moment (early-interrupts.ts), then loads and runs the program (start.ts). Kept this small so that
 * nothing is loaded before the handlers. The package's bin is bin.ts.
 */
import { installEarlyInterrupts } from './early-interrupts.js';

installEarlyInterrupts();
void import('./start.js');
