/**
 * The tour of `etcdts demo` (demo.ts registers it): the steps, on a throwaway etcd or the given cluster.
 */
import type { Command } from 'commander';

import { Client } from '../client.js';
import { compare } from '../kv/compare.js';
import { CompactedError, EtcdError } from '../errors/index.js';
import { sleep } from '../internal/timers.js';
import { op } from '../kv/op.js';
import type { EtcdCluster } from '../testing/index.js';
import { DEMO_HEADINGS } from './demo.js';
import { EXIT_INTERRUPTED } from './exit.js';
import { clientOptions, resolveGlobalOptions, type GlobalFlags } from './global.js';

/** Deadline of each request of the tour, in ms. */
const DEMO_REQUEST_TIMEOUT_MS = 5_000;
/** TTL asked for the demo's lease, in seconds (etcd raises it to its minimum, 2 s by default). */
const DEMO_LEASE_TTL_S = 2;
/** Renewals shown before the demo stops keeping its lease alive. */
const DEMO_LEASE_RENEWALS = 3;

function say(text = ''): void {
  process.stdout.write(`${text}\n`);
}

/** The tour itself, on a connected client; keys under `prefix`. */
async function tour(client: Client, prefix: string): Promise<void> {
  const call = { timeout: DEMO_REQUEST_TIMEOUT_MS };
  const fruit = `${prefix}fruit/`;

  say(DEMO_HEADINGS[0]);
  const colours: Array<[string, string]> = [['apple', 'red'], ['banana', 'yellow'], ['cherry', 'dark red'], ['lime', 'green']];
  let firstRevision = 0;
  for (const [name, colour] of colours) {
    const resp = await client.put(fruit + name, colour, call);
    if (firstRevision === 0) firstRevision = resp.header.revision;
    say(`  put ${fruit}${name} = ${JSON.stringify(colour)}  (store revision now ${resp.header.revision})`);
  }
  say();

  say(DEMO_HEADINGS[1]);
  say(`  client.get('${fruit}', { prefix: true, sort: { target: 'value', order: 'descend' } })`);
  const sorted = await client.get(fruit, { prefix: true, sort: { target: 'value', order: 'descend' }, ...call });
  for (const kv of sorted.kvs) {
    say(`  ${kv.key.toString()} = ${JSON.stringify(kv.value.toString())}  (version ${kv.version}, modified at revision ${kv.modRevision})`);
  }
  say(`  ${sorted.count} keys`);
  say();

  say(DEMO_HEADINGS[2]);
  const apple = `${fruit}apple`;
  for (const attempt of [1, 2]) {
    say(`  attempt ${attempt}: if value(${apple}) = "red" then put "green" else get it`);
    const resp = await client
      .txn()
      .if(compare.value(apple, '=', 'red'))
      .then(op.put(apple, 'green'))
      .else(op.get(apple))
      .commit(call);
    if (resp.succeeded) {
      say(`    swapped: ${apple} is now "green" (revision ${resp.header.revision})`);
    } else {
      const current = resp.responses[0];
      const value = current?.type === 'get' ? current.kvs[0]?.value.toString() : undefined;
      say(`    not swapped: the value is ${JSON.stringify(value)}, not "red"`);
    }
  }
  say();

  say(DEMO_HEADINGS[3]);
  const { header } = await client.get(apple, call);
  await client.compact(header.revision, { physical: true, ...call });
  say(`  compacted revision ${header.revision}: history before it is gone`);
  say();

  say(DEMO_HEADINGS[4]);
  say(`  reading ${apple} as of revision ${firstRevision}, which was compacted:`);
  try {
    await client.get(apple, { revision: firstRevision, ...call });
    say('  unexpectedly, the read succeeded');
  } catch (err) {
    if (!(err instanceof EtcdError)) throw err;
    say(`  ${err.name}: ${err.message}`);
    say(`    err instanceof CompactedError: ${err instanceof CompactedError}`);
    say(`    err instanceof EtcdError: ${err instanceof EtcdError}`);
    say(`    gRPC code ${err.code}, server message ${JSON.stringify(err.details)}`);
  }
  say();

  say(DEMO_HEADINGS[5]);
  const lease = await client.lease.grant(DEMO_LEASE_TTL_S, call);
  const session = `${prefix}session`;
  await client.put(session, 'alive', { lease: lease.id, ...call });
  say(`  granted lease ${lease.id.toString(16).padStart(16, '0')} (TTL ${lease.ttl} s) and put ${session} with it`);
  let renewals = 0;
  for await (const renewal of client.lease.keepAlive(lease.id)) {
    say(`  keep-alive: renewed, TTL back to ${renewal.ttl} s`);
    if (++renewals === DEMO_LEASE_RENEWALS) break; // leaving the loop stops the renewals
  }
  say('  stopped renewing; waiting for the lease to expire...');
  const stopped = Date.now();
  const giveUp = stopped + (lease.ttl + 5) * 1000;
  while ((await client.get(session, call)).count > 0 && Date.now() < giveUp) {
    await sleep(100);
  }
  const gone = (await client.get(session, call)).count === 0;
  const after = ((Date.now() - stopped) / 1000).toFixed(1);
  say(gone ? `  ${session} is gone ${after} s later: its lease expired` : `  ${session} is still there after ${after} s`);
  say();

  say(DEMO_HEADINGS[6]);
  say(`  client.watch('${fruit}', { prefix: true, prevKv: true }), then a put and a transaction`);
  let events = 0;
  for await (const resp of client.watch(fruit, { prefix: true, prevKv: true })) {
    if (resp.created) {
      say(`  watching from revision ${resp.header.revision + 1}`);
      await client.put(`${fruit}banana`, 'brown', call);
      await client.txn().then(op.put(`${fruit}kiwi`, 'green'), op.delete(`${fruit}lime`)).commit(call);
      continue;
    }
    say(`  a response with ${resp.events.length} event(s) of revision ${resp.header.revision}:`);
    for (const e of resp.events) {
      const was = e.prevKv === undefined ? 'new' : `was ${JSON.stringify(e.prevKv.value.toString())}`;
      const now = e.type === 'put' ? ` = ${JSON.stringify(e.kv.value.toString())}` : '';
      say(`    ${e.type} ${e.kv.key.toString()}${now}  (${was})`);
      events++;
    }
    if (events >= 3) break; // leaving the loop cancels the watch
  }
  say();
}

