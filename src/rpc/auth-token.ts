/**
 * The auth token of a client configured with `username` and `password` (etcd user/password auth).
 *
 * etcd checks a token, not a password, on every call: `Auth.Authenticate` trades the user name and
 * password for a token, which the client then sends as the `token` metadata of each call and
 * stream. A token stops working when:
 * - it expires: simple tokens after `--auth-token-ttl` seconds without use (default 300), JWTs at
 *   their `exp` claim; etcd answers `InvalidAuthTokenError` (or the server restarted and forgot it);
 * - the auth store changed since it was issued (users, roles, permissions): a JWT carries the auth
 *   revision it was issued at, and a key-value request checked against an older revision is
 *   refused with `AuthOldRevisionError` (simple tokens meet this only in a race with the change);
 * - auth was enabled after the client found it disabled: calls without a token get `UserEmptyError`.
 *
 * In each case etcd refused the request before applying it: the token is checked before a request
 * is proposed to raft (`InvalidAuthTokenError`), and the permission check that compares auth
 * revisions (`AuthOldRevisionError`) runs in the apply step before anything is written. So the call
 * can be sent again with a new token even when it is a write: it was not applied once already.
 * The rpc layer does that once per call ({@link AuthTokenManager.shouldRefresh}); a second refusal
 * goes to the caller. `AuthOldRevisionError` is the exception: the auth store may change again
 * under the retry, so the rpc layer refreshes and resends as long as the call's attempts and
 * deadline allow (as clientv3), also for clients without a password (certificate-CN auth).
 *
 * This manager holds the token and makes sure concurrent calls share one authentication in flight.
 * It never logs nor puts in an error the password or the token.
 */
import {
  AuthNotEnabledError,
  AuthOldRevisionError,
  DeadlineExceededError,
  InvalidArgumentError,
  InvalidAuthTokenError,
  UserEmptyError,
} from '../errors/index.js';
import { startTimer, type TimerHandle } from '../internal/timers.js';
import type { Logger } from './logger.js';

/**
 * How long one authentication may take on top of `dialTimeout`, in milliseconds: the
 * `Auth.Authenticate` call itself (etcd checks the password with bcrypt, tens of milliseconds).
 * Calls waiting for the token give up earlier when their own deadline comes first.
 */
export const AUTHENTICATE_TIMEOUT_MARGIN_MS = 5000;

/** The name of the metadata entry that carries the token (etcd `rpctypes.TokenFieldNameGRPC`). */
export const TOKEN_METADATA_KEY = 'token';

/** User name and password of a client. */
export interface Credentials {
  readonly username: string;
  readonly password: string;
}

/**
 * Exchanges the credentials for a token (etcd `Auth.Authenticate`), within `timeout` ms.
 * Rejects with the call's typed error (`AuthFailedError`, `AuthNotEnabledError`, ...).
 */
export type Authenticate = (credentials: Credentials, timeout: number) => Promise<string>;

/** Where the manager stands. */
type State =
  /** Not authenticated yet: the next call authenticates first. */
  | 'none'
  /** Holding a token. */
  | 'token'
  /** The server said auth is not enabled: calls go without a token until it says otherwise. */
  | 'off';

/** Errors raised by an automatic authentication, for the CLI's exit code (etcdctl's "bad connection"). */
const AUTHENTICATION_FAILURES = new WeakSet<object>();

/**
 * Whether `error` came from the client's own authentication (with `username`/`password`), not from
 * the call it was made for. The CLI exits with etcdctl's "bad connection" code (2) for these.
 */
export function isAuthenticationFailure(error: unknown): boolean {
  return typeof error === 'object' && error !== null && AUTHENTICATION_FAILURES.has(error);
}

/**
 * Checks the `username` / `password` options: both or neither, each a non-empty string. The
 * messages name the option, never its value.
 *
 * @returns the credentials, or undefined when neither is given
 * @throws InvalidArgumentError otherwise
 */
export function checkCredentials(username: unknown, password: unknown): Credentials | undefined {
  if (username === undefined && password === undefined) return undefined;
  if (username === undefined) throw new InvalidArgumentError('password was given without username');
  if (typeof username !== 'string' || username === '') {
    throw new InvalidArgumentError(`username must be a non-empty string, got ${typeof username === 'string' ? 'an empty string' : typeof username}`);
  }
  if (password === undefined) throw new InvalidArgumentError('username was given without password');
  if (typeof password !== 'string' || password === '') {
    throw new InvalidArgumentError(`password must be a non-empty string, got ${typeof password === 'string' ? 'an empty string' : typeof password}`);
  }
  return Object.freeze({ username, password });
}

/**
 * The token of one client: authenticates lazily (before the first call that needs it), shares
 * one authentication among concurrent callers, and re-authenticates on demand.
 *
 * Safe for any number of concurrent calls: `generation` tells a caller whether the token it used
 * has been replaced meanwhile, so many calls refused with the same stale token cause one
 * authentication, not one each.
 */
export class AuthTokenManager {
  readonly #credentials: Credentials;
  readonly #authenticate: Authenticate;
  readonly #timeout: number;
  readonly #logger: Logger | undefined;
  #state: State = 'none';
  #metadata: Readonly<Record<string, string>> | undefined;
  #generation = 0;
  #inflight: Promise<void> | undefined;

