/**
 * `etcdts lease grant|revoke|timetolive|list|keep-alive`, as etcdctl 3.4's: the same arguments
 * (TTL in decimal seconds, lease IDs in hex), messages, exit codes and output (see lease-printer.ts).
 */
import type { Command } from 'commander';

import { LeaseKeepAliveHaltedError, LeaseNotFoundError } from '../errors/index.js';
import type { LeaseTimeToLiveResponse } from '../lease/lease.js';
import { CliError, EXIT_BAD_ARGS, EXIT_BAD_CONNECTION, EXIT_ERROR, errorText } from './exit.js';
import { goHex16 } from './go-format.js';
import { GoSyntaxError, parseGoInt } from './go-syntax.js';
import type { SessionRunner } from './kv.js';
import type { LeasePrinter } from './lease-printer.js';

/**
 * A TTL above etcd's maximum (9,000,000,000 s), sent as is so the server answers with its own
 * error (`etcdserver: too large lease TTL`), as etcdctl does for any larger value.
 */
const TOO_LARGE_TTL = 9_000_000_001;

/** `<ttl>` of `lease grant`: decimal, as etcdctl's `strconv.ParseInt(s, 10, 64)`. Throws `CliError` (exit 128). */
function parseTtl(arg: string): number {
  let ttl: bigint;
  try {
    ttl = parseGoInt(arg, 10);
  } catch (err) {
    throw new CliError(EXIT_BAD_ARGS, `bad TTL (${err instanceof GoSyntaxError ? err.message : String(err)})`);
  }
  // etcd grants its minimum TTL for anything below it, a negative TTL included (as for 0).
  if (ttl < 0n) return 0;
  return ttl > BigInt(TOO_LARGE_TTL) ? TOO_LARGE_TTL : Number(ttl);
}

/** A `<leaseID>` argument: hex, as etcdctl's `strconv.ParseInt(s, 16, 64)`. Throws `CliError` (exit 128). */
function parseLeaseId(arg: string): bigint {
  try {
    return parseGoInt(arg, 16);
  } catch (err) {
    throw new CliError(EXIT_BAD_ARGS, `bad lease ID arg (${err instanceof GoSyntaxError ? err.message : String(err)}), expecting ID in Hex`);
  }
}

/** Exactly one argument, or `CliError(128, message)`. */
function oneArg(command: Command, message: string): string {
  if (command.args.length !== 1) throw new CliError(EXIT_BAD_ARGS, message);
  return command.args[0]!;
}

/** The printer of `-w/--write-out` (lease-printer.ts, loaded with run.ts when a command runs). */
async function leasePrinter(format: string): Promise<LeasePrinter> {
  return (await import('./run.js')).createLeasePrinter(format);
}

/** etcd has no lease with an ID <= 0 (the library refuses such IDs before sending). */
const noSuchLease = (id: bigint): boolean => id <= 0n;

