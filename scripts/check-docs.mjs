// The API reference and its checks, on TypeDoc's API (options from typedoc.json).
//
//   node scripts/check-docs.mjs            check only (CI: `npm run check:docs`), exit 1 on a problem
//   node scripts/check-docs.mjs --emit     also write the reference to docs/api/ (`npm run docs`),
//                                          reporting problems without failing
//
// Checks:
// 1. every subpath of package.json "exports" is documented: its source (dist/x/index.js ->
//    src/x/index.ts) is an entry point, so new subpaths (etcd-ts/concurrency, ...) need no edit here;
// 2. TypeDoc's own validation: {@link} targets that do not resolve, types referenced by the
//    public API but not exported, and every other TypeDoc warning;
// 3. every exported name has a docstring: classes, interfaces, functions, variables, type aliases,
//    enums and their members, properties, methods, accessors, constructors. A member that
//    overrides or implements a documented one (an error class's `name`, `serverMessage`, ...)
//    counts as documented, as does a signature whose declaration has the comment;
// 4. relative links and #anchors in README.md and docs/**/*.md (not docs/api) point at files and
//    headings that exist.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { Application, DeclarationReflection, ReflectionKind, ReflectionType } from 'typedoc';

const root = resolve(import.meta.dirname, '..');
const emit = process.argv.includes('--emit');
const problems = [];
const problem = (text) => problems.push(text);

// 1. entry points from the package's exports
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const entryPoints = [];
for (const [subpath, target] of Object.entries(pkg.exports)) {
  if (subpath.endsWith('.json')) continue;
  const built = typeof target === 'string' ? target : target.import?.default ?? target.default ?? target.import;
  const source = String(built).replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts');
  if (existsSync(join(root, source))) entryPoints.push(source);
  else problem(`exports["${subpath}"]: no source ${source} for ${built}`);
}

// 2. TypeDoc conversion and validation (its notDocumented check is replaced by 3.)
const app = await Application.bootstrapWithPlugins({
  options: join(root, 'typedoc.json'),
  entryPoints,
  validation: { notExported: true, invalidLink: true, rewrittenLink: true, notDocumented: false, unusedMergeModuleWith: true },
  treatWarningsAsErrors: false,
});
const project = await app.convert();
if (project === undefined) {
  console.error('TypeDoc could not convert the project');
  process.exit(1);
}
app.validate(project);
if (app.logger.hasErrors() || app.logger.hasWarnings()) {
  problem(`TypeDoc reported ${app.logger.errorCount} error(s) and ${app.logger.warningCount} warning(s) (printed above)`);
}

// 3. docstrings on every exported name
const REQUIRED = [
  'Enum', 'EnumMember', 'Variable', 'Function', 'Class', 'Interface', 'Property', 'Method', 'Accessor', 'TypeAlias', 'Constructor',
];
let kinds = REQUIRED.reduce((all, name) => all | ReflectionKind[name], 0);
kinds |= ReflectionKind.CallSignature | ReflectionKind.ConstructorSignature | ReflectionKind.GetSignature | ReflectionKind.SetSignature;

/** Whether `reflection` takes its documentation from what it overrides, implements or inherits. */
const inherits = (reflection) =>
  reflection.overwrites !== undefined || reflection.implementationOf !== undefined || reflection.inheritedFrom !== undefined;

const undocumented = [];
const seen = new Set();
const queue = project.getReflectionsByKind(kinds);
outer: while (queue.length > 0) {
  const reflection = queue.shift();
  if (seen.has(reflection)) continue;
  seen.add(reflection);
  for (let up = reflection.parent; up; up = up.parent) if (up.kindOf(ReflectionKind.Parameter)) continue outer;
  if (reflection instanceof DeclarationReflection) {
    const signatures = reflection.type instanceof ReflectionType ? reflection.type.declaration.getNonIndexSignatures() : reflection.getNonIndexSignatures();
    if (signatures.length > 0) {
      queue.push(...signatures);
      if (reflection.kindOf(ReflectionKind.SignatureContainer)) continue;
    }
  }
  const isSignature = reflection.kindOf(ReflectionKind.SomeSignature);
  const owner = isSignature ? reflection.parent : reflection;
  if (reflection.hasComment() || (isSignature && owner?.hasComment())) continue;
  if (inherits(reflection) || (owner !== undefined && inherits(owner))) continue;
  // A property of an object-literal type inside a documented type alias or variable is covered by it.
  if (owner?.parent?.kindOf(ReflectionKind.TypeLiteral) && owner.parent.parent?.hasComment()) continue;
  // A constructor with no comment of its own is documented by its class.
  if (reflection.kindOf(ReflectionKind.ConstructorSignature) && owner?.parent?.hasComment()) continue;
  const symbol = project.getSymbolIdFromReflection(owner ?? reflection);
  const where = symbol ? ` (${symbol.packagePath}${symbol.pos !== undefined ? '' : ''})` : '';
  undocumented.push(`${(owner ?? reflection).getFriendlyFullName()} [${ReflectionKind[(owner ?? reflection).kind]}]${where}`);
}
for (const name of [...new Set(undocumented)].sort()) problem(`no docstring: ${name}`);

// 4. links in the guide, the README and other markdown
function markdownFiles(dir) {
  const files = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (path === join(root, 'docs/api')) continue;
    if (statSync(path).isDirectory()) files.push(...markdownFiles(path));
    else if (name.endsWith('.md')) files.push(path);
  }
  return files;
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to dashes. */
const slug = (heading) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/<[^>]+>/g, '')
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');

const anchorCache = new Map();
function anchors(file) {
  if (!anchorCache.has(file)) {
    const set = new Set();
    const counts = new Map();
    let fenced = false;
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
      const heading = !fenced && /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
      if (!heading) continue;
      const base = slug(heading[1].replace(/`/g, ''));
      const n = counts.get(base) ?? 0;
      counts.set(base, n + 1);
      set.add(n === 0 ? base : `${base}-${n}`);
    }
    anchorCache.set(file, set);
  }
  return anchorCache.get(file);
}

const docs = [join(root, 'README.md'), ...(existsSync(join(root, 'docs')) ? markdownFiles(join(root, 'docs')) : [])];
for (const file of docs) {
  let fenced = false;
  readFileSync(file, 'utf8').split('\n').forEach((line, index) => {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    if (fenced) return;
    for (const match of line.replace(/`[^`]*`/g, '').matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      const target = match[1];
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // http:, https:, mailto:
      const [path, anchor] = target.split('#');
      const resolved = path === '' ? file : resolve(dirname(file), decodeURIComponent(path));
      const at = `${relative(root, file)}:${index + 1}`;
      if (!existsSync(resolved)) {
        problem(`${at}: broken link ${target}`);
      } else if (anchor !== undefined && anchor !== '' && resolved.endsWith('.md') && !anchors(resolved).has(anchor)) {
        problem(`${at}: no heading #${anchor} in ${relative(root, resolved)}`);
      }
    }
  });
}

if (emit) {
  await app.generateOutputs(project);
  console.log(`API reference written to ${relative(root, app.options.getValue('out'))}/`);
}
for (const text of problems) console.log(`${emit ? 'warning' : 'FAIL'}: ${text}`);
console.log(`docs check: ${entryPoints.length} entry points, ${docs.length} markdown files, ${problems.length} problem(s)`);
if (problems.length > 0 && !emit) process.exit(1);
