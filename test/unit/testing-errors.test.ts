/**
 * What `etcd-ts/testing` throws, without a running cluster: bad options are an
 * `InvalidArgumentError` naming the option, thrown before anything is started; launch and run
 * failures (no etcd, no openssl, a port taken, a member not running, no answer to a probe) an
 * `EtcdLaunchError` whose `code` says which kind. Both are `EtcdError`s of the one tree. The
 * launch failures of real etcd processes are in test/integration/testing-cluster.test.ts.
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { Status } from '../../src/transport/index.js';
import {
  EtcdCluster,
  EtcdError,
  EtcdLaunchError,
  EtcdMember,
  EtcdStartError,
  InvalidArgumentError,
  OPENSSL_ENV,
  TcpProxy,
  createTestCertificates,
  etcdVersion,
  findEtcdBinary,
  freePorts,
} from '../../src/testing/index.js';
import { readIsLeader } from '../../src/testing/probe.js';

/** An `assert.throws`/`rejects` validator: `error` is a `cls` of the tree with `code`, its message matching `message`. */
function treeError(cls: abstract new (...args: never[]) => EtcdError, code: number, message: RegExp) {
  return (error: unknown): true => {
    assert.ok(error instanceof EtcdError, `not an EtcdError: ${String(error)}`);
    assert.ok(error instanceof cls, `not a ${cls.name}: ${String(error)}`);
    assert.equal(error.name, cls.name);
    assert.equal(error.code, code, `code of ${String(error)}`);
    assert.match(error.message, message);
    return true;
  };
}

const badOption = (message: RegExp) => treeError(InvalidArgumentError, Status.INVALID_ARGUMENT, message);
const launchError = (code: number, message: RegExp) => treeError(EtcdLaunchError, code, message);

/** A single-member `EtcdMember` on fresh ports, not started. */
async function unstartedMember(name: string, bin: string, dir: string): Promise<EtcdMember> {
  const [clientPort, peerPort] = await freePorts(2);
  return new EtcdMember({
    name,
    bin,
    dir,
    clientPort: clientPort!,
    peerPort: peerPort!,
    initialCluster: `${name}=http://127.0.0.1:${peerPort}`,
    initialClusterState: 'new',
    initialClusterToken: `etcd-ts-${name}`,
  });
}

let scratch: string;
before(() => {
  scratch = mkdtempSync(join(tmpdir(), 'etcd-ts-testing-errors-'));
});
after(() => {
  rmSync(scratch, { recursive: true, force: true });
});

describe('EtcdLaunchError and EtcdStartError', () => {
  it('are EtcdErrors with the code given; a start error keeps the log tail and the exit', () => {
    const launch = new EtcdLaunchError('etcd member m is not running', Status.FAILED_PRECONDITION);
    launchError(Status.FAILED_PRECONDITION, /^etcd member m is not running$/)(launch);
    assert.equal(launch.details, launch.message);

    const cause = new Error('spawn EACCES');
    const start = new EtcdStartError('etcd member m exited before it was healthy', 'm', '/x/etcd.log', 'flag provided but not defined', {
      exit: { code: 2, signal: null },
      cause,
    });
    treeError(EtcdStartError, Status.UNAVAILABLE, /exited before it was healthy\n--- last lines of \/x\/etcd\.log ---\nflag provided/)(start);
    assert.ok(start instanceof EtcdLaunchError);
    assert.deepEqual(start.exit, { code: 2, signal: null });
    assert.equal(start.logTail, 'flag provided but not defined');
    assert.equal(start.memberName, 'm');
    assert.equal(start.cause, cause);
    assert.equal(new EtcdStartError('x', 'm', 'f', 't', { code: Status.DEADLINE_EXCEEDED }).code, Status.DEADLINE_EXCEEDED);
  });
});

