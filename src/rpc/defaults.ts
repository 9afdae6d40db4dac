/**
 * Every default of the rpc layer in one place, each with its unit. The client's options default to
 * these (they mirror Go's `clientv3.Config`: etcd's client/v3/config.go and options.go), through
 * the option table (options.ts). Numbers that `CLIENT_DEFAULTS` shows are typed as their literal
 * (`: 5000 = 5000`) so its public type keeps showing the value.
 */

/** Endpoint used when none is given: a local etcd on its standard client port. */
export const DEFAULT_ENDPOINT = 'http://127.0.0.1:2379';

/** Endpoint used when none is given and the client has TLS settings (`tls`): the same, over TLS. */
export const DEFAULT_TLS_ENDPOINT = 'https://127.0.0.1:2379';

/**
 * How long a call waits for a ready connection to some endpoint before failing with
 * `NoAvailableEndpointsError`, in milliseconds (bounded further by the call's own timeout).
 */
export const DEFAULT_DIAL_TIMEOUT_MS: 5000 = 5000;

/**
 * The etcd server's default `--grpc-keepalive-min-time`, in milliseconds: a client that pings more
 * often is sent GOAWAY `too_many_pings`. A `keepAliveTime` below it needs a server started with a
 * lower value.
 */
export const ETCD_MIN_KEEPALIVE_TIME_MS = 5000;

/**
 * Interval between HTTP/2 PINGs on a connection in use, in milliseconds (0 turns pings off).
 *
 * Chosen with {@link DEFAULT_KEEPALIVE_TIMEOUT_MS} so that a member that stops answering (SIGSTOP,
 * a dead link, a black-holed route) is noticed within 6 + 4 = 10 s and the client moves to another
 * endpoint. 6 s keeps a 1 s margin above etcd's 5 s minimum ping interval, so timer jitter never
 * makes the server count a ping as abusive. (Go's client has pings off by default; etcdctl uses
 * 2 s / 6 s, which grpc-go raises to its own 10 s floor.)
 */
export const DEFAULT_KEEPALIVE_TIME_MS: 6000 = 6000;

/** How long a PING may go unanswered before the connection is declared dead, in milliseconds. */
export const DEFAULT_KEEPALIVE_TIMEOUT_MS: 4000 = 4000;

/**
 * Largest request the client sends, in bytes (2 MiB, Go's default): the server's default
 * `--max-request-bytes` (1.5 MiB) plus room for the gRPC envelope. Larger requests fail with
 * `RequestTooLargeError` before anything is sent.
 */
export const DEFAULT_MAX_CALL_SEND_MSG_SIZE = 2 * 1024 * 1024;

/**
 * Largest response the client accepts, in bytes (2^31 - 1, Go's `math.MaxInt32`): a range response
 * may be much larger than any request.
 */
export const DEFAULT_MAX_CALL_RECV_MSG_SIZE = 2 ** 31 - 1;

/**
 * Most attempts of one unary call, the first included (Go's default `MaxUnaryRetries`, 100). The
 * call's own timeout usually ends retries long before.
 */
export const DEFAULT_RETRY_MAX_ATTEMPTS: 100 = 100;

/** Wait between retry rounds, in milliseconds (Go's `BackoffWaitBetween`, 25 ms). */
export const DEFAULT_RETRY_BACKOFF_MS: 25 = 25;

/** Random spread of the retry wait, as a fraction (0.10 = +-10%, Go's `BackoffJitterFraction`). */
export const DEFAULT_RETRY_JITTER_FRACTION: 0.1 = 0.1;

/**
 * Reconnect backoff of one endpoint after a failure (refused, broken, keep-alive timeout), in
 * milliseconds: the first retry waits this long, each further consecutive failure doubles it up to
 * {@link ENDPOINT_BACKOFF_MAX_MS}. While an endpoint backs off, calls use the others; when all back
 * off, a call waits for the first to come out of it (so refused connections do not spin).
 */
export const ENDPOINT_BACKOFF_BASE_MS = 100;

/** Longest reconnect backoff of one endpoint, in milliseconds. */
export const ENDPOINT_BACKOFF_MAX_MS = 2000;

/** Random spread of an endpoint's backoff, as a fraction (0.2 = +-20%), so clients do not reconnect in step. */
export const ENDPOINT_BACKOFF_JITTER_FRACTION = 0.2;

/**
 * While waiting for a connection with several endpoints: the least time one endpoint gets to become
 * ready before the next is tried, in milliseconds. Each endpoint gets `dialTimeout / endpoints`, but
 * not less than this.
 */
export const MIN_ENDPOINT_CONNECT_MS = 1000;

/**
 * Metadata that asks etcd to refuse a call when the member has no leader (`requireLeader`): etcd's
 * `rpctypes.MetadataRequireLeaderKey` (`hasleader`) with `rpctypes.MetadataHasLeader` (`true`).
 * Unary calls then fail at once with `NoLeaderError`, and etcd cancels streams on a member that
 * has lost its leader (after about three election timeouts) with the same error.
 */
export const REQUIRE_LEADER_METADATA: Readonly<Record<string, string>> = Object.freeze({ hasleader: 'true' });

/** Oldest etcd server version `rejectOldCluster` accepts, as [major, minor] (Go's client: 3.2). */
export const MIN_SERVER_VERSION: readonly [number, number] = Object.freeze([3, 2] as const);

/** Deadline of one autoSync `Cluster.MemberList` call, in milliseconds (Go's: 5 s). */
export const AUTO_SYNC_TIMEOUT_MS = 5000;
