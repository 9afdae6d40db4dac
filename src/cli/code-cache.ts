/**
 * Runs the CLI's CommonJS bundle with a V8 code cache, so that a command does not compile the
 * bundle's functions again at every start (about a fifth of a `put`'s CPU on Node 20: `npm run
 * bench:startup`). Node 20 has no `module.enableCompileCache`; `vm.Script` takes and makes V8's
 * code cache on every Node version.
 *
 * - The cache is made at the exit of a run that found none (or one V8 refused: another Node or V8
 *   flags), after the command ran, so it holds every function that command compiled. A later run
 *   that did clearly more (a `put` after a cache made by `version`: more of Node's own modules
 *   loaded at exit than the cache's maker had, `process.moduleLoadList`, which costs nothing to
 *   read, where counting the heap's bytecode costs 1 ms) makes it again; so it converges on the
 *   commands that run.
 * - Where: `$XDG_CACHE_HOME/etcd-ts` (default `~/.cache/etcd-ts`), a folder of the user's own
 *   (mode 0700, made with its parent when missing; one that another user owns or may write is not
 *   used: a cache is code that runs).
 *   One file per install, bundle (size and modification time: V8 itself checks only the
 *   source's length) and Node version, written to a temporary file and renamed (parallel commands
 *   never read half a file). Writing one removes older builds' files of the same install and any
 *   file not written for 30 days (installs gone; a cache still in use is made again).
 * - V8 checks a cache's data against a checksum it wrote with it (`--verify-snapshot-checksum`,
 *   set while it reads or makes the cache): a damaged file is refused and made again, never run
 *   (V8 alone checks only the header, and crashes on damaged data behind it).
 * - Off under Bun and Deno (their `node:vm` has no V8 code cache), with
 *   `NODE_DISABLE_COMPILE_CACHE` set (Node's own switch for its compile cache), and whenever
 *   anything about the cache fails: the bundle then runs as a plain `require` would run it.
 */
import { closeSync, fstatSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { Script } from 'node:vm';

/** What happened to the cache in a run (for the tests). */
export type CodeCacheUse = 'off' | 'made' | 'used' | 'refused';

/** First bytes of a cache file, then how much its maker had run (uint32 LE, see {@link workDone}), then V8's data. */
const MAGIC = Buffer.from('ETC2');
const HEADER_SIZE = MAGIC.length + 4;
/** A run that did this factor more than the cache's maker makes the cache again. */
const REMAKE_GROWTH = 1.05;

/**
 * How much a run did, at its exit: the number of Node's own modules it loaded (a command that
 * talks to etcd loads the network and stream modules, one with TLS node:tls and node:crypto).
 * 0 where Node does not list them (then a cache is made only when there is none).
 */
function workDone(): number {
  const loaded = (process as { moduleLoadList?: unknown }).moduleLoadList;
  return Array.isArray(loaded) ? loaded.length : 0;
}

/** Where caches go, from the environment (XDG base directories), or undefined when caching is off. */
export function codeCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (process.versions.bun !== undefined || process.versions.deno !== undefined) return undefined;
  const disabled = env['NODE_DISABLE_COMPILE_CACHE'];
  if (disabled !== undefined && disabled !== '') return undefined;
  const xdg = env['XDG_CACHE_HOME'];
  let base: string;
  try {
    base = xdg !== undefined && isAbsolute(xdg) ? xdg : join(homedir(), '.cache');
  } catch {
    return undefined; // no home folder
  }
  return join(base, 'etcd-ts');
}

/** Makes the folder `path` (mode 0700) unless it exists. Throws when it cannot be made. */
function makeFolder(path: string): void {
  try {
    mkdirSync(path, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}

/**
 * Whether `dir` is a folder only this user can write, so its files can be trusted; it and its
 * parent (`~/.cache`) are made when missing, nothing above (a home folder that does not exist is
 * not made). Not `mkdirSync`'s `recursive`, which spins forever where a file system answers
 * ENOENT for a parent that exists (/proc).
 */
function privateFolder(dir: string): boolean {
  try {
    makeFolder(dirname(dir));
    makeFolder(dir);
    const st = lstatSync(dir);
    if (!st.isDirectory()) return false;
    if (typeof process.getuid !== 'function') return true; // Windows: the profile folder is the user's
    return st.uid === process.getuid() && (st.mode & 0o022) === 0;
  } catch {
    return false;
  }
}

/** FNV-1a of a string, base 36: a short stable name for an install's path. */
function shortHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(36);
}

/** The cache file's contents when it is this user's regular file, else undefined. */
function readOwnFile(path: string): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || (typeof process.getuid === 'function' && st.uid !== process.getuid())) return undefined;
    return readFileSync(fd);
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** Days after which a file of the cache folder is removed when a cache is written (its install is likely gone; one still in use is simply made again). */
const MAX_AGE_DAYS = 30;

