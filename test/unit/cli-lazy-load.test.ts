// What each kind of etcdts command loads and runs the module code of (src/cli/run.ts says why):
// the CLI bundled with esbuild and split at its dynamic imports (as the tests' bundle is; the
// package's one CommonJS file runs a dynamically imported module's code only when it is
// imported, which is the same thing), and for each command the chunks it loads, followed through
// their static imports. Every command pays at its start for what it loads, and etcd's etcdctl e2e
// suite runs hundreds of them against fixed time budgets (the figures: npm run bench:startup).
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { before, test } from 'node:test';

import { buildSync, type Metafile } from 'esbuild';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

let outputs: Metafile['outputs'];

before(() => {
  // buildSync: a child process that has ended when it returns (build() leaves esbuild's service running).
  const result = buildSync({
    entryPoints: { main: 'src/cli/main.ts' },
    absWorkingDir: ROOT,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outdir: 'dist/cli',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  outputs = result.metafile.outputs;
});

/** The output chunk of the dynamically imported module `entry` (e.g. `src/cli/run.ts`). */
function chunkOf(entry: string): string {
  const found = Object.entries(outputs).find(([, o]) => o.entryPoint === entry);
  assert.ok(found, `no chunk for ${entry}`);
  return found[0];
}

/** The chunks loaded with `chunks`: each one and, recursively, those it imports statically. */
function loadedWith(...chunks: string[]): Set<string> {
  const seen = new Set<string>();
  const visit = (chunk: string): void => {
    if (seen.has(chunk)) return;
    seen.add(chunk);
    for (const i of outputs[chunk]!.imports) if (i.kind === 'import-statement' && !i.external) visit(i.path);
  };
  for (const c of chunks) visit(c);
  return seen;
}

/** The source files (project-relative) and npm packages whose code is in `chunks`. */
function inputsOf(chunks: Set<string>): string[] {
  const inputs = new Set<string>();
  for (const c of chunks) {
    for (const [input, { bytesInOutput }] of Object.entries(outputs[c]!.inputs)) {
      if (bytesInOutput === 0) continue;
      const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
      inputs.add(pkg ? `package ${pkg[1]}` : input);
    }
  }
  return [...inputs].sort();
}

/** The Node built-ins `chunks` import statically (`node:net`, ...). */
function builtinsOf(chunks: Set<string>): string[] {
  const names = new Set<string>();
  for (const c of chunks) for (const i of outputs[c]!.imports) if (i.external && i.kind === 'import-statement') names.add(i.path);
  return [...names].sort();
}

/** What `version`, `--help`, `completion` and a command refused for its arguments load. */
function programInputs(): string[] {
  return inputsOf(loadedWith(chunkOf('src/cli/main.ts'), chunkOf('src/cli/start.ts')));
}

/** What a command that talks to etcd loads (`put`, `get`, `member list`, ...). */
function commandChunks(): Set<string> {
  return loadedWith(chunkOf('src/cli/main.ts'), chunkOf('src/cli/start.ts'), chunkOf('src/cli/run.ts'));
}

test('parsing a command line loads no client, codec, transport or printer', () => {
  const inputs = programInputs();
  assert.ok(inputs.includes('package commander') && inputs.includes('src/cli/kv.ts'), inputs.join('\n'));
  // The error tree (exit.ts maps errors to exit codes) and transport/endpoint.ts (hasScheme) are light.
  const heavy = inputs.filter(
    (i) =>
      i.startsWith('src/proto/') ||
      i === 'src/client.ts' ||
      /^src\/transport\/(connection|session|call|dial|h2\/|hpack\/)/.test(i) ||
      /^src\/cli\/(session|printer|admin-printer|table)\.ts$/.test(i) ||
      i.startsWith('package '),
  );
  assert.deepEqual(heavy, ['package commander']);
});

test('a command that talks to etcd loads the client but no launcher, table, progress bar, TLS or hashing', () => {
  const chunks = commandChunks();
  const inputs = inputsOf(chunks);
  assert.ok(inputs.includes('src/cli/session.ts') && inputs.some((i) => i.startsWith('src/proto/')), inputs.join('\n'));
  const unwanted = inputs.filter((i) => i.startsWith('src/testing/') || /(^|\/)table\.ts$/.test(i) || ['package cli-table3', 'package cli-progress', 'package yaml'].includes(i));
  assert.deepEqual(unwanted, []);
  // TLS, hashing, DNS and HTTP load where used (node:tls and node:crypto alone cost ~3 ms).
  const builtins = builtinsOf(chunks);
  assert.ok(builtins.includes('node:net'), builtins.join(' '));
  assert.deepEqual(builtins.filter((b) => ['node:tls', 'node:crypto', 'node:dns', 'node:http', 'node:https'].includes(b)), []);
});

test('-w table loads cli-table3 on its own', () => {
  const table = inputsOf(loadedWith(chunkOf('src/cli/table.ts')));
  assert.ok(table.includes('package cli-table3'), table.join('\n'));
});
