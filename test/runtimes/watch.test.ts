// The runtime suite: a watch resumes after its connection is cut (the loopback proxy of
// etcd-ts/testing), with no event lost or repeated. Runs unchanged under node, bun and deno.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import type { Client, WatchEvent } from '../../src/index.js';
import { testing, waitFor } from './runtime.js';

let cluster: InstanceType<typeof testing.EtcdCluster>;
/** Through the proxy: the client under test. */
let client: Client;
/** Straight to the member: writes while the proxy is broken. */
let direct: Client;

before(async () => {
  cluster = await testing.EtcdCluster.start({ size: 1, proxy: true });
  client = cluster.client();
  direct = cluster.client({ endpoints: [cluster.members[0]!.clientUrl] });
});

after(async () => {
  await cluster?.close();
});

/** etcd's count of Watch streams it has started (a resumed watch opens a new one). */
async function watchStreamsStarted(): Promise<number> {
  const text = await (await fetch(`${cluster.members[0]!.clientUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('grpc_server_started_total{') && l.includes('grpc_method="Watch"'));
  return line === undefined ? 0 : Number(line.split(' ').pop());
}

test('a watch resumes after a cut connection: every event once, in order', { timeout: 60_000 }, async () => {
  const watcher = client.watch('rt/w/', { prefix: true });
  const events: WatchEvent[] = [];
  let failure: unknown;
  let created = false;
  const consumed = (async () => {
    try {
      for await (const response of watcher) {
        created ||= response.created;
        events.push(...response.events);
      }
    } catch (error) {
      failure = error;
    }
  })();
  await waitFor('the watch created', () => created || failure !== undefined);
  const streamsBefore = await watchStreamsStarted();
  const proxy = cluster.members[0]!.proxy!;

  const written: number[] = [];
  const put = async (n: number) => written.push((await direct.put(`rt/w/${n}`, String(n))).header.revision);
  for (let n = 0; n < 5; n++) await put(n);
  await waitFor('the first 5 events', () => events.length >= 5);

  // Hold the link, write while it is held, then cut it: the watch must resume after event 4.
  proxy.blackhole();
  for (let n = 5; n < 10; n++) await put(n);
  proxy.cut();
  proxy.heal();
  for (let n = 10; n < 15; n++) await put(n);
  await waitFor('all 15 events', () => events.length >= 15 || failure !== undefined, 30_000);
  assert.equal(failure, undefined, `the watch ended: ${String(failure)}`);
  assert.deepEqual(events.map((e) => e.kv.modRevision), written, 'every event once, in revision order');
  assert.deepEqual(events.map((e) => e.kv.value.toString()), written.map((_, n) => String(n)));
  assert.ok((await watchStreamsStarted()) > streamsBefore, 'the watch stream was opened again');

  await watcher.cancel();
  await consumed;
});