/**
 * The files of `dir` to remove once `keep` is written: other builds' caches of the same install
 * (`install` prefix) and Node version, and any file (a temporary one left by a killed command
 * too) not written for {@link MAX_AGE_DAYS}.
 */
function staleFiles(dir: string, keep: string, install: string): string[] {
  const sameInstall = (name: string): boolean => name.startsWith(install) && name.endsWith(`-${process.version}-${process.arch}.v8`);
  const oldest = Date.now() - MAX_AGE_DAYS * 86_400_000;
  const stale: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === keep || !name.startsWith('cli-')) continue;
    const path = join(dir, name);
    try {
      if (sameInstall(name) || statSync(path).mtimeMs < oldest) stale.push(path);
    } catch {
      // removed meanwhile
    }
  }
  return stale;
}

/** Writes `data` to `path` atomically (temporary file, then rename), then removes `stale()`. Never throws. */
function writeAtomically(path: string, data: Buffer, stale: () => string[]): void {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, data, { mode: 0o600, flag: 'wx' });
    renameSync(temporary, path);
  } catch {
    try {
      unlinkSync(temporary);
    } catch {
      // not made
    }
    return;
  }
  let files: string[];
  try {
    files = stale();
  } catch {
    return;
  }
  for (const file of files) {
    try {
      unlinkSync(file);
    } catch {
      // gone already (another command removed it)
    }
  }
}

/**
 * Runs the CommonJS file `file` (as `require(file)` would, its exports discarded) with a V8 code
 * cache in `cacheDir` ({@link codeCacheDir}; `undefined`: no cache). Returns what happened to the
 * cache; the cache is written, when it is, as the process exits. Throws what the file throws while
 * it loads.
 */
export function runWithCodeCache(file: string, cacheDir: string | undefined): CodeCacheUse {
  const require = createRequire(file);
  if (cacheDir === undefined || !privateFolder(cacheDir)) {
    require(file);
    return 'off';
  }
  let source: string;
  let cacheFile: string;
  let install: string;
  let name: string;
  try {
    const st = statSync(file);
    install = `cli-${shortHash(file)}-`;
    name = `${install}${st.size.toString(36)}-${Math.trunc(st.mtimeMs).toString(36)}-${process.version}-${process.arch}.v8`;
    cacheFile = join(cacheDir, name);
    source = readFileSync(file, 'utf8');
  } catch {
    require(file);
    return 'off';
  }
  // V8 checks its cache's header (its version, flags, the source's length) but, in a release
  // build, not the data behind it: damaged data there (a disk error, an edited file) crashes the
  // process. With this flag V8 puts a checksum in each cache it makes and refuses one whose data
  // does not match. It is on only while V8 reads or makes our cache: any flag is part of the hash
  // V8 checks code caches against, Node's own modules' too, which V8 would then refuse and compile
  // (measured: 8 ms more for a `put`). Loading node:v8 costs ~1.5 ms, only where a cache is used.
  const v8 = require('node:v8') as typeof import('node:v8');
  const checksums = (on: boolean): void => v8.setFlagsFromString(on ? '--verify-snapshot-checksum' : '--no-verify-snapshot-checksum');
  checksums(true);
  const stored = readOwnFile(cacheFile);
  const valid = stored !== undefined && stored.length > HEADER_SIZE && stored.subarray(0, MAGIC.length).equals(MAGIC);
  const makerWork = valid ? stored.readUInt32LE(MAGIC.length) : 0;
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: file,
    cachedData: valid ? stored.subarray(HEADER_SIZE) : undefined,
  });
  checksums(false);
  const use: CodeCacheUse = !valid ? 'made' : script.cachedDataRejected === true ? 'refused' : 'used';
  process.once('exit', () => {
    try {
      const work = workDone();
      if (use === 'used' && work <= makerWork * REMAKE_GROWTH) return;
      const header = Buffer.alloc(HEADER_SIZE);
      MAGIC.copy(header);
      header.writeUInt32LE(Math.min(work, 0xffffffff), MAGIC.length);
      checksums(true); // the process ends: nothing else is compiled after this
      writeAtomically(cacheFile, Buffer.concat([header, script.createCachedData()]), () => staleFiles(cacheDir, name, install));
    } catch {
      // no cache this time; the command's own exit is not changed
    }
  });
  const module = { exports: {}, id: file, filename: file, loaded: false };
  (script.runInThisContext() as (...args: unknown[]) => void).call(module.exports, module.exports, require, module, file, dirname(file));
  module.loaded = true;
  return use;
}

