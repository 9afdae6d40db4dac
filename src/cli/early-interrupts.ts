/**
 * Ctrl-C (SIGINT) and SIGTERM from the first moment of the process: before the program has loaded
 * (which takes a moment), and whenever no command handles them, the process ends with the shell's
 * code for the signal (130, 143) instead of being killed by it. A command that handles them (`lock`,
 * `elect`, `check`, `demo` add listeners of their own) does its own cleanup, and this one stays out
 * of its way. Something that signals a command it has just started (a supervisor, etcd's e2e tests
 * on `lock`) so sees an ordinary exit, as with etcdctl, which catches the signal at once.
 */

/** Exit codes for an unhandled signal, as a shell reports a process killed by it (128 + signal number). */
const EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;

/** Installs the handlers (once, at the start of the process). */
export function installEarlyInterrupts(): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      // Another listener is a command's own interrupt handling: let it end the process.
      if (process.listenerCount(signal) > 1) return;
      process.exit(EXIT_CODES[signal]);
    });
  }
}
