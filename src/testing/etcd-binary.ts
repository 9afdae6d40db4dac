/**
 * Finding the etcd server binary that `etcd-ts/testing` starts, and reading its version.
 *
 * Order: an explicit path (the `etcdBin` option), then the `ETCD_BIN` environment variable, then
 * `etcd` on `PATH`. When none is usable the error says what to install.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

import { EtcdLaunchError } from '../errors/launcher.js';
import { Status } from '../transport/types.js';

/** Name of the environment variable that overrides the etcd binary: a path to an executable. */
export const ETCD_BIN_ENV = 'ETCD_BIN';

/** How long `etcd --version` may take before {@link etcdVersion} gives up, in ms. */
export const DEFAULT_VERSION_TIMEOUT_MS = 10_000;

const INSTALL_HINT =
  'Install etcd (Debian/Ubuntu: `sudo apt-get install etcd-server`; elsewhere a v3.4+ release ' +
  'binary from https://github.com/etcd-io/etcd/releases) or set ETCD_BIN=/path/to/etcd.';

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The error for a missing etcd binary: what is wrong, then what to install. */
function notFound(problem: string): EtcdLaunchError {
  return new EtcdLaunchError(`${problem}. ${INSTALL_HINT}`, Status.FAILED_PRECONDITION);
}

/**
 * Returns the absolute path of the etcd server binary to run.
 *
 * @param explicit a path given by the caller (e.g. the `etcdBin` cluster option); checked first.
 * @param env the environment to read `ETCD_BIN` and `PATH` from; default `process.env`.
 * @throws EtcdLaunchError (FAILED_PRECONDITION) when `explicit` or `ETCD_BIN` is set but is not an
 *   executable file, or when no `etcd` is found on `PATH`; the message says what to install.
 */
export function findEtcdBinary(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (explicit !== undefined && explicit !== '') {
    const path = resolve(explicit);
    if (!isExecutableFile(path)) {
      throw notFound(`etcd binary ${JSON.stringify(explicit)} (the etcdBin option) is not an executable file`);
    }
    return path;
  }
  const fromEnv = env[ETCD_BIN_ENV];
  if (fromEnv !== undefined && fromEnv !== '') {
    const path = resolve(fromEnv);
    if (!isExecutableFile(path)) {
      throw notFound(`${ETCD_BIN_ENV}=${fromEnv} is not an executable file`);
    }
    return path;
  }
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir === '' || !isAbsolute(dir)) continue;
    const candidate = join(dir, 'etcd');
    if (isExecutableFile(candidate)) return candidate;
  }
  throw notFound(`No etcd server binary found: ${ETCD_BIN_ENV} is not set and there is no \`etcd\` on PATH`);
}

const versionCache = new Map<string, Promise<string>>();

/**
 * Reads the version of an etcd binary by running `etcd --version` (e.g. `"3.4.23"`).
 * The answer is cached per path for the life of the process.
 *
 * @param bin path of the etcd binary (see {@link findEtcdBinary}).
 * @throws EtcdLaunchError (FAILED_PRECONDITION) when the binary cannot be run, fails, takes longer
 *   than 10 seconds, or prints no `etcd Version: x.y.z` line (it is no working etcd).
 */
export function etcdVersion(bin: string): Promise<string> {
  let cached = versionCache.get(bin);
  if (cached === undefined) {
    cached = new Promise<string>((resolvePromise, reject) => {
      execFile(bin, ['--version'], { timeout: DEFAULT_VERSION_TIMEOUT_MS }, (error, stdout) => {
        if (error) {
          reject(new EtcdLaunchError(`\`${bin} --version\` failed: ${error.message}`, Status.FAILED_PRECONDITION, { cause: error }));
          return;
        }
        const match = /etcd Version:\s*(\S+)/i.exec(stdout);
        if (match === null) {
          reject(new EtcdLaunchError(`\`${bin} --version\` printed no "etcd Version:" line: ${stdout.slice(0, 200)}`, Status.FAILED_PRECONDITION));
          return;
        }
        resolvePromise(match[1]!);
      });
    });
    cached.catch(() => versionCache.delete(bin));
    versionCache.set(bin, cached);
  }
  return cached;
}
