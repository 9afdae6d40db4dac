// The leak check of npm test (test/helpers/leak-check.ts): a test file that leaves a socket or a
// timer open fails, and the report names the file, the kind of resource and where it was made; a
// file that closes what it opens passes. Each fixture runs in a test runner of its own.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Runs one fixture under the test runner with the leak check; its exit code and output. */
function runFixture(name: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', '--import', './test/helpers/leak-check.ts', '--test', '--test-reporter=tap', `test/fixtures/${name}.ts`],
      { cwd: ROOT, env: { ...process.env, LEAK_CHECK_GRACE_MS: '500', NODE_TEST_CONTEXT: undefined }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error === null ? 0 : Number(error.code ?? 1), output: stdout + stderr }),
    );
  });
}

describe('leak check', () => {
  test('a server left open (unreferenced) fails the file, naming it, the kind and where it was made', async () => {
    const { code, output } = await runFixture('leaky-socket');
    assert.notEqual(code, 0, output);
    assert.match(output, /leak check: .*test\/fixtures\/leaky-socket\.ts left 1 TCPServerWrap open when its process exited/);
  });

  test('a referenced timer left armed fails the file after the grace time, with where it was made', async () => {
    const { code, output } = await runFixture('leaky-timer');
    assert.notEqual(code, 0, output);
    assert.match(output, /leak check: .*leaky-timer\.ts left 1 Timeout open 500 ms after its tests/);
    assert.match(output, /Timeout created at .*leaky-timer\.ts:6/);
  });

  test('a file that closes what it opens passes', async () => {
    const { code, output } = await runFixture('clean');
    assert.equal(code, 0, output);
    assert.doesNotMatch(output, /leak check/);
  });
});
