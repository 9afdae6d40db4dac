/**
 * Summarizes V8 CPU profiles written by `npm run bench -- --cpu-prof DIR`: where a client's busy
 * time goes, by area (node:http2, streams, events, GC, the codec, our transport, rpc, services,
 * grpc-js, etcd3, ...) and by function (self time). Samples of the bundled worker are mapped back
 * to their source files through the bundle's source map.
 *
 * Usage: node --import tsx bench/profile.ts FILE.cpuprofile [more...] [--top N]
 */
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const maps = new Map<string, SourceMap | null>();

/** The source map of one of our bundles (`.tmp/bench/*.mjs`), if it has one. */
function sourceMapOf(url: string): SourceMap | null {
  let map = maps.get(url);
  if (map === undefined) {
    map = null;
    if (url.startsWith('file://') && url.includes('/.tmp/bench/')) {
      try {
        map = new SourceMap(JSON.parse(readFileSync(`${fileURLToPath(url)}.map`, 'utf8')));
      } catch {
        map = null;
      }
    }
    maps.set(url, map);
  }
  return map;
}

/** The source file and function of a frame (through the source map when there is one). */
function locate(frame: CallFrame): { file: string; line: number; name: string } {
  const map = sourceMapOf(frame.url);
  let file = frame.url;
  let line = frame.lineNumber;
  if (map !== null) {
    const entry = map.findEntry(frame.lineNumber, frame.columnNumber) as { originalSource?: string; originalLine?: number };
    if (entry.originalSource !== undefined) {
      file = entry.originalSource;
      line = entry.originalLine ?? line;
    }
  }
  return { file, line, name: frame.functionName || '(anonymous)' };
}

/** The area a source file belongs to. */
function area(file: string, name: string): string {
  if (file === '') {
    if (name === '(garbage collector)') return 'GC';
    if (name === '(idle)') return 'idle';
    if (name === '(program)') return 'VM / native (program)';
    return 'native';
  }
  const rules: Array<[RegExp, string]> = [
    [/node:internal\/http2|node:http2/, 'node:http2'],
    [/node:internal\/streams|node:stream/, 'node streams'],
    [/node:internal\/async_hooks|node:async_hooks|async_context_frame/, 'node async_hooks'],
    [/node:events|node:internal\/event_target|node:internal\/abort_controller/, 'node events'],
    [/node:internal\/timers|node:timers/, 'node timers'],
    [/node:internal\/util|node:util/, 'node util (deprecate, promisify)'],
    [/node:internal\/process\/task_queues/, 'node microtasks'],
    [/node:internal\/buffer|node:buffer/, 'node Buffer'],
    [/node:/, 'node other'],
    [/@grpc\/grpc-js/, 'grpc-js'],
    [/protobufjs|@grpc\/proto-loader|@protobufjs|node_modules\/long\//, 'protobufjs'],
    [/node_modules\/etcd3\//, 'etcd3'],
    [/node_modules\/cockatiel/, 'cockatiel (etcd3 policies)'],
    [/src\/proto\/gen\/|@bufbuild\/protobuf/, 'codec (ts-proto + @bufbuild/protobuf/wire)'],
    [/node_modules\//, 'other packages'],
    [/src\/transport\//, 'etcd-ts transport'],
    [/src\/rpc\//, 'etcd-ts rpc'],
    [/src\/proto\//, 'etcd-ts proto glue'],
    [/src\//, 'etcd-ts services (kv, op, range, convert, ...)'],
    [/bench\//, 'bench harness'],
  ];
  for (const [pattern, label] of rules) if (pattern.test(file)) return label;
  return 'other';
}

function summarize(path: string, top: number): void {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  // The profiler's own work (starting and stopping it through node:inspector) is not the run's.
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const underInspector = (id: number): boolean => {
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      if (byId.get(at)!.callFrame.url.startsWith('node:inspector')) return true;
    }
    return false;
  };
  const areas = new Map<string, number>();
  const functions = new Map<string, number>();
  let busy = 0;
  for (const [id, us] of selfUs) {
    const node = byId.get(id)!;
    if (underInspector(id)) continue;
    const { file, line, name } = locate(node.callFrame);
    const a = area(file, name);
    if (a === 'idle') continue;
    busy += us;
    areas.set(a, (areas.get(a) ?? 0) + us);
    const short = file.includes('node_modules/') ? file.replace(/^.*\/node_modules\//, '') : file.replace(/^.*\/(src|bench)\//, '$1/');
    const key = `${name}  ${short}:${line + 1}`;
    functions.set(key, (functions.get(key) ?? 0) + us);
  }
  const pct = (us: number): string => `${((100 * us) / busy).toFixed(1).padStart(5)}%`;
  console.log(`\n${path}: ${(busy / 1000).toFixed(0)} ms busy`);
  console.log('  by area (self time):');
  for (const [a, us] of [...areas].sort((x, y) => y[1] - x[1])) console.log(`    ${pct(us)}  ${a}`);
  console.log(`  top ${top} functions (self time):`);
  for (const [f, us] of [...functions].sort((x, y) => y[1] - x[1]).slice(0, top)) console.log(`    ${pct(us)}  ${f}`);
}

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '25' } } });
for (const file of positionals) summarize(file, Number(values.top));
