/**
 * gRPC-over-HTTP/2 header semantics: `grpc-timeout` encoding, `grpc-status` / `grpc-message`
 * parsing, the HTTP status and RST_STREAM code mappings of the gRPC HTTP/2 protocol document, and
 * turning response headers into metadata.
 */
import { Status, type Metadata, type StatusCode } from './types.js';

/** Largest value `grpc-timeout` may carry: the spec allows at most 8 digits. */
export const MAX_TIMEOUT_VALUE = 99_999_999;

const MS_PER_SECOND = 1_000;
const MS_PER_MINUTE = 60_000;
const MS_PER_HOUR = 3_600_000;

/**
 * Encodes a timeout for the `grpc-timeout` header: at most 8 digits and a unit (`H` hours,
 * `M` minutes, `S` seconds, `m` milliseconds, `u` microseconds, `n` nanoseconds). The finest unit
 * that fits is used and the value is rounded up, so the server's deadline is never earlier than
 * ours. Timeouts of 8 digits of hours or more are capped at `99999999H`.
 *
 * @param ms - the remaining time in milliseconds; 0 or less (or NaN) gives `0n`.
 * @returns the header value, e.g. `1500m`, `250u`, `100000S`.
 */
export function encodeTimeout(ms: number): string {
  if (!(ms > 0)) return '0n';
  if (ms <= MAX_TIMEOUT_VALUE && Number.isInteger(ms)) return `${ms}m`;
  if (ms * 1000 <= MAX_TIMEOUT_VALUE) return `${Math.ceil(ms * 1000)}u`;
  if (ms <= MAX_TIMEOUT_VALUE) return `${Math.ceil(ms)}m`;
  const seconds = Math.ceil(ms / MS_PER_SECOND);
  if (seconds <= MAX_TIMEOUT_VALUE) return `${seconds}S`;
  const minutes = Math.ceil(ms / MS_PER_MINUTE);
  if (minutes <= MAX_TIMEOUT_VALUE) return `${minutes}M`;
  return `${Math.min(Math.ceil(ms / MS_PER_HOUR), MAX_TIMEOUT_VALUE)}H`;
}

const TIMEOUT_UNIT_MS: Readonly<Record<string, number>> = {
  H: MS_PER_HOUR,
  M: MS_PER_MINUTE,
  S: MS_PER_SECOND,
  m: 1,
  u: 1e-3,
  n: 1e-6,
};

/**
 * Parses a `grpc-timeout` header value (1-8 digits and a unit).
 * @param value - e.g. `100m`.
 * @returns the timeout in milliseconds, or undefined when the value is malformed.
 */
export function parseTimeout(value: string): number | undefined {
  const match = /^([0-9]{1,8})([HMSmun])$/.exec(value);
  if (match === null) return undefined;
  return Number(match[1]) * TIMEOUT_UNIT_MS[match[2]!]!;
}

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x41 && code <= 0x46) return code - 0x37;
  if (code >= 0x61 && code <= 0x66) return code - 0x57;
  return -1;
}

/**
 * Decodes a `grpc-message` value: percent-encoded UTF-8 per the gRPC spec. Malformed escapes are
 * kept as they are (the spec asks clients to tolerate them). Characters that arrive unescaped are
 * taken as raw bytes (header bytes are decoded as Latin-1), so a server that sends raw
 * UTF-8 is decoded correctly too. Invalid UTF-8 becomes U+FFFD.
 *
 * @param value - the raw header value.
 * @returns the decoded message.
 */
export function decodeGrpcMessage(value: string): string {
  const length = value.length;
  let plain = true;
  for (let i = 0; i < length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x25 || c > 0x7e) {
      plain = false;
      break;
    }
  }
  if (plain) return value;
  const bytes = Buffer.allocUnsafe(length * 3);
  let n = 0;
  for (let i = 0; i < length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x25 && i + 2 < length) {
      const high = hexValue(value.charCodeAt(i + 1));
      const low = hexValue(value.charCodeAt(i + 2));
      if (high >= 0 && low >= 0) {
        bytes[n++] = high * 16 + low;
        i += 2;
        continue;
      }
    }
    if (c < 0x100) {
      bytes[n++] = c;
    } else {
      // Not from the HPACK decoder (it gives Latin-1), but keep any such string intact.
      const isPair = c >= 0xd800 && c <= 0xdbff && i + 1 < length;
      n += bytes.write(value.slice(i, isPair ? i + 2 : i + 1), n, 'utf8');
      if (isPair) i++;
    }
  }
  return bytes.toString('utf8', 0, n);
}

/**
 * Percent-encodes a message as a server puts it in `grpc-message`: bytes outside 0x20-0x7E and `%`
 * become `%XX` of their UTF-8 encoding.
 * @param message - any string.
 */
