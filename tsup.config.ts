import { builtinModules } from 'node:module';

import type { Plugin } from 'esbuild';
import { defineConfig, type Options } from 'tsup';

import { thirdPartyNotices } from './scripts/third-party-notices.mjs';

/** Settings both builds share. */
const common: Options = {
  target: 'node20',
  platform: 'node',
  sourcemap: true,
  splitting: true,
  keepNames: true,
  // Keep `node:` on built-in imports (tsup strips it by default): Deno 2.0 cannot load a local
  // file that imports a bare 'timers/promises', and `node:` resolves on Node >= 20, Bun and Deno.
  removeNodeProtocol: false,
};

/**
 * Bundled packages require built-ins by their bare names (`require('events')`): written as
 * `node:events`, as our own code does (Deno resolves only those without a compatibility flag).
 */
const nodeProtocol: Plugin = {
  name: 'node-protocol',
  setup(build) {
    build.onResolve({ filter: new RegExp(`^(${builtinModules.filter((m) => !m.startsWith('node:')).join('|')})$`) }, (args) => ({
      path: `node:${args.path}`,
      external: true,
    }));
  },
};

export default defineConfig([
  // The library: two builds of one package, ESM (.js) and CommonJS (.cjs), each with type
  // declarations. Entry points are the package's subpath exports.
  {
    ...common,
    entry: {
      index: 'src/index.ts',
      'testing/index': 'src/testing/index.ts',
      'concurrency/index': 'src/concurrency/index.ts',
      'recipes/index': 'src/recipes/index.ts',
      'naming/index': 'src/naming/index.ts',
    },
    format: ['esm', 'cjs'],
    dts: true,
    shims: true,
    // dist/cli/ is the other build's.
    clean: ['!cli/**'],
  },
  // The `etcdts` executable (package.json "bin"), built for start-up time: every command costs a
  // process start, and etcdctl's e2e suite runs hundreds of them against fixed time budgets. Two
  // CommonJS files of their own in dist/cli/ (no declarations): main.cjs, the bin (src/cli/bin.ts:
  // signal handlers, then the code cache of code-cache.ts), and cli.cjs, the program (start.ts)
  // with the packages it uses bundled in (commander as one file, only the BinaryReader and
  // BinaryWriter of @bufbuild/protobuf instead of its whole reflection API), minified. CommonJS
  // because V8's code cache (vm.Script) takes scripts, not ES modules; one file because a bundle
  // split at the CLI's dynamic imports cannot be CommonJS; those imports still defer running the
  // client's, the printers' and cli-table3's module code to the commands that use them. yaml (for
  // config files, which the CLI does not read) stays a dependency. License notices of the bundled
  // packages: dist/cli/THIRD-PARTY-NOTICES.txt. Measured: docs/design/performance.md (start-up).
  {
    ...common,
    entry: { main: 'src/cli/bin.ts', cli: 'src/cli/start.ts' },
    outDir: 'dist/cli',
    format: ['cjs'],
    splitting: false,
    shims: true,
    noExternal: [/^(?!yaml(\/|$))/],
    minify: true,
    clean: true,
    esbuildPlugins: [nodeProtocol, thirdPartyNotices({ outDir: 'dist/cli' })],
    // import() of a built-in or of yaml becomes require(): a vm.Script has no module loader of its own.
    esbuildOptions(options) {
      options.supported = { ...options.supported, 'dynamic-import': false };
    },
  },
]);
