/**
 * `rejectOldCluster`: the check that refuses etcd servers older than 3.2. The rpc layer runs it once
 * per endpoint, when that endpoint's connection first becomes ready, before any call uses it
 * (see `EndpointPickerOptions.admit`).
 */
import { NotSupportedError } from '../errors/index.js';
import { Maintenance } from '../proto/index.js';
import type { Connection, Metadata } from '../transport/types.js';
import { MIN_SERVER_VERSION } from './defaults.js';
import { toEtcdError } from './error-mapping.js';

const REQUIREMENT = `etcd ${MIN_SERVER_VERSION.join('.')} or newer (rejectOldCluster)`;

/**
 * Whether an etcd version string (`3.4.23`, `3.5.0-rc.1`) is at least {@link MIN_SERVER_VERSION}.
 * Returns undefined when the text is not a version (then the server cannot be vouched for).
 */
export function isSupportedServerVersion(version: string): boolean | undefined {
  const match = /^v?(\d+)\.(\d+)(?:\.\d+)?(?:[-+].*)?$/.exec(version.trim());
  if (match === null) return undefined;
  const major = Number(match[1]);
  const minor = Number(match[2]);
  const [minMajor, minMinor] = MIN_SERVER_VERSION;
  return major > minMajor || (major === minMajor && minor >= minMinor);
}

/**
 * Throws when an endpoint's server version is too old for `rejectOldCluster`.
 *
 * @param version the server's version, from `Maintenance.Status`
 * @param endpoint the endpoint URL, for the message
 * @throws NotSupportedError naming the endpoint, its version and the requirement, when `version` is
 *   older than 3.2 or not a version at all
 */
export function checkServerVersion(version: string, endpoint: string): void {
  const supported = isSupportedServerVersion(version);
  if (supported === true) return;
  const shown = version === '' ? undefined : version;
  const problem = supported === undefined ? `reports an unreadable version ${JSON.stringify(version)}` : `runs etcd ${version}`;
  const error = new NotSupportedError(`${endpoint} (${REQUIREMENT})`, shown, `${endpoint} ${problem}; this client requires ${REQUIREMENT}`);
  error.message = `${endpoint} ${problem}; this client requires ${REQUIREMENT}`;
  throw error;
}

/**
 * Reads the server version of a ready connection (etcd `Maintenance.Status`) and checks it.
 *
 * @param connection a ready connection
 * @param deadline absolute time (`Date.now()` ms) for the Status call
 * @param metadata headers to send (e.g. the auth token); require-leader is not needed for Status
 * @param signal aborting rejects with its reason
 * @throws NotSupportedError when the server is older than 3.2 (also when it has no Status RPC);
 *   the typed error of the Status call when it fails otherwise
 */
export async function checkConnectionVersion(
  connection: Connection,
  deadline: number,
  metadata: Metadata | undefined,
  signal?: AbortSignal,
): Promise<void> {
  let version: string;
  try {
    const bytes = await connection.unary(Maintenance.status.path, Maintenance.status.encode({}), { deadline, metadata, signal });
    version = Maintenance.status.decode(bytes).version;
  } catch (error) {
    if (signal?.aborted === true) throw signal.reason;
    throw toEtcdError(error, { endpoint: connection.endpoint.url, path: Maintenance.status.path });
  }
  checkServerVersion(version, connection.endpoint.url);
}
