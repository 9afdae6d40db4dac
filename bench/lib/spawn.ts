/** Starting the benchmark's child processes: pinned to a core with taskset when asked, result read from stdout. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { RESULT_MARK } from './workloads.js';

/** The project's root: children run there (so `--import tsx` resolves from its node_modules). */
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Node flags of a TypeScript child (the bench runs from source through tsx). */
export const NODE_TS_FLAGS: readonly string[] = ['--import', 'tsx'];

/**
 * Runs `command args` (pinned to `cpu` with taskset when `cpu` is defined), waits for it to exit
 * and returns the JSON after `RESULT_MARK` on its stdout (or its last stdout line, for programs
 * that print one JSON line). Its stderr goes to ours. Kills it (by pid) after `timeoutMs`.
 * `onSpawn` gets its pid; `onStdout` each piece of its stdout as it comes.
 * @throws Error when it exits non-zero, prints no result, or times out.
 */
export function runChild(
  command: string,
  args: readonly string[],
  cpu: number | undefined,
  timeoutMs: number,
  onSpawn?: (pid: number) => void,
  onStdout?: (chunk: string) => void,
): Promise<unknown> {
  const [file, argv] = cpu === undefined ? [command, [...args]] : ['taskset', ['-c', String(cpu), command, ...args]];
  return new Promise((resolve, reject) => {
    const child = spawn(file, argv, { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    if (child.pid !== undefined) onSpawn?.(child.pid);
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      onStdout?.(chunk);
    });
    const timer = setTimeout(() => {
      if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const lines = out.trim().split('\n');
      const marked = lines.find((line) => line.startsWith(RESULT_MARK));
      const text = marked !== undefined ? marked.slice(RESULT_MARK.length) : lines[lines.length - 1];
      if (code !== 0 && marked === undefined) {
        reject(new Error(`${command} ${args.slice(0, 4).join(' ')} ... exited with ${code ?? signal}${signal === 'SIGKILL' ? ` (timeout ${timeoutMs} ms?)` : ''}`));
        return;
      }
      try {
        resolve(JSON.parse(text ?? ''));
      } catch {
        reject(new Error(`${command}: no result on stdout (exit ${code ?? signal}); output: ${out.slice(-500)}`));
      }
    });
  });
}