describe('EtcdCluster.start: bad options', () => {
  it('are InvalidArgumentErrors naming the option, found before the etcd binary is looked for', async () => {
    // etcdBin names no binary: the option errors come first, so nothing is looked up or started.
    const start = (options: object) => EtcdCluster.start({ etcdBin: '/nonexistent/etcd', dataDir: scratch, ...options });
    await assert.rejects(start({ size: 2 }), badOption(/EtcdCluster\.start: size must be 1 or 3, got 2/));
    await assert.rejects(start({ args: '--x' }), badOption(/args must be an array of strings/));
    await assert.rejects(start({ dataDir: '' }), badOption(/dataDir must be a non-empty path/));
    await assert.rejects(start({ etcdBin: '' }), badOption(/etcdBin must be a non-empty path/));
    await assert.rejects(start({ startTimeout: -1 }), badOption(/startTimeout must be a positive number of ms, got -1/));
    await assert.rejects(start({ proxy: 'yes' }), badOption(/proxy must be true or false/));
    await assert.rejects(start({ unixSocket: 1 }), badOption(/unixSocket must be true or false/));
    await assert.rejects(start({ tls: 'on' }), badOption(/tls must be true, false or \{ clientCertAuth\?, clientCommonName\? \}/));
    await assert.rejects(start({ tls: { mtls: true } }), badOption(/unknown tls option 'mtls'/));
    await assert.rejects(start({ tls: { clientCertAuth: 1 } }), badOption(/tls\.clientCertAuth must be true or false/));
    assert.deepEqual(readdirSync(scratch), [], 'no cluster folder was made');
  });

  it('a dataDir that is no folder is an InvalidArgumentError naming it', async () => {
    const missing = join(scratch, 'no-such-folder');
    await assert.rejects(EtcdCluster.start({ dataDir: missing }), badOption(/EtcdCluster\.start: dataDir .*no-such-folder.*ENOENT/));
  });
});

