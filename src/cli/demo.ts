/**
 * `etcdts demo` (what `npm start` runs): a short, readable tour of etcd-ts against a real etcd.
 * Without `--endpoints` it starts a throwaway single-member etcd (etcd-ts/testing) and stops it
 * afterwards, also on Ctrl-C and on error; with `--endpoints` it uses that cluster and deletes the
 * keys it wrote (its compaction step compacts that cluster's history). The tour itself (loaded
 * when it runs): demo-run.ts.
 */
import type { Command } from 'commander';

/** The headings of the tour, in order (tests look for each). */
export const DEMO_HEADINGS = [
  '== 1. Put a few keys ==',
  '== 2. Get with a prefix, sorted ==',
  '== 3. A transaction: compare-and-swap ==',
  '== 4. Compaction ==',
  '== 5. A typed error ==',
  '== 6. A lease: a key that expires ==',
  '== 7. A watch: changes as they happen ==',
] as const;

/** Registers `demo` on `program`. */
export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .summary('A short tour of etcd-ts against a throwaway etcd')
    .description(
      'A short tour: puts, a sorted prefix read, a compare-and-swap transaction, a compaction, a\n' +
        'typed error, a lease whose key expires and a watch. Without --endpoints it starts a throwaway etcd\n' +
        '(etcd from ETCD_BIN or PATH) and stops it afterwards; with --endpoints it uses that cluster\n' +
        '(and compacts its history).',
    )
    .action(async (_flags: unknown, command: Command) => {
      const { runDemo } = await import('./run.js');
      await runDemo(command);
    });
}