/** Registers `lease` and its subcommands on `program`. */
export function registerLeaseCommands(program: Command, run: SessionRunner): void {
  const lease = program.command('lease').summary('Lease related commands').description('Lease related commands (etcd Lease service).');

  lease
    .command('grant')
    .summary('Creates leases')
    .description('Creates a lease of <ttl> seconds (etcd Lease.LeaseGrant); prints its ID in hex.')
    .argument('[ttl]', 'time to live, in seconds')
    .allowExcessArguments(true)
    .action(async (_ttl: unknown, _flags: unknown, command: Command) => {
      await run(command, async (session) => {
        const ttl = parseTtl(oneArg(command, 'lease grant command needs TTL argument'));
        const printer = await leasePrinter(session.options.writeOut);
        let resp;
        try {
          resp = await session.client().lease.grant(ttl, session.callOptions());
        } catch (err) {
          throw new CliError(EXIT_ERROR, `failed to grant lease (${errorText(err)})`);
        }
        session.write(printer.grant(resp));
      });
    });

  lease
    .command('revoke')
    .summary('Revokes leases')
    .description('Revokes the lease <leaseID> (hex) and deletes its keys (etcd Lease.LeaseRevoke).')
    .argument('[leaseID]', 'lease ID in hex')
    .allowExcessArguments(true)
    .action(async (_id: unknown, _flags: unknown, command: Command) => {
      await run(command, async (session) => {
        const id = parseLeaseId(oneArg(command, 'lease revoke command needs 1 argument'));
        const printer = await leasePrinter(session.options.writeOut);
        let resp;
        try {
          if (noSuchLease(id)) throw new LeaseNotFoundError();
          resp = await session.client().lease.revoke(id, session.callOptions());
        } catch (err) {
          throw new CliError(EXIT_ERROR, `failed to revoke lease (${errorText(err)})`);
        }
        session.write(printer.revoke(id, resp));
      });
    });

  lease
    .command('timetolive')
    .summary('Get lease information')
    .description('Prints the granted and remaining TTL of <leaseID> (hex) (etcd Lease.LeaseTimeToLive).')
    .argument('[leaseID]', 'lease ID in hex')
    .option('--keys', 'Get keys attached to this lease')
    .allowExcessArguments(true)
    .action(async (_id: unknown, flags: { keys?: boolean }, command: Command) => {
      await run(command, async (session) => {
        const id = parseLeaseId(oneArg(command, 'lease timetolive command needs lease ID as argument'));
        const keys = flags.keys ?? false;
        const printer = await leasePrinter(session.options.writeOut);
        let resp: LeaseTimeToLiveResponse;
        try {
          resp = noSuchLease(id)
            ? { header: { clusterId: 0n, memberId: 0n, revision: 0, raftTerm: 0 }, id, ttl: -1, grantedTtl: 0, keys: [] }
            : await session.client().lease.timeToLive(id, { keys, ...session.callOptions() });
        } catch (err) {
          throw new CliError(EXIT_BAD_CONNECTION, errorText(err));
        }
        session.write(printer.timeToLive(resp, keys));
      });
    });

  lease
    .command('list')
    .summary('List all active leases')
    .description('Lists the IDs of every lease of the cluster (etcd Lease.LeaseLeases).')
    .allowExcessArguments(true)
    .action(async (_flags: unknown, command: Command) => {
      await run(command, async (session) => {
        const printer = await leasePrinter(session.options.writeOut);
        let resp;
        try {
          resp = await session.client().lease.leases(session.callOptions());
        } catch (err) {
          throw new CliError(EXIT_BAD_CONNECTION, errorText(err));
        }
        session.write(printer.leases(resp));
      });
    });

  lease
    .command('keep-alive')
    .summary('Keeps leases alive (renew)')
    .description(
      'Renews <leaseID> (hex) every TTL/3 and prints each renewal until the lease expires or is\n' +
        'revoked (etcd Lease.LeaseKeepAlive); with --once, renews it once.',
    )
    .argument('[leaseID]', 'lease ID in hex')
    .option('--once', 'Resets the keep-alive time to its original value and exits immediately')
    .allowExcessArguments(true)
    .action(async (_id: unknown, flags: { once?: boolean }, command: Command) => {
      await run(command, async (session) => {
        const id = parseLeaseId(oneArg(command, 'lease keep-alive command needs lease ID as argument'));
        const printer = await leasePrinter(session.options.writeOut);
        if (flags.once) {
          let resp;
          try {
            if (noSuchLease(id)) throw new LeaseNotFoundError();
            resp = await session.client().lease.keepAliveOnce(id, session.callOptions());
          } catch (err) {
            throw new CliError(EXIT_BAD_CONNECTION, errorText(err));
          }
          session.write(printer.keepAlive(resp));
          return;
        }
        if (!noSuchLease(id)) {
          try {
            for await (const resp of session.client().lease.keepAlive(id)) session.write(printer.keepAlive(resp));
          } catch (err) {
            // etcdctl's channel closes, whatever the reason; it then prints the line below.
            if (!(err instanceof LeaseNotFoundError || err instanceof LeaseKeepAliveHaltedError)) throw err;
          }
        }
        if (printer.format === 'simple') session.write(`lease ${goHex16(id)} expired or revoked.\n`);
      });
    });
}
