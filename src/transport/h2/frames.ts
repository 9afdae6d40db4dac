/**
 * HTTP/2 wire constants (RFC 9113): frame types and flags (section 6), SETTINGS parameters
 * (6.5.2), the protocol's limits, and the client connection preface (3.4).
 */

/** Frame types (RFC 9113 section 6). */
export const FrameType = {
  DATA: 0x0,
  HEADERS: 0x1,
  PRIORITY: 0x2,
  RST_STREAM: 0x3,
  SETTINGS: 0x4,
  PUSH_PROMISE: 0x5,
  PING: 0x6,
  GOAWAY: 0x7,
  WINDOW_UPDATE: 0x8,
  CONTINUATION: 0x9,
} as const;

/** Frame flags. */
export const Flag = {
  /** DATA, HEADERS: the sender's last frame on the stream. */
  END_STREAM: 0x1,
  /** SETTINGS, PING: an acknowledgement. */
  ACK: 0x1,
  /** HEADERS, CONTINUATION: the last frame of the header block. */
  END_HEADERS: 0x4,
  /** DATA, HEADERS: a pad length byte and padding follow. */
  PADDED: 0x8,
  /** HEADERS: stream dependency and weight follow (RFC 7540 priorities, ignored). */
  PRIORITY: 0x20,
} as const;

/** SETTINGS parameters (RFC 9113 section 6.5.2). */
export const Setting = {
  HEADER_TABLE_SIZE: 0x1,
  ENABLE_PUSH: 0x2,
  MAX_CONCURRENT_STREAMS: 0x3,
  INITIAL_WINDOW_SIZE: 0x4,
  MAX_FRAME_SIZE: 0x5,
  MAX_HEADER_LIST_SIZE: 0x6,
} as const;

/** Size of a frame header, bytes. */
export const FRAME_HEADER_SIZE = 9;
/** SETTINGS_MAX_FRAME_SIZE before the peer says otherwise, and the least it may say (bytes). */
export const DEFAULT_MAX_FRAME_SIZE = 16_384;
/** The largest SETTINGS_MAX_FRAME_SIZE allowed (2^24 - 1 bytes). */
export const MAX_ALLOWED_FRAME_SIZE = 0xffffff;
/** Flow-control window before any SETTINGS or WINDOW_UPDATE (bytes). */
export const DEFAULT_WINDOW_SIZE = 65_535;
/** Largest flow-control window (2^31 - 1 bytes). */
export const MAX_WINDOW_SIZE = 0x7fffffff;
/** SETTINGS_HEADER_TABLE_SIZE before the peer says otherwise (bytes). */
export const DEFAULT_HEADER_TABLE_SIZE = 4096;
/** Highest stream id (2^31 - 1). */
export const MAX_STREAM_ID = 0x7fffffff;

/** The client connection preface (RFC 9113 section 3.4), sent before our SETTINGS. */
export const CLIENT_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

const FRAME_TYPE_NAMES = Object.keys(FrameType);

/** The name of a frame type, e.g. `HEADERS`, or `0x..` for an extension type. */
export function frameTypeName(type: number): string {
  return FRAME_TYPE_NAMES[type] ?? `0x${type.toString(16)}`;
}
