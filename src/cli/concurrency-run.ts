/**
 * The running part of `etcdts lock` and `etcdts elect` (concurrency.ts registers them): the
 * session, the `Mutex` or `Election` of `etcd-ts/concurrency`, the exec command, and the handling
 * of interrupts.
 */
import { Election, Mutex, Session } from '../concurrency/index.js';
import { DEFAULT_SESSION_TTL } from '../concurrency/session.js';
import type { GetResponse } from '../kv/types.js';
import { DEFAULT_LOCK_TTL } from './concurrency.js';
import { CliError, EXIT_BAD_ARGS, EXIT_ERROR } from './exit.js';
import { runCommand } from './exec-command.js';
import { flagError } from './global.js';
import { parseGoInt } from './go-syntax.js';
import { createPrinter } from './printer.js';
import type { CliSession } from './session.js';

/** Aborted on the first SIGINT or SIGTERM while in use; `dispose()` restores the default handling. */
interface Interrupt {
  readonly signal: AbortSignal;
  /** Resolves when interrupted. */
  readonly interrupted: Promise<void>;
  dispose(): void;
}

function catchInterrupts(): Interrupt {
  const controller = new AbortController();
  let resolve: () => void = () => {};
  const interrupted = new Promise<void>((r) => {
    resolve = r;
  });
  const onSignal = (): void => {
    controller.abort();
    resolve();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    interrupted,
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

/** The `--ttl` value: a Go int (pflag syntax); <= 0 keeps the session default, as Go's `WithTTL`. */
function lockTtl(value: string | undefined): number {
  if (value === undefined) return DEFAULT_LOCK_TTL;
  let ttl: bigint;
  try {
    ttl = parseGoInt(value, 0);
  } catch (err) {
    throw flagError('ttl', value, err);
  }
  if (ttl <= 0n) return DEFAULT_SESSION_TTL;
  if (ttl > BigInt(Number.MAX_SAFE_INTEGER)) throw flagError('ttl', value, new Error('value out of range'));
  return Number(ttl);
}

/** An error from waiting that an interrupt caused: etcdctl reports `context canceled`. */
function interruptedError(error: unknown, interrupt: Interrupt): unknown {
  return interrupt.signal.aborted ? new CliError(EXIT_ERROR, 'context canceled') : error;
}

/** Ends a session, ignoring errors (the process is about to exit; the lease then expires on its own). */
async function endSession(session: Session): Promise<void> {
  await session.close().catch(() => undefined);
}

/** `lock`: acquires the lock, then runs the command or holds the lock until interrupted. */
export async function lockCommand(cli: CliSession, args: readonly string[], ttlFlag: string | undefined): Promise<void> {
  if (args.length === 0) throw new CliError(EXIT_BAD_ARGS, 'lock takes a lock name argument and an optional command to execute');
  const ttl = lockTtl(ttlFlag);
  const printer = createPrinter(cli.options.writeOut, { hex: cli.options.hex });
  const client = cli.client();
  const interrupt = catchInterrupts();
  try {
    const session = await Session.create(client, { ttl, signal: interrupt.signal }).catch((e: unknown) => {
      throw interruptedError(e, interrupt);
    });
    try {
      const mutex = new Mutex(session, args[0]!);
      await mutex.lock({ signal: interrupt.signal }).catch((e: unknown) => {
        throw interruptedError(e, interrupt);
      });
      if (args.length > 1) {
        const env = {
          ETCD_LOCK_KEY: mutex.key.toString('latin1'),
          ETCD_LOCK_REV: String(mutex.header?.revision ?? 0),
          ...process.env,
        };
        let failure: unknown;
        await runCommand(args[1]!, args.slice(2), env).catch((e: unknown) => {
          failure = e;
        });
        await mutex.unlock();
        if (failure !== undefined) throw failure;
        return;
      }
      const held = await client.get(mutex.key);
      if (held.kvs.length === 0) throw new CliError(EXIT_ERROR, 'lock lost on init');
      cli.write(printer.get(held));
      const ended = await Promise.race([interrupt.interrupted.then(() => false), session.done.then(() => true)]);
      if (ended) throw new CliError(EXIT_ERROR, 'session expired');
      await mutex.unlock();
    } finally {
      await endSession(session);
    }
  } finally {
    interrupt.dispose();
  }
}

/** `elect`: campaigns and leads until interrupted, or with `listen` prints the leader and each change. */
export async function electCommand(cli: CliSession, args: readonly string[], listen: boolean): Promise<void> {
  if (args.length !== 1 && args.length !== 2) {
    throw new CliError(EXIT_BAD_ARGS, 'elect takes one election name argument and an optional proposal argument');
  }
  if (args.length === 1 && !listen) throw new CliError(EXIT_BAD_ARGS, 'no proposal argument but -l not set');
  if (args.length === 2 && listen) throw new CliError(EXIT_BAD_ARGS, 'proposal given but -l is set');
  const printer = createPrinter(cli.options.writeOut, { hex: cli.options.hex });
  const client = cli.client();
  const interrupt = catchInterrupts();
  try {
    const session = await Session.create(client, { signal: interrupt.signal }).catch((e: unknown) => {
      throw interruptedError(e, interrupt);
    });
    try {
      const election = new Election(session, args[0]!);
      if (listen) {
        try {
          for await (const response of election.observe({ signal: interrupt.signal })) {
            // Go's observer hands display.Get a response without a count.
            const shown: GetResponse = { ...response, count: 0 };
            cli.write(printer.get(shown));
          }
        } catch {
          if (!interrupt.signal.aborted) throw new CliError(EXIT_ERROR, 'elect: observer lost');
          return;
        }
        if (!interrupt.signal.aborted) throw new CliError(EXIT_ERROR, 'elect: observer lost');
        return;
      }
      await election.campaign(args[1]!, { signal: interrupt.signal }).catch((e: unknown) => {
        throw interruptedError(e, interrupt);
      });
      const leader = await client.get(election.key!);
      cli.write(printer.get(leader));
      const ended = await Promise.race([interrupt.interrupted.then(() => false), session.done.then(() => true)]);
      if (ended) throw new CliError(EXIT_ERROR, 'elect: session expired');
      await election.resign();
    } finally {
      await endSession(session);
    }
  } finally {
    interrupt.dispose();
  }
}
