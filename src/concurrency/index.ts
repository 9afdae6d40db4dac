/**
 * `etcd-ts/concurrency`: sessions, distributed locks, leader election and software transactional
 * memory over etcd, as the Go client's `concurrency` package, with its key layout (so they
 * interoperate with `etcdctl lock` / `etcdctl elect`, Go programs, and etcd's Lock and Election
 * services).
 *
 * ```ts
 * import { Client } from 'etcd-ts';
 * import { Session, Mutex, Election, stm } from 'etcd-ts/concurrency';
 *
 * await using client = new Client({ endpoints: ['http://127.0.0.1:2379'] });
 * await using session = await Session.create(client, { ttl: 10 });
 *
 * const mutex = new Mutex(session, 'my-lock');
 * await mutex.lock();
 * try {
 *   // ... the critical section ...
 * } finally {
 *   await mutex.unlock();
 * }
 *
 * const election = new Election(session, 'my-election');
 * await election.campaign('node-1');
 *
 * await stm(client, async (s) => {
 *   const n = Number((await s.get('counter')).toString() || '0');
 *   s.put('counter', String(n + 1));
 * });
 * ```
 *
 * Each also runs inside a namespace: `Session.create(client.namespace('app/'))` makes a session
 * whose locks and elections are under `app/` (the lock `app/my-lock` of `etcdctl lock`), and
 * `stm(client.namespace('app/'), ...)` reads and writes keys under `app/`; no cast is needed
 * (they are typed on `SessionClient` and `KVService` of `etcd-ts`).
 *
 * @module
 */
export { Session, DEFAULT_SESSION_TTL, type SessionOptions } from './session.js';
export { Mutex } from './mutex.js';
export { Election, type ElectionObserveOptions } from './election.js';
export {
  stm,
  DEFAULT_STM_ISOLATION,
  DEFAULT_STM_MAX_ATTEMPTS,
  type Stm,
  type StmIsolation,
  type StmOptions,
} from './stm.js';
export { CLEANUP_TIMEOUT_MS } from './wait.js';
export {
  ElectionNoLeaderError,
  ElectionNotLeaderError,
  LockedError,
  LockReleasedError,
  SessionExpiredError,
  StmConflictError,
  WatchEndedError,
} from '../errors/index.js';
