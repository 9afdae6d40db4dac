// Shared by the concurrency-*.test.ts files: polling with a deadline, retries across failover,
// and the mutual-exclusion workload (tasks x rounds of a read-modify-write counter under a Mutex).
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';

import { Mutex, Session } from '../../src/concurrency/index.js';
import { EtcdError, InvalidArgumentError, type Client } from '../../src/index.js';
import { watchGauges } from './watch-helpers.js';

export const ETCDCTL = existsSync('/usr/bin/etcdctl') ? '/usr/bin/etcdctl' : 'etcdctl';

/** Polls `check` every 25 ms until it returns true; fails after `timeoutMs`. */
export async function within(timeoutMs: number, what: string, check: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (performance.now() > deadline) assert.fail(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * An `assert.rejects` check: the error is the `EtcdError` named `name`, with gRPC `code` and a
 * message matching `message`.
 */
export function typedError(name: string, code: number, message: RegExp): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof EtcdError, `an EtcdError, got ${String(error)}`);
    assert.equal(error.name, name);
    assert.equal(error.code, code);
    assert.match(error.message, message);
    return true;
  };
}

/**
 * Starts `wait` (a call of `client` that waits on a watch), and once etcd (at `endpoint`) counts the
 * watch, cancels every watch of `client` (`client.cancelWatches()`); resolves with `{ waiting }`,
 * the wait's promise, for the caller to assert on (its rejection is not left unhandled meanwhile).
 */
export async function cancelWatchesDuring<T>(client: Client, endpoint: string, wait: () => Promise<T>): Promise<{ waiting: Promise<T> }> {
  const before = (await watchGauges(endpoint)).watchers;
  const waiting = wait();
  waiting.catch(() => undefined);
  await within(5_000, 'the wait watches', async () => (await watchGauges(endpoint)).watchers > before);
  await client.cancelWatches();
  return { waiting };
}

/** Resolves with `promise`'s value, or fails the test after `ms` naming `what`. */
export async function bounded<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** How long {@link stillPending} watches a call that should block for not settling, in ms. */
export const BLOCKED_MS = 400;

/** Whether `promise` is still pending after `ms` (a bounded negative check: it must not settle). */
export async function stillPending(promise: Promise<unknown>, ms = BLOCKED_MS): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const settled = await Promise.race([
    promise.then(
      () => true,
      () => true,
    ),
    new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
    }),
  ]);
  clearTimeout(timer);
  return !settled;
}

/**
 * Runs `attempt` until it succeeds, for calls that may fail while a member is down; rethrows
 * argument errors at once and the last error after `deadlineMs`.
 */
export async function retrying<T>(attempt: () => Promise<T>, deadlineMs = 30_000): Promise<T> {
  const deadline = performance.now() + deadlineMs;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (error instanceof InvalidArgumentError || performance.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** Options of {@link contend}. */
export interface ContendOptions {
  tasks: number;
  rounds: number;
  lockName: string;
  counterKey: string;
  /** Session TTL, seconds. */
  ttl?: number;
  /** Called after each completed round (in any task) with the number completed so far. */
  onRound?: (completed: number) => void;
  /** Tolerate failing calls (a member is killed): retry them, resolving ambiguous writes by re-reading. */
  tolerateFailures?: boolean;
}

/**
 * `tasks` concurrent tasks, each with its own session, each `rounds` times: lock, read the counter,
 * write it + 1 (a plain put, no guard: only mutual exclusion keeps the count exact), unlock.
 * Returns the most holders seen at once (in this process) and how many lock() calls failed.
 */
export async function contend(client: Client, options: ContendOptions): Promise<{ maxHolders: number; lockFailures: number }> {
  const { tasks, rounds, lockName, counterKey, ttl = 10, onRound, tolerateFailures = false } = options;
  const wrap = <T>(attempt: () => Promise<T>): Promise<T> => (tolerateFailures ? retrying(attempt) : attempt());
  await wrap(() => client.put(counterKey, '0'));
  let holders = 0;
  let maxHolders = 0;
  let completed = 0;
  let lockFailures = 0;
  await Promise.all(
    Array.from({ length: tasks }, async () => {
      const session = await wrap(() => Session.create(client, { ttl }));
      const mutex = new Mutex(session, lockName);
      try {
        for (let round = 0; round < rounds; round++) {
          await wrap(async () => {
            try {
              await mutex.lock({ timeout: tolerateFailures ? 20_000 : undefined });
            } catch (error) {
              lockFailures++;
              throw error;
            }
          });
          holders++;
          maxHolders = Math.max(maxHolders, holders);
          const read = await wrap(() => client.get(counterKey));
          const value = Number(read.kvs[0]!.value.toString());
          const next = String(value + 1);
          if (tolerateFailures) {
            // A put that failed may or may not have been applied: we hold the lock, so reading tells.
            await retrying(async () => {
              try {
                await client.put(counterKey, next);
              } catch (error) {
                const now = await retrying(() => client.get(counterKey));
                if (now.kvs[0]!.value.toString() !== next) throw error;
              }
            });
          } else {
            await client.put(counterKey, next);
          }
          holders--;
          await wrap(() => mutex.unlock());
          onRound?.(++completed);
        }
      } finally {
        await session.close().catch(() => undefined);
      }
    }),
  );
  return { maxHolders, lockFailures };
}

/** A child process with its output collected. */
export interface Child {
  readonly process: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or the signal name) once it exits. */
  readonly exited: Promise<number | string>;
}

/** Every child started by {@link start} that has not exited yet. */
const running = new Set<Child>();
// Also when the test process ends without running `after` (killed by the runner's timeout).
process.once('exit', () => {
  for (const child of running) child.process.kill('SIGKILL');
});

/**
 * SIGKILLs every child {@link start} started that is still running and waits (up to 5 s) until they
 * exited: call it in `after` so a test that failed half-way leaves no process keeping the file alive.
 */
export async function killStarted(): Promise<void> {
  const left = [...running];
  for (const child of left) child.process.kill('SIGKILL');
  await bounded(Promise.all(left.map((c) => c.exited)), 5_000, 'started children exit on SIGKILL').catch(() => undefined);
}

/**
 * Starts `file args` with ETCDCTL_API=3 and no other ETCDCTL_* of the environment; tracked until it
 * exits, for {@link killStarted}.
 */
export function start(file: string, args: readonly string[], env: Record<string, string> = {}): Child {
  const clean: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('ETCDCTL_')) clean[k] = v;
  const child = spawn(file, args, { env: { ...clean, ETCDCTL_API: '3', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString('latin1')));
  child.stderr!.on('data', (b: Buffer) => (err += b.toString('latin1')));
  const exited = new Promise<number | string>((resolve) => child.on('close', (code, signal) => resolve(code ?? signal ?? -1)));
  const started: Child = { process: child, stdout: () => out, stderr: () => err, exited };
  running.add(started);
  void exited.then(() => running.delete(started));
  return started;
}

/** Runs `file args` to the end; its stdout, stderr and exit code. */
export function runToEnd(file: string, args: readonly string[], timeoutMs = 30_000): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((resolve) => {
    const clean: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('ETCDCTL_')) clean[k] = v;
    execFile(file, args, { env: { ...clean, ETCDCTL_API: '3' }, timeout: timeoutMs, encoding: 'latin1' }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ stdout, stderr, code });
    });
  });
}
