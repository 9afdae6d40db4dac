// The runtime suite: the build in dist/ imports Node built-ins as `node:<name>`, the one form every
// runtime resolves in any file: Deno 2.0 loads a local file importing a bare 'timers/promises' as a
// relative path and fails, and Deno and Bun only guess bare names for files under node_modules.
// Runs unchanged under node, bun and deno.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';

import { ROOT } from './runtime.js';

const DIST = join(ROOT, 'dist');

function builtFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return builtFiles(path);
    return /\.(c?js)$/.test(entry.name) ? [path] : [];
  });
}

test('dist/ names every Node built-in it imports or requires as node:<name>', () => {
  const builtins = new Set(builtinModules.filter((name) => !name.startsWith('_') && !name.startsWith('node:')));
  const specifier = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)["']([^"']+)["']/g;
  const files = builtFiles(DIST);
  assert.ok(files.length > 5, `the build is in ${DIST}`);
  const bare = new Set<string>();
  for (const file of files) {
    for (const [, name] of readFileSync(file, 'utf8').matchAll(specifier)) {
      if (builtins.has(name!)) bare.add(`${relative(DIST, file)}: "${name}"`);
    }
  }
  assert.deepEqual([...bare], [], `bare built-in specifiers in the build:\n${[...bare].join('\n')}`);
});
