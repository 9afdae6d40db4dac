/**
 * The error HPACK decoding throws. The HTTP/2 layer turns it into a connection error
 * (COMPRESSION_ERROR, RFC 9113 section 4.3): the decoder's state can no longer be trusted.
 */

/** A header block that cannot be decoded (RFC 7541), or one over a limit. */
export class HpackError extends Error {
  override readonly name = 'HpackError';
}
