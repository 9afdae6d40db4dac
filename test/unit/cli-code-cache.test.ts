// The V8 code cache of the etcdts bin (src/cli/code-cache.ts): each run is a child process that
// runs a small CommonJS program through runWithCodeCache, as dist/cli/main.cjs runs cli.cjs, with
// the cache folder in a temp folder; the test checks the program's output, what the run did with
// the cache, and the files left in the folder.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { codeCacheDir } from '../../src/cli/code-cache.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const RUNNER = `
import { runWithCodeCache } from ${JSON.stringify(join(ROOT, 'src/cli/code-cache.ts'))};
const [file, dir] = process.argv.slice(-2);
process.stderr.write(runWithCodeCache(file, dir === '-' ? undefined : dir));
`;

let tmp: string;

before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'etcd-ts-code-cache-'));
});

after(() => {
  rmSync(tmp, { recursive: true, force: true });
});

/**
 * A CommonJS program that prints its file and folder; with `more` on its command line it calls
 * `functions` more functions and loads some of Node's modules (as a command that talks to etcd
 * does more than `etcdts version`).
 */
function writeProgram(file: string, functions = 0): void {
  const extra = Array.from({ length: functions }, (_, i) => `function f${i}(a) { return [a, ${i}, String(a * ${i})].join('-').length; }`).join('\n');
  const calls = Array.from({ length: functions }, (_, i) => `f${i}(${i})`).join(' + ');
  const modules = ['node:http', 'node:https', 'node:zlib', 'node:dns', 'node:readline'].map((m) => `require('${m}'), `).join('');
  writeFileSync(
    file,
    `${extra}\nconst path = require('node:path');\n` +
      `const more = process.argv.includes('more') ? (${modules}${calls || '0'}) : 0;\n` +
      `process.stdout.write(JSON.stringify({ file: path.basename(__filename), dir: path.basename(__dirname), more: more > 0 }));\n`,
  );
}

/** Runs `file` through runWithCodeCache with the cache in `dir`; its stdout and what it did with the cache. */
function run(file: string, dir: string, ...args: string[]): Promise<{ stdout: string; use: string }> {
  return new Promise((resolve, reject) => {
    const options = { cwd: ROOT, timeout: 60_000, killSignal: 'SIGKILL' as const };
    execFile(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', RUNNER, ...args, file, dir], options, (error, stdout, stderr) => {
      if (error) reject(new Error(`${error.message}\n${stderr}`));
      else resolve({ stdout, use: stderr.trim() });
    });
  });
}

/** The cache files in `dir`, with their modification times. */
function cacheFiles(dir: string): Array<{ name: string; mtimeMs: number; mode: number }> {
  return readdirSync(dir).map((name) => {
    const st = statSync(join(dir, name));
    return { name, mtimeMs: st.mtimeMs, mode: st.mode & 0o777 };
  });
}

describe('runWithCodeCache', () => {
  test('the first run makes the cache, the next ones use it; the program runs the same', async () => {
    const dir = join(tmp, 'basic');
    const file = join(tmp, 'basic.cjs');
    writeProgram(file);
    const expected = JSON.stringify({ file: 'basic.cjs', dir: basename(tmp), more: false });
    const first = await run(file, dir);
    assert.deepEqual(first, { stdout: expected, use: 'made' });
    const made = cacheFiles(dir);
    assert.equal(made.length, 1);
    assert.match(made[0]!.name, new RegExp(`-${process.version}-${process.arch}\\.v8$`));
    assert.equal(made[0]!.mode, 0o600);
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    const second = await run(file, dir);
    assert.deepEqual(second, { stdout: expected, use: 'used' });
    assert.deepEqual(cacheFiles(dir), made, 'a used cache is not written again');
  });

  test('runs that start together all run the program and leave one whole cache, which the next run uses', async () => {
    const dir = join(tmp, 'parallel');
    const file = join(tmp, 'parallel.cjs');
    writeProgram(file, 100);
    const runs = await Promise.all(Array.from({ length: 6 }, () => run(file, dir, 'more')));
    for (const r of runs) assert.match(r.stdout, /"file":"parallel.cjs".*"more":true/);
    assert.deepEqual(cacheFiles(dir).map((f) => f.name.endsWith('.v8')), [true]); // no temporary file left
    assert.equal((await run(file, dir, 'more')).use, 'used');
  });

  test('a changed program gets a cache of its own, and the old one is removed', async () => {
    const dir = join(tmp, 'changed');
    const file = join(tmp, 'changed.cjs');
    writeProgram(file);
    await run(file, dir);
    const [old] = cacheFiles(dir);
    writeProgram(file, 3);
    const after = await run(file, dir, 'more');
    assert.equal(after.use, 'made');
    assert.match(after.stdout, /"more":true/);
    const files = cacheFiles(dir);
    assert.equal(files.length, 1);
    assert.notEqual(files[0]!.name, old!.name);
  });

  test('writing a cache removes files of the folder older than 30 days, and only those', async () => {
    const dir = join(tmp, 'aged');
    const file = join(tmp, 'aged.cjs');
    writeProgram(file);
    mkdirSync(dir, { mode: 0o700 });
    const old = join(dir, 'cli-gone-1-2-v20.0.0-x64.v8');
    const recent = join(dir, 'cli-other-1-2-v20.0.0-x64.v8');
    for (const f of [old, recent]) writeFileSync(f, 'x', { mode: 0o600 });
    const daysAgo = (days: number): Date => new Date(Date.now() - days * 86_400_000);
    utimesSync(old, daysAgo(31), daysAgo(31));
    utimesSync(recent, daysAgo(29), daysAgo(29));
    assert.equal((await run(file, dir)).use, 'made');
    const names = cacheFiles(dir).map((f) => f.name);
    assert.ok(!names.includes('cli-gone-1-2-v20.0.0-x64.v8') && names.includes('cli-other-1-2-v20.0.0-x64.v8'), names.join(' '));
    assert.equal(names.length, 2);
  });

  test('a run that does much more than the cache\'s maker makes it again, once', async () => {
    const dir = join(tmp, 'growth');
    const file = join(tmp, 'growth.cjs');
    writeProgram(file, 3000);
    assert.equal((await run(file, dir)).use, 'made');
    const small = readFileSync(join(dir, cacheFiles(dir)[0]!.name)).length;
    assert.equal((await run(file, dir, 'more')).use, 'used');
    const big = readFileSync(join(dir, cacheFiles(dir)[0]!.name)).length;
    assert.ok(big > small * 2, `remade: ${small} -> ${big} bytes`);
    const before = cacheFiles(dir);
    assert.equal((await run(file, dir, 'more')).use, 'used');
    assert.equal((await run(file, dir)).use, 'used');
    assert.deepEqual(cacheFiles(dir), before, 'not written again');
  });

  test('a cache V8 refuses is replaced', async () => {
    const dir = join(tmp, 'refused');
    const file = join(tmp, 'refused.cjs');
    writeProgram(file);
    await run(file, dir);
    const path = join(dir, cacheFiles(dir)[0]!.name);
    const bytes = readFileSync(path);
    bytes.fill(0x5a, 8, 24); // V8's own header (magic number, version and flags hashes) after ours
    writeFileSync(path, bytes);
    const refused = await run(file, dir);
    assert.equal(refused.use, 'refused');
    assert.match(refused.stdout, /"file":"refused.cjs"/);
    assert.equal((await run(file, dir)).use, 'used');
  });

  test('a cache damaged inside V8\'s data (past every header) is refused, never run', async () => {
    // V8 checks its header (version, flags, source length) but, in a release build, not the data
    // behind it unless asked to: damaged data there crashed the process (SIGSEGV, SIGTRAP).
    const dir = join(tmp, 'damaged');
    const file = join(tmp, 'damaged.cjs');
    writeProgram(file, 200);
    await run(file, dir, 'more');
    const path = join(dir, cacheFiles(dir)[0]!.name);
    const good = readFileSync(path);
    for (const at of [0.25, 0.5, 0.75]) {
      const bytes = Buffer.from(good);
      const from = Math.floor(bytes.length * at);
      for (let i = from; i < from + 64; i++) bytes[i] = bytes[i]! ^ 0xff;
      writeFileSync(path, bytes);
      const damaged = await run(file, dir, 'more');
      assert.equal(damaged.use, 'refused', `damage at ${from} of ${bytes.length} bytes`);
      assert.match(damaged.stdout, /"file":"damaged.cjs".*"more":true/);
      assert.equal((await run(file, dir, 'more')).use, 'used');
    }
  });

  test('a folder other users may write is not used', async (t) => {
    if (typeof process.getuid !== 'function') {
      t.skip('no POSIX file modes on this platform');
      return;
    }
    const dir = join(tmp, 'shared');
    const file = join(tmp, 'shared.cjs');
    writeProgram(file);
    mkdirSync(dir);
    chmodSync(dir, 0o777);
    assert.deepEqual(await run(file, dir), { stdout: JSON.stringify({ file: 'shared.cjs', dir: basename(tmp), more: false }), use: 'off' });
    assert.deepEqual(cacheFiles(dir), []);
  });

  test('a folder whose parent\'s parent is missing is not made (a HOME that does not exist), and the program runs', async () => {
    const file = join(tmp, 'nohome.cjs');
    writeProgram(file);
    const home = join(tmp, 'no-such-home');
    assert.equal((await run(file, join(home, '.cache', 'etcd-ts'))).use, 'off');
    assert.equal(existsSync(home), false);
    // ~/.cache itself is made when missing, as the XDG base directories say.
    const fresh = join(tmp, 'fresh-home');
    mkdirSync(fresh);
    assert.equal((await run(file, join(fresh, '.cache', 'etcd-ts'))).use, 'made');
  });

  test('a folder that cannot be made on a file system that refuses it (/proc): the program runs without a cache', async (t) => {
    if (!existsSync('/proc/self')) {
      t.skip('no /proc on this platform');
      return;
    }
    // node's recursive mkdirSync spins forever on /proc (ENOENT for a parent that exists).
    const file = join(tmp, 'proc.cjs');
    writeProgram(file);
    assert.equal((await run(file, '/proc/etcd-ts-cache/etcd-ts')).use, 'off');
  });

  test('no folder: the program runs without a cache', async () => {
    const file = join(tmp, 'nocache.cjs');
    writeProgram(file);
    assert.equal((await run(file, '-')).use, 'off');
  });
});

describe('codeCacheDir', () => {
  test('$XDG_CACHE_HOME/etcd-ts, else ~/.cache/etcd-ts; off with NODE_DISABLE_COMPILE_CACHE', () => {
    assert.equal(codeCacheDir({ XDG_CACHE_HOME: '/var/cache/me' }), join('/var/cache/me', 'etcd-ts'));
    assert.equal(codeCacheDir({ XDG_CACHE_HOME: 'relative/dir' }), join(homedir(), '.cache', 'etcd-ts'));
    assert.equal(codeCacheDir({}), join(homedir(), '.cache', 'etcd-ts'));
    assert.equal(codeCacheDir({ NODE_DISABLE_COMPILE_CACHE: '1' }), undefined);
  });
});
