/**
 * The errors the client raises itself, whatever the server: bad input, a deadline, a failed
 * connection, no endpoint available, a closed client, a halted lease keep-alive, a feature the
 * server lacks, a response the client cannot use.
 */
import { Status } from '../transport/types.js';
import { EtcdError, type EtcdErrorOptions, type ServerErrorOptions } from './etcd-error.js';

/**
 * Bad input detected before anything was sent (code INVALID_ARGUMENT). The message names the
 * parameter and what is wrong with it.
 */
export class InvalidArgumentError extends EtcdError {
  override name = 'InvalidArgumentError';
  /** @param message what is wrong, naming the parameter, e.g. `timeout must be a non-negative finite number of milliseconds, got -1` */
  constructor(message: string, options?: EtcdErrorOptions) {
    super(message, Status.INVALID_ARGUMENT, message, options);
  }
}

/** Options of {@link DeadlineExceededError}. */
export interface DeadlineExceededErrorOptions extends EtcdErrorOptions {
  /** The call's `timeout` in milliseconds, when the deadline came from one. */
  timeout?: number;
}

/**
 * The call's deadline (its `timeout` option) passed before it completed (code DEADLINE_EXCEEDED).
 * Also what a gRPC DEADLINE_EXCEEDED status and the server's `etcdserver: context deadline exceeded`
 * map to. A write that hit its deadline may or may not have been applied.
 */
export class DeadlineExceededError extends EtcdError {
  override name = 'DeadlineExceededError';
  /** The call's timeout in milliseconds, when known. */
  readonly timeout: number | undefined;

  /** @param details the server's message, or the client's explanation (default `deadline exceeded`) */
  constructor(details: string = 'deadline exceeded', options?: DeadlineExceededErrorOptions) {
    const timeout = options?.timeout;
    super(timeout === undefined ? details : `deadline exceeded after ${timeout} ms`, Status.DEADLINE_EXCEEDED, details, options);
    this.timeout = timeout;
  }
}

/**
 * A connection to one endpoint failed, or broke during a call (code UNAVAILABLE unless given).
 * `endpoint` is the endpoint as the user wrote it; `cause` the underlying error.
 */
export class ConnectionError extends EtcdError {
  override name = 'ConnectionError';
  /** The endpoint, e.g. `http://127.0.0.1:2379`. */
  readonly endpoint: string;

  /**
   * @param endpoint the endpoint URL
   * @param details what went wrong (e.g. `connect ECONNREFUSED 127.0.0.1:2379`)
   * @param options `cause`, and `code` (default UNAVAILABLE)
   */
  constructor(endpoint: string, details: string, options?: ServerErrorOptions) {
    super(`connection to ${endpoint} failed: ${details}`, options?.code ?? Status.UNAVAILABLE, details, options);
    this.endpoint = endpoint;
  }
}

/** One endpoint's state in a {@link NoAvailableEndpointsError}. */
export interface EndpointFailure {
  /** The endpoint URL as configured. */
  readonly endpoint: string;
  /** Its last error; undefined when it was not tried. */
  readonly error: Error | undefined;
}

/**
 * No endpoint had a ready connection within the dial timeout (code UNAVAILABLE); nothing was sent.
 * `endpoints` lists each endpoint with its last error; the message names them all.
 */
export class NoAvailableEndpointsError extends EtcdError {
  override name = 'NoAvailableEndpointsError';
  /** Each endpoint with its last error. */
  readonly endpoints: readonly EndpointFailure[];

  /**
   * @param endpoints every configured endpoint with its last error
   * @param waited how long the client waited, in milliseconds, when known
   */
  constructor(endpoints: readonly EndpointFailure[], waited?: number, options?: EtcdErrorOptions) {
    const list = endpoints
      .map((e) => `${e.endpoint} (${e.error === undefined ? 'not tried' : e.error.message})`)
      .join('; ');
    const within = waited === undefined ? '' : ` within ${waited} ms`;
    const details = endpoints.length === 0 ? 'no endpoints configured' : `no endpoint available${within}: ${list}`;
    super(details, Status.UNAVAILABLE, details, options);
    this.endpoints = Object.freeze([...endpoints]);
  }
}

