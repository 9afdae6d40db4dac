// A user's file: everything built on top of a client (Session, Mutex, Election, STM, the recipes,
// Syncer, LeasingKV, OrderingKV) built on a namespace view, `client.namespace('app/')`, with no
// cast. Type-checked twice: here against the sources (`tsc --noEmit -p .`), and by
// scripts/check-package.mjs against the packed package's declarations (its imports rewritten to
// `etcd-ts`, `etcd-ts/concurrency` and `etcd-ts/recipes`), where it must contain no `as` cast.
// It only has to compile; test/integration/namespace-compose.test.ts runs the same things on etcd.
import { Election, Mutex, Session, stm } from '../../src/concurrency/index.js';
import {
  Client,
  LeasingKV,
  Namespace,
  OrderingKV,
  Syncer,
  type KVService,
  type LeaseService,
  type SessionClient,
  type WatchService,
} from '../../src/index.js';
import { Barrier, DoubleBarrier, PriorityQueue, Queue, RWMutex } from '../../src/recipes/index.js';

/** Builds each of them inside `app/`, as a user would, and takes each one step. */
export async function composeOnNamespace(client: Client): Promise<void> {
  const app: Namespace = client.namespace('app/');

  // Sessions and what is built on them: the view goes where the client went.
  await using session = await Session.create(app, { ttl: 10 });
  const viewOfSession: Namespace = session.client;
  const mutex = new Mutex(session, 'lock');
  await mutex.lock();
  await app.txn().if(mutex.isOwner()).then().commit();
  await mutex.unlock();
  const election = new Election(session, 'election');
  await election.campaign('me');
  const leader: Buffer | undefined = (await election.leader()).kvs[0]?.key;
  await election.resign();
  const resumed = Election.resume(session, 'election', leader ?? 'election/1', 1);
  const resumedSession: Session<Namespace> = resumed.session;

  // STM on the view, and on an OrderingKV of the view.
  await stm(app, async (s) => s.put('counter', String(Number((await s.get('counter')).toString() || '0') + 1)));
  const ordered = new OrderingKV(app);
  await stm(ordered, (s) => s.del('counter'));
  const orderedView: Namespace = ordered.client;

  // The recipes.
  const barrier = new Barrier(app, 'barrier');
  await barrier.hold();
  await barrier.release();
  const double = new DoubleBarrier(session, 'double', 1);
  await double.enter();
  await double.leave();
  await new Queue(app, 'queue').enqueue('job');
  await new PriorityQueue(app, 'tasks').enqueue('urgent', 0);
  const rw = new RWMutex(session, 'rw');
  await rw.rLock();
  await rw.rUnlock();

  // Mirror and leasing.
  const syncer = new Syncer(app, 'data/');
  for await (const page of syncer.syncBase()) void page.kvs;
  await using cached = await LeasingKV.create(app, 'leasing/');
  await cached.get('config');
  const cachedView: Namespace = cached.client;

  // A namespace inside a namespace, and the narrow interfaces themselves.
  const inner = app.namespace('inner/');
  await using innerSession = await Session.create(inner);
  const parts: SessionClient = inner;
  const kv: KVService = ordered;
  const leasingKv: KVService = cached;
  const watcher: WatchService = app;
  const lease: LeaseService = app.lease;
  void [viewOfSession, resumedSession, orderedView, cachedView, innerSession, parts, kv, leasingKv, watcher, lease];
}

/** The same built on the client itself keeps its types: `session.client` is still a `Client`. */
export async function composeOnClient(client: Client): Promise<Client[]> {
  await using session = await Session.create(client);
  const mutex: Mutex = new Mutex(session, 'lock');
  const plain: Session = mutex.session;
  const syncer: Syncer = new Syncer(client);
  const ordered: OrderingKV = new OrderingKV(client);
  await using cached: LeasingKV = await LeasingKV.create(client, 'leasing/');
  const barrier: Barrier = new Barrier(client, 'barrier');
  const queue: Queue = new Queue(client, 'queue');
  return [session.client, plain.client, syncer.client, ordered.client, cached.client, barrier.client, queue.client];
}
