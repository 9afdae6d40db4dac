/**
 * Runs `etcdts` with the process's arguments and exits with its code: the body of both entries,
 * main.ts (from source, and the ESM test bundle) and bin.ts (the package's `etcdts`, which loads
 * the CommonJS bundle of this file through the code cache).
 */
import { runCli } from './program.js';

runCli(process.argv.slice(2));
