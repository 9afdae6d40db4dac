#!/usr/bin/env node
// Generates src/proto/gen/ from proto/*.proto with `buf generate` and the local ts-proto plugin
// (protoc-gen-ts_proto; both dev dependencies, so this runs offline). Options: buf.gen.yaml.
// Run by `npm run gen`.
// Fails loudly: a missing tool, a buf error, or missing output ends the process with a non-zero
// exit code and a message on stderr.
// Skips the work (a few ms) when the inputs (proto/, buf.yaml, buf.gen.yaml, this script, the
// generator versions) hash to the value recorded after the last successful run; `--force` always
// regenerates.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'node_modules', '.bin');
const buf = join(bin, process.platform === 'win32' ? 'buf.cmd' : 'buf');
const plugin = join(bin, process.platform === 'win32' ? 'protoc-gen-ts_proto.cmd' : 'protoc-gen-ts_proto');
const outDir = join(root, 'src', 'proto', 'gen');
/** Records the hash of the inputs of the last successful generation. */
const stampFile = join(outDir, '.inputs.sha256');

/** Every file the generator must produce, relative to src/proto/gen/. */
const EXPECTED_OUTPUT = [
  'etcdserverpb/rpc.ts',
  'mvccpb/kv.ts',
  'authpb/auth.ts',
  'v3lockpb/v3lock.ts',
  'v3electionpb/v3election.ts',
];

function fail(message) {
  console.error(`gen-proto: ${message}`);
  process.exit(1);
}

for (const [name, path] of [['buf', buf], ['protoc-gen-ts_proto (package ts-proto)', plugin]]) {
  if (!existsSync(path)) fail(`${name} not found at ${path}; run \`npm install\` first`);
}

/** SHA-256 over every input that can change the generated code. */
function inputsHash() {
  const hash = createHash('sha256');
  const protoFiles = readdirSync(join(root, 'proto'), { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.proto'))
    .sort();
  if (protoFiles.length === 0) fail('no .proto files under proto/');
  const inputs = [
    ...protoFiles.map((f) => join('proto', f)),
    'buf.yaml',
    'buf.gen.yaml',
    join('scripts', 'gen-proto.mjs'),
    ...['@bufbuild/buf', 'ts-proto', '@bufbuild/protobuf'].map((p) => join('node_modules', p, 'package.json')),
  ];
  for (const file of inputs) {
    hash.update(file).update('\0').update(readFileSync(join(root, file))).update('\0');
  }
  return hash.digest('hex');
}

const started = performance.now();
const digest = inputsHash();
const upToDate =
  !process.argv.includes('--force') &&
  existsSync(stampFile) &&
  readFileSync(stampFile, 'utf8').trim() === digest &&
  EXPECTED_OUTPUT.every((file) => existsSync(join(outDir, file)));
if (upToDate) {
  console.log(`gen-proto: src/proto/gen/ is up to date (${Math.round(performance.now() - started)} ms)`);
  process.exit(0);
}

const result = spawnSync(buf, ['generate', '--template', 'buf.gen.yaml'], {
  cwd: root,
  stdio: 'inherit',
  // Keep buf's cache inside the project tree's temp dir rather than failing on a read-only HOME.
  env: { ...process.env, BUF_CACHE_DIR: process.env.BUF_CACHE_DIR ?? join(root, '.tmp', 'buf-cache') },
});
if (result.error) fail(`could not run buf: ${result.error.message}`);
if (result.signal) fail(`buf killed by ${result.signal}`);
if (result.status !== 0) fail(`buf generate exited with code ${result.status}`);

const missing = EXPECTED_OUTPUT.filter((file) => !existsSync(join(outDir, file)));
if (missing.length > 0) fail(`buf generate produced no ${missing.join(', ')} in ${outDir}`);

writeFileSync(stampFile, `${digest}\n`);
const count = readdirSync(outDir, { recursive: true }).filter((f) => String(f).endsWith('.ts')).length;
const ms = Math.round(performance.now() - started);
console.log(`gen-proto: ${count} files in src/proto/gen/ (${ms} ms)`);