/** Runs the tour for `command`'s global flags (a throwaway etcd without `--endpoints`). */
export async function runDemo(command: Command): Promise<void> {
  const flags = command.optsWithGlobals() as GlobalFlags;
  const options = resolveGlobalOptions(flags);
  let cluster: EtcdCluster | undefined;
  let client: Client | undefined;
  const onInterrupt = (): void => {
    say('\ninterrupted: stopping');
    void (async () => {
      await client?.close().catch(() => undefined);
      await cluster?.close().catch(() => undefined);
      process.exit(EXIT_INTERRUPTED);
    })();
  };
  process.on('SIGINT', onInterrupt);
  process.on('SIGTERM', onInterrupt);
  try {
    let endpoints = options.endpoints;
    let prefix = 'demo/';
    if (flags.endpoints === undefined) {
      say('Starting a throwaway etcd...');
      // Loaded here so that other commands do not load the launcher.
      const testing = await import('../testing/index.js');
      cluster = await testing.EtcdCluster.start({ size: 1 });
      endpoints = cluster.endpoints;
      say(`  etcd ${cluster.etcdVersion} is listening on ${endpoints.join(', ')}`);
    } else {
      prefix = `etcdts-demo-${(await import('node:crypto')).randomBytes(4).toString('hex')}/`;
      say(`Using etcd at ${endpoints.join(', ')} (keys under ${prefix})`);
    }
    say();
    client = new Client(clientOptions(options, endpoints));
    await tour(client, prefix);
    if (!cluster) {
      await client.delete(prefix, { prefix: true, timeout: DEMO_REQUEST_TIMEOUT_MS });
      say(`Deleted the demo keys under ${prefix}.`);
    }
  } finally {
    await client?.close().catch(() => undefined);
    if (cluster) {
      await cluster.close();
      say('Stopped the throwaway etcd and removed its data.');
    }
    process.off('SIGINT', onInterrupt);
    process.off('SIGTERM', onInterrupt);
  }
}
