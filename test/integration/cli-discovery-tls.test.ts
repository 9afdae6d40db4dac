// DNS discovery's TLS server name (etcdctl 3.5): with --insecure-discovery=false each member's
// certificate is checked against the SRV domain, not against the target DNS named; with the default
// (insecure discovery) against the target. A real TLS etcd whose certificate names 127.0.0.1 and
// TEST_SERVER_NAME; the SRV answer (the only thing not real: DNS) points at 127.0.0.1.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { discoveredOptions, type SrvResolver } from '../../src/cli/discovery.js';
import { resolveGlobalOptions, type GlobalFlags } from '../../src/cli/global.js';
import { CliSession } from '../../src/cli/session.js';
import { EtcdCluster, TEST_SERVER_NAME } from '../../src/testing/index.js';

let cluster: EtcdCluster;
let resolver: SrvResolver;

before(async () => {
  cluster = await EtcdCluster.start({ size: 1, tls: true });
  const port = Number(new URL(cluster.endpoints[0]!).port);
  resolver = {
    resolveSrv: async (name) => {
      if (name.startsWith('_etcd-client-ssl._tcp.')) return [{ name: '127.0.0.1.', port, priority: 0, weight: 1 }];
      throw Object.assign(new Error(`queryNoData ENODATA ${name}`), { code: 'ENODATA' });
    },
  };
});

after(async () => {
  await cluster?.close();
});

/** A get through a CLI session made as the command line makes it, with `--discovery-srv domain`. */
async function getThrough(domain: string, insecureDiscovery: boolean): Promise<string> {
  const flags: GlobalFlags & { discoverySrv: string; insecureDiscovery: boolean } = {
    discoverySrv: domain,
    insecureDiscovery,
    cacert: cluster.tls!.ca.certFile,
    dialTimeout: '1s',
  };
  const options = await discoveredOptions(resolveGlobalOptions(flags, {}), flags, {}, resolver);
  assert.deepEqual(options.endpoints, [`https://127.0.0.1:${new URL(cluster.endpoints[0]!).port}`]);
  const session = new CliSession(options);
  try {
    await session.client().get('x', { timeout: 3000 });
    return 'ok';
  } catch (err) {
    return (err as Error).message;
  } finally {
    await session.close();
  }
}

describe('--discovery-srv with TLS: which name the certificate must hold', { timeout: 60_000 }, () => {
  test('--insecure-discovery=false: the SRV domain (a certificate for it passes, one without it fails)', async () => {
    assert.equal(await getThrough(TEST_SERVER_NAME, false), 'ok');
    assert.notEqual(await getThrough('other.example', false), 'ok');
  });

  test('default (insecure discovery): the target the SRV record names, whatever the domain', async () => {
    assert.equal(await getThrough('other.example', true), 'ok');
  });
});
