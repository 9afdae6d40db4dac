/**
 * How `etcdts auth|user|role` print their responses, byte for byte as etcdctl 3.4 does
 * (etcdctl/ctlv3/command/printer_simple.go, printer_json.go, printer_fields.go):
 *
 * - `simple`: a sentence per change (`User alice created`, `Role r1 updated`, ...), name lists one
 *   per line, `role get` as `KV Read:` / `KV Write:` sections of keys and ranges;
 * - `json`: the response as Go marshals the protobuf struct (zero values left out, bytes base64);
 * - `fields`: `"Name" : value` lines; etcdctl has none for `user get` and `user list`;
 * - `protobuf`: the response message's wire encoding (see protobuf-printer.ts).
 *
 * etcdctl checks the output format at two moments, and so do we: an unknown name before anything
 * is sent (`unsupported output format`), a known format a command cannot print after the request
 * (`table not supported as output format`), so the change has been made by then.
 */
import { Buffer } from 'node:buffer';

import type {
  AuthResponse,
  AuthRoleGetResponse,
  AuthRoleListResponse,
  AuthStatusResponse,
  AuthUserGetResponse,
  AuthUserListResponse,
  Permission,
} from '../auth/auth.js';
import { prefixRangeEnd } from '../kv/range.js';
import { CliError, EXIT_BAD_FEATURE } from './exit.js';
import { goQuote } from './go-syntax.js';
import { fieldsHeader, jsonBytes, jsonFlag, jsonHeader, jsonList, jsonNumber, jsonObject, textLines } from './output-parts.js';
import { protobufAuthChange, protobufAuthStatus, protobufNames, protobufRoleGet } from './protobuf-printer.js';

/** Output formats etcdctl knows (`-w`); `etcdts` prints `simple`, `json` and `fields`. */
const KNOWN_FORMATS: readonly string[] = ['simple', 'json', 'fields', 'table', 'protobuf'];

/** The formats the auth printer writes. */
export type AuthFormat = 'simple' | 'json' | 'fields' | 'protobuf';

/**
 * Checks `-w` before a command sends anything: a name etcdctl does not know is refused with
 * etcdctl's `unsupported output format` (exit 4). Known formats pass; whether the command can
 * print them is decided after the request ({@link AuthPrinter}).
 */
export function checkFormatName(format: string): void {
  if (!KNOWN_FORMATS.includes(format)) throw new CliError(EXIT_BAD_FEATURE, 'unsupported output format');
}

/** The error etcdctl gives after the request for a known format the command has no printer for. */
function unsupported(format: string): CliError {
  return new CliError(EXIT_BAD_FEATURE, `${format} not supported as output format`);
}

const NUL = '\0';

function line(text: string | Buffer): Buffer {
  return Buffer.concat([typeof text === 'string' ? Buffer.from(text, 'utf8') : text, Buffer.from('\n')]);
}

// --- json (Go's encoding/json of the gogo-protobuf structs) -------------------------------------

function jsonStrings(items: readonly string[]): string | undefined {
  return jsonList(items.map((s) => JSON.stringify(s)));
}

/** Go's enum number of a permission type (READ = 0 is left out of JSON as a zero value). */
const PERM_TYPE_NUMBER: Readonly<Record<Permission['type'], number>> = { read: 0, write: 1, readwrite: 2 };
/** Go's enum name of a permission type (fields format). */
const PERM_TYPE_NAME: Readonly<Record<Permission['type'], string>> = { read: 'READ', write: 'WRITE', readwrite: 'READWRITE' };

function jsonPermission(p: Permission): string {
  return jsonObject([
    ['permType', jsonNumber(PERM_TYPE_NUMBER[p.type])],
    ['key', jsonBytes(p.key)],
    ['range_end', jsonBytes(p.rangeEnd)],
  ]);
}

// --- simple role get -----------------------------------------------------------------------------

/** One permission line of `role get`: a key, `[key, end)` (with `(prefix key)`), or `[key, <open ended>`. */
function simpleRange(p: Permission): Buffer {
  if (p.rangeEnd.length === 0) return Buffer.concat([Buffer.from('\t'), p.key, Buffer.from('\n')]);
  const parts: Buffer[] = [Buffer.from('\t['), p.key];
  if (p.rangeEnd.length === 1 && p.rangeEnd[0] === 0) parts.push(Buffer.from(', <open ended>'));
  else parts.push(Buffer.from(', '), p.rangeEnd, Buffer.from(')'));
  if (prefixRangeEnd(p.key).equals(p.rangeEnd)) parts.push(Buffer.from(' (prefix '), p.key, Buffer.from(')'));
  parts.push(Buffer.from('\n'));
  return Buffer.concat(parts);
}

function simpleRoleGet(role: string, r: AuthRoleGetResponse): Buffer {
  const out: Buffer[] = [line(`Role ${role}`), line('KV Read:')];
  for (const p of r.perm) if (p.type === 'read' || p.type === 'readwrite') out.push(simpleRange(p));
  out.push(line('KV Write:'));
  for (const p of r.perm) if (p.type === 'write' || p.type === 'readwrite') out.push(simpleRange(p));
  return Buffer.concat(out);
}

/**
 * The printer of the auth commands for one `-w` value. Every method returns the bytes to write,
 * or throws `CliError` (exit 4) when etcdctl has no printer of that kind for the command.
 */
export class AuthPrinter {
  /** @param format the `-w` value (already checked by {@link checkFormatName}) */
  constructor(readonly format: string) {}

