/**
 * The watch path's CPU per event without etcd's timing in it: a feed process (bench/lib/watch-feed.ts,
 * pinned to etcd's core) plays etcd's side of one watch stream and sends one-event WatchResponses
 * at a fixed rate, `batch` per socket write; this process (pinned to the client core) watches with
 * etcd-ts's `client.watch` (and the bare transport's `bidi()`, the floor under it, and etcd3 and
 * the Go client for comparison), and measures its own CPU per event after a warm-up. Each variant runs in turn on a
 * fresh connection, alternating the order per repetition. The same regime as the bench's watch
 * workload (one event per response, a few per socket read) but repeatable to a few percent, which
 * is what an A/B of one change on the watch path needs.
 *
 * Usage: node --import tsx bench/watch-floor.ts [--rate 10000] [--batch 1] [--events 60000]
 *        [--warmup 20000] [--reps 3] [--only etcd-ts,bidi,etcd3,go,base] [--base DIR] [--cpu-prof DIR]
 *   base: etcd-ts's client.watch from a copy of another tree (DIR/src, e.g. `mkdir -p .tmp/base &&
 *   cp -r src .tmp/base/` before a change; inside the project, so its packages resolve).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Etcd3 } from 'etcd3';
import { Client } from '../src/index.js';
import { Watch } from '../src/proto/index.js';
import { createConnection, parseEndpoint } from '../src/transport/index.js';
import { startProfile } from './lib/cpu-profile.js';
import { CLIENT_CPU, SERVER_CPU } from './lib/etcd.js';
import { buildGoBench } from './lib/go.js';
import { NODE_TS_FLAGS, PROJECT_ROOT, runChild } from './lib/spawn.js';
import { median } from './lib/stats.js';

/** One way of watching: starts it, calls `onEvents(n)` per response, returns its stop function. */
type Variant = (endpoint: string, onEvents: (n: number) => void) => Promise<() => Promise<void>>;

/** `client.watch` of etcd-ts, of this tree or (`--base`) of a copy of another tree's src/. */
function clientWatch(load: () => Promise<typeof Client>): Variant {
  return async (endpoint, onEvents) => {
    const ClientClass = await load();
    const client = new ClientClass({ endpoints: [endpoint] });
    const watcher = client.watch('bench/watch/feed/', { prefix: true });
    const created = new Promise<void>((resolve, reject) => {
      void (async () => {
        try {
          for await (const response of watcher) {
            if (response.created) resolve();
            else onEvents(response.events.length);
          }
        } catch (error) {
          reject(error);
        }
      })();
    });
    await created;
    return async () => {
      await watcher.cancel();
      await client.close();
    };
  };
}

let baseDir: string | undefined;

const VARIANTS: Record<string, Variant> = {
  'etcd-ts': clientWatch(async () => Client),
  base: clientWatch(async () => ((await import(pathToFileURL(join(baseDir!, 'src/index.ts')).href)) as { Client: typeof Client }).Client),
  bidi: async (endpoint, onEvents) => {
    const connection = createConnection(parseEndpoint(endpoint), { keepAliveTime: 0, keepAliveTimeout: 1000, maxRecvMsgSize: 1 << 30 });
    const stream = connection.bidi(Watch.watch.path, {
      onMessage: (message) => onEvents(message.length > 0 ? 1 : 0),
      onEnd: () => {},
    });
    stream.write(Watch.watch.encode({ requestUnion: { $case: 'createRequest', value: { key: Buffer.from('bench/watch/feed/') } } }));
    return async () => {
      stream.cancel();
      await connection.close();
    };
  },
  etcd3: async (endpoint, onEvents) => {
    const client = new Etcd3({ hosts: endpoint });
    const watcher = await client.watch().prefix('bench/watch/feed/').create();
    watcher.on('put', () => onEvents(1));
    return async () => {
      await watcher.cancel();
      client.close();
    };
  },
};

/**
 * The Go client's watcher (bench/go-clientv3 `--op watch`) against the same feed, in its own
 * process pinned to the client core; it reports its own CPU per event after `--watch-warmup`.
 * (Its putter's puts get empty answers from the feed; the feed's events are what it counts.)
 */
async function measureGo(endpoint: string, warmup: number, events: number): Promise<Measured> {
  const go = await buildGoBench();
  if ('missing' in go) throw new Error(go.missing);
  const args = ['--op', 'watch', '--endpoints', endpoint, '--n', String(events), '--watch-warmup', String(warmup), '--prefix', 'bench/watch/feed/', '--warmup', '0', '--no-putter'];
  const result = (await runChild(go.binary, args, CLIENT_CPU, 120_000)) as { client_cpu_us_per_op: number; client_user_us_per_op: number; client_sys_us_per_op: number };
  return { usPerEvent: result.client_cpu_us_per_op, userUs: result.client_user_us_per_op, sysUs: result.client_sys_us_per_op, eventsPerRead: undefined };
}

