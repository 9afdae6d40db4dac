/**
 * `Session`: a lease kept alive for as long as the program holds it (Go `concurrency.Session`).
 * Locks and elections put their keys under the session's lease, so they are released when the
 * session ends: on `close()` (the lease is revoked), or when it is lost (the process stalls or is
 * cut off past the TTL, and etcd expires the lease).
 */
import type { Client } from '../client.js';
import { checkOptionsObject, checkOtherOption } from '../internal/validation.js';
import { describe } from '../internal/describe-value.js';
import { toLeaseId } from '../internal/wire.js';
import { ClientClosedError, EtcdError, InvalidArgumentError, LeaseNotFoundError, SessionExpiredError } from '../errors/index.js';
import type { LeaseKeepAlive } from '../lease/lease.js';
import type { SessionClient } from '../service-interfaces.js';
import type { CallOptions } from '../types.js';

/** Default TTL of a session's lease, in seconds (Go's `defaultSessionTTL`). */
export const DEFAULT_SESSION_TTL = 60;

/** Options of {@link Session.create}. */
export interface SessionOptions extends CallOptions {
  /**
   * TTL of the lease in seconds, a positive integer; default {@link DEFAULT_SESSION_TTL} (60). The
   * session is lost when etcd hears nothing from it for this long. With `leaseId`, only used as the
   * deadline of the revoke in `close()`.
   */
  ttl?: number;
  /**
   * Use this existing lease instead of granting one (Go `WithLease`), e.g. to take back the locks
   * and leadership held before a restart. Default: a new lease of `ttl` seconds.
   */
  leaseId?: bigint;
}

const OPTION_NAMES: readonly string[] = ['ttl', 'leaseId'];

/**
 * A lease kept alive for the lifetime of the session: the base of {@link Mutex} and
 * {@link Election}.
 *
 * ```ts
 * await using session = await Session.create(client, { ttl: 10 });
 * session.done.then((error) => console.log('session ended', error));
 * ```
 *
 * `client` is a `Client` or a view of one: on `client.namespace('app/')` the session's locks,
 * elections and other keys are under `app/` (Go: a `*clientv3.Client` whose `KV`, `Watcher` and
 * `Lease` are `namespace.NewKV/NewWatcher/NewLease`). `session.client` has the type given, so
 * `Session` alone means `Session<Client>`.
 *
 * The lease is renewed every `ttl / 3` seconds on the client's shared keep-alive stream (etcd
 * `Lease.LeaseKeepAlive`), across endpoint failover. The session ends when its keep-alive ends:
 * - `close()`: stops renewing and revokes the lease, deleting every key attached to it (locks,
 *   candidacies);
 * - `orphan()`: stops renewing and leaves the lease to expire on its own;
 * - lost: etcd no longer knows the lease (it expired, or was revoked elsewhere), or the keep-alive
 *   could not be renewed in time. etcd has then deleted the session's keys (or will when the TTL
 *   runs out).
 */
export class Session<C extends SessionClient = Client> implements AsyncDisposable {
  /** The client (or namespace view) the session's calls go through, as given to {@link Session.create}. */
  readonly client: C;
  /** The session's lease ID; keys put with `{ lease: session.lease }` live only as long as the session. */
  readonly lease: bigint;
  /** The TTL asked for, in seconds. */
  readonly ttl: number;
  /**
   * Settles when the session ends, never rejects: resolves with `undefined` after `close()` or
   * `orphan()`, or with the error that ended it when it was lost (`LeaseNotFoundError` when etcd
   * expired or revoked the lease, `ClientClosedError` when its client was closed, the keep-alive's
   * error otherwise).
   */
  readonly done: Promise<Error | undefined>;
  /**
   * Aborted when the session ends (Go's `Session.Ctx()`); its `reason` is the error that ended it,
   * or an `AbortError` after `close()` / `orphan()`. Pass it to calls that must not outlive the session.
   */
  readonly signal: AbortSignal;

  readonly #keepAlive: LeaseKeepAlive;
  readonly #controller = new AbortController();
  #ending = false;
  #closed: Promise<void> | undefined;

  private constructor(client: C, lease: bigint, ttl: number, keepAlive: LeaseKeepAlive) {
    this.client = client;
    this.lease = lease;
    this.ttl = ttl;
    this.#keepAlive = keepAlive;
    this.signal = this.#controller.signal;
    this.done = this.#run();
  }

