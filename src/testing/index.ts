/**
 * `etcd-ts/testing`: real etcd clusters for tests, yours and ours.
 *
 * Starts 1 or 3 real etcd processes on free 127.0.0.1 ports with data in a fresh folder under
 * `/dev/shm` (or the OS temp folder), waits until they are healthy, and gives you their
 * endpoints, a ready `Client` ({@link EtcdCluster.client}), and control of each member for fault
 * tests. Nothing is left behind: `close()` (or `await using`) kills the members and removes the
 * folder, and so do process exit, SIGINT/SIGTERM, and even a SIGKILL of the test process (a
 * watchdog per member).
 *
 * The etcd binary is `ETCD_BIN`, else `etcd` on PATH (Debian/Ubuntu: `apt-get install etcd-server`).
 *
 * Faults beyond the process controls: `EtcdCluster.start({ proxy: true })` puts a {@link TcpProxy}
 * in front of each member's client port (`member.proxy.delay(ms)`, `blackhole()`, `cut()`,
 * `heal()`). TLS: `EtcdCluster.start({ tls: true })` (or `{ clientCertAuth: true }`) serves https
 * with certificates made by openssl ({@link createTestCertificates}); `cluster.client()` uses them.
 *
 * @example
 * ```ts
 * import { test } from 'node:test';
 * import assert from 'node:assert/strict';
 * import { EtcdCluster } from 'etcd-ts/testing';
 *
 * test('survives the loss of its leader', async () => {
 *   await using cluster = await EtcdCluster.start({ size: 3 });
 *   await using client = cluster.client({ dialTimeout: 2_000 });
 *   await client.put('greeting', 'hello');
 *
 *   const leader = await cluster.leader();
 *   await leader.kill();                 // SIGKILL; also stop(), pause(), resume(), restart()
 *   await cluster.leader();              // the other two elect a new leader
 *
 *   const { kvs } = await client.get('greeting');
 *   assert.equal(kvs[0]?.value.toString(), 'hello');
 *
 *   await leader.restart();              // same ports and data dir; resolves once it has rejoined
 * });
 * ```
 *
 * @module etcd-ts/testing
 */
export { EtcdCluster } from './cluster.js';
export {
  DEFAULT_CLUSTER_SIZE,
  DEFAULT_LEADER_TIMEOUT_MS,
  DEFAULT_START_TIMEOUT_MS,
  PREFERRED_DATA_PARENT,
  START_ATTEMPTS,
  type EtcdClusterInit,
  type EtcdClusterOptions,
  type EtcdClusterSize,
  type EtcdClusterTls,
  type EtcdClusterTlsOptions,
} from './process-cluster.js';
export {
  DEFAULT_MEMBER_START_TIMEOUT_MS,
  DEFAULT_STOP_GRACE_MS,
  EtcdMember,
  type EtcdMemberConfig,
  type MemberStartOptions,
  type MemberTlsFiles,
} from './member.js';
export { TcpProxy, type TcpProxyOptions } from './proxy.js';
export {
  DEFAULT_CLIENT_COMMON_NAME,
  OPENSSL_ENV,
  TEST_CERT_DAYS,
  TEST_SERVER_NAME,
  createTestCertificates,
  issueClientCertificate,
  type TestCertificateOptions,
  type TestCertificates,
  type TestKeyPair,
} from './tls.js';
export { ETCD_BIN_ENV, etcdVersion, findEtcdBinary } from './etcd-binary.js';
export { freePort, freePorts } from './ports.js';
// What the launcher throws, of the one error tree: bad options are an InvalidArgumentError,
// launch and run failures an EtcdLaunchError (EtcdStartError for a member that did not start).
export { EtcdError, type EtcdErrorOptions } from '../errors/etcd-error.js';
export { InvalidArgumentError } from '../errors/client.js';
export {
  EtcdLaunchError,
  EtcdStartError,
  type EtcdProcessExit,
  type EtcdStartErrorOptions,
} from '../errors/launcher.js';
