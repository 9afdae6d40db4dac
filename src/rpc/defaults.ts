/**
 * Every default of the rpc layer in one place, each with its unit. The client's options default to
 * these (they mirror Go's `clientv3.Config`, research/anchors.md §1.2).
 */

/** Endpoint used when none is given: a local etcd on its standard client port. */
export const DEFAULT_ENDPOINT = 'http://127.0.0.1:2379';

/**
 * How long a call waits for a ready connection to some endpoint before failing with
 * `NoAvailableEndpointsError`, in milliseconds (bounded further by the call's own timeout).
 */
export const DEFAULT_DIAL_TIMEOUT_MS = 5000;

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
export const DEFAULT_KEEPALIVE_TIME_MS = 6000;

/** How long a PING may go unanswered before the connection is declared dead, in milliseconds. */
export const DEFAULT_KEEPALIVE_TIMEOUT_MS = 4000;

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
export const DEFAULT_RETRY_MAX_ATTEMPTS = 100;

/** Wait between retry rounds, in milliseconds (Go's `BackoffWaitBetween`, 25 ms). */
export const DEFAULT_RETRY_BACKOFF_MS = 25;

/** Random spread of the retry wait, as a fraction (0.10 = +-10%, Go's `BackoffJitterFraction`). */
export const DEFAULT_RETRY_JITTER_FRACTION = 0.1;

/**
 * While waiting for a connection: pause after every endpoint in turn has failed, in milliseconds,
 * before trying them again (so refused connections do not spin).
 */
export const ENDPOINT_ROUND_PAUSE_MS = 100;

/**
 * While waiting for a connection with several endpoints: the least time one endpoint gets to become
 * ready before the next is tried, in milliseconds. Each endpoint gets `dialTimeout / endpoints`, but
 * not less than this.
 */
export const MIN_ENDPOINT_CONNECT_MS = 1000;
