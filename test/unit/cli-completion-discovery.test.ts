// `etcdts completion bash|zsh` (the script completes commands, flags and values when bash runs it)
// and `--discovery-srv` (etcdctl's DNS SRV discovery), against a small DNS server started here on
// 127.0.0.1 that answers SRV queries.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { promises as dns } from 'node:dns';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { srvEndpoints, srvServiceName, withDiscoveredEndpoints } from '../../src/cli/discovery.js';
import { CliError } from '../../src/cli/exit.js';
import { EtcdError } from '../../src/errors/index.js';
import { resolveGlobalOptions } from '../../src/cli/global.js';
import { Status } from '../../src/transport/index.js';
import { asText, etcdts as runEtcdts } from '../helpers/etcdts.js';

/** Bound on one CLI run, in ms. */
const RUN_TIMEOUT_MS = 20_000;

/** Runs etcdts (bundled once per test process, see test/helpers/etcdts.ts); resolves with stdout, stderr and the exit code. */
async function etcdts(args: readonly string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  const r = asText(await runEtcdts(args, { timeout: RUN_TIMEOUT_MS }));
  return { ...r, code: r.code ?? -1 };
}

/** Runs `bash -c script` and resolves with stdout. */
function bash(script: string): Promise<string> {
  return new Promise((done, fail) => {
    execFile('bash', ['--norc', '--noprofile', '-c', script], { timeout: RUN_TIMEOUT_MS }, (error, stdout, stderr) => {
      if (error !== null) fail(new Error(`bash failed: ${stderr}`));
      else done(stdout);
    });
  });
}

describe('etcdts completion', () => {
  let dir: string;
  let script: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'etcdts-completion-'));
    const { stdout, code } = await etcdts(['completion', 'bash']);
    assert.equal(code, 0);
    script = join(dir, 'etcdts.bash');
    await writeFile(script, stdout);
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** What bash completes for the words typed (the last one is the word being completed). */
  async function complete(...words: string[]): Promise<string[]> {
    const array = words.map((w) => `'${w}'`).join(' ');
    const out = await bash(
      `source '${script}'; COMP_WORDS=(etcdts ${array}); COMP_CWORD=${words.length}; _etcdts_complete; printf '%s\\n' "\${COMPREPLY[@]}"`,
    );
    return out.split('\n').filter((w) => w !== '');
  }

  test('commands, subcommands, flags of the command and global flags, flag values', async () => {
    const top = await complete('');
    for (const command of ['get', 'put', 'del', 'txn', 'lease', 'completion']) assert.ok(top.includes(command), `${command} in ${top}`);
    assert.deepEqual(await complete('le'), ['lease']);
    assert.deepEqual(await complete('lease', 'g'), ['grant']);
    assert.deepEqual(await complete('--endpoints', 'x:2379', 'lease', 'g'), ['grant'], 'a flag value is not a command');
    assert.deepEqual(await complete('get', '--pre'), ['--prefix']);
    const flags = await complete('get', '--');
    assert.ok(flags.includes('--endpoints') && flags.includes('--keys-only') && flags.includes('--discovery-srv'));
    assert.equal(new Set(flags).size, flags.length, 'no flag offered twice');
    assert.deepEqual(await complete('-w', ''), ['simple', 'json', 'fields']);
    assert.deepEqual(await complete('get', '--order', 'D'), ['DESCEND']);
    assert.deepEqual(await complete('completion', ''), ['bash', 'zsh']);
  });

  test('zsh gets the same logic through bashcompinit; --help lists completion and the discovery flags', async () => {
    const zsh = await etcdts(['completion', 'zsh']);
    assert.equal(zsh.code, 0);
    assert.match(zsh.stdout, /^#compdef etcdts\n/);
    assert.match(zsh.stdout, /bashcompinit/);
    assert.match(zsh.stdout, /complete -F _etcdts_complete etcdts\n$/);
    const help = await etcdts(['--help']);
    assert.match(help.stdout, /completion/);
    assert.match(help.stdout, /--discovery-srv <domain>/);
  });
});

