import { defineConfig } from 'tsup';

// Two builds of one package: ESM (.js) and CommonJS (.cjs), each with type declarations.
// Entry points are the package's subpath exports plus the CLI.
export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'testing/index': 'src/testing/index.ts',
    'concurrency/index': 'src/concurrency/index.ts',
    'recipes/index': 'src/recipes/index.ts',
    'naming/index': 'src/naming/index.ts',
    'cli/main': 'src/cli/main.ts',
  },
  format: ['esm', 'cjs'],
  dts: { entry: { index: 'src/index.ts', 'testing/index': 'src/testing/index.ts', 'concurrency/index': 'src/concurrency/index.ts', 'recipes/index': 'src/recipes/index.ts', 'naming/index': 'src/naming/index.ts' } },
  target: 'node20',
  platform: 'node',
  sourcemap: true,
  clean: true,
  splitting: true,
  shims: true,
  keepNames: true,
});
