/**
 * Bundles the child programs (bench/worker.ts, bench/writer.ts, with src/) into plain ES modules
 * under .tmp/bench/ with esbuild, so a run's process starts in a fraction of the time tsx needs;
 * packages stay external (resolved from the project's node_modules). The code is the same
 * TypeScript-to-JavaScript transform tsx applies. Source maps are written next to the bundles
 * (used only by bench/profile.ts to name the source file of a profile sample). Without esbuild,
 * children run through tsx.
 */
import { join } from 'node:path';
import { PROJECT_ROOT, NODE_TS_FLAGS } from './spawn.js';

/** How to start one child program: node flags and script path. */
export interface ChildProgram {
  readonly nodeArgs: readonly string[];
}

/** The two child programs, ready to start. */
export interface ChildPrograms {
  readonly worker: ChildProgram;
  readonly writer: ChildProgram;
}

/** Where the bundles go (gitignored). */
export const BUILD_DIR = join(PROJECT_ROOT, '.tmp', 'bench');

/**
 * Bundles the children; falls back to running their sources through tsx.
 * @param root - the tree to bundle (its bench/ and src/); default this project. bench/ab.ts passes
 *   a copy of an older tree here to compare two versions of the client.
 * @param outDir - where the bundles go; must be inside this project (packages resolve from its node_modules).
 */
export async function buildChildren(root = PROJECT_ROOT, outDir = BUILD_DIR): Promise<ChildPrograms> {
  const source = (name: string): string => join(root, 'bench', `${name}.ts`);
  try {
    const esbuild = await import('esbuild');
    await esbuild.build({
      entryPoints: [source('worker'), source('writer')],
      outdir: outDir,
      outExtension: { '.js': '.mjs' },
      bundle: true,
      // The worker imports the client under test dynamically: each client is a chunk of its own.
      splitting: true,
      packages: 'external',
      platform: 'node',
      format: 'esm',
      target: 'node20',
      sourcemap: 'linked',
      logLevel: 'error',
    });
    return {
      worker: { nodeArgs: [join(outDir, 'worker.mjs')] },
      writer: { nodeArgs: [join(outDir, 'writer.mjs')] },
    };
  } catch (error) {
    if (root !== PROJECT_ROOT) throw error;
    return {
      worker: { nodeArgs: [...NODE_TS_FLAGS, source('worker')] },
      writer: { nodeArgs: [...NODE_TS_FLAGS, source('writer')] },
    };
  }
}
