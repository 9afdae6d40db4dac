/**
 * `etcdts version`: the package version and the etcd API version it speaks, in etcdctl's format
 * (`etcdctl version: 3.4.23` / `API version: 3.4`).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { Command } from 'commander';

/** The etcd API version whose wire schema etcd-ts follows (proto/etcdserverpb/rpc.proto: etcd 3.5). */
export const ETCD_API_VERSION = '3.5';

/** The package name looked for when searching for package.json. */
const PACKAGE_NAME = 'etcd-ts';

/**
 * The version in etcd-ts's package.json, found by walking up from this file (works from src/cli
 * under tsx and from dist/ after the build); `'unknown'` when it cannot be read.
 */
export function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === PACKAGE_NAME && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // not here; look one level up
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return 'unknown';
}

/** Registers `version` on `program`. */
export function registerVersionCommand(program: Command): void {
  program
    .command('version')
    .summary('Prints the version of etcdts')
    .description('Prints the version of etcdts and the etcd API version it speaks.')
    .action(() => {
      process.stdout.write(`etcdts version: ${packageVersion()}\nAPI version: ${ETCD_API_VERSION}\n`);
    });
}
