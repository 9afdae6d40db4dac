// An esbuild plugin (used by tsup.config.ts for the CLI build) that writes THIRD-PARTY-NOTICES.txt
// next to a bundle that has npm packages bundled in: for each package whose code went into the
// output, its name, version, license and license text (the LICENSE file it ships; MIT, ISC and
// BSD ask for their notice to travel with every copy, minified ones included).
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The package folder of a bundled input path (`node_modules/@scope/name` or `node_modules/name`), or undefined for our own files. */
function packageDir(input) {
  const parts = input.split('/');
  const at = parts.lastIndexOf('node_modules');
  if (at < 0) return undefined;
  const length = parts[at + 1]?.startsWith('@') ? 3 : 2;
  return parts.slice(0, at + length).join('/');
}

/** The license text a package ships (LICENSE, LICENSE.md, license, LICENSE-MIT.txt, ...), or undefined. */
function licenseText(dir) {
  const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)/i.test(f));
  return file === undefined ? undefined : readFileSync(join(dir, file), 'utf8').trim();
}

/**
 * The plugin. `outDir`: where the notices file is written (the build's output folder).
 * @param {{ outDir: string }} options
 * @returns {import('esbuild').Plugin}
 */
export function thirdPartyNotices({ outDir }) {
  return {
    name: 'third-party-notices',
    setup(build) {
      build.onEnd((result) => {
        if (result.metafile === undefined || result.errors.length > 0) return;
        const dirs = new Set();
        for (const output of Object.values(result.metafile.outputs)) {
          for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
            const dir = packageDir(input);
            if (dir !== undefined && bytesInOutput > 0) dirs.add(dir);
          }
        }
        const sections = [...dirs]
          .map((dir) => {
            const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
            const text = licenseText(dir) ?? `Licensed under ${pkg.license}; the package ships no license file (see ${pkg.homepage ?? pkg.name}).`;
            return `${pkg.name} ${pkg.version}, license ${pkg.license}\n\n${text}\n`;
          })
          .sort();
        const head = 'The etcdts executable (this folder) has these npm packages bundled in, minified:\n';
        mkdirSync(outDir, { recursive: true });
        writeFileSync(join(outDir, 'THIRD-PARTY-NOTICES.txt'), [head, ...sections].join(`\n${'-'.repeat(80)}\n\n`));
      });
    },
  };
}
