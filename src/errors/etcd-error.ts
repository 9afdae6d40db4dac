/**
 * The root of the error tree: `EtcdError`, which every error this library throws extends, and
 * `EtcdServerError`, the root of the errors the etcd server returns with one of its known messages.
 *
 * - `code` is the gRPC status code as a number (`3` = INVALID_ARGUMENT, `14` = UNAVAILABLE, ...);
 *   for a server error it is the code the server actually sent.
 * - `details` is the server's raw message (`etcdserver: key is not provided`) or, for a client-side
 *   error, the client's own explanation.
 * - `message` is a readable sentence; `cause` (when set) is the lower-level error.
 *
 * A call aborted through its `AbortSignal` rejects with `signal.reason`, which is not an `EtcdError`.
 *
 * The tree imports only the gRPC status table of src/transport (a leaf itself), so every layer may
 * import it.
 */
import { statusName } from '../transport/status.js';
import { Status } from '../transport/types.js';

/**
 * The name of a gRPC status code: `grpcCodeName(14)` is `'UNAVAILABLE'`; unknown numbers give
 * `'CODE_<n>'`.
 */
export function grpcCodeName(code: number): string {
  return statusName(code);
}

/** Options every error constructor accepts. */
export interface EtcdErrorOptions {
  /** The lower-level error (e.g. the transport's `CallError`), kept as `error.cause`. */
  cause?: unknown;
}

/**
 * Root of every error this library throws.
 *
 * `code`: the gRPC status code (number). `details`: the server's raw message, or the client-side
 * explanation. Construct it directly for an error with no more specific class (an unknown server
 * message keeps its code and text here).
 */
export class EtcdError extends Error {
  override name: string = 'EtcdError';
  /** gRPC status code (0-16), e.g. 14 for UNAVAILABLE. */
  readonly code: number;
  /** The server's raw message, or the client-side explanation. */
  readonly details: string;

  /**
   * @param message readable sentence (becomes `error.message`)
   * @param code gRPC status code
   * @param details the server's raw message or the client's explanation; defaults to `message`
   */
  constructor(message: string, code: number = Status.UNKNOWN, details: string = message, options?: EtcdErrorOptions) {
    super(message, options);
    this.code = code;
    this.details = details;
  }
}

/** Options of a server error: the code actually received (defaults to the error's usual code). */
export interface ServerErrorOptions extends EtcdErrorOptions {
  /** gRPC status code the server sent; defaults to the class's `grpcCode`. */
  code?: number;
}

/** The static side of a server error class: what the mapper and the retry policy read. */
export interface ServerErrorClass {
  new (details?: string, options?: ServerErrorOptions): EtcdServerError;
  /** The exact message the etcd server sends, e.g. `etcdserver: key is not provided`. */
  readonly serverMessage: string;
  /**
   * The error's gRPC code in current etcd (the retry policy reads it: only UNAVAILABLE is
   * transient). A few changed over time; `error.code` holds what the server actually sent.
   */
  readonly grpcCode: number;
  /** Readable description, used as `error.message`. */
  readonly description: string;
}

/**
 * An error the etcd server returned with one of its known messages (the `rpctypes` list of the Go
 * client). One subclass per message; `instanceof` tells them apart. `details` is the exact server
 * text, `code` the gRPC code received.
 */
export abstract class EtcdServerError extends EtcdError {
  /** The exact message the etcd server sends for this error, e.g. `etcdserver: key is not provided`. */
  static readonly serverMessage: string = '';
  /** The error's gRPC code in current etcd (`error.code` holds the code actually received). */
  static readonly grpcCode: number = Status.UNKNOWN;
  /** Readable description, used as `error.message`. */
  static readonly description: string = 'etcd server error';

  /**
   * @param details the server's raw message; defaults to the class's `serverMessage`
   * @param options `code` received (default: the class's `grpcCode`), `cause`
   */
  constructor(details?: string, options?: ServerErrorOptions) {
    const cls = new.target as unknown as ServerErrorClass;
    super(cls.description, options?.code ?? cls.grpcCode, details ?? cls.serverMessage, options);
  }
}