describe('the etcd binary', () => {
  it('none found is an EtcdLaunchError (FAILED_PRECONDITION) saying what to install', async () => {
    assert.throws(() => findEtcdBinary(undefined, { PATH: '' }), launchError(Status.FAILED_PRECONDITION, /No etcd server binary found.*apt-get install etcd-server.*ETCD_BIN/s));
    assert.throws(() => findEtcdBinary(undefined, { ETCD_BIN: '/nonexistent/etcd', PATH: '/usr/bin' }), launchError(Status.FAILED_PRECONDITION, /ETCD_BIN=\/nonexistent\/etcd is not an executable file/));
    await assert.rejects(EtcdCluster.start({ etcdBin: '/nonexistent/etcd' }), launchError(Status.FAILED_PRECONDITION, /etcd binary "\/nonexistent\/etcd" \(the etcdBin option\) is not an executable file/));
  });

  it('one whose --version fails or prints no version is an EtcdLaunchError (FAILED_PRECONDITION)', async () => {
    const failing = join(scratch, 'failing-etcd');
    writeFileSync(failing, '#!/bin/sh\nexit 3\n');
    chmodSync(failing, 0o755);
    await assert.rejects(etcdVersion(failing), launchError(Status.FAILED_PRECONDITION, /failing-etcd --version` failed/));
    const silent = join(scratch, 'silent-etcd');
    writeFileSync(silent, '#!/bin/sh\necho hello\n');
    chmodSync(silent, 0o755);
    await assert.rejects(etcdVersion(silent), launchError(Status.FAILED_PRECONDITION, /printed no "etcd Version:" line: hello/));
  });
});

describe('ports and proxies', () => {
  it('freePorts with a bad count is an InvalidArgumentError', async () => {
    await assert.rejects(freePorts(-1), badOption(/freePorts: count must be a non-negative integer, got -1/));
    await assert.rejects(freePorts(1.5), badOption(/count/));
  });

  it('TcpProxy: bad ports and delays are InvalidArgumentErrors; a port in use an EtcdLaunchError (UNAVAILABLE) with the listen error as cause', async () => {
    await assert.rejects(TcpProxy.start({ targetPort: 0 }), badOption(/TcpProxy\.start: targetPort must be a TCP port, got 0/));
    await assert.rejects(TcpProxy.start({ targetPort: 70000 }), badOption(/targetPort must be a TCP port/));
    await assert.rejects(TcpProxy.start({ targetPort: 1, port: -1 }), badOption(/TcpProxy\.start: port must be a TCP port, got -1/));
    await using proxy = await TcpProxy.start({ targetPort: 1 });
    assert.throws(() => proxy.delay(-1), badOption(/TcpProxy\.delay: ms must be a non-negative number of milliseconds, got -1/));
    await assert.rejects(TcpProxy.start({ targetPort: 1, port: proxy.port }), (error: unknown) => {
      launchError(Status.UNAVAILABLE, new RegExp(`TcpProxy\\.start: cannot listen on 127\\.0\\.0\\.1:${proxy.port}: .*EADDRINUSE`))(error);
      assert.equal(((error as Error).cause as NodeJS.ErrnoException).code, 'EADDRINUSE');
      return true;
    });
  });
});

describe('test certificates', () => {
  it('bad names are InvalidArgumentErrors; no openssl is an EtcdLaunchError (FAILED_PRECONDITION)', async () => {
    const dir = join(scratch, 'tls');
    await assert.rejects(createTestCertificates(dir, { clientCommonName: '-bad' }), badOption(/clientCommonName must be 1-64 letters/));
    await assert.rejects(createTestCertificates(dir, { serverNames: ['a b'] }), badOption(/serverNames must hold DNS names, got "a b"/));
    const saved = process.env[OPENSSL_ENV];
    process.env[OPENSSL_ENV] = '/nonexistent/openssl';
    try {
      await assert.rejects(createTestCertificates(dir), launchError(Status.FAILED_PRECONDITION, /cannot run \/nonexistent\/openssl: install OpenSSL/));
    } finally {
      if (saved === undefined) delete process.env[OPENSSL_ENV];
      else process.env[OPENSSL_ENV] = saved;
    }
  });
});

describe('a member that is not running', () => {
  it('start() with a bad timeout is an InvalidArgumentError; isLeader(), pause(), resume() an EtcdLaunchError (FAILED_PRECONDITION)', async () => {
    const member = await unstartedMember('idle', '/nonexistent/etcd', join(scratch, 'idle'));
    await assert.rejects(member.start({ timeout: 0 }), badOption(/start timeout must be a positive number of ms, got 0/));
    await assert.rejects(member.waitHealthy({ timeout: Number.NaN }), badOption(/EtcdMember\.waitHealthy: timeout must be a positive number of ms, got NaN/));
    await assert.rejects(member.isLeader(), launchError(Status.FAILED_PRECONDITION, /etcd member idle is not running/));
    await assert.rejects(member.pause(), launchError(Status.FAILED_PRECONDITION, /cannot pause etcd member idle: it is not running/));
    await assert.rejects(member.resume(), launchError(Status.FAILED_PRECONDITION, /cannot resume etcd member idle: it is not running/));
    assert.equal(existsSync(member.dir), false, 'nothing was started');
  });

  it('a member folder that cannot be made is an EtcdLaunchError (FAILED_PRECONDITION) naming it, with the fs error as cause', async () => {
    const blocker = join(scratch, 'a-file');
    writeFileSync(blocker, 'not a folder\n');
    const member = await unstartedMember('homeless', '/nonexistent/etcd', join(blocker, 'member'));
    await assert.rejects(member.start(), (error: unknown) => {
      launchError(Status.FAILED_PRECONDITION, /etcd member homeless: cannot prepare its folder .*a-file\/member: .*ENOTDIR/)(error);
      assert.equal(((error as Error).cause as NodeJS.ErrnoException).code, 'ENOTDIR');
      return true;
    });
    assert.equal(member.running, false);
  });

  it('a binary that cannot be spawned is an EtcdStartError (FAILED_PRECONDITION) with the spawn error as cause', async () => {
    const notExecutable = join(scratch, 'not-executable');
    writeFileSync(notExecutable, 'no program\n');
    const member = await unstartedMember('broken', notExecutable, join(scratch, 'broken'));
    await assert.rejects(member.start(), (error: unknown) => {
      treeError(EtcdStartError, Status.FAILED_PRECONDITION, /etcd member broken: cannot run .*not-executable: .*EACCES/)(error);
      assert.equal(((error as Error).cause as NodeJS.ErrnoException).code, 'EACCES');
      return true;
    });
    assert.equal(member.running, false);
  });
});

describe('probes', () => {
  it('a /metrics probe without a usable answer is an EtcdLaunchError (UNAVAILABLE) naming the URL', async () => {
    let answer: 'status' | 'no metric' | 'hang up' = 'status';
    const server = createServer((request, response) => {
      if (answer === 'hang up') {
        request.socket.destroy();
        return;
      }
      response.statusCode = answer === 'status' ? 500 : 200;
      response.end(answer === 'status' ? 'no' : 'etcd_server_has_leader 1\n');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      await assert.rejects(readIsLeader(url, 5_000), launchError(Status.UNAVAILABLE, new RegExp(`GET ${url}/metrics: HTTP 500`)));
      answer = 'no metric';
      await assert.rejects(readIsLeader(url, 5_000), launchError(Status.UNAVAILABLE, /\/metrics: no etcd_server_is_leader metric/));
      answer = 'hang up';
      await assert.rejects(readIsLeader(url, 5_000), (error: unknown) => {
        launchError(Status.UNAVAILABLE, new RegExp(`GET ${url}/metrics: socket hang up`))(error);
        assert.ok((error as Error).cause instanceof Error);
        return true;
      });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
