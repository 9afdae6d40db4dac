/**
 * Request encoding and response decoding of the rpc layer: the one place where a message crosses
 * between the generated codecs (src/proto/) and the bytes of the transport, with failures turned
 * into errors of the tree (src/errors/).
 */
import { EtcdError, InvalidArgumentError, RequestTooLargeError, UnexpectedResponseError } from '../errors/index.js';
import type { Method } from '../proto/method-descriptor.js';

/**
 * Encodes a request and checks it against the send limit, before anything is sent.
 * @param maxSend `maxCallSendMsgSize`, bytes
 * @throws RequestTooLargeError (with `size` and `limit` in bytes) when it is larger
 * @throws InvalidArgumentError when the request cannot be encoded (wrong field types)
 */
export function encodeRequest<Req>(method: Method<Req, unknown>, request: Req, maxSend: number): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = method.encode(request);
  } catch (error) {
    throw new InvalidArgumentError(`cannot encode the ${method.path} request: ${reasonOf(error)}`, { cause: error });
  }
  if (bytes.length > maxSend) throw RequestTooLargeError.clientSide(bytes.length, maxSend);
  return bytes;
}

/**
 * Decodes a response message. An error of the tree thrown by the codec passes through.
 * @throws UnexpectedResponseError (code INTERNAL) naming the RPC when the bytes are not a valid
 *   response message (the codec's own error is its `cause`)
 */
export function decodeResponse<Res>(method: Method<unknown, Res>, bytes: Uint8Array): Res {
  try {
    return method.decode(bytes);
  } catch (error) {
    if (error instanceof EtcdError) throw error;
    throw new UnexpectedResponseError(`cannot decode the ${method.path} response: ${reasonOf(error)}`, { cause: error });
  }
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