// ---------------------------------------------------------------------------------------------
// A DNS server answering SRV queries from a table (names lower-case, without the trailing dot).
// ---------------------------------------------------------------------------------------------

interface Srv {
  priority: number;
  weight: number;
  port: number;
  target: string;
}

function encodeName(name: string): Buffer {
  const parts = name.split('.').filter((p) => p !== '');
  return Buffer.concat([...parts.map((p) => Buffer.concat([Buffer.from([p.length]), Buffer.from(p)])), Buffer.from([0])]);
}

/** Answers one query: the SRV records of the asked name, or NXDOMAIN when it has none. */
function answer(query: Buffer, table: ReadonlyMap<string, readonly Srv[]>): Buffer {
  const labels: string[] = [];
  let offset = 12;
  while (query[offset]! !== 0) {
    const length = query[offset]!;
    labels.push(query.subarray(offset + 1, offset + 1 + length).toString());
    offset += length + 1;
  }
  const question = query.subarray(12, offset + 5);
  const records = table.get(labels.join('.').toLowerCase()) ?? [];
  const header = Buffer.alloc(12);
  query.copy(header, 0, 0, 2); // id
  header.writeUInt16BE(records.length === 0 ? 0x8183 : 0x8180, 2); // response, recursion; NXDOMAIN when empty
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(records.length, 6);
  const answers = records.map((r) => {
    const target = encodeName(r.target);
    const rr = Buffer.alloc(12 + 6);
    rr.writeUInt16BE(0xc00c, 0); // the question's name
    rr.writeUInt16BE(33, 2); // SRV
    rr.writeUInt16BE(1, 4); // IN
    rr.writeUInt32BE(60, 6); // TTL
    rr.writeUInt16BE(6 + target.length, 10);
    rr.writeUInt16BE(r.priority, 12);
    rr.writeUInt16BE(r.weight, 14);
    rr.writeUInt16BE(r.port, 16);
    return Buffer.concat([rr, target]);
  });
  return Buffer.concat([header, question, ...answers]);
}

