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
  // process start, and etcdctl's e2e suite runs hundreds of them against fixed time budgets. One
  // ESM build of its own in dist/cli/ (no CommonJS twin, no declarations), with its packages
  // bundled in so that it loads no more than it uses (commander as one file, only the BinaryReader
  // and BinaryWriter of @bufbuild/protobuf instead of its whole reflection API), minified (less to
  // parse), and split at the CLI's dynamic imports: a command loads the client, the printers or
  // cli-table3 only when it runs. `require` is defined for the bundled CommonJS packages (commander,
  // cli-table3, cli-progress), which require Node built-ins; their license notices go to
  // dist/cli/THIRD-PARTY-NOTICES.txt. Measured: docs/design/performance.md (start-up).
  {
    ...common,
    entry: { main: 'src/cli/main.ts' },
    outDir: 'dist/cli',
    format: ['esm'],
    noExternal: [/./],
    minify: true,
    clean: true,
    esbuildPlugins: [thirdPartyNotices({ outDir: 'dist/cli' })],
    banner: { js: "import { createRequire as __etcdtsRequire } from 'node:module';\nconst require = __etcdtsRequire(import.meta.url);" },
  },
]);
