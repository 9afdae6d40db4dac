/**
 * `etcd-ts/recipes`: distributed coordination recipes over etcd, as etcd's Go recipes
 * (client/v3/experimental/recipes, formerly contrib/recipes), with their key layouts, so they
 * work together with Go programs using them.
 *
 * ```ts
 * import { Client } from 'etcd-ts';
 * import { Session } from 'etcd-ts/concurrency';
 * import { Barrier, DoubleBarrier, Queue, PriorityQueue, RWMutex } from 'etcd-ts/recipes';
 *
 * await using client = new Client({ endpoints: ['http://127.0.0.1:2379'] });
 *
 * const queue = new Queue(client, 'jobs');
 * await queue.enqueue('job-1');
 * console.log((await queue.dequeue()).toString()); // job-1
 *
 * await using session = await Session.create(client, { ttl: 10 });
 * const rw = new RWMutex(session, 'config');
 * await rw.rLock();
 * await rw.rUnlock();
 * ```
 *
 * - {@link Barrier}: `hold()`, `release()`, `wait()`.
 * - {@link DoubleBarrier}: `enter()` waits for `count` processes, `leave()` for all to leave.
 * - {@link Queue}: FIFO, `enqueue(value)`, `dequeue()` (waits while empty).
 * - {@link PriorityQueue}: `enqueue(value, priority)` (0-65535, lower first), `dequeue()`.
 * - {@link RWMutex}: `rLock()`/`rUnlock()`, `lock()`/`unlock()`.
 *
 * Blocking calls take `{ signal, timeout }` (ms); they reject with `signal.reason`,
 * `DeadlineExceededError`, or for session-based recipes `SessionExpiredError` when the session ends.
 *
 * @module
 */
export { Barrier } from './barrier.js';
export { DoubleBarrier } from './double-barrier.js';
export { Queue } from './queue.js';
export { PriorityQueue, MAX_PRIORITY, PRIORITY_DIGITS } from './priority-queue.js';
export { RWMutex } from './rwmutex.js';
export { SEQUENCE_DIGITS } from './keys.js';
export { CLEANUP_TIMEOUT_MS } from '../concurrency/wait.js';
export { KeyExistsError, NotHeldError, TooManyClientsError, UnexpectedKeyError, WatchEndedError } from '../errors/index.js';
