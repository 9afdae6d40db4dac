/**
 * The HPACK static table (RFC 7541 Appendix A): indexes 1-61, as [name, value] pairs.
 */

/** Entries 1-61 of the static table; `STATIC_TABLE[0]` is index 1. */
export const STATIC_TABLE: ReadonlyArray<readonly [name: string, value: string]> = [
  [':authority', ''],
  [':method', 'GET'],
  [':method', 'POST'],
  [':path', '/'],
  [':path', '/index.html'],
  [':scheme', 'http'],
  [':scheme', 'https'],
  [':status', '200'],
  [':status', '204'],
  [':status', '206'],
  [':status', '304'],
  [':status', '400'],
  [':status', '404'],
  [':status', '500'],
  ['accept-charset', ''],
  ['accept-encoding', 'gzip, deflate'],
  ['accept-language', ''],
  ['accept-ranges', ''],
  ['accept', ''],
  ['access-control-allow-origin', ''],
  ['age', ''],
  ['allow', ''],
  ['authorization', ''],
  ['cache-control', ''],
  ['content-disposition', ''],
  ['content-encoding', ''],
  ['content-language', ''],
  ['content-length', ''],
  ['content-location', ''],
  ['content-range', ''],
  ['content-type', ''],
  ['cookie', ''],
  ['date', ''],
  ['etag', ''],
  ['expect', ''],
  ['expires', ''],
  ['from', ''],
  ['host', ''],
  ['if-match', ''],
  ['if-modified-since', ''],
  ['if-none-match', ''],
  ['if-range', ''],
  ['if-unmodified-since', ''],
  ['last-modified', ''],
  ['link', ''],
  ['location', ''],
  ['max-forwards', ''],
  ['proxy-authenticate', ''],
  ['proxy-authorization', ''],
  ['range', ''],
  ['referer', ''],
  ['refresh', ''],
  ['retry-after', ''],
  ['server', ''],
  ['set-cookie', ''],
  ['strict-transport-security', ''],
  ['transfer-encoding', ''],
  ['user-agent', ''],
  ['vary', ''],
  ['via', ''],
  ['www-authenticate', ''],
];

/** Number of static entries (61); dynamic table indexes start after it. */
export const STATIC_TABLE_LENGTH = STATIC_TABLE.length;

/** Static index of the first entry named `name` (1-61), for literals with an indexed name. */
export function staticNameIndex(name: string): number {
  for (let i = 0; i < STATIC_TABLE_LENGTH; i++) if (STATIC_TABLE[i]![0] === name) return i + 1;
  return 0;
}

/** Static index of the entry `name: value` exactly, or 0. */
export function staticFieldIndex(name: string, value: string): number {
  for (let i = 0; i < STATIC_TABLE_LENGTH; i++) {
    const entry = STATIC_TABLE[i]!;
    if (entry[0] === name && entry[1] === value) return i + 1;
  }
  return 0;
}
