/**
 * Making sure etcd processes started by `etcd-ts/testing` never outlive the process that started
 * them, however it ends.
 *
 * - Normal exit (`process.exit`, event loop drained): an `'exit'` handler runs every registered
 *   cleanup synchronously (SIGKILL the members, remove their folders).
 * - SIGINT / SIGTERM: the same cleanup, then the signal is raised again so the process ends as it
 *   would have without us (unless someone else also listens for that signal).
 * - SIGKILL or a crash, where no handler runs: every etcd process has a watchdog, a tiny `/bin/sh`
 *   that blocks reading a pipe from this process. When this process dies the kernel closes the
 *   pipe, `read` returns, and the watchdog SIGKILLs the etcd process and removes its folder.
 *
 * The handlers are installed while at least one cleanup is registered and removed after the last
 * one is unregistered, so a process with no live cluster keeps its default signal behaviour.
 */
import { spawn } from 'node:child_process';
import type { Socket } from 'node:net';

/** A synchronous cleanup: must not await anything (it runs inside `'exit'` and signal handlers). */
export type SyncCleanup = () => void;

/** Signals on which live clusters are cleaned up before the process ends. */
export const CLEANUP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

const cleanups = new Set<SyncCleanup>();
let installed = false;

function runAll(): void {
  const pending = [...cleanups];
  cleanups.clear();
  for (const cleanup of pending) {
    try {
      cleanup();
    } catch {
      // Best effort: the process is ending; one failing cleanup must not skip the others.
    }
  }
}

function onExit(): void {
  runAll();
}

function onSignal(signal: NodeJS.Signals): void {
  runAll();
  uninstall();
  // Re-raise only when nobody else handles this signal; otherwise their handler decides.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', onExit);
  for (const signal of CLEANUP_SIGNALS) process.on(signal, onSignal);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  process.off('exit', onExit);
  for (const signal of CLEANUP_SIGNALS) process.off(signal, onSignal);
}

/**
 * Registers a synchronous cleanup to run if the process exits or gets SIGINT/SIGTERM before it is
 * unregistered. Installs the process handlers on first use.
 *
 * @returns a function that unregisters the cleanup (without running it); idempotent.
 */
export function registerExitCleanup(cleanup: SyncCleanup): () => void {
  cleanups.add(cleanup);
  install();
  return () => {
    cleanups.delete(cleanup);
    if (cleanups.size === 0) uninstall();
  };
}

/** A running watchdog process that guards one etcd process (see {@link startWatchdog}). */
export interface Watchdog {
  /** Process id of the watchdog shell (not of etcd). */
  readonly pid: number | undefined;
  /**
   * Stops the watchdog without letting it act (SIGKILL); call once the guarded process has exited.
   * Resolves once the watchdog process has exited and its handle is closed (nothing of it is left
   * open). Idempotent.
   */
  release(): Promise<void>;
}

// $1: pid to kill, $2: folder to remove. Terminal signals are ignored; only the end of stdin
// (this process died or released it by closing the pipe) triggers the cleanup.
const WATCHDOG_SCRIPT = 'trap "" INT TERM HUP; read _ignored; kill -9 "$1" 2>/dev/null; rm -rf -- "$2"; exit 0';

/**
 * Starts a watchdog for the process `pid`: when this Node.js process dies, even by SIGKILL, the
 * watchdog SIGKILLs `pid` and removes `folder`.
 *
 * The watchdog runs in its own process group and is unref'd: it never keeps the event loop alive.
 *
 * @param pid the process to kill (an etcd member).
 * @param folder absolute path of a folder to remove after the kill (`rm -rf`).
 */
export function startWatchdog(pid: number, folder: string): Watchdog {
  const child = spawn('/bin/sh', ['-c', WATCHDOG_SCRIPT, 'etcd-ts-watchdog', String(pid), folder], {
    stdio: ['pipe', 'ignore', 'ignore'],
    detached: true,
  });
  child.on('error', () => {
    // No /bin/sh: the 'exit' and signal handlers still clean up; only SIGKILL of this process is
    // left unguarded. Nothing to do here.
  });
  child.stdin?.on('error', () => {});
  child.unref();
  // Node's and Deno's pipe is a net.Socket; Bun's is a plain Writable without ref/unref (Bun does
  // not count it as keeping the process alive).
  const stdin = child.stdin as Partial<Socket> | null;
  if (typeof stdin?.unref === 'function') stdin.unref();
  const closed = new Promise<void>((resolve) => {
    child.once('close', () => resolve());
    if (child.pid === undefined) child.once('error', () => resolve());
  });
  let released: Promise<void> | undefined;
  return {
    pid: child.pid,
    release(): Promise<void> {
      if (released !== undefined) return released;
      // The watchdog must be dead before its pipe closes, or it wakes and cleans up a live member.
      // process.kill is one kill(2) on every runtime; Deno's child.kill() is not (with it, a
      // released watchdog sometimes still woke and removed the folder).
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
        // Referenced until it is gone, so that a caller awaiting this sees it reaped.
        child.ref();
        try {
          process.kill(child.pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
      child.stdin?.destroy();
      released = closed.finally(() => child.unref());
      return released;
    },
  };
}
