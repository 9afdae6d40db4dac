// Packaging check, run after `npm run build` (CI: `node scripts/check-package.mjs`). It checks the
// package as a user gets it:
//
// 1. `npm pack`: the tarball holds every file package.json's "exports", "main", "types" and "bin"
//    name, and no sources or tests;
// 2. the tarball installed with npm into a fresh temp project (dependencies from npm's cache when
//    there), with the package's `proto/` folder deleted so no `.proto` can be read at run time;
// 3. every subpath of "exports" (read from package.json, so new ones are checked too) imported
//    from ESM and required from CommonJS, with the same export names;
// 4. a TypeScript file per module system importing every subpath, type-checked with the
//    declarations as installed (skipLibCheck off: broken or leaking declarations fail); and the
//    user file test/types/namespace-compose.ts (everything built on a namespace view, no cast),
//    its imports pointed at the package, checked the same way;
// 5. every subpath bundled with esbuild and run from another folder (nothing read next to the code),
//    holding none of the CLI's libraries; a bundled client encodes a call and fails it with a typed
//    error;
// 6. the `etcdts` bin runs; the optional peer dependencies (prom-client) are loaded only when
//    asked for, with a clear error when missing, and work once installed.
//
// Prints one line per check and exits 1 if any failed.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = resolve(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const failures = [];
const started = Date.now();
let last = started;
const check = (what, ok, detail = '') => {
  const now = Date.now();
  const took = `(${((now - last) / 1000).toFixed(1)} s)`;
  last = now;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what} ${took}${!ok && detail ? `\n     ${detail.split('\n').join('\n     ')}` : ''}`);
  if (!ok) failures.push(what);
};
const attempt = (what, fn) => {
  try {
    const result = fn();
    check(what, result !== false);
  } catch (err) {
    check(what, false, String(err?.stderr || err?.stdout || err?.message || err).trim().slice(0, 2000));
  }
};
const run = (file, args, options = {}) =>
  execFileSync(file, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...options });
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
/** The libraries only the CLI uses: no library entry point may load them (docs/design/architecture.md). */
const CLI_LIBRARIES = ['commander', 'cli-table3', 'cli-progress'];

if (!existsSync(join(root, 'dist/index.js'))) {
  console.error('dist/ is missing: run `npm run build` first');
  process.exit(1);
}

/** Subpaths of "exports" that are modules (not ./package.json), e.g. ['.', './testing']. */
const subpaths = Object.keys(pkg.exports).filter((s) => !s.endsWith('.json'));
/** The import specifier of a subpath: '.' -> 'etcd-ts', './testing' -> 'etcd-ts/testing'. */
const specifier = (subpath) => (subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`);