  /**
   * Starts a session: grants a lease of `ttl` seconds (etcd `Lease.LeaseGrant`), or takes
   * `leaseId`, and keeps it alive (etcd `Lease.LeaseKeepAlive`). `signal` / `timeout` (ms) bound
   * the grant.
   *
   * @param client a `Client`, or a namespace view of one (`client.namespace('app/')`): any
   *   {@link SessionClient}; it becomes `session.client`, which locks and elections use
   *
   * Rejects with `InvalidArgumentError` for bad options (before sending), or the grant's error
   * (e.g. `DeadlineExceededError`, `NoAvailableEndpointsError`). An unknown `leaseId` is not
   * detected here: the session then ends at once, `done` resolving with `LeaseNotFoundError`.
   */
  static async create<C extends SessionClient>(client: C, options?: SessionOptions): Promise<Session<C>> {
    let ttl = DEFAULT_SESSION_TTL;
    let leaseId: bigint | undefined;
    const call: CallOptions = {};
    checkOptionsObject(options, 'session options');
    for (const name in options) {
      const value: unknown = (options as Record<string, unknown>)[name];
      if (value === undefined) continue;
      switch (name) {
        case 'ttl':
          if (!(typeof value === 'number' && Number.isSafeInteger(value) && value > 0)) {
            throw new InvalidArgumentError(`session ttl must be a positive integer number of seconds, got ${describe(value)}`);
          }
          ttl = value;
          break;
        case 'leaseId':
          leaseId = toLeaseId(value, 'session leaseId');
          if (leaseId === 0n) leaseId = undefined;
          break;
        default:
          checkOtherOption(name, value, 'Session.create', OPTION_NAMES, true);
          (call as Record<string, unknown>)[name] = value;
      }
    }
    let lease = leaseId;
    if (lease === undefined) lease = (await client.lease.grant(ttl, call)).id;
    let keepAlive: LeaseKeepAlive;
    try {
      keepAlive = client.lease.keepAlive(lease);
    } catch (error) {
      // A lease we granted ourselves would otherwise linger for its TTL.
      if (leaseId === undefined) await client.lease.revoke(lease, { timeout: ttl * 1000 }).catch(() => undefined);
      throw error;
    }
    return new Session(client, lease, ttl, keepAlive);
  }

  /** Consumes the keep-alive until it ends; resolves `done` and aborts `signal` then. */
  async #run(): Promise<Error | undefined> {
    let error: Error | undefined;
    try {
      for await (const renewal of this.#keepAlive) void renewal;
      if (!this.#ending) error = new SessionExpiredError('session: the lease keep-alive ended');
    } catch (failure) {
      if (!this.#ending) error = failure instanceof Error ? failure : new EtcdError(String(failure), undefined, undefined, { cause: failure });
      // The keep-alive halted because the client was closed: the session ended with the client.
      if (error?.cause instanceof ClientClosedError) error = error.cause;
    }
    this.#ending = true;
    this.#controller.abort(error ?? new DOMException('the session was closed', 'AbortError'));
    return error;
  }

  /** True once the session has ended (closed, orphaned or lost). */
  get ended(): boolean {
    return this.signal.aborted;
  }

  /**
   * Stops renewing the lease without revoking it (Go `Session.Orphan`): keys under it live until
   * the TTL runs out, or until another session takes the lease over with `leaseId`. Resolves once
   * the keep-alive has stopped. Safe to call more than once.
   */
  async orphan(): Promise<void> {
    if (!this.#ending) {
      this.#ending = true;
      this.#keepAlive.close();
    }
    await this.done;
  }

  /**
   * Ends the session: stops renewing and revokes the lease (etcd `Lease.LeaseRevoke`), which deletes
   * every key attached to it, releasing its locks and leadership at once. The revoke is given `ttl`
   * seconds (after that the lease has expired anyway). A lease etcd no longer knows counts as
   * revoked. Rejects with the revoke's error (e.g. `NoAvailableEndpointsError`); the lease then
   * expires after its TTL. Safe to call more than once (later calls return the first one's promise).
   */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      await this.orphan();
      try {
        await this.client.lease.revoke(this.lease, { timeout: this.ttl * 1000 });
      } catch (error) {
        if (!(error instanceof LeaseNotFoundError)) throw error;
      }
    })();
    return this.#closed;
  }

  /** `await using session = await Session.create(client)` closes it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
