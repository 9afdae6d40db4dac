/**
 * The running part of `etcdts check perf` and `etcdts check datascale` (check.ts registers them):
 * the workers, the progress bar, the clean-up and the verdicts.
 */
import type { SingleBar } from 'cli-progress';
import type { Command } from 'commander';

import type { Client } from '../client.js';
import { sleep } from '../internal/timers.js';
import { resolveTlsOptions } from '../tls-options.js';
import { parseEndpoint } from '../transport/endpoint.js';
import { givenEndpoints } from './admin-args.js';
import { DATASCALE_LOADS, PERF_LOADS, loadName, type CheckFlags } from './check.js';
import { CheckReport, perfVerdict } from './check-report.js';
import { CliError, EXIT_ERROR, EXIT_INVALID_INPUT, errorText } from './exit.js';
import { goQuote } from './go-syntax.js';
import { securityClientOptions } from './security.js';
import type { CliSession } from './session.js';

/** A key as etcdctl makes it: the prefix, then `size` bytes starting with a random positive int64 as a Go varint. */
function randomKey(prefix: Buffer, size: number): Buffer {
  const key = Buffer.alloc(prefix.length + size);
  prefix.copy(key);
  let n = (BigInt(Math.floor(Math.random() * 2 ** 31)) << 32n) | BigInt(Math.floor(Math.random() * 2 ** 32));
  n <<= 1n; // zig-zag of a non-negative value (Go's binary.PutVarint)
  let at = prefix.length;
  while (n >= 0x80n) {
    key[at++] = Number(n & 0x7fn) | 0x80;
    n >>= 7n;
  }
  key[at] = Number(n);
  return key;
}

/** A bounded queue of keys to put, between one producer and the clients (etcdctl's buffered channel). */
class KeyQueue {
  readonly #items: Buffer[] = [];
  #closed = false;
  #takers: Array<(key: Buffer | undefined) => void> = [];
  #space: Array<() => void> = [];

  constructor(private readonly capacity: number) {}

