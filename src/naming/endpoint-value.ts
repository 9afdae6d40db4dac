/**
 * The value stored under an endpoint's key, in the Go client's format (clientv3
 * `naming/endpoints/internal.Update`, itself the JSON of grpc-go's old `naming.Update`):
 * `{"Op":0,"Addr":"10.0.0.5:50051","Metadata":null}`. Go and etcd-ts programs read each other's.
 */
import { InvalidArgumentError } from '../errors/index.js';
import { describe } from '../internal/describe-value.js';
import { toBuffer } from '../internal/wire.js';

/** One endpoint of a service (Go's `endpoints.Endpoint`). */
export interface Endpoint {
  /** The address to connect to, `host:port` (e.g. `10.0.0.5:50051`), as gRPC dials it. */
  addr: string;
  /**
   * Anything JSON can hold, stored with the address (Go's `Metadata interface{}`; load-balancing
   * hints, a weight, a zone). Undefined when there is none (JSON `null`).
   */
  metadata?: unknown;
}

/** The `Op` of the stored JSON: Go's `internal.Add` (the value of every stored endpoint). */
const OP_ADD = 0;
const ENDPOINT_FIELDS: readonly string[] = ['addr', 'metadata'];

/**
 * Checks an endpoint given by the user.
 * @param what names the argument in the error, e.g. `addEndpoint: endpoint`
 * @throws InvalidArgumentError for a non-object, an `addr` that is not a non-empty string, an
 *   unknown field, or `metadata` JSON cannot hold (a bigint, a cycle)
 */
export function checkEndpoint(endpoint: unknown, what: string): Endpoint {
  if (typeof endpoint !== 'object' || endpoint === null || Array.isArray(endpoint)) {
    throw new InvalidArgumentError(`${what} must be an object { addr, metadata? }, got ${describe(endpoint)}`);
  }
  for (const name of Object.keys(endpoint)) {
    if (!ENDPOINT_FIELDS.includes(name)) throw new InvalidArgumentError(`${what}: unknown field '${name}'; known: ${ENDPOINT_FIELDS.join(', ')}`);
  }
  const { addr, metadata } = endpoint as Endpoint;
  if (typeof addr !== 'string' || addr === '') {
    throw new InvalidArgumentError(`${what}.addr must be a non-empty string (host:port), got ${describe(addr)}`);
  }
  return { addr, metadata };
}

/**
 * The stored form of `endpoint` (checked by {@link checkEndpoint}): the JSON Go's `json.Marshal`
 * makes of its `internal.Update`, fields in the same order.
 * @throws InvalidArgumentError when `metadata` cannot be written as JSON
 */
export function encodeEndpoint(endpoint: Endpoint, what: string): string {
  try {
    return JSON.stringify({ Op: OP_ADD, Addr: endpoint.addr, Metadata: endpoint.metadata ?? null });
  } catch (error) {
    throw new InvalidArgumentError(`${what}.metadata cannot be written as JSON: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

/**
 * The field `name` of a decoded JSON object as Go's `json.Unmarshal` finds it: the exact name,
 * else a name equal to it but for case.
 */
function field(object: Record<string, unknown>, name: string): unknown {
  if (Object.prototype.hasOwnProperty.call(object, name)) return object[name];
  const lower = name.toLowerCase();
  for (const key of Object.keys(object)) if (key.toLowerCase() === lower) return object[key];
  return undefined;
}

/**
 * The endpoint a stored value describes, or undefined when it is not one: not JSON, not a JSON
 * object, or an `Addr` that is not a string (values Go's manager skips too). `Op` is not read.
 */
export function decodeEndpoint(value: Uint8Array): Endpoint | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(toBuffer(value).toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const object = parsed as Record<string, unknown>;
  const addr = field(object, 'Addr') ?? '';
  if (typeof addr !== 'string') return undefined;
  const metadata = field(object, 'Metadata') ?? undefined;
  return metadata === undefined ? { addr } : { addr, metadata };
}
