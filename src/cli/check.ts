/**
 * `etcdts check perf` and `etcdts check datascale`, as etcdctl's (etcdctl/ctlv3/command/check.go,
 * 3.4 and 3.5):
 *
 * - `check perf [--load s|m|l|xl] [--prefix P] [--auto-compact] [--auto-defrag]`: for 60 s, puts
 *   keys of 256 bytes with 1 KiB values under the prefix at the load's rate (150, 1000, 8000 or
 *   15000 writes/s) through as many clients (50, 200, 500, 1000: one connection each), then deletes
 *   them and prints the verdict: `PASS: Throughput is N writes/s` (above 90% of the rate),
 *   `PASS: Slowest request took Xs` (at most 0.5 s), `PASS: Stddev is Xs` (at most 0.1 s), then
 *   `PASS` (exit 0) or `FAIL` (exit 1).
 * - `check datascale [--load s|m|l|xl] [--prefix P] [--auto-compact] [--auto-defrag]`: puts 10k,
 *   100k, 1M or 3M keys (512-byte keys, 512-byte values) as fast as the clients go, reads the first
 *   endpoint's `process_resident_memory_bytes` from its `/metrics` before and after, deletes the
 *   keys and prints `PASS: Approximate system memory used : N MB.`
 *
 * A progress bar (cli-progress) runs on stdout while it is a terminal, where etcdctl draws its
 * own. A prefix that already holds keys is refused (exit 3) before anything is written; an unknown
 * `--load` exits with 4. Ctrl-C stops the run and deletes what was written (etcdctl 3.5).
 *
 * Here: the commands, their flags and workloads; the checks themselves (loaded when they run):
 * check-run.ts.
 */
import type { Command } from 'commander';

import { CliError, EXIT_BAD_FEATURE } from './exit.js';
import type { SessionRunner } from './kv.js';

/** `check perf`'s workloads: rate (writes/s), clients, duration (s). */
export const PERF_LOADS = {
  s: { limit: 150, clients: 50, duration: 60 },
  m: { limit: 1000, clients: 200, duration: 60 },
  l: { limit: 8000, clients: 500, duration: 60 },
  xl: { limit: 15000, clients: 1000, duration: 60 },
} as const;

/** `check datascale`'s workloads: keys written, bytes per key-value (as printed), clients. */
export const DATASCALE_LOADS = {
  s: { limit: 10_000, kvSize: 1024, clients: 50 },
  m: { limit: 100_000, kvSize: 1024, clients: 200 },
  l: { limit: 1_000_000, kvSize: 1024, clients: 500 },
  xl: { limit: 3_000_000, kvSize: 1024, clients: 1000 },
} as const;

type LoadName = keyof typeof PERF_LOADS;

const LOAD_ALIASES: Readonly<Record<string, LoadName>> = { s: 's', small: 's', m: 'm', medium: 'm', l: 'l', large: 'l', xl: 'xl', xLarge: 'xl' };

/** Default `--prefix` of `check perf` and `check datascale`. */
export const PERF_PREFIX = '/etcdctl-check-perf/';
export const DATASCALE_PREFIX = '/etcdctl-check-datascale/';

/** Flags of both commands. */
export interface CheckFlags {
  load: string;
  prefix: string;
  autoCompact?: boolean;
  autoDefrag?: boolean;
}

/** The workload named by `--load` (or its long alias). @throws CliError `unknown load option X` (exit 4) */
export function loadName(load: string): LoadName {
  const name = LOAD_ALIASES[load];
  if (name === undefined) throw new CliError(EXIT_BAD_FEATURE, `unknown load option ${load}`);
  return name;
}

/** Registers `etcdts check perf` and `etcdts check datascale` on `program`. */
export function registerCheckCommands(program: Command, run: SessionRunner): void {
  const check = program.command('check').summary('commands for checking properties of the etcd cluster').description('commands for checking properties of the etcd cluster');
  const withFlags = (cmd: Command, what: string, prefix: string): Command =>
    cmd
      .option('--load <load>', `The ${what} check's workload model. Accepted workloads: s(small), m(medium), l(large), xl(xLarge)`, 's')
      .option('--prefix <prefix>', `The prefix for writing the ${what} check's keys.`, prefix)
      .option('--auto-compact', 'Compact storage with last revision after test is finished.')
      .option('--auto-defrag', 'Defragment storage after test is finished.')
      .allowExcessArguments(true);
  withFlags(
    check
      .command('perf')
      .summary('Check the performance of the etcd cluster')
      .description('Check the performance of the etcd cluster: 60 s of puts at the load\'s rate (etcd KV.Put), then the verdict.'),
    'performance',
    PERF_PREFIX,
  ).action(async (flags: CheckFlags, command: Command) => {
    loadName(flags.load);
    await run(command, async (session) => (await import('./run.js')).checkPerf(session, command, flags));
  });
  withFlags(
    check
      .command('datascale')
      .summary('Check the memory usage of holding data for different workloads on a given server endpoint.')
      .description(
        'Check the memory usage of holding data for different workloads on a given server endpoint.\n' +
          'If no endpoint is provided, localhost will be used. If multiple endpoints are provided, first endpoint will be used.',
      ),
    'datascale',
    DATASCALE_PREFIX,
  ).action(async (flags: CheckFlags, command: Command) => {
    loadName(flags.load);
    await run(command, async (session) => (await import('./run.js')).checkDatascale(session, command, flags));
  });
}