  /** Waits for room, then queues `key`. */
  async push(key: Buffer): Promise<void> {
    while (this.#items.length >= this.capacity && this.#takers.length === 0) await new Promise<void>((r) => this.#space.push(r));
    const taker = this.#takers.shift();
    if (taker) taker(key);
    else this.#items.push(key);
  }

  /** The next key, or undefined once closed and empty. */
  take(): Promise<Buffer | undefined> {
    const key = this.#items.shift();
    if (key !== undefined) {
      this.#space.shift()?.();
      return Promise.resolve(key);
    }
    if (this.#closed) return Promise.resolve(undefined);
    return new Promise((resolve) => this.#takers.push(resolve));
  }

  /** No more keys: waiting takers get undefined. */
  close(): void {
    this.#closed = true;
    for (const t of this.#takers.splice(0)) t(undefined);
  }
}

/** One client's loop: puts queued keys with `value` until the queue ends, reporting each. */
async function worker(client: Client, queue: KeyQueue, value: Buffer, report: CheckReport, onDone?: () => void): Promise<void> {
  for (;;) {
    const key = await queue.take();
    if (key === undefined) return;
    const start = performance.now();
    try {
      await client.put(key, value);
      report.add(start, performance.now());
    } catch (err) {
      report.add(start, performance.now(), errorText(err));
    }
    onDone?.();
  }
}

/** The session's client plus `count - 1` more, each with its own connection. */
function clientsOf(session: CliSession, count: number): Client[] {
  const first = session.client();
  return [first, ...Array.from({ length: count - 1 }, () => session.extraClient())];
}

/** Refuses a prefix that holds keys (exit 3), as etcdctl. */
async function checkEmptyPrefix(client: Client, prefix: string, timeout?: number): Promise<void> {
  let count: number;
  try {
    count = (await client.get(prefix, { prefix: true, limit: 1, ...(timeout !== undefined ? { timeout } : {}) })).kvs.length;
  } catch (err) {
    throw new CliError(EXIT_ERROR, errorText(err));
  }
  if (count > 0) throw new CliError(EXIT_INVALID_INPUT, `prefix ${goQuote(prefix)} has keys. Delete with etcdctl del --prefix ${prefix} first`);
}

/**
 * A progress bar on stdout while it is a terminal (etcdctl's `pb` bar); undefined otherwise.
 * cli-progress is loaded only then (every command pays for what it loads at start).
 */
async function progressBar(total: number): Promise<SingleBar | undefined> {
  if (process.stdout.isTTY !== true) return undefined;
  const cliProgress = (await import('cli-progress')).default;
  const bar = new cliProgress.SingleBar({
    stream: process.stdout,
    format: ' {value} / {total} B{bar}! {percentage}% {eta_formatted}',
    barCompleteChar: 'o',
    barIncompleteChar: ' ',
    hideCursor: true,
  });
  bar.start(total, 0);
  return bar;
}

/** Deletes the prefix, then `--auto-compact` / `--auto-defrag` as etcdctl's `compact` and `defrag` helpers. */
async function cleanUp(session: CliSession, command: Command, prefix: string, flags: CheckFlags, timeout?: number): Promise<void> {
  const client = session.client();
  let revision: number;
  try {
    revision = (await client.delete(prefix, { prefix: true, ...(timeout !== undefined ? { timeout } : {}) })).header.revision;
  } catch (err) {
    throw new CliError(EXIT_ERROR, errorText(err));
  }
  if (flags.autoCompact) {
    session.write(`Compacting with revision ${revision}\n`);
    try {
      await client.compact(revision, { physical: true, timeout: 30_000 });
    } catch (err) {
      throw new CliError(EXIT_ERROR, errorText(err));
    }
    session.write(`Compacted with revision ${revision}\n`);
  }
  if (flags.autoDefrag) {
    for (const ep of givenEndpoints(command)) {
      session.write(`Defragmenting ${goQuote(ep)}\n`);
      try {
        await client.maintenance.defragment(ep, { timeout: 30_000 });
      } catch (err) {
        throw new CliError(EXIT_ERROR, errorText(err));
      }
      session.write(`Defragmented ${goQuote(ep)}\n`);
    }
  }
}

/** Aborted on the first SIGINT while the run lasts (etcdctl 3.5 then cleans up). */
function interruptOnSigint(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSignal = (): void => controller.abort();
  process.once('SIGINT', onSignal);
  return { signal: controller.signal, dispose: () => process.off('SIGINT', onSignal) };
}

/** `check perf`: the timed puts, the clean-up and the verdict. */
export async function checkPerf(session: CliSession, command: Command, flags: CheckFlags): Promise<void> {
  const cfg = PERF_LOADS[loadName(flags.load)];
  const clients = clientsOf(session, cfg.clients);
  await checkEmptyPrefix(clients[0]!, flags.prefix, cfg.duration * 1000);
  const prefix = Buffer.from(flags.prefix, 'utf8');
  const value = Buffer.alloc(1024);
  const interrupt = interruptOnSigint();
  const bar = await progressBar(cfg.duration);
  const report = new CheckReport();
  const queue = new KeyQueue(cfg.clients);
  const workers = clients.map((c) => worker(c, queue, value, report));
  const durationMs = cfg.duration * 1000;
  const started = performance.now();
  // A rate limiter with a burst of one (Go's rate.NewLimiter(limit, 1)): evenly spaced puts.
  const producer = (async () => {
    const interval = 1000 / cfg.limit;
    let next = started;
    while (!interrupt.signal.aborted) {
      const now = performance.now();
      if (now - started >= durationMs) break;
      if (next > now + 1) {
        await sleep(Math.min(next - now, durationMs - (now - started)), interrupt.signal).catch(() => undefined);
        continue;
      }
      next = Math.max(next, now - interval) + interval;
      await queue.push(randomKey(prefix, 256));
    }
    queue.close();
  })();
  const ticker = (async () => {
    for (let i = 1; i <= cfg.duration && !interrupt.signal.aborted; i++) {
      await sleep(started + i * 1000 - performance.now(), interrupt.signal).catch(() => undefined);
      bar?.update(Math.min(i, cfg.duration));
    }
    bar?.stop();
  })();
  await producer;
  await Promise.all(workers);
  const stats = report.stats();
  await ticker;
  interrupt.dispose();
  await cleanUp(session, command, flags.prefix, flags, 30_000);
  if (interrupt.signal.aborted) throw new CliError(EXIT_ERROR, 'interrupted; the keys written were deleted');
  const verdict = perfVerdict(stats, cfg.limit);
  session.write(verdict.lines.map((l) => `${l}\n`).join(''));
  if (!verdict.ok) throw new CliError(EXIT_ERROR, 'check perf failed', { quiet: true });
}

/**
 * The endpoint's `process_resident_memory_bytes` from `<endpoint>/metrics` (`http://` added to a
 * bare `host:port`, as etcdctl; over the socket for `unix://` and `unixs://`); 0 after printing
 * etcdctl's reason when it cannot be read.
 */
export async function residentMemoryBytes(session: CliSession, endpoint: string): Promise<number> {
  const socket = /^unixs?:/i.test(endpoint) ? parseEndpoint(endpoint) : undefined;
  const url = socket !== undefined
    ? new URL(`${socket.tls ? 'https' : 'http'}://${socket.host}/metrics`)
    : new URL(`${/^https?:\/\//.test(endpoint) ? endpoint : `http://${endpoint}`}/metrics`);
  const userTls = url.protocol === 'https:' && session.options.security !== undefined ? securityClientOptions(session.options.security).tls : undefined;
  const tls = userTls === undefined ? undefined : resolveTlsOptions(userTls);
  const [http, https] = await Promise.all([import('node:http'), import('node:https')]);
  let body: string;
  try {
    body = await new Promise<string>((resolve, reject) => {
      const get = url.protocol === 'https:' ? https.request : http.request;
      const where = socket === undefined ? {} : { socketPath: socket.path };
      const req = get(url, { method: 'GET', ...(tls ?? {}), ...where, timeout: 30_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', reject);
      req.end();
    });
  } catch (err) {
    session.write(`fetch error: Get ${JSON.stringify(url.href)}: ${errorText(err)}\n`);
    return 0;
  }
  const line = body.split('\n').find((l) => l.startsWith('process_resident_memory_bytes'));
  if (line === undefined) {
    session.write('could not find: process_resident_memory_bytes\n');
    return 0;
  }
  const value = Number(line.slice('process_resident_memory_bytes'.length).trim());
  if (!Number.isFinite(value)) {
    session.write(`parse float error: ${line}\n`);
    return 0;
  }
  return value;
}

/** `check datascale`: the puts, the member's memory before and after, the clean-up. */
export async function checkDatascale(session: CliSession, command: Command, flags: CheckFlags): Promise<void> {
  const cfg = DATASCALE_LOADS[loadName(flags.load)];
  const clients = clientsOf(session, cfg.clients);
  const endpoint = givenEndpoints(command)[0]!;
  await checkEmptyPrefix(clients[0]!, flags.prefix);
  const prefix = Buffer.from(flags.prefix, 'utf8');
  const value = Buffer.alloc(512);
  const before = await residentMemoryBytes(session, endpoint);
  if (before === 0) {
    session.write('FAIL: Could not read process_resident_memory_bytes before the put operations.\n');
    throw new CliError(EXIT_ERROR, 'no memory metric', { quiet: true });
  }
  session.write(`Start data scale check for work load [${cfg.limit} key-value pairs, ${cfg.kvSize} bytes per key-value, ${cfg.clients} concurrent clients].\n`);
  const interrupt = interruptOnSigint();
  const bar = await progressBar(cfg.limit);
  let done = 0;
  const report = new CheckReport();
  const queue = new KeyQueue(cfg.clients);
  const workers = clients.map((c) => worker(c, queue, value, report, () => bar?.update(++done)));
  for (let i = 0; i < cfg.limit && !interrupt.signal.aborted; i++) await queue.push(randomKey(prefix, 512));
  queue.close();
  await Promise.all(workers);
  bar?.stop();
  interrupt.dispose();
  const stats = report.stats();
  if (interrupt.signal.aborted) {
    await cleanUp(session, command, flags.prefix, flags);
    throw new CliError(EXIT_ERROR, 'interrupted; the keys written were deleted');
  }
  const after = await residentMemoryBytes(session, endpoint);
  if (after === 0) {
    session.write('FAIL: Could not read process_resident_memory_bytes after the put operations.\n');
    throw new CliError(EXIT_ERROR, 'no memory metric', { quiet: true });
  }
  await cleanUp(session, command, flags.prefix, flags);
  if (stats.errors.size !== 0) {
    session.write('FAIL: too many errors\n');
    for (const [text, count] of stats.errors) session.write(`FAIL: ERROR(${text}) -> ${count}\n`);
    throw new CliError(EXIT_ERROR, 'check datascale failed', { quiet: true });
  }
  const mbUsed = (after - before) / (1024 * 1024);
  session.write(`PASS: Approximate system memory used : ${mbUsed.toFixed(2)} MB.\n`);
}
