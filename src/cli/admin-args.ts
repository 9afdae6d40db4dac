/**
 * Shared pieces of the administration commands (`member`, `endpoint`, `defrag`, `snapshot`,
 * `alarm`, `move-leader`): the endpoints as the user gave them (etcdctl prints them unchanged),
 * `--cluster`'s member list and member IDs in hex.
 */
import type { Command } from 'commander';

import { CliError, EXIT_BAD_ARGS, EXIT_ERROR, errorText } from './exit.js';
import { DEFAULT_ENDPOINTS, ENV_PREFIX, type GlobalFlags } from './global.js';
import { parseHexUint64 } from './go-format.js';
import type { CliSession } from './session.js';

/**
 * The endpoints as given, unchanged (`127.0.0.1:2379` stays without a scheme): `--endpoints`,
 * else `ETCDCTL_ENDPOINTS`, else etcdctl's default, split on commas, blanks dropped.
 */
export function givenEndpoints(command: Command, env: NodeJS.ProcessEnv = process.env): string[] {
  const flags = command.optsWithGlobals() as GlobalFlags;
  const fromEnv = env[`${ENV_PREFIX}ENDPOINTS`];
  const raw = flags.endpoints ?? (fromEnv !== undefined && fromEnv !== '' ? fromEnv.split(',') : [...DEFAULT_ENDPOINTS]);
  return raw.map((e) => e.trim()).filter((e) => e !== '');
}

/**
 * The endpoints a per-endpoint command visits: with `--cluster`, every member's client URLs from
 * `Cluster.MemberList`; otherwise the given ones (etcdctl's `endpointsFromCluster`).
 * @throws CliError (exit 1) `failed to fetch endpoints from etcd cluster member list: ...`
 */
export async function endpointsFromCluster(command: Command, session: CliSession): Promise<string[]> {
  const { cluster } = command.optsWithGlobals() as { cluster?: boolean };
  if (cluster !== true) return givenEndpoints(command);
  try {
    const { members } = await session.client().cluster.memberList(session.callOptions());
    return members.flatMap((m) => m.clientURLs);
  } catch (err) {
    throw new CliError(EXIT_ERROR, `failed to fetch endpoints from etcd cluster member list: ${errorText(err)}`);
  }
}

/**
 * A member ID argument in hex, as etcdctl's `member remove|update|promote` read it.
 * @throws CliError (exit 128) `bad member ID arg (strconv.ParseUint: ...), expecting ID in Hex`
 */
export function memberIdArg(text: string): bigint {
  try {
    return parseHexUint64(text);
  } catch (err) {
    throw new CliError(EXIT_BAD_ARGS, `bad member ID arg (${(err as Error).message}), expecting ID in Hex`);
  }
}