  /** A response with only a header, after `simple`'s sentence. */
  #change(sentence: string, r: AuthResponse): Buffer {
    switch (this.format) {
      case 'simple':
        return line(sentence);
      case 'json':
        return line(jsonObject([['header', jsonHeader(r.header)]]));
      case 'fields':
        return textLines(fieldsHeader(r.header));
      case 'protobuf':
        return protobufAuthChange(r);
      default:
        throw unsupported(this.format);
    }
  }

  /** `auth status` (etcdctl 3.5's output; etcdctl 3.4 has no such command). */
  authStatus(r: AuthStatusResponse): Buffer {
    switch (this.format) {
      case 'simple':
        return Buffer.from(`Authentication Status: ${r.enabled}\nAuthRevision: ${r.authRevision}\n`, 'utf8');
      case 'json':
        return line(jsonObject([
          ['header', jsonHeader(r.header)],
          ['enabled', jsonFlag(r.enabled)],
          ['authRevision', jsonNumber(r.authRevision)],
        ]));
      case 'fields':
        return textLines([...fieldsHeader(r.header), `"Enabled" : ${r.enabled}`, `"AuthRevision" : ${r.authRevision}`]);
      case 'protobuf':
        return protobufAuthStatus(r);
      default:
        throw unsupported(this.format);
    }
  }

  userAdd(user: string, r: AuthResponse): Buffer {
    return this.#change(`User ${user} created`, r);
  }

  userDelete(user: string, r: AuthResponse): Buffer {
    return this.#change(`User ${user} deleted`, r);
  }

  userChangePassword(r: AuthResponse): Buffer {
    return this.#change('Password updated', r);
  }

  userGrantRole(user: string, role: string, r: AuthResponse): Buffer {
    return this.#change(`Role ${role} is granted to user ${user}`, r);
  }

  userRevokeRole(user: string, role: string, r: AuthResponse): Buffer {
    return this.#change(`Role ${role} is revoked from user ${user}`, r);
  }

  userGet(user: string, r: AuthUserGetResponse): Buffer {
    switch (this.format) {
      case 'simple':
        return Buffer.from(`User: ${user}\nRoles:${r.roles.map((role) => ` ${role}`).join('')}\n`, 'utf8');
      case 'json':
        return line(jsonObject([['header', jsonHeader(r.header)], ['roles', jsonStrings(r.roles)]]));
      case 'protobuf':
        return protobufNames(r, r.roles);
      default:
        throw unsupported(this.format);
    }
  }

  userList(r: AuthUserListResponse): Buffer {
    switch (this.format) {
      case 'simple':
        return Buffer.from(r.users.map((u) => `${u}\n`).join(''), 'utf8');
      case 'json':
        return line(jsonObject([['header', jsonHeader(r.header)], ['users', jsonStrings(r.users)]]));
      case 'protobuf':
        return protobufNames(r, r.users);
      default:
        throw unsupported(this.format);
    }
  }

  roleAdd(role: string, r: AuthResponse): Buffer {
    return this.#change(`Role ${role} created`, r);
  }

  roleDelete(role: string, r: AuthResponse): Buffer {
    return this.#change(`Role ${role} deleted`, r);
  }

  roleGrantPermission(role: string, r: AuthResponse): Buffer {
    return this.#change(`Role ${role} updated`, r);
  }

  /**
   * `role revoke-permission`: `key` is the argument as typed (etcdctl prints it, not the `"\0"` it
   * sends for an empty key); `rangeEnd` the range end sent (empty for a single key).
   */
  roleRevokePermission(role: string, key: string, rangeEnd: Uint8Array, r: AuthResponse): Buffer {
    if (this.format !== 'simple') return this.#change('', r);
    const end = Buffer.from(rangeEnd.buffer, rangeEnd.byteOffset, rangeEnd.byteLength);
    if (end.length === 0) return line(`Permission of key ${key} is revoked from role ${role}`);
    if (end.toString('latin1') === NUL) return line(`Permission of range [${key}, <open ended> is revoked from role ${role}`);
    return line(Buffer.concat([Buffer.from(`Permission of range [${key}, `), end, Buffer.from(`) is revoked from role ${role}`)]));
  }

  roleGet(role: string, r: AuthRoleGetResponse): Buffer {
    switch (this.format) {
      case 'simple':
        return simpleRoleGet(role, r);
      case 'json':
        return line(jsonObject([['header', jsonHeader(r.header)], ['perm', jsonList(r.perm.map(jsonPermission))]]));
      case 'fields': {
        const out = fieldsHeader(r.header);
        for (const p of r.perm) {
          out.push(`"PermType" :  ${PERM_TYPE_NAME[p.type]}`, `"Key" : ${goQuote(p.key)}`, `"RangeEnd" : ${goQuote(p.rangeEnd)}`);
        }
        return textLines(out);
      }
      case 'protobuf':
        return protobufRoleGet(r);
      default:
        throw unsupported(this.format);
    }
  }

  roleList(r: AuthRoleListResponse): Buffer {
    switch (this.format) {
      case 'simple':
        return Buffer.from(r.roles.map((role) => `${role}\n`).join(''), 'utf8');
      case 'json':
        return line(jsonObject([['header', jsonHeader(r.header)], ['roles', jsonStrings(r.roles)]]));
      case 'fields':
        return textLines([...fieldsHeader(r.header), `"Roles" :${r.roles.map((role) => ` ${goQuote(role)}`).join('')}`]);
      case 'protobuf':
        return protobufNames(r, r.roles);
      default:
        throw unsupported(this.format);
    }
  }
}