/** Every file path the manifest points at (exports conditions, main, module, types, bin). */
function manifestFiles() {
  const files = new Set();
  const visit = (value) => {
    if (typeof value === 'string') files.add(value.replace(/^\.\//, ''));
    else if (value && typeof value === 'object') Object.values(value).forEach(visit);
  };
  visit(pkg.exports);
  for (const key of ['main', 'module', 'types']) if (pkg[key]) visit(pkg[key]);
  visit(pkg.bin);
  return [...files];
}

/**
 * A user file of test/types/ as a user of the package has it: its imports of the sources
 * (`../../src/index.js`, `../../src/<subpath>/index.js`) pointed at the package's subpaths. Also
 * lists what a user file must not hold: any other relative import, an `as` cast, `any`.
 */
function packageUserFile(source) {
  const problems = [];
  const code = source.replace(/(from\s+)'\.\.\/\.\.\/src\/(?:([\w-]+)\/)?index\.js'/g, (_, from, sub) => {
    const subpath = sub === undefined ? '.' : `./${sub}`;
    if (!subpaths.includes(subpath)) problems.push(`imports ${sub}, which is not a subpath of the package`);
    return `${from}${JSON.stringify(specifier(subpath))}`;
  });
  const relative = code.match(/from\s+['"]\.[^'"]*['"]/g);
  if (relative) problems.push(`imports files, not the package: ${relative.join(', ')}`);
  // Code without comments, strings and import statements: what is left must hold no cast.
  const bare = code
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\/\/.*$/gm, '')
    .replace(/^import[\s\S]*?from\s+['"][^'"]+['"];/gm, '')
    .replace(/'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\.)*`|"(?:[^"\\\n]|\\.)*"/g, "''");
  for (const [pattern, what] of [[/\bas\s+(?!const\b)[\w{[(]/, 'an `as` cast'], [/\bany\b/, '`any`'], [/<\w+>\s*\(/, 'an angle-bracket cast']]) {
    const found = pattern.exec(bare);
    if (found) problems.push(`has ${what}: ${JSON.stringify(bare.slice(Math.max(0, found.index - 40), found.index + 40))}`);
  }
  return { code, problems };
}

const work = mkdtempSync(join(tmpdir(), 'etcd-ts-package-'));
try {
  // 1. npm pack
  const packed = JSON.parse(run(npm, ['pack', '--json', '--pack-destination', work], { cwd: root }))[0];
  const tarball = join(work, packed.filename);
  const inTarball = new Set(packed.files.map((f) => f.path));
  const missing = manifestFiles().filter((f) => !inTarball.has(f));
  check(`npm pack: ${packed.files.length} files, ${(packed.size / 1024).toFixed(0)} KiB; every file the manifest names is in it`, missing.length === 0, `missing: ${missing.join(', ')}`);
  const stray = [...inTarball].filter((f) => /^(src|test|bench|scripts|examples)\//.test(f) || f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.endsWith('.d.cts'));
  check('the tarball holds no sources, tests or scripts', stray.length === 0, stray.slice(0, 10).join(', '));

  // 2. install into a fresh project
  const project = join(work, 'project');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'etcd-ts-package-check', private: true, version: '0.0.0' }));
  attempt('npm install <tarball> into a fresh project', () => {
    run(npm, ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock', tarball], { cwd: project });
  });
  const installed = join(project, 'node_modules', pkg.name);
  rmSync(join(installed, 'proto'), { recursive: true, force: true });
  check(
    'optional peer dependencies (prom-client, @opentelemetry/api, @grpc/grpc-js) are not installed with it',
    ['prom-client', '@opentelemetry/api', '@grpc/grpc-js'].every((name) => !existsSync(join(project, 'node_modules', name))),
  );

  // 3. ESM and CommonJS, every subpath
  const listExports = (kind) => {
    const code = subpaths
      .map((s) => (kind === 'esm' ? `out[${JSON.stringify(s)}] = Object.keys(await import(${JSON.stringify(specifier(s))})).sort();` : `out[${JSON.stringify(s)}] = Object.keys(require(${JSON.stringify(specifier(s))})).filter((k) => k !== 'default' && k !== '__esModule').sort();`))
      .join('\n');
    const file = join(project, kind === 'esm' ? 'exports.mjs' : 'exports.cjs');
    writeFileSync(file, `const out = {};\n${code}\nconsole.log(JSON.stringify(out));\n`);
    return JSON.parse(run(process.execPath, [file], { cwd: project }));
  };
  let esm = {};
  let cjs = {};
  attempt(`ESM import of ${subpaths.map(specifier).join(', ')}`, () => {
    esm = listExports('esm');
  });
  attempt(`CommonJS require of ${subpaths.map(specifier).join(', ')}`, () => {
    cjs = listExports('cjs');
  });
  for (const s of subpaths) {
    const a = (esm[s] ?? []).filter((k) => k !== 'default');
    const b = cjs[s] ?? [];
    check(`${specifier(s)}: ESM and CommonJS export the same ${a.length} names`, a.length > 0 && JSON.stringify(a) === JSON.stringify(b), `ESM only: ${a.filter((k) => !b.includes(k))}; CJS only: ${b.filter((k) => !a.includes(k))}`);
  }
  check("etcd-ts exports Client, op, compare, EtcdError, loadConfigFile", ['Client', 'op', 'compare', 'EtcdError', 'loadConfigFile'].every((k) => esm['.']?.includes(k)));

  // 4. TypeScript against the installed declarations, from both module systems
  const imports = subpaths.map((s, i) => `import * as m${i} from ${JSON.stringify(specifier(s))};`).join('\n');
  const body = `${imports}
import { Client, type ClientOptions, type GetResponse, EtcdError } from ${JSON.stringify(pkg.name)};
const options: ClientOptions = { endpoints: ['http://127.0.0.1:2379'], dialTimeout: 1000 };
export async function read(client: Client): Promise<string | undefined> {
  const response: GetResponse = await client.get('k', { prefix: true, timeout: 500 });
  return response.kvs[0]?.value.toString();
}
export const made = new Client(options);
export const isError = (e: unknown): boolean => e instanceof EtcdError;
export const modules = [${subpaths.map((_, i) => `m${i}`).join(', ')}];
`;
  writeFileSync(join(project, 'check.mts'), body);
  writeFileSync(join(project, 'check.cts'), body);
  const userFiles = [];
  attempt('test/types/namespace-compose.ts imports only the package and has no cast', () => {
    const { code, problems } = packageUserFile(readFileSync(join(root, 'test/types/namespace-compose.ts'), 'utf8'));
    if (problems.length > 0) throw new Error(problems.join('\n'));
    writeFileSync(join(project, 'namespace-compose.mts'), code);
    writeFileSync(join(project, 'namespace-compose.cts'), code);
    userFiles.push('namespace-compose.mts', 'namespace-compose.cts');
  });
  writeFileSync(
    join(project, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', lib: ['es2023', 'esnext.disposable'], strict: true,
        noEmit: true, skipLibCheck: false, types: ['node'], typeRoots: [join(root, 'node_modules/@types')],
      },
      files: ['check.mts', 'check.cts', ...userFiles],
    }),
  );
  attempt(`TypeScript (ESM and CommonJS files${userFiles.length > 0 ? ', namespace-compose' : ''}, skipLibCheck off) type-checks against the installed declarations`, () => {
    run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', project], { cwd: project });
  });

  // 5. esbuild bundles of every subpath, run from another folder
  const elsewhere = join(work, 'elsewhere');
  mkdirSync(elsewhere);
  for (const [i, s] of subpaths.entries()) {
    const out = join(elsewhere, `bundle-${i}.mjs`);
    try {
      const { metafile } = await build({
        stdin: { contents: `export * from ${JSON.stringify(specifier(s))};`, resolveDir: project, loader: 'js' },
        bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: out, logLevel: 'silent', metafile: true,
      });
      const names = Object.keys(await import(pathToFileURL(out).href));
      check(`esbuild bundle of ${specifier(s)} loads from another folder (${names.length} exports)`, names.length > 0);
      const cliLibraries = Object.keys(metafile.inputs).filter((file) => CLI_LIBRARIES.some((name) => file.includes(`node_modules/${name}/`)));
      check(`${specifier(s)} bundles none of the CLI's libraries (${CLI_LIBRARIES.join(', ')})`, cliLibraries.length === 0, cliLibraries.slice(0, 5).join(', '));
    } catch (err) {
      check(`esbuild bundle of ${specifier(s)} loads from another folder`, false, String(err?.message ?? err));
    }
  }
  try {
    const bundled = await import(pathToFileURL(join(elsewhere, `bundle-${subpaths.indexOf('.')}.mjs`)).href);
    // A call encodes its request with the generated codec before it finds no server on port 1.
    const client = new bundled.Client({ endpoints: ['http://127.0.0.1:1'], dialTimeout: 200 });
    const error = await client.get('k').then(() => undefined, (e) => e);
    await client.close();
    check('the bundled client encodes a call and fails it with a typed error (no .proto read)', error instanceof bundled.EtcdError);
  } catch (err) {
    check('the bundled client encodes a call', false, String(err));
  }

  // 6. the CLI bin; optional peer dependencies
  attempt('the etcdts bin of the installed package prints its help', () => {
    const help = run(join(project, 'node_modules/.bin/etcdts'), ['--help'], { cwd: project });
    return ['get', 'put', 'del', 'txn', 'completion'].every((c) => help.includes(c));
  });
  const metricsProbe = (kind) => {
    const load = kind === 'esm' ? `const { Client } = await import(${JSON.stringify(pkg.name)});` : `const { Client } = require(${JSON.stringify(pkg.name)});`;
    const code = `${load}
let result;
try {
  const registry = { getSingleMetric: () => undefined, registerMetric() {} };
  new Client({ endpoints: ['http://127.0.0.1:1'], metrics: { registry } });
  result = 'loaded';
} catch (e) { result = e.name + ': ' + e.message; }
console.log(result);
`;
    const file = join(project, `metrics-probe.${kind === 'esm' ? 'mjs' : 'cjs'}`);
    writeFileSync(file, kind === 'esm' ? code : `(async () => {\n${code}\n})();\n`);
    return run(process.execPath, [file], { cwd: project }).trim();
  };
  for (const kind of ['esm', 'cjs']) {
    attempt(`${kind}: without prom-client, the metrics option fails with InvalidArgumentError naming the package`, () => {
      const out = metricsProbe(kind);
      if (!/^InvalidArgumentError: .*npm install prom-client/.test(out)) throw new Error(out);
    });
  }
  writeFileSync(join(project, 'etcd.yaml'), "endpoints: ['http://127.0.0.1:1']\ndial-timeout: 200000000\n");
  for (const kind of ['esm', 'cjs']) {
    attempt(`${kind}: Client.fromConfigFile reads a Go-format YAML file (the YAML library loads)`, () => {
      const load = kind === 'esm' ? `const { Client } = await import(${JSON.stringify(pkg.name)});` : `const { Client } = require(${JSON.stringify(pkg.name)});`;
      const file = join(project, `config-probe.${kind === 'esm' ? 'mjs' : 'cjs'}`);
      writeFileSync(file, `(async () => {\n${load}\nconst client = await Client.fromConfigFile('etcd.yaml');\nconsole.log(client.endpoints.join(','));\nawait client.close();\n})();\n`);
      const out = run(process.execPath, [file], { cwd: project }).trim();
      if (out !== 'http://127.0.0.1:1') throw new Error(out);
    });
  }
  const resolverProbe = (kind) => {
    const load = kind === 'esm'
      ? `const { Client } = await import(${JSON.stringify(pkg.name)}); const { registerGrpcResolver } = await import(${JSON.stringify(`${pkg.name}/naming`)});`
      : `const { Client } = require(${JSON.stringify(pkg.name)}); const { registerGrpcResolver } = require(${JSON.stringify(`${pkg.name}/naming`)});`;
    const code = `${load}
const client = new Client({ endpoints: ['http://127.0.0.1:1'] });
let result;
try { registerGrpcResolver(client); result = 'loaded'; } catch (e) { result = e.name + ': ' + e.message; }
await client.close();
console.log(result);
`;
    const file = join(project, `resolver-probe.${kind === 'esm' ? 'mjs' : 'cjs'}`);
    writeFileSync(file, `(async () => {\n${code}\n})();\n`);
    return run(process.execPath, [file], { cwd: project }).trim();
  };
  for (const kind of ['esm', 'cjs']) {
    attempt(`${kind}: without @grpc/grpc-js, registerGrpcResolver fails with InvalidArgumentError naming the package`, () => {
      const out = resolverProbe(kind);
      if (!/^InvalidArgumentError: .*npm install @grpc\/grpc-js/.test(out)) throw new Error(out);
    });
  }
  symlinkSync(join(root, 'node_modules/prom-client'), join(project, 'node_modules/prom-client'), 'dir');
  for (const kind of ['esm', 'cjs']) {
    attempt(`${kind}: with prom-client installed, the metrics option loads it`, () => {
      const out = metricsProbe(kind);
      if (out !== 'loaded') throw new Error(out);
    });
  }
  mkdirSync(join(project, 'node_modules/@grpc'), { recursive: true });
  symlinkSync(join(root, 'node_modules/@grpc/grpc-js'), join(project, 'node_modules/@grpc/grpc-js'), 'dir');
  for (const kind of ['esm', 'cjs']) {
    attempt(`${kind}: with @grpc/grpc-js installed, registerGrpcResolver loads it and registers`, () => {
      const out = resolverProbe(kind);
      if (out !== 'loaded') throw new Error(out);
    });
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

console.log(`package check took ${((Date.now() - started) / 1000).toFixed(1)} s`);
if (failures.length) {
  console.error(`${failures.length} package check(s) failed`);
  process.exit(1);
}
