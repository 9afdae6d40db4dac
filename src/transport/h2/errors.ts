/**
 * HTTP/2 error codes (RFC 9113 section 7) and the error a protocol violation raises.
 */
import { http2ErrorName } from '../status.js';

/** HTTP/2 error codes, for RST_STREAM and GOAWAY (RFC 9113 section 7). */
export const ErrorCode = {
  NO_ERROR: 0x0,
  PROTOCOL_ERROR: 0x1,
  INTERNAL_ERROR: 0x2,
  FLOW_CONTROL_ERROR: 0x3,
  SETTINGS_TIMEOUT: 0x4,
  STREAM_CLOSED: 0x5,
  FRAME_SIZE_ERROR: 0x6,
  REFUSED_STREAM: 0x7,
  CANCEL: 0x8,
  COMPRESSION_ERROR: 0x9,
  CONNECT_ERROR: 0xa,
  ENHANCE_YOUR_CALM: 0xb,
  INADEQUATE_SECURITY: 0xc,
  HTTP_1_1_REQUIRED: 0xd,
} as const;

/**
 * A violation of RFC 9113 (or of one of our limits) by the peer: the connection fails with it.
 * `code` is the HTTP/2 error code we send in our GOAWAY; the message names it, e.g.
 * `FRAME_SIZE_ERROR: DATA frame of 20000 bytes exceeds SETTINGS_MAX_FRAME_SIZE 16384`.
 */
export class Http2ProtocolError extends Error {
  override readonly name = 'Http2ProtocolError';
  /**
   * @param code - the HTTP/2 error code (see {@link ErrorCode}).
   * @param detail - what the peer did.
   */
  constructor(
    readonly code: number,
    detail: string,
  ) {
    super(`${http2ErrorName(code)}: ${detail}`);
  }

  /** The error code's name, e.g. `PROTOCOL_ERROR`. */
  get codeName(): string {
    return http2ErrorName(this.code);
  }
}
