// Smoke check of the built package (run after `npm run build`): the ESM and CommonJS builds load,
// export what they should, the CLI starts, and a bundle of the library works from another folder
// (nothing reads a .proto file or any other file next to the code at run time).
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = resolve(import.meta.dirname, '..');
const require = createRequire(import.meta.url);
const failures = [];
const check = (what, ok) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
};

const esm = await import(pathToFileURL(join(root, 'dist/index.js')).href);
const cjs = require(join(root, 'dist/index.cjs'));
for (const [name, mod] of [['ESM', esm], ['CommonJS', cjs]]) {
  check(`${name} build exports Client, op, compare, EtcdError`,
    typeof mod.Client === 'function' && typeof mod.op === 'object' && typeof mod.compare === 'object' && typeof mod.EtcdError === 'function');
}
const testingEsm = await import(pathToFileURL(join(root, 'dist/testing/index.js')).href);
const testingCjs = require(join(root, 'dist/testing/index.cjs'));
check('etcd-ts/testing exports EtcdCluster (ESM and CommonJS)',
  typeof testingEsm.EtcdCluster === 'function' && typeof testingCjs.EtcdCluster === 'function');

const help = execFileSync(process.execPath, [join(root, 'dist/cli/main.js'), '--help'], { encoding: 'utf8' });
check('etcdts --help lists get, put, del, txn', ['get', 'put', 'del', 'txn'].every((c) => help.includes(c)));

const dir = mkdtempSync(join(tmpdir(), 'etcd-ts-bundle-'));
try {
  const out = join(dir, 'bundle.mjs');
  await build({
    stdin: { contents: "export { Client, EtcdError } from './dist/index.js';", resolveDir: root, loader: 'js' },
    bundle: true, platform: 'node', format: 'esm', outfile: out, logLevel: 'silent',
  });
  const bundled = await import(pathToFileURL(out).href);
  // A call encodes its request with the generated codec before it finds no server on port 1.
  const client = new bundled.Client({ endpoints: ['http://127.0.0.1:1'], dialTimeout: 200 });
  const error = await client.get('k').then(() => undefined, (e) => e);
  await client.close();
  check('a bundle of the library, run from another folder, encodes a call and fails it with a typed error',
    error instanceof bundled.EtcdError);
} catch (err) {
  check(`a bundle of the library loads from another folder (${err})`, false);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

if (failures.length) {
  console.error(`${failures.length} package check(s) failed`);
  process.exit(1);
}