describe('--discovery-srv', () => {
  let server: Socket;
  let resolver: dns.Resolver;
  const table = new Map<string, Srv[]>([
    [
      '_etcd-client-ssl._tcp.example.test',
      [
        { priority: 10, weight: 1, port: 2379, target: 'b.example.test' },
        { priority: 0, weight: 1, port: 2379, target: 'a.example.test' },
      ],
    ],
    ['_etcd-client._tcp.example.test', [{ priority: 0, weight: 0, port: 12379, target: '127.0.0.1' }]],
    ['_etcd-client-prod._tcp.named.test', [{ priority: 0, weight: 0, port: 2379, target: 'c.named.test' }]],
  ]);

  before(async () => {
    server = createSocket('udp4');
    server.on('message', (query, peer) => server.send(answer(query, table), peer.port, peer.address));
    await new Promise<void>((done) => server.bind(0, '127.0.0.1', done));
    resolver = new dns.Resolver({ timeout: 2_000, tries: 1 });
    resolver.setServers([`127.0.0.1:${server.address().port}`]);
  });

  after(() => {
    server?.close();
  });

  test("service names as etcd's srv.GetSRVService", () => {
    assert.equal(srvServiceName('', 'https'), 'etcd-client-ssl');
    assert.equal(srvServiceName('', 'http'), 'etcd-client');
    assert.equal(srvServiceName('prod', 'https'), 'etcd-client-ssl-prod');
  });

  test('https records first (by priority), then http; one failed lookup is enough', async () => {
    assert.deepEqual(await srvEndpoints('example.test', '', resolver), [
      'https://a.example.test:2379',
      'https://b.example.test:2379',
      'http://127.0.0.1:12379',
    ]);
    assert.deepEqual(await srvEndpoints('named.test', 'prod', resolver), ['http://c.named.test:2379']);
  });

  test('both lookups failing is an EtcdError (UNAVAILABLE) naming both, their errors as cause', async () => {
    await assert.rejects(srvEndpoints('nothing.test', '', resolver), (error: unknown) => {
      assert.ok(error instanceof EtcdError, String(error));
      assert.equal(error.code, Status.UNAVAILABLE);
      assert.match(error.message, /^dns lookup errors: .*_etcd-client-ssl\._tcp\.nothing\.test.* and .*_etcd-client\._tcp\.nothing\.test/);
      assert.ok(error.cause instanceof AggregateError && error.cause.errors.length === 2, String(error.cause));
      return true;
    });
  });

  test('the flag (or ETCDCTL_DISCOVERY_SRV) replaces --endpoints; --insecure-discovery=false keeps https only', async () => {
    const base = resolveGlobalOptions({}, {});
    // https records found: TLS is in use, so the plain http:// ones are dropped (never mixed in).
    const found = await withDiscoveredEndpoints(base, { discoverySrv: 'example.test' }, {}, resolver);
    assert.deepEqual(found.endpoints, ['https://a.example.test:2379', 'https://b.example.test:2379']);
    const fromEnv = await withDiscoveredEndpoints(base, {}, { ETCDCTL_DISCOVERY_SRV: 'named.test', ETCDCTL_DISCOVERY_SRV_NAME: 'prod' }, resolver);
    assert.deepEqual(fromEnv.endpoints, ['http://c.named.test:2379']);
    const secure = await withDiscoveredEndpoints(base, { discoverySrv: 'example.test', insecureDiscovery: false }, {}, resolver);
    assert.deepEqual(secure.endpoints, ['https://a.example.test:2379', 'https://b.example.test:2379']);
    // Only insecure endpoints found and refused: --endpoints applies, as in etcdctl.
    const none = await withDiscoveredEndpoints(base, { discoverySrv: 'named.test', discoverySrvName: 'prod' }, { ETCDCTL_INSECURE_DISCOVERY: 'false' }, resolver);
    assert.deepEqual(none.endpoints, base.endpoints);
    assert.equal(await withDiscoveredEndpoints(base, {}, {}, resolver), base, 'no domain, nothing looked up');
  });

  test('TLS flags and only http:// records: an error naming them, no fallback to plaintext', async () => {
    const secure = resolveGlobalOptions({ cacert: '/ca.pem' }, {});
    await assert.rejects(withDiscoveredEndpoints(secure, { discoverySrv: 'named.test', discoverySrvName: 'prod' }, {}, resolver), (error: unknown) => {
      assert.ok(error instanceof CliError);
      assert.equal(error.exitCode, 128);
      assert.match(error.message, /only plain http:\/\/ endpoints \(http:\/\/c\.named\.test:2379\) but TLS is configured/);
      return true;
    });
    const tls = await withDiscoveredEndpoints(secure, { discoverySrv: 'example.test' }, {}, resolver);
    assert.deepEqual(tls.endpoints, ['https://a.example.test:2379', 'https://b.example.test:2379']);
  });

  test('a failed discovery is a CliError with exit code 1', async () => {
    const base = resolveGlobalOptions({}, {});
    await assert.rejects(withDiscoveredEndpoints(base, { discoverySrv: 'nothing.test' }, {}, resolver), (error: unknown) => {
      assert.ok(error instanceof CliError);
      assert.equal(error.exitCode, 1);
      assert.match(error.message, /^dns lookup errors: /);
      return true;
    });
    await assert.rejects(
      withDiscoveredEndpoints(base, { discoverySrv: 'example.test' }, { ETCDCTL_INSECURE_DISCOVERY: 'maybe' }, resolver),
      (error: unknown) => error instanceof CliError && error.exitCode === 128,
    );
  });
});
