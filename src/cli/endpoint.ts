/**
 * `etcdts endpoint health|status|hashkv [--cluster]`, as etcdctl 3.4's: each endpoint is asked on
 * its own (a dedicated connection per endpoint), in the order given (`--cluster`: every member's
 * client URLs). Endpoints that fail are reported on stderr; the others are printed (admin-printer.ts,
 * loaded when a command runs).
 */
import type { Command } from 'commander';

import type { Client } from '../client.js';
import { PermissionDeniedError } from '../errors/index.js';
import type { HashKVResponse, StatusResponse } from '../maintenance/maintenance.js';
import { endpointsFromCluster } from './admin-args.js';
import type { EndpointHealth } from './admin-printer.js';
import { CliError, EXIT_ERROR, errorText } from './exit.js';
import { clientOptions, int64Flag, keepAliveClientOptions, normalizeEndpoint, withTlsServerName } from './global.js';
import { goDuration } from './go-format.js';
import type { SessionRunner } from './kv.js';
import { wantsTls } from './security.js';
import type { CliSession } from './session.js';

/** The key `endpoint health` reads: any answer (or a permission error) proves a working quorum. */
export const HEALTH_CHECK_KEY = 'health';

/** Registers `etcdts endpoint health|status|hashkv` on `program`. */
export function registerEndpointCommands(program: Command, run: SessionRunner): void {
  const endpoint = program
    .command('endpoint')
    .summary('Endpoint related commands')
    .description('Endpoint related commands')
    .option('--cluster', 'use all endpoints from the cluster member list');

  endpoint
    .command('health')
    .summary('Checks the healthiness of endpoints specified in `--endpoints` flag')
    .description('Checks the healthiness of each endpoint: a linearizable read of a key through a client of its own (etcd KV.Range).')
    .allowExcessArguments(true)
    .action(async (_flags: unknown, command: Command) => {
      await run(command, async (session) => {
        const { adminFormat, printEndpointHealth } = await import('./run.js');
        const format = adminFormat(session.options.writeOut);
        const endpoints = await endpointsFromCluster(command, session);
        const list = await Promise.all(endpoints.map((ep) => checkHealth(session, ep)));
        const out = await printEndpointHealth(format, list);
        session.write(out.stdout);
        if (out.stderr !== '') process.stderr.write(out.stderr);
        if (list.some((h) => h.error !== '')) throw new CliError(EXIT_ERROR, 'unhealthy cluster');
      });
    });

  endpoint
    .command('status')
    .summary('Prints out the status of endpoints specified in `--endpoints` flag')
    .description(
      'Prints out the status of each endpoint (etcd Maintenance.Status).\n\n' +
        'When --write-out is set to simple, this command prints out comma-separated status lists for each endpoint.\n' +
        'The items in the lists are endpoint, ID, version, db size, is leader, is learner, raft term, raft index, raft applied index, errors.',
    )
    .allowExcessArguments(true)
    .action(async (_flags: unknown, command: Command) => {
      await run(command, async (session) => {
        const { adminFormat, printEndpointStatus } = await import('./run.js');
        const format = adminFormat(session.options.writeOut);
        const list: Array<{ endpoint: string; status: StatusResponse }> = [];
        let failed = false;
        for (const ep of await endpointsFromCluster(command, session)) {
          try {
            list.push({ endpoint: ep, status: await session.client().maintenance.status(ep, session.callOptions()) });
          } catch (err) {
            failed = true;
            process.stderr.write(`Failed to get the status of endpoint ${ep} (${errorText(err)})\n`);
          }
        }
        session.write(await printEndpointStatus(format, list));
        if (failed) throw new CliError(EXIT_ERROR, 'failed to get the status of some endpoints', { quiet: true });
      });
    });

  endpoint
    .command('hashkv')
    .summary('Prints the KV history hash for each endpoint in --endpoints')
    .description('Prints the KV history hash of each endpoint (etcd Maintenance.HashKV).')
    .option('--rev <revision>', 'maximum revision to hash (default: all revisions)', int64Flag('rev'))
    .allowExcessArguments(true)
    .action(async (flags: { rev?: bigint }, command: Command) => {
      await run(command, async (session) => {
        const { adminFormat, printEndpointHashKV } = await import('./run.js');
        const format = adminFormat(session.options.writeOut);
        const rev = flags.rev ?? 0n;
        if (rev < 0n || rev > BigInt(Number.MAX_SAFE_INTEGER)) {
          throw new CliError(EXIT_ERROR, `revision ${rev} is out of range (0 to 2^53 - 1)`);
        }
        const list: Array<{ endpoint: string; hashKV: HashKVResponse }> = [];
        let failure: unknown;
        for (const ep of await endpointsFromCluster(command, session)) {
          try {
            list.push({ endpoint: ep, hashKV: await session.client().maintenance.hashKV(ep, Number(rev), session.callOptions()) });
          } catch (err) {
            failure = err;
            process.stderr.write(`Failed to get the hash of endpoint ${ep} (${errorText(err)})\n`);
          }
        }
        session.write(await printEndpointHashKV(format, list));
        if (failure !== undefined) throw failure;
      });
    });
}

/** One endpoint's health: a linearizable Get of {@link HEALTH_CHECK_KEY} through a client of its own. */
async function checkHealth(session: CliSession, endpoint: string): Promise<EndpointHealth> {
  const { Client } = await import('./run.js');
  let client: Client;
  try {
    const scheme = wantsTls(session.options.security) ? 'https' : 'http';
    client = new Client({
      ...withTlsServerName(clientOptions(session.options, [normalizeEndpoint(endpoint, scheme)]), session.options),
      ...keepAliveClientOptions(session.options),
    });
  } catch (err) {
    return { endpoint, health: false, took: '', error: errorText(err) };
  }
  const started = process.hrtime.bigint();
  try {
    await client.get(HEALTH_CHECK_KEY, session.callOptions());
    return { endpoint, health: true, took: goDuration(process.hrtime.bigint() - started), error: '' };
  } catch (err) {
    const took = goDuration(process.hrtime.bigint() - started);
    // permission denied is fine: the request went through consensus to be refused
    if (err instanceof PermissionDeniedError) return { endpoint, health: true, took, error: '' };
    return { endpoint, health: false, took, error: errorText(err) };
  } finally {
    await client.close().catch(() => undefined);
  }
}