export function encodeGrpcMessage(message: string): string {
  let out = '';
  for (const byte of Buffer.from(message, 'utf8')) {
    out += byte >= 0x20 && byte <= 0x7e && byte !== 0x25 ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * Parses a `grpc-status` header value.
 * @param value - the header value (a repeated header may come as an array).
 * @returns the status code; UNKNOWN when the value is missing, repeated, or not a code 0-16.
 */
export function parseGrpcStatus(value: string | string[] | undefined): StatusCode {
  if (typeof value !== 'string') return Status.UNKNOWN;
  // One or two decimal digits, no sign, no spaces.
  const length = value.length;
  if (length === 0 || length > 2) return Status.UNKNOWN;
  let code = 0;
  for (let i = 0; i < length; i++) {
    const digit = value.charCodeAt(i) - 0x30;
    if (digit < 0 || digit > 9) return Status.UNKNOWN;
    code = code * 10 + digit;
  }
  return code <= Status.UNAUTHENTICATED ? (code as StatusCode) : Status.UNKNOWN;
}

/**
 * The gRPC code for a response that has no `grpc-status`, from its HTTP status, as the gRPC
 * HTTP/2 protocol document maps it: 400 INTERNAL, 401 UNAUTHENTICATED, 403 PERMISSION_DENIED,
 * 404 UNIMPLEMENTED, 429/502/503/504 UNAVAILABLE, anything else UNKNOWN.
 * @param httpStatus - the `:status` of the response.
 */
export function statusFromHttpStatus(httpStatus: number): StatusCode {
  switch (httpStatus) {
    case 400:
      return Status.INTERNAL;
    case 401:
      return Status.UNAUTHENTICATED;
    case 403:
      return Status.PERMISSION_DENIED;
    case 404:
      return Status.UNIMPLEMENTED;
    case 429:
    case 502:
    case 503:
    case 504:
      return Status.UNAVAILABLE;
    default:
      return Status.UNKNOWN;
  }
}

/** What an RST_STREAM error code means for a call. */
export interface RstStreamStatus {
  /** The gRPC status the call ends with. */
  readonly code: StatusCode;
  /** False only for REFUSED_STREAM: the server did no processing, the request may be retried anywhere. */
  readonly sent: boolean;
  /** The HTTP/2 error code's name, e.g. `REFUSED_STREAM`. */
  readonly name: string;
}

const HTTP2_ERROR_NAMES = [
  'NO_ERROR',
  'PROTOCOL_ERROR',
  'INTERNAL_ERROR',
  'FLOW_CONTROL_ERROR',
  'SETTINGS_TIMEOUT',
  'STREAM_CLOSED',
  'FRAME_SIZE_ERROR',
  'REFUSED_STREAM',
  'CANCEL',
  'COMPRESSION_ERROR',
  'CONNECT_ERROR',
  'ENHANCE_YOUR_CALM',
  'INADEQUATE_SECURITY',
  'HTTP_1_1_REQUIRED',
] as const;

/**
 * The name of an HTTP/2 error code (RST_STREAM, GOAWAY), e.g. `REFUSED_STREAM`, or `0x..` when unknown.
 * @param code - the HTTP/2 error code.
 */
export function http2ErrorName(code: number): string {
  return HTTP2_ERROR_NAMES[code] ?? `0x${code.toString(16)}`;
}

function rstStatus(code: number): RstStreamStatus {
  const name = http2ErrorName(code);
  switch (code) {
    case 7: // REFUSED_STREAM: "no processing occurred", safe to retry.
      return { code: Status.UNAVAILABLE, sent: false, name };
    case 8: // CANCEL
      return { code: Status.CANCELLED, sent: true, name };
    case 11: // ENHANCE_YOUR_CALM: the exhausted resource is bandwidth.
      return { code: Status.RESOURCE_EXHAUSTED, sent: true, name };
    case 12: // INADEQUATE_SECURITY
      return { code: Status.PERMISSION_DENIED, sent: true, name };
    default: // NO_ERROR before a status, PROTOCOL_ERROR, INTERNAL_ERROR, FLOW_CONTROL_ERROR, ...
      return { code: Status.INTERNAL, sent: true, name };
  }
}

const RST_STATUSES: readonly RstStreamStatus[] = HTTP2_ERROR_NAMES.map((_, code) => rstStatus(code));

/**
 * Maps the error code of an RST_STREAM that ended a call before it had a gRPC status, following
 * the gRPC HTTP/2 protocol document: REFUSED_STREAM → UNAVAILABLE (sent = false), CANCEL →
 * CANCELLED, ENHANCE_YOUR_CALM → RESOURCE_EXHAUSTED, INADEQUATE_SECURITY → PERMISSION_DENIED,
 * everything else (NO_ERROR included) → INTERNAL; sent = true for all but REFUSED_STREAM.
 * @param rstCode - the HTTP/2 error code of the RST_STREAM.
 */
export function statusFromRstCode(rstCode: number): RstStreamStatus {
  return RST_STATUSES[rstCode] ?? rstStatus(rstCode);
}

const STATUS_NAMES: readonly string[] = Object.keys(Status);

/**
 * The name of a gRPC status code: `statusName(14)` is `UNAVAILABLE`; a number outside 0-16 gives
 * `CODE_<n>`.
 * @param code - a gRPC status code.
 */
export function statusName(code: number): string {
  return STATUS_NAMES[code] ?? `CODE_${code}`;
}

/**
 * Response headers or trailers as metadata: lower-case names to values, without pseudo-headers
 * (`:status`) and without `grpc-status` / `grpc-message` (the call's status carries those).
 * Repeated headers are joined with `, `.
 * @param fields - a decoded header block, `[name, value, ...]`; undefined gives an empty object.
 */
export function metadataFromHeaders(fields: readonly string[] | undefined): Metadata {
  const metadata: Metadata = {};
  if (fields === undefined) return metadata;
  for (let i = 0; i < fields.length; i += 2) {
    const name = fields[i]!;
    if (name.charCodeAt(0) === 0x3a || name === 'grpc-status' || name === 'grpc-message') continue;
    const value = fields[i + 1]!;
    const previous = metadata[name];
    metadata[name] = previous === undefined ? value : `${previous}, ${value}`;
  }
  return metadata;
}
