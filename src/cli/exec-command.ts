/**
 * Runs a user's command for `lock` and `watch` (etcdctl's exec form, `... -- cmd args`) the way Go's
 * `exec.Cmd.Run` does, with its error texts.
 */
import { spawn } from 'node:child_process';
import { constants as osConstants } from 'node:os';

import { CliError, EXIT_ERROR } from './exit.js';

/** Go's `os/exec` wording of a child ended by a signal (`signal: interrupt`), by signal name. */
const GO_SIGNAL_NAMES: Readonly<Record<string, string>> = {
  SIGHUP: 'hangup',
  SIGINT: 'interrupt',
  SIGQUIT: 'quit',
  SIGILL: 'illegal instruction',
  SIGTRAP: 'trace/breakpoint trap',
  SIGABRT: 'aborted',
  SIGBUS: 'bus error',
  SIGFPE: 'floating point exception',
  SIGKILL: 'killed',
  SIGUSR1: 'user defined signal 1',
  SIGSEGV: 'segmentation fault',
  SIGUSR2: 'user defined signal 2',
  SIGPIPE: 'broken pipe',
  SIGALRM: 'alarm clock',
  SIGTERM: 'terminated',
};

/**
 * Runs `file args` with stdio inherited and `env`; resolves once it exits. Rejects with a `CliError`
 * worded as Go's `exec.Cmd.Run` errors: `exit status N`, `signal: killed`,
 * `exec: "cmd": executable file not found in $PATH`.
 */
export function runCommand(file: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: 'inherit', env });
    child.on('error', (err: NodeJS.ErrnoException) => {
      const text =
        err.code === 'ENOENT'
          ? file.includes('/')
            ? `fork/exec ${file}: no such file or directory`
            : `exec: ${JSON.stringify(file)}: executable file not found in $PATH`
          : err.code === 'EACCES'
            ? `fork/exec ${file}: permission denied`
            : err.message;
      reject(new CliError(EXIT_ERROR, text));
    });
    child.on('exit', (code, signal) => {
      if (code === 0) resolve();
      else if (signal !== null) {
        const name = GO_SIGNAL_NAMES[signal] ?? `signal ${osConstants.signals[signal] ?? signal}`;
        reject(new CliError(EXIT_ERROR, `signal: ${name}`));
      } else reject(new CliError(EXIT_ERROR, `exit status ${code ?? 1}`));
    });
  });
}