/** The client (or its rpc layer) was closed; the call was not made or was cut short (code CANCELLED). */
export class ClientClosedError extends EtcdError {
  override name = 'ClientClosedError';
  constructor(options?: EtcdErrorOptions) {
    super('the client is closed', Status.CANCELLED, 'the client is closed', options);
  }
}

/** Options of {@link LeaseKeepAliveHaltedError}. */
export interface LeaseKeepAliveHaltedErrorOptions extends EtcdErrorOptions {
  /** gRPC status code; default DEADLINE_EXCEEDED (4). */
  code?: number;
}

/**
 * The keep-alive of a lease stopped without word from the server that the lease is gone (Go's
 * `ErrKeepAliveHalted`): no renewal succeeded before the lease's deadline (the send time of the
 * last answered renewal plus the TTL, so never later than the server's own expiry; before the
 * first answer, 6 s after `keepAlive()`), or the client was closed. The lease has expired, or may
 * expire any moment: treat it as lost. `cause` holds the last error of the keep-alive stream,
 * when there was one (e.g. a `ConnectionError`, or `ClientClosedError`).
 */
export class LeaseKeepAliveHaltedError extends EtcdError {
  override name = 'LeaseKeepAliveHaltedError';
  /** The lease whose keep-alive stopped. */
  readonly leaseId: bigint;

  /**
   * @param leaseId the lease
   * @param reason why it stopped, e.g. `no keep-alive response within the lease's TTL (5 s)`
   * @param options `cause` (the stream's last error), `code` (default DEADLINE_EXCEEDED)
   */
  constructor(leaseId: bigint, reason: string, options?: LeaseKeepAliveHaltedErrorOptions) {
    const details = `keep-alive of lease ${leaseId.toString(16).padStart(16, '0')} halted: ${reason}`;
    super(details, options?.code ?? Status.DEADLINE_EXCEEDED, details, options);
    this.leaseId = leaseId;
  }
}

/**
 * The server does not support a feature (code UNIMPLEMENTED), e.g. `Downgrade` or `AuthStatus` on
 * etcd 3.4. `feature` names it; `serverVersion` is the server's version when known.
 */
export class NotSupportedError extends EtcdError {
  override name = 'NotSupportedError';
  /** The feature or RPC, e.g. `/etcdserverpb.Maintenance/Downgrade`. */
  readonly feature: string;
  /** The server's version (e.g. `3.4.23`), when known. */
  readonly serverVersion: string | undefined;

  /**
   * @param feature what is not supported
   * @param serverVersion the server's version, when known
   * @param details the server's message, when it sent one
   */
  constructor(feature: string, serverVersion?: string, details?: string, options?: EtcdErrorOptions) {
    const by = serverVersion === undefined ? 'this etcd server' : `etcd ${serverVersion}`;
    const message = `${feature} is not supported by ${by}`;
    super(message, Status.UNIMPLEMENTED, details ?? message, options);
    this.feature = feature;
    this.serverVersion = serverVersion;
  }
}

/**
 * etcd sent a response this client cannot use (code INTERNAL): a part the RPC always has is
 * missing (a campaign answered without its leader key), a value of a kind this client does not
 * know (a permission type, a transaction response entry), or a 64-bit number beyond +-(2^53 - 1)
 * where the API gives a `number` (a revision, a version, a TTL) that a JavaScript number cannot hold
 * exactly. The message names the RPC's part and the value.
 */
export class UnexpectedResponseError extends EtcdError {
  override name = 'UnexpectedResponseError';

  /** @param message what etcd sent, e.g. `etcd returned mod revision 9007199254740992, beyond ...` */
  constructor(message: string, options?: EtcdErrorOptions) {
    super(message, Status.INTERNAL, message, options);
  }
}
