/**
 * The handle check of `npm test`: a test file must leave no socket, timer or child process behind.
 *
 * Loaded into every test process with `--import` (package.json's test scripts). In a test file's
 * process (the runner sets `NODE_TEST_CONTEXT` there; elsewhere this module does nothing) it notes
 * where each socket, server, pipe, child process and timer made from then on was created, and
 * forgets it when it is closed (async_hooks). After the file's last test and `after` hook:
 *
 * - something that keeps the process alive (a referenced socket, timer or child process, listed by
 *   `process.getActiveResourcesInfo()`) would make it hang: if the process is still running
 *   {@link LEAK_GRACE_MS} after the tests ended, the check prints what is left and exits with 1;
 * - when the process exits by itself, a socket, server, pipe, child process or timer still open
 *   (unreferenced: it did not keep the process alive, but it was left behind) fails it the same way.
 *
 * The report names the test file, each kind of resource left, and where it was created
 * (`LEAK_CHECK_STACKS=1` prints whole stacks). Tests read etcd's HTTP endpoints with
 * `httpGetText` (src/testing/probe.ts) rather than `fetch`, whose connection pool keeps a socket
 * and a timer for seconds after the answer.
 */
import { createHook } from 'node:async_hooks';
import { after } from 'node:test';

/**
 * How long a test file's process may take to end after its last test, in ms (closing sockets,
 * killing etcd): 15000, or `LEAK_CHECK_GRACE_MS` (the check's own test uses a short one).
 */
export const LEAK_GRACE_MS = Number(process.env.LEAK_CHECK_GRACE_MS ?? '') || 15_000;

/** Stack frames kept of where a resource was made (node's own frames come first). */
const STACK_FRAMES = 40;

/** async_hooks types checked, with the names `getActiveResourcesInfo()` gives them. */
const TRACKED: Readonly<Record<string, string>> = {
  TCPWRAP: 'TCPSocketWrap',
  TCPSERVERWRAP: 'TCPServerWrap',
  PIPEWRAP: 'PipeWrap',
  PIPESERVERWRAP: 'PipeServerWrap',
  PROCESSWRAP: 'ProcessWrap',
  UDPWRAP: 'UDPWrap',
  Timeout: 'Timeout',
};

/**
 * Resources left that are not the test file's to close, matched on where node made them: node's
 * process-wide cache of the HTTP Date header, refreshed for 1 s after an HTTP or HTTP/2 server
 * (node:http2, @grpc/grpc-js in the transport tests) answered.
 */
const NOT_LEAKS: ReadonlyArray<{ kind: string; made: RegExp }> = [{ kind: 'Timeout', made: /at utcDate \(node:internal\/http/ }];

/** One resource made during the file's tests and not closed yet. */
interface Tracked {
  kind: string;
  origin: Error;
}

if (process.env.NODE_TEST_CONTEXT !== undefined) {
  const file = process.argv.slice(1).find((a) => /\.test\.[cm]?[jt]s$/.test(a)) ?? process.argv[1] ?? 'the test file';
  // The standard streams are made lazily, on first use: make them now, before tracking starts.
  void process.stdout;
  void process.stderr;
  const live = new Map<number, Tracked>();
  let ownTimer = false;
  let ownId: number | undefined;
  let reported = false;
  createHook({
    init(asyncId, type) {
      if (ownTimer && type === 'Timeout') {
        ownId = asyncId;
        return;
      }
      const kind = TRACKED[type];
      if (kind === undefined) return;
      const limit = Error.stackTraceLimit;
      Error.stackTraceLimit = STACK_FRAMES;
      live.set(asyncId, { kind, origin: new Error(kind) });
      Error.stackTraceLimit = limit;
    },
    destroy(asyncId) {
      live.delete(asyncId);
    },
  }).enable();

  /** Where a resource was made: the first frames outside node and this file. */
  const origin = (error: Error): string => {
    const frames = String(error.stack)
      .split('\n')
      .slice(1)
      .map((l) => l.trim().replace(/^at /, ''))
      .filter((l) => !/\(node:|^node:|leak-check\.ts/.test(l));
    if (frames.length > 0) return frames.slice(0, 5).join(' <- ');
    // Made in a later tick by node itself (e.g. a server's handle, after the address lookup).
    const inside = String(error.stack).split('\n').slice(1).map((l) => l.trim().replace(/^at /, '')).filter((l) => !/leak-check\.ts/.test(l));
    return `(by node) ${inside.slice(0, 3).join(' <- ')}`;
  };

  /** The report of `resources`, or undefined when there are none. */
  const report = (resources: readonly Tracked[], what: string): string | undefined => {
    if (resources.length === 0) return undefined;
    const counts = new Map<string, number>();
    for (const r of resources) counts.set(r.kind, (counts.get(r.kind) ?? 0) + 1);
    const summary = [...counts].map(([kind, n]) => `${n} ${kind}`).join(', ');
    const lines = resources.slice(0, 20).map((r) => `  ${r.kind} created at ${origin(r.origin)}${process.env.LEAK_CHECK_STACKS ? `\n${String(r.origin.stack)}` : ""}`);
    return `leak check: ${file} left ${summary} ${what}\n${lines.join('\n')}\n`;
  };

  /** Tracked resources still open that keep the process alive (kinds `getActiveResourcesInfo()` lists now). */
  const referenced = (): Tracked[] => {
    const active = new Map<string, number>();
    for (const name of process.getActiveResourcesInfo()) active.set(name, (active.get(name) ?? 0) + 1);
    const left: Tracked[] = [];
    // The check's own timer is unreferenced: `getActiveResourcesInfo()` does not list it.
    for (const [id, r] of live) {
      if (id === ownId) continue;
      const n = active.get(r.kind) ?? 0;
      if (n <= 0) continue;
      active.set(r.kind, n - 1);
      left.push(r);
    }
    return left;
  };

  after(() => {
    // Runs before the file's own top-level `after` hooks (registered later), so it only arms a
    // timer that does not keep the process alive: it fires only if something else does.
    ownTimer = true;
    const timer = setTimeout(() => {
      const left = report(referenced(), `open ${LEAK_GRACE_MS} ms after its tests (they keep the process alive)`);
      process.stderr.write(left ?? `leak check: ${file} was still running ${LEAK_GRACE_MS} ms after its tests\n`);
      reported = true;
      process.exit(1);
    }, LEAK_GRACE_MS);
    ownTimer = false;
    timer.unref();
  });

  /** Whether `r` is one of {@link NOT_LEAKS}. */
  const notLeak = (r: Tracked): boolean => NOT_LEAKS.some((k) => k.kind === r.kind && k.made.test(String(r.origin.stack)));

  process.on('exit', () => {
    if (reported) return;
    const open = [...live.entries()].filter(([id]) => id !== ownId).map(([, r]) => r);
    const left = report(open.filter((r) => !notLeak(r)), 'open when its process exited');
    if (left === undefined) return;
    process.stderr.write(left);
    process.exitCode = 1;
  });
}
