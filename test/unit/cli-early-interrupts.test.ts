// The etcdts entry's signal handling (src/cli/early-interrupts.ts), in a child process: an
// unhandled SIGINT/SIGTERM ends the process with 130/143 (an ordinary exit, not death by the
// signal, which etcd's e2e tests on `lock` count as a failure); a command's own listener keeps
// control of its cleanup.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, test } from 'node:test';

import { ROOT } from '../helpers/etcdts.js';

const MODULE = new URL('../../src/cli/early-interrupts.ts', import.meta.url).href;

/** Runs `body` (after installing the handlers) in a child; its exit code, signal and stdout. */
function child(body: string): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string }> {
  const code = `import { installEarlyInterrupts } from ${JSON.stringify(MODULE)};\ninstallEarlyInterrupts();\n${body}`;
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    c.stdout!.on('data', (b: Buffer) => (stdout += b.toString()));
    c.on('error', reject);
    c.on('close', (exit, signal) => resolve({ code: exit, signal, stdout }));
  });
}

describe('etcdts early interrupt handling', () => {
  test('an unhandled SIGINT or SIGTERM: exit 130 or 143, not death by the signal', async () => {
    const int = await child("process.kill(process.pid, 'SIGINT'); setTimeout(() => {}, 10_000);");
    assert.deepEqual([int.code, int.signal], [130, null]);
    const term = await child("process.kill(process.pid, 'SIGTERM'); setTimeout(() => {}, 10_000);");
    assert.deepEqual([term.code, term.signal], [143, null]);
  });

  test("a command's own listener handles it (and ends the process itself)", async () => {
    const r = await child(
      "process.once('SIGINT', () => { console.log('cleaned up'); process.exit(1); });\n" +
        "process.kill(process.pid, 'SIGINT'); setTimeout(() => {}, 10_000);",
    );
    assert.deepEqual([r.code, r.signal, r.stdout], [1, null, 'cleaned up\n']);
  });
});