  /**
   * @param credentials user name and password (see {@link checkCredentials})
   * @param authenticate makes the `Auth.Authenticate` call (through the rpc layer, without a token)
   * @param timeout longest time one authentication may take, ms (dialTimeout + {@link AUTHENTICATE_TIMEOUT_MARGIN_MS})
   * @param logger receives authentications at debug level (the user name, never the password or token)
   */
  constructor(credentials: Credentials, authenticate: Authenticate, timeout: number, logger?: Logger) {
    this.#credentials = credentials;
    this.#authenticate = authenticate;
    this.#timeout = timeout;
    this.#logger = logger;
  }

  /** True once an authentication has succeeded (or found auth disabled): calls need not wait. */
  get ready(): boolean {
    return this.#state !== 'none';
  }

  /** Bumped by every completed authentication; compare to tell whether the token changed. */
  get generation(): number {
    return this.#generation;
  }

  /** The metadata carrying the current token (`{ token }`, one frozen object per token), or undefined without one. */
  get metadata(): Readonly<Record<string, string>> | undefined {
    return this.#metadata;
  }

  /**
   * Waits until the manager is {@link ready}: joins the authentication in flight or starts one.
   * The shared authentication runs to its own timeout; this caller stops waiting earlier when
   * `signal` aborts (rejecting with its reason) or `deadline` passes (`DeadlineExceededError`).
   *
   * @throws the authentication's typed error, e.g. `AuthFailedError` for a wrong password
   */
  async ensure(signal?: AbortSignal, deadline?: number, timeout?: number): Promise<void> {
    if (this.#state !== 'none') return;
    await this.#wait(this.#inflight ?? this.#start(), signal, deadline, timeout);
  }

  /**
   * Authenticates again, unless that already happened since the caller read `generation`
   * (`staleGeneration`): then the newer token is used as is. Joins an authentication in flight.
   *
   * @param staleGeneration the `generation` when the refused token was read; omit to authenticate
   *   again in any case (joining one in flight)
   * @throws as {@link ensure}
   */
  async refresh(staleGeneration?: number, signal?: AbortSignal, deadline?: number, timeout?: number): Promise<void> {
    if (staleGeneration !== undefined && staleGeneration !== this.#generation && this.#state !== 'none') return;
    await this.#wait(this.#inflight ?? this.#start(), signal, deadline, timeout);
  }

  /**
   * Whether a call refused with `error` should get a new token and be sent again: the token was
   * refused (`InvalidAuthTokenError`), was issued before an auth change (`AuthOldRevisionError`),
   * or no token was sent and the server now wants one (`UserEmptyError`). In each case the server
   * did not apply the request (see the file comment).
   */
  shouldRefresh(error: unknown): boolean {
    return error instanceof InvalidAuthTokenError || error instanceof AuthOldRevisionError || error instanceof UserEmptyError;
  }

  /** Starts one authentication; every caller until it settles shares it. */
  #start(): Promise<void> {
    const run = this.#run().finally(() => {
      if (this.#inflight === run) this.#inflight = undefined;
    });
    this.#inflight = run;
    return run;
  }

  async #run(): Promise<void> {
    const { username } = this.#credentials;
    this.#logger?.debug('etcd: authenticating', { username });
    try {
      const token = await this.#authenticate(this.#credentials, this.#timeout);
      this.#set('token', token);
      this.#logger?.debug('etcd: authenticated', { username, generation: this.#generation });
    } catch (error) {
      if (error instanceof AuthNotEnabledError) {
        // As Go's client: no token while the server has auth disabled; a later UserEmptyError
        // (auth enabled meanwhile) makes the next call authenticate again.
        this.#set('off', undefined);
        this.#logger?.debug('etcd: auth is not enabled on the server; calls go without a token', { username });
        return;
      }
      if (typeof error === 'object' && error !== null) AUTHENTICATION_FAILURES.add(error);
      this.#logger?.debug('etcd: authentication failed', {
        username,
        error: error instanceof Error ? error.message : String(error),
      });
      throw error;
    }
  }

  #set(state: State, token: string | undefined): void {
    this.#state = state;
    this.#metadata = token === undefined ? undefined : Object.freeze({ [TOKEN_METADATA_KEY]: token });
    this.#generation++;
  }

  /** Waits for the shared authentication, up to this caller's signal and deadline. */
  async #wait(shared: Promise<void>, signal: AbortSignal | undefined, deadline: number | undefined, timeout: number | undefined): Promise<void> {
    if (signal === undefined && deadline === undefined) return shared;
    if (signal?.aborted === true) throw signal.reason;
    let timer: TimerHandle | undefined;
    let onAbort: (() => void) | undefined;
    const stop = new Promise<never>((_resolve, reject) => {
      if (deadline !== undefined) {
        timer = startTimer(
          () => reject(new DeadlineExceededError('deadline exceeded while authenticating', { timeout })),
          deadline - Date.now(),
        );
      }
      if (signal !== undefined) {
        onAbort = () => reject(signal.reason);
        signal.addEventListener('abort', onAbort, { once: true });
      }
    });
    try {
      await Promise.race([shared, stop]);
    } finally {
      timer?.cancel();
      if (onAbort !== undefined) signal?.removeEventListener('abort', onAbort);
    }
  }

  /** For tests and debugging: never includes the token or the password. */
  toJSON(): Record<string, unknown> {
    return { username: this.#credentials.username, state: this.#state, generation: this.#generation };
  }
}
