/**
 * Go programs of the tests (test/go/<name>/main.go), built on the official Go client from
 * Debian's etcd 3.4 Go sources (GOPATH mode, no network). `scripts/setup-go.sh` finds Go and
 * those sources, or installs them (as root on Debian/Ubuntu); when it cannot, the build throws
 * with what to install: a test that needs Go fails, it is never skipped.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Where Debian's `golang-etcd-server-dev` puts the Go client's sources (GOPATH layout). */
const DEBIAN_GOPATH = '/usr/share/gocode';
/** Longest time setup-go.sh may take (it may run apt-get), ms. */
const SETUP_TIMEOUT_MS = 600_000;
/** Longest time a build may take (the first one compiles the Go client), ms. */
const BUILD_TIMEOUT_MS = 300_000;

/** `go` as scripts/setup-go.sh finds (or installs) it; throws with the script's advice when it cannot. */
async function goBinary(): Promise<string> {
  try {
    const { stdout } = await run('bash', [join(ROOT, 'scripts/setup-go.sh')], { timeout: SETUP_TIMEOUT_MS });
    return stdout.trim();
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? String(error);
    throw new Error(`this test needs Go and the etcd 3.4 Go sources (scripts/setup-go.sh failed):\n${stderr.trim()}`);
  }
}

/**
 * Builds test/go/`name` once per version of its source (cached under the OS temp folder) and
 * returns the binary's path.
 * @throws Error when Go or the sources are missing, or the build fails (with the compiler's output)
 */
export async function buildGoProgram(name: string): Promise<string> {
  const source = join(ROOT, 'test/go', name);
  const hash = createHash('sha256').update(readFileSync(join(source, 'main.go'))).digest('hex').slice(0, 16);
  const dir = join(tmpdir(), 'etcd-ts-test-go', hash);
  const binary = join(dir, name);
  if (existsSync(binary)) return binary;
  const go = await goBinary();
  mkdirSync(dir, { recursive: true });
  try {
    await run(go, ['build', '-o', binary, '.'], {
      cwd: source,
      timeout: BUILD_TIMEOUT_MS,
      env: { ...process.env, GO111MODULE: 'off', GOPATH: DEBIAN_GOPATH, GOCACHE: join(dirname(dir), 'cache'), GOFLAGS: '' },
    });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? String(error);
    throw new Error(`go build of test/go/${name} failed:\n${stderr.trim()}`);
  }
  return binary;
}
