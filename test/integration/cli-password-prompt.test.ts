// `--user NAME` without a password: etcdts asks on the terminal without echo, as etcdctl does
// (issue 13, item 4). Both run under a pseudo-terminal (util-linux `script`), the password is typed
// only after the prompt appeared, and what the terminal shows must be the same: the prompt, no
// password, then the command's output. `--password` and ETCDCTL_PASSWORD need no prompt.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';

import type { Client } from '../../src/index.js';
import { EtcdCluster } from '../../src/testing/index.js';
import { ETCDCTL, cleanEnv, etcdts, etcdtsCommand } from '../helpers/etcdts.js';

const PASSWORD = 'S3cret-pw';

let cluster: EtcdCluster;
let client: Client;
let endpoint: string;

before(async () => {
  cluster = await EtcdCluster.start({ size: 1, args: ['--bcrypt-cost=4'] });
  endpoint = cluster.endpoints[0]!;
  client = cluster.client();
  await client.auth.userAdd('root', PASSWORD);
  await client.auth.roleAdd('root');
  await client.auth.userGrantRole('root', 'root');
  await client.auth.authEnable();
  await cluster.client({ username: 'root', password: PASSWORD }).put('k', 'v');
});

after(async () => {
  await cluster?.close();
});

/** POSIX shell quoting of one word. */
const sh = (word: string): string => `'${word.replaceAll("'", "'\\''")}'`;

/**
 * Runs `argv` on a pseudo-terminal; once the terminal shows `Password: `, types `typed` and Enter.
 * Resolves to everything the terminal showed and the exit code.
 */
function onTerminal(argv: readonly string[], typed: string): Promise<{ screen: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    // -q quiet, -f flush at once, -e the command's exit code, -c the command; no typescript file.
    const child = spawn('script', ['-qfec', argv.map(sh).join(' '), '/dev/null'], { env: cleanEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    let screen = '';
    let sent = false;
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.stdout!.on('data', (b: Buffer) => {
      screen += b.toString('utf8');
      if (!sent && screen.includes('Password: ')) {
        sent = true;
        child.stdin!.write(`${typed}\r`);
      }
    });
    child.stderr!.on('data', (b: Buffer) => (screen += b.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ screen, code });
    });
  });
}

describe('--user NAME without a password: a prompt without echo', { timeout: 120_000 }, () => {
  test('the terminal shows the prompt and the output, never the password, as with etcdctl', async () => {
    const [node, entry] = await etcdtsCommand();
    const args = ['--endpoints', endpoint, '--user', 'root', 'get', 'k', '--print-value-only'];
    const [theirs, ours] = await Promise.all([onTerminal([ETCDCTL, ...args], PASSWORD), onTerminal([node!, entry!, ...args], PASSWORD)]);
    assert.equal(theirs.code, 0, theirs.screen);
    assert.equal(ours.code, 0, ours.screen);
    assert.ok(!ours.screen.includes(PASSWORD), `the password was echoed: ${JSON.stringify(ours.screen)}`);
    assert.equal(ours.screen, 'Password: \r\nv\r\n');
    // etcdctl turns echo off only after printing its prompt, so a password typed at once may be echoed.
    assert.equal(ours.screen, theirs.screen.replace(`${PASSWORD}\r\n`, ''));
  });

  test('a wrong password typed at the prompt: authentication fails, exit 2, as etcdctl', async () => {
    const [node, entry] = await etcdtsCommand();
    const args = ['--endpoints', endpoint, '--user', 'root', 'get', 'k'];
    const [theirs, ours] = await Promise.all([onTerminal([ETCDCTL, ...args], 'Wr0ng-pw'), onTerminal([node!, entry!, ...args], 'Wr0ng-pw')]);
    assert.equal(ours.code, theirs.code, `${theirs.screen}\n${ours.screen}`);
    assert.equal(ours.code, 2);
    assert.ok(!ours.screen.includes('Wr0ng-pw'), ours.screen);
    const errorLine = (screen: string) => screen.split('\r\n').find((l) => l.startsWith('Error: '));
    assert.equal(errorLine(ours.screen), errorLine(theirs.screen));
  });

  test('--password and ETCDCTL_PASSWORD: no prompt', async () => {
    const viaFlag = await etcdts(['--endpoints', endpoint, '--user', 'root', '--password', PASSWORD, 'get', 'k', '--print-value-only']);
    assert.equal(viaFlag.stdout.toString(), 'v\n', viaFlag.stderr);
    const viaEnv = await etcdts(['--endpoints', endpoint, 'get', 'k', '--print-value-only'], { env: { ETCDCTL_USER: 'root', ETCDCTL_PASSWORD: PASSWORD } });
    assert.equal(viaEnv.stdout.toString(), 'v\n', viaEnv.stderr);
  });
});
