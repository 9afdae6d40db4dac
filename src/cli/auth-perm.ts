/**
 * The arguments of `role grant-permission` and `role revoke-permission` (auth-role.ts), as
 * etcdctl reads them: the permission type, and the key range from `<key> [endkey]` and the flags.
 */
import { Buffer } from 'node:buffer';

import type { PermissionType } from '../auth/auth.js';
import { prefixRangeEnd } from '../kv/range.js';
import { CliError, EXIT_BAD_ARGS } from './exit.js';

/** `--prefix` / `--from-key` of the permission commands. */
export interface PermFlags {
  prefix?: boolean;
  fromKey?: boolean;
}

const NUL = Buffer.from([0]);

/**
 * The key and range end etcdctl sends for `<key> [endkey]` and the flags (its `permRange`).
 * Throws `CliError` (exit 128) with etcdctl's texts for conflicting flags and arguments.
 */
export function permRange(args: readonly string[], flags: PermFlags): { key: Buffer; rangeEnd: Buffer } {
  const prefix = flags.prefix === true;
  const fromKey = flags.fromKey === true;
  const key = args[0]!;
  const exclusive = (): CliError => new CliError(EXIT_BAD_ARGS, '--from-key and --prefix flags are mutually exclusive');
  if (key === '') {
    if (prefix && fromKey) throw exclusive();
    // An empty prefix or from-key covers every key: ["\0", "\0"); without a flag, the key "\0".
    return { key: NUL, rangeEnd: prefix || fromKey ? NUL : Buffer.alloc(0) };
  }
  const keyBytes = Buffer.from(key, 'utf8');
  if (args.length === 1) {
    if (prefix && fromKey) throw exclusive();
    if (prefix) return { key: keyBytes, rangeEnd: prefixRangeEnd(keyBytes) };
    return { key: keyBytes, rangeEnd: fromKey ? NUL : Buffer.alloc(0) };
  }
  if (prefix) throw new CliError(EXIT_BAD_ARGS, 'unexpected endkey argument with --prefix flag');
  if (fromKey) throw new CliError(EXIT_BAD_ARGS, 'unexpected endkey argument with --from-key flag');
  return { key: keyBytes, rangeEnd: Buffer.from(args[1]!, 'utf8') };
}

/** etcdctl's `StrToPermissionType`: READ, WRITE, READWRITE in any case. */
export function permissionType(text: string): PermissionType {
  switch (text.toUpperCase()) {
    case 'READ':
      return 'read';
    case 'WRITE':
      return 'write';
    case 'READWRITE':
      return 'readwrite';
    default:
      throw new CliError(EXIT_BAD_ARGS, `invalid permission type: ${text}`);
  }
}
