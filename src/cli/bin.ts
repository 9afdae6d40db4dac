#!/usr/bin/env node
/**
 * The package's `etcdts` executable (dist/cli/main.cjs): handles Ctrl-C from its first moment
 * (early-interrupts.ts), then runs the program, dist/cli/cli.cjs (the CommonJS bundle of start.ts,
 * built next to it), through a V8 code cache (code-cache.ts). Kept this small so that only Node
 * built-ins are loaded before the handlers.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { codeCacheDir, runWithCodeCache } from './code-cache.js';
import { installEarlyInterrupts } from './early-interrupts.js';

installEarlyInterrupts();
runWithCodeCache(join(dirname(fileURLToPath(import.meta.url)), 'cli.cjs'), codeCacheDir());
