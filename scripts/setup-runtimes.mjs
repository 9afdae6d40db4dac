// Installs the pinned Bun and Deno the runtime suite runs on (npm run test:runtimes, CI), from the
// npm registry, into .cache/runtimes/ (not into the project's node_modules: ~200 MB that only this
// step needs, and platform packages that would tie package-lock.json to one machine).
//
// The npm packages `bun` and `deno` ship their binaries in per-platform optional packages
// (@oven/bun-linux-x64, @deno/linux-x64-glibc, ...). Their postinstall scripts only move or link that
// binary (and Bun's may download another build when the platform package is missing), and npm 11
// blocks dependency install scripts that package.json's allowScripts does not list. So we install
// with --ignore-scripts and run the binary inside the platform package: nothing but the registry's
// tarballs is needed, whatever npm's install-script policy.
//
// Prints `<name> <version> <path>` per runtime on stdout; with `--json`, one JSON object
// { bun: path, deno: path }. Exits 1, naming what failed, when a runtime cannot be installed or does
// not run: CI must fail, not skip.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The runtimes' versions, pinned: bump them here (package.json's engines states the supported range). */
export const RUNTIME_VERSIONS = { bun: '1.4.5', deno: '2.9.6' };

const root = resolve(import.meta.dirname, '..');
const dir = join(root, '.cache', 'runtimes');

function fail(message) {
  console.error(`setup-runtimes: ${message}`);
  process.exit(1);
}

const glibc = () => Boolean(process.report?.getReport().header.glibcVersionRuntime);
const avx2 = () => {
  try {
    return /\bavx2\b/.test(readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    return true;
  }
};

/** The platform package holding each binary, and the binary's path inside it. */
function platformPackages() {
  const { platform, arch } = process;
  const key = `${platform}-${arch}`;
  const bunArch = { 'linux-x64': 'linux-x64', 'linux-arm64': 'linux-aarch64', 'darwin-x64': 'darwin-x64', 'darwin-arm64': 'darwin-aarch64' }[key];
  const denoArch = { 'linux-x64': 'linux-x64-glibc', 'linux-arm64': 'linux-arm64-glibc', 'darwin-x64': 'darwin-x64', 'darwin-arm64': 'darwin-arm64' }[key];
  if (!bunArch || !denoArch) fail(`no Bun/Deno npm package for ${key} in this script (linux and macOS, x64 and arm64)`);
  if (platform === 'linux' && !glibc()) fail('Deno ships no npm package for musl Linux; run the runtime suite on a glibc system');
  // Bun's default x64 build needs AVX2; its postinstall would pick the baseline build on older CPUs.
  const bunPackage = `@oven/bun-${bunArch}${arch === 'x64' && platform === 'linux' && !avx2() ? '-baseline' : ''}`;
  return {
    bun: { pkg: bunPackage, bin: join('bin', 'bun') },
    deno: { pkg: `@deno/${denoArch}`, bin: 'deno' },
  };
}

function versionOf(name, path) {
  try {
    const out = execFileSync(path, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return /(\d+\.\d+\.\d+)/.exec(out)?.[1];
  } catch {
    return undefined;
  }
}

export function setupRuntimes() {
  const packages = platformPackages();
  const paths = Object.fromEntries(
    Object.entries(packages).map(([name, { pkg, bin }]) => [name, join(dir, 'node_modules', ...pkg.split('/'), bin)]),
  );
  const current = () => Object.entries(paths).every(([name, path]) => existsSync(path) && versionOf(name, path) === RUNTIME_VERSIONS[name]);
  if (!current()) {
    mkdirSync(dir, { recursive: true });
    const dependencies = Object.fromEntries(Object.entries(packages).map(([name, { pkg }]) => [pkg, RUNTIME_VERSIONS[name]]));
    writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ private: true, description: 'Bun and Deno for the runtime suite (scripts/setup-runtimes.mjs)', dependencies }, null, 2)}\n`);
    console.error(`setup-runtimes: installing ${Object.entries(dependencies).map(([p, v]) => `${p}@${v}`).join(', ')} into ${dir}`);
    try {
      execFileSync('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error'], {
        cwd: dir,
        stdio: ['ignore', 'inherit', 'inherit'],
      });
    } catch (error) {
      fail(`npm install of the runtimes failed (${error.message.split('\n')[0]})`);
    }
  }
  for (const [name, path] of Object.entries(paths)) {
    if (!existsSync(path)) fail(`${name}: ${path} is missing after the install`);
    // Some releases' platform packages ship the binary without its execute bit (Deno's postinstall set it).
    if ((statSync(path).mode & 0o111) === 0) chmodSync(path, 0o755);
    const version = versionOf(name, path);
    if (version !== RUNTIME_VERSIONS[name]) fail(`${name}: ${path} --version gave ${version ?? 'nothing (does it run here?)'}, expected ${RUNTIME_VERSIONS[name]}`);
  }
  return paths;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const paths = setupRuntimes();
  if (process.argv.includes('--json')) console.log(JSON.stringify(paths));
  else for (const [name, path] of Object.entries(paths)) console.log(`${name} ${RUNTIME_VERSIONS[name]} ${path}`);
}
