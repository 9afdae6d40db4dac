/**
 * Watch re-authentication races (issue 13 item 10) against real etcd with JWT tokens behind the
 * launcher's proxy. A JWT carries the auth revision it was issued at, so any change to users or
 * roles makes etcd refuse watch creates on a stream opened with an older token. A watch the user
 * may make must then be re-authenticated and re-created, never ended with PermissionDenied, also
 * when the stream re-opens (with the old token) while the token renewal is in flight.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';

import type { Client, WatchResponse, Watcher } from '../../src/index.js';
import { Auth as AuthMethods, Watch as WatchMethods } from '../../src/proto/index.js';
import { RpcClient } from '../../src/rpc/invoke.js';
import { EtcdCluster, PREFERRED_DATA_PARENT } from '../../src/testing/index.js';
import { createConnection } from '../../src/transport/index.js';
import type { Connection, Endpoint, ConnectionOptions, StreamHandlers } from '../../src/transport/types.js';
import { Watch } from '../../src/watch/watch.js';

const run = promisify(execFile);
const ROOT_PASSWORD = 'r00t-watch-auth';
const WORKER_PASSWORD = 'w0rker-watch-auth';

/** A promise with its resolve function. */
function signal(): { promise: Promise<void>; resolve: () => void } {
  let resolve = (): void => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Reads a watch in the background; `next(n)` resolves once it holds n responses. */
class Reader {
  readonly responses: WatchResponse[] = [];
  error: unknown = undefined;
  ended = false;
  readonly #waiters: Array<[number, () => void]> = [];
  readonly done: Promise<void>;

  constructor(watcher: Watcher) {
    this.done = (async () => {
      try {
        for await (const r of watcher) {
          this.responses.push(r);
          this.#wake();
        }
      } catch (error) {
        this.error = error;
      }
      this.ended = true;
      for (const [, wake] of this.#waiters) wake();
    })();
  }

  /** Resolves when `n` responses arrived, or the watch ended (with or without an error). */
  next(n: number): Promise<void> {
    if (this.responses.length >= n || this.ended) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push([n, resolve]));
  }

  #wake(): void {
    for (let i = this.#waiters.length - 1; i >= 0; i--) {
      const [n, wake] = this.#waiters[i]!;
      if (this.responses.length >= n) {
        this.#waiters.splice(i, 1);
        wake();
      }
    }
  }
}

describe('watch re-authentication (JWT)', { timeout: 90_000 }, () => {
  let cluster: EtcdCluster;
  let keyDir: string;
  let root: Client;

  before(async () => {
    keyDir = await mkdtemp(join(PREFERRED_DATA_PARENT, 'etcd-ts-watch-jwt-'));
    const priv = join(keyDir, 'jwt.key');
    const pub = join(keyDir, 'jwt.pub');
    await run('openssl', ['genrsa', '-out', priv, '2048']);
    await run('openssl', ['rsa', '-in', priv, '-pubout', '-out', pub]);
    cluster = await EtcdCluster.start({
      size: 1,
      proxy: true,
      args: [`--auth-token=jwt,pub-key=${pub},priv-key=${priv},sign-method=RS256`, '--bcrypt-cost=4'],
    });
    const admin = cluster.client();
    await admin.auth.userAdd('root', ROOT_PASSWORD);
    await admin.auth.roleAdd('root');
    await admin.auth.userGrantRole('root', 'root');
    await admin.auth.roleAdd('jobs');
    await admin.auth.roleGrantPermission('jobs', { type: 'readwrite', key: 'jobs/', prefix: true });
    await admin.auth.userAdd('worker', WORKER_PASSWORD);
    await admin.auth.userGrantRole('worker', 'jobs');
    await admin.auth.authEnable();
    await admin.close();
    root = cluster.client({ endpoints: [cluster.members[0]!.clientUrl], username: 'root', password: ROOT_PASSWORD });
  }, { timeout: 60_000 });

  after(async () => {
    await root?.close();
    await cluster?.close();
    if (keyDir !== undefined) await rm(keyDir, { recursive: true, force: true });
  });

  test('the stream re-opens with the old token while the renewal is in flight: both watches are re-created, not denied', async () => {
    const proxy = cluster.members[0]!.proxy!;
    // Between the real connection and the rpc layer: hold the answer of one Authenticate call
    // (armed below), and count the watch creates etcd refuses.
    let holdNextAuthenticate = false;
    const authenticateHeld = signal();
    const releaseAuthenticate = signal();
    let refusals = 0;
    const refusalSeen: Array<[number, () => void]> = [];
    const connect = (endpoint: Endpoint, options: ConnectionOptions): Connection => {
      const connection = createConnection(endpoint, options);
      const unary = connection.unary.bind(connection);
      const bidi = connection.bidi.bind(connection);
      connection.unary = async (path, request, callOptions) => {
        const response = await unary(path, request, callOptions);
        if (path === AuthMethods.authenticate.path && holdNextAuthenticate) {
          holdNextAuthenticate = false;
          authenticateHeld.resolve();
          await releaseAuthenticate.promise;
        }
        return response;
      };
      connection.bidi = (path, handlers, callOptions) => {
        if (path !== WatchMethods.watch.path) return bidi(path, handlers, callOptions);
        const counting: StreamHandlers = {
          onMessage(message) {
            const r = WatchMethods.watch.decode(message);
            if (r.created && r.canceled) {
              refusals++;
              for (const [n, wake] of refusalSeen) if (refusals >= n) wake();
            }
            handlers.onMessage(message);
          },
          onEnd: (error, trailers) => handlers.onEnd(error, trailers),
        };
        return bidi(path, counting, callOptions);
      };
      return connection;
    };
    const refused = (n: number): Promise<void> =>
      refusals >= n ? Promise.resolve() : new Promise((resolve) => refusalSeen.push([n, resolve]));

    const rpc = new RpcClient({ endpoints: [proxy.url], username: 'worker', password: WORKER_PASSWORD, createConnection: connect });
    const watch = new Watch(rpc);
    try {
      const first = new Reader(watch.watch('jobs/a'));
      await first.next(1); // created, with the first token
      await root.auth.roleAdd('unrelated-1'); // the auth revision moves: the stream's token is stale

      holdNextAuthenticate = true;
      const second = new Reader(watch.watch('jobs/b')); // refused on the open stream: the renewal starts
      await authenticateHeld.promise; // etcd answered the renewal; the client has not seen it yet
      proxy.cut(); // the stream ends; it re-opens with the old token and the first watch is refused on it
      await refused(2);
      releaseAuthenticate.resolve(); // the new token arrives
      // The second watch asked for no start revision: it sees what is written once etcd created
      // it (its `created` response), as any watch. The first resumes from its own revision.
      await second.next(1);
      assert.equal(second.responses[0]?.created, true);

      await root.put('jobs/a', '1');
      await root.put('jobs/b', '2');
      await first.next(2);
      await second.next(2);
      assert.equal(first.error, undefined, `the first watch ended with ${String(first.error)}`);
      assert.equal(second.error, undefined, `the second watch ended with ${String(second.error)}`);
      assert.equal(first.responses.at(-1)?.events[0]?.kv.value.toString(), '1');
      assert.equal(second.responses.find((r) => r.events.length > 0)?.events[0]?.kv.value.toString(), '2');
    } finally {
      releaseAuthenticate.resolve();
      await rpc.close();
    }
  });
});