interface Measured {
  usPerEvent: number;
  userUs: number;
  sysUs: number;
  eventsPerRead: number | undefined;
}

async function measure(variant: Variant, endpoint: string, warmup: number, events: number, profile: string | undefined): Promise<Measured> {
  let got = 0;
  let c0: NodeJS.CpuUsage | undefined;
  let r0: NodeJS.ResourceUsage | undefined;
  let stopProfile: Promise<() => Promise<void>> | undefined;
  let done!: (cpu: NodeJS.CpuUsage) => void;
  const finished = new Promise<NodeJS.CpuUsage>((resolve) => (done = resolve));
  const stop = await variant(endpoint, (n) => {
    got += n;
    if (c0 === undefined && got >= warmup) {
      if (profile !== undefined) stopProfile = startProfile(profile);
      c0 = process.cpuUsage();
      r0 = process.resourceUsage();
    } else if (c0 !== undefined && got >= warmup + events) {
      done(process.cpuUsage(c0));
    }
  });
  const cpu = await finished;
  const reads = process.resourceUsage().voluntaryContextSwitches - r0!.voluntaryContextSwitches;
  if (stopProfile !== undefined) await (await stopProfile)();
  await stop();
  return { usPerEvent: (cpu.user + cpu.system) / events, userUs: cpu.user / events, sysUs: cpu.system / events, eventsPerRead: reads > 0 ? events / reads : undefined };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rate: { type: 'string', default: '10000' },
      batch: { type: 'string', default: '1' },
      events: { type: 'string', default: '60000' },
      warmup: { type: 'string', default: '20000' },
      reps: { type: 'string', default: '3' },
      only: { type: 'string', default: 'etcd-ts,bidi,etcd3' },
      'cpu-prof': { type: 'string' },
      base: { type: 'string' },
    },
  });
  baseDir = values.base === undefined ? undefined : resolve(values.base);
  if (values.only.split(',').includes('base') && baseDir === undefined) throw new Error('variant base needs --base DIR (a copy of another tree: DIR/src/index.ts)');
  const names = values.only.split(',');
  for (const name of names) if (VARIANTS[name] === undefined && name !== 'go') throw new Error(`unknown variant '${name}'; known: ${Object.keys(VARIANTS).join(', ')}`);
  const pin = (pid: number, cpu: number): void => {
    try {
      execFileSync('taskset', ['-a', '-p', '-c', String(cpu), String(pid)], { stdio: 'ignore' });
    } catch {
      // no taskset: unpinned
    }
  };
  pin(process.pid, CLIENT_CPU);
  const feed = spawn(process.execPath, [...NODE_TS_FLAGS, 'bench/lib/watch-feed.ts', JSON.stringify({ rate: Number(values.rate), batch: Number(values.batch) })], {
    cwd: PROJECT_ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  try {
    const [line] = (await once(feed.stdout, 'data')) as [Buffer];
    const port = /listening (\d+)/.exec(line.toString())?.[1];
    if (port === undefined) throw new Error(`watch feed: ${line.toString()}`);
    pin(feed.pid!, SERVER_CPU);
    const endpoint = `127.0.0.1:${port}`;
    const results = new Map<string, Measured[]>();
    for (let rep = 0; rep < Number(values.reps); rep++) {
      for (const name of rep % 2 === 0 ? names : [...names].reverse()) {
        const file = values['cpu-prof'] === undefined ? undefined : `${values['cpu-prof']}/watch-floor.${name}.${rep}.cpuprofile`;
        const m = name === 'go' ? await measureGo(endpoint, Number(values.warmup), Number(values.events)) : await measure(VARIANTS[name]!, endpoint, Number(values.warmup), Number(values.events), file);
        results.set(name, [...(results.get(name) ?? []), m]);
        console.error(`  rep ${rep + 1} ${name}: ${m.usPerEvent.toFixed(2)} µs/event (user ${m.userUs.toFixed(2)}, sys ${m.sysUs.toFixed(2)}), ${m.eventsPerRead?.toFixed(1) ?? '?'} events per wake-up`);
      }
    }
    console.log(`rate ${values.rate}/s, ${values.batch} per write, ${values.events} events after ${values.warmup}:`);
    for (const [name, list] of results) {
      console.log(`  ${name}: median ${median(list.map((m) => m.usPerEvent)).toFixed(2)} µs/event (${list.map((m) => m.usPerEvent.toFixed(2)).join(', ')})`);
    }
  } finally {
    feed.stdin!.end();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
