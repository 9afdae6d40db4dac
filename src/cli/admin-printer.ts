/**
 * How `etcdts` prints the results of `member`, `endpoint`, `alarm`, `move-leader` and
 * `snapshot status`, byte for byte as etcdctl 3.4 does (etcdctl/ctlv3/command/printer*.go):
 *
 * - `simple`: comma-separated rows (`member list`, `endpoint status|hashkv`), one sentence per
 *   change (`Member <id> added to cluster <id>`), `endpoint health` lines on stderr;
 * - `json`: Go's `encoding/json` of the response structs (zero values left out, IDs as numbers);
 * - `fields`: `"Name" : value` lines;
 * - `table`: tablewriter tables (src/cli/table.ts) for `member list`, `endpoint *` and `snapshot status`
 *   (those printers are async: table.ts and cli-table3 are loaded only for `-w table`);
 * - `protobuf`: the response message's wire encoding (member, alarm, move-leader; see protobuf-printer.ts).
 *
 * A format etcdctl does not print for a command fails with its message, `<format> not supported as
 * output format` (exit 4), after the request as in etcdctl. Where etcdctl 3.4 crashes (`member
 * promote -w json`, `alarm list -w fields`, a nil header), `etcdts` prints the data instead.
 */
import type { Member, MemberAddResponse } from '../cluster/cluster.js';
import type { AlarmMember, AlarmResponse, HashKVResponse, MoveLeaderResponse, StatusResponse } from '../maintenance/maintenance.js';
import type { SnapshotStatus } from '../snapshot-file/index.js';
import type { ResponseHeader } from '../types.js';
import { CliError, EXIT_BAD_FEATURE } from './exit.js';
import { goJsonString, goStringSlice, hex, hex16, humanizeBytes } from './go-format.js';
import { goQuote } from './go-syntax.js';
import { fieldsHeader, jsonFlag, jsonHeader, jsonList, jsonNumber, jsonObject } from './output-parts.js';
import { protobufAlarms, protobufMemberAdd, protobufMembers, protobufMoveLeader } from './protobuf-printer.js';

/** Output formats the administration commands know (`protobuf` is known but not printed). */
export type AdminFormat = 'simple' | 'json' | 'fields' | 'table' | 'protobuf';

const FORMATS: readonly string[] = ['simple', 'json', 'fields', 'table', 'protobuf'];

/** Wire values of etcd's `AlarmType`, as etcdctl's JSON prints them. */
const ALARM_NUMBERS: Readonly<Record<string, number>> = { NONE: 0, NOSPACE: 1, CORRUPT: 2 };

/**
 * The format named by `-w`, checked before the request as etcdctl does.
 * @throws CliError `unsupported output format` (exit 4) for a name etcdctl does not know
 */
export function adminFormat(name: string): AdminFormat {
  if (FORMATS.includes(name)) return name as AdminFormat;
  throw new CliError(EXIT_BAD_FEATURE, 'unsupported output format');
}

/** etcdctl's error for a format a command does not print (exit 4). */
export function unsupported(format: AdminFormat): CliError {
  return new CliError(EXIT_BAD_FEATURE, `${format} not supported as output format`);
}

/** A tablewriter table (table.ts; it and cli-table3 are loaded only for `-w table`). */
async function table(headers: readonly string[], rows: readonly (readonly string[])[]): Promise<string> {
  return (await import('./table.js')).renderTable(headers, rows);
}

// ------------------------------------------------------------------------------------------------
// Go JSON
// ------------------------------------------------------------------------------------------------

/** A string member as Go's JSON writes it, or undefined when empty (left out). */
const str = (s: string): string | undefined => (s === '' ? undefined : goJsonString(s));
/** A `[]string` member as Go's JSON writes it, or undefined when empty (left out). */
const strings = (items: readonly string[]): string | undefined => jsonList(items.map(goJsonString));

function jsonMember(m: Member): string {
  return jsonObject([
    ['ID', jsonNumber(m.id)],
    ['name', str(m.name)],
    ['peerURLs', strings(m.peerURLs)],
    ['clientURLs', strings(m.clientURLs)],
    ['isLearner', jsonFlag(m.isLearner)],
  ]);
}

function jsonStatus(s: StatusResponse): string {
  return jsonObject([
    ['header', jsonHeader(s.header)],
    ['version', str(s.version)],
    ['dbSize', jsonNumber(s.dbSize)],
    ['leader', jsonNumber(s.leader)],
    ['raftIndex', jsonNumber(s.raftIndex)],
    ['raftTerm', jsonNumber(s.raftTerm)],
    ['raftAppliedIndex', jsonNumber(s.raftAppliedIndex)],
    ['errors', strings(s.errors)],
    ['dbSizeInUse', jsonNumber(s.dbSizeInUse)],
    ['isLearner', jsonFlag(s.isLearner)],
  ]);
}

function jsonHashKV(h: HashKVResponse): string {
  return jsonObject([
    ['header', jsonHeader(h.header)],
    ['hash', jsonNumber(h.hash)],
    ['compact_revision', jsonNumber(h.compactRevision)],
    ['hash_revision', jsonNumber(h.hashRevision)],
  ]);
}

function jsonAlarm(a: AlarmMember): string {
  const n = ALARM_NUMBERS[a.alarm] ?? Number(a.alarm.replace('UNKNOWN_', ''));
  return jsonObject([['memberID', jsonNumber(a.memberId)], ['alarm', jsonNumber(n)]]);
}

// ------------------------------------------------------------------------------------------------
// fields
// ------------------------------------------------------------------------------------------------

function lines(out: string[]): string {
  return out.map((l) => `${l}\n`).join('');
}

// ------------------------------------------------------------------------------------------------
// member
// ------------------------------------------------------------------------------------------------

const MEMBER_HEADERS = ['ID', 'Status', 'Name', 'Peer Addrs', 'Client Addrs', 'Is Learner'];

function memberRows(members: readonly Member[]): string[][] {
  return members.map((m) => [
    hex(m.id),
    m.name === '' ? 'unstarted' : 'started',
    m.name,
    m.peerURLs.join(','),
    m.clientURLs.join(','),
    String(m.isLearner),
  ]);
}

/** `member list` output. */
export async function printMemberList(format: AdminFormat, r: { header: ResponseHeader; members: Member[] }): Promise<string | Buffer> {
  switch (format) {
    case 'protobuf':
      return protobufMembers(r);
    case 'simple':
      return memberRows(r.members).map((row) => `${row.join(', ')}\n`).join('');
    case 'json':
      return `${jsonObject([['header', jsonHeader(r.header)], ['members', jsonList(r.members.map(jsonMember))]])}\n`;
    case 'fields': {
      const out: string[] = [];
      out.push(...fieldsHeader(r.header));
      for (const m of r.members) {
        out.push(`"ID" : ${m.id}`, `"Name" : ${goQuote(m.name)}`);
        for (const u of m.peerURLs) out.push(`"PeerURL" : ${goQuote(u)}`);
        for (const u of m.clientURLs) out.push(`"ClientURL" : ${goQuote(u)}`);
        out.push(`"IsLearner" : ${m.isLearner}`, '');
      }
      return lines(out);
    }
    case 'table':
      return await table(MEMBER_HEADERS, memberRows(r.members));
    default:
      throw unsupported(format);
  }
}

/**
 * `member add` output; `simple` adds the settings to start the new member with, as etcdctl:
 * `ETCD_NAME`, `ETCD_INITIAL_CLUSTER`, `ETCD_INITIAL_ADVERTISE_PEER_URLS`, `ETCD_INITIAL_CLUSTER_STATE`.
 *
 * @param name the new member's name (the command's argument)
 * @param peerUrls the `--peer-urls` flag as given
 */
export function printMemberAdd(format: AdminFormat, r: MemberAddResponse, name: string, peerUrls: string): string | Buffer {
  switch (format) {
    case 'protobuf':
      return protobufMemberAdd(r);
    case 'simple': {
      const conf: string[] = [];
      for (const m of r.members) for (const u of m.peerURLs) conf.push(`${m.id === r.member.id ? name : m.name}=${u}`);
      return (
        `Member ${hex16(r.member.id)} added to cluster ${hex16(r.header.clusterId)}\n` +
        '\n' +
        `ETCD_NAME=${goQuote(name)}\n` +
        `ETCD_INITIAL_CLUSTER=${goQuote(conf.join(','))}\n` +
        `ETCD_INITIAL_ADVERTISE_PEER_URLS=${goQuote(peerUrls)}\n` +
        'ETCD_INITIAL_CLUSTER_STATE="existing"\n'
      );
    }
    case 'json':
      return `${jsonObject([
        ['header', jsonHeader(r.header)],
        ['member', jsonMember(r.member)],
        ['members', jsonList(r.members.map(jsonMember))],
      ])}\n`;
    default:
      throw unsupported(format);
  }
}

/** `member remove|update|promote` output: `Member <id> <verb> cluster <id>` or the JSON response. */
export function printMemberChange(
  format: AdminFormat,
  verb: 'removed from' | 'updated in' | 'promoted in',
  id: bigint,
  r: { header: ResponseHeader; members: Member[] },
): string | Buffer {
  switch (format) {
    case 'protobuf':
      return protobufMembers(r);
    case 'simple':
      return `Member ${hex16(id)} ${verb} cluster ${hex16(r.header.clusterId)}\n`;
    case 'json':
      return `${jsonObject([['header', jsonHeader(r.header)], ['members', jsonList(r.members.map(jsonMember))]])}\n`;
    default:
      throw unsupported(format);
  }
}

// ------------------------------------------------------------------------------------------------
// endpoint
// ------------------------------------------------------------------------------------------------

/** The health of one endpoint (etcdctl's `epHealth`). */
export interface EndpointHealth {
  endpoint: string;
  health: boolean;
  /** Go duration text of the check (`1.2ms`); empty when the client could not be made. */
  took: string;
  /** The error text; empty when healthy. */
  error: string;
}

/** Output of `endpoint health`: `simple` writes to stderr, as etcdctl. */
export async function printEndpointHealth(format: AdminFormat, list: readonly EndpointHealth[]): Promise<{ stdout: string; stderr: string }> {
  switch (format) {
    case 'simple':
      return {
        stdout: '',
        stderr: list
          .map((h) => (h.error === ''
            ? `${h.endpoint} is healthy: successfully committed proposal: took = ${h.took}\n`
            : `${h.endpoint} is unhealthy: failed to commit proposal: ${h.error}\n`))
          .join(''),
      };
    case 'json': {
      const items = list.map((h) => jsonObject([
        ['endpoint', goJsonString(h.endpoint)],
        ['health', String(h.health)],
        ['took', goJsonString(h.took)],
        ['error', str(h.error)],
      ]));
      return { stdout: `[${items.join(',')}]\n`, stderr: '' };
    }
    case 'fields':
      return {
        stdout: lines(list.flatMap((h) => [`"Endpoint" : ${goQuote(h.endpoint)}`, `"Health" : ${h.health}`, `"Took" : ${h.took}`, `"Error" : ${h.error}`, ''])),
        stderr: '',
      };
    case 'table':
      return { stdout: await table(['endpoint', 'health', 'took', 'error'], list.map((h) => [h.endpoint, String(h.health), h.took, h.error])), stderr: '' };
    default:
      throw unsupported(format);
  }
}

const STATUS_HEADERS = ['endpoint', 'ID', 'version', 'db size', 'is leader', 'is learner', 'raft term', 'raft index', 'raft applied index', 'errors'];

/** Output of `endpoint status`: one entry per endpoint that answered. */
export async function printEndpointStatus(format: AdminFormat, list: ReadonlyArray<{ endpoint: string; status: StatusResponse }>): Promise<string> {
  const rows = (): string[][] => list.map(({ endpoint, status: s }) => [
    endpoint,
    hex(s.header.memberId),
    s.version,
    humanizeBytes(s.dbSize),
    String(s.leader === s.header.memberId),
    String(s.isLearner),
    String(s.raftTerm),
    String(s.raftIndex),
    String(s.raftAppliedIndex),
    s.errors.join(', '),
  ]);
  switch (format) {
    case 'simple':
      return rows().map((row) => `${row.join(', ')}\n`).join('');
    case 'json':
      return `[${list.map(({ endpoint, status }) => jsonObject([['Endpoint', goJsonString(endpoint)], ['Status', jsonStatus(status)]])).join(',')}]\n`;
    case 'fields': {
      const out: string[] = [];
      for (const { endpoint, status: s } of list) {
        out.push(...fieldsHeader(s.header));
        out.push(
          `"Version" : ${goQuote(s.version)}`,
          `"DBSize" : ${s.dbSize}`,
          `"Leader" : ${s.leader}`,
          `"IsLearner" : ${s.isLearner}`,
          `"RaftIndex" : ${s.raftIndex}`,
          `"RaftTerm" : ${s.raftTerm}`,
          `"RaftAppliedIndex" : ${s.raftAppliedIndex}`,
          `"Errors" : ${goStringSlice(s.errors)}`,
          `"Endpoint" : ${goQuote(endpoint)}`,
          '',
        );
      }
      return lines(out);
    }
    case 'table':
      return await table(STATUS_HEADERS, rows());
    default:
      throw unsupported(format);
  }
}

/** Output of `endpoint hashkv`: one entry per endpoint that answered. */
export async function printEndpointHashKV(format: AdminFormat, list: ReadonlyArray<{ endpoint: string; hashKV: HashKVResponse }>): Promise<string> {
  switch (format) {
    case 'simple':
      return list.map(({ endpoint, hashKV }) => `${endpoint}, ${hashKV.hash}\n`).join('');
    case 'json':
      return `[${list.map(({ endpoint, hashKV }) => jsonObject([['Endpoint', goJsonString(endpoint)], ['HashKV', jsonHashKV(hashKV)]])).join(',')}]\n`;
    case 'fields': {
      const out: string[] = [];
      for (const { endpoint, hashKV } of list) {
        out.push(...fieldsHeader(hashKV.header));
        out.push(`"Endpoint" : ${goQuote(endpoint)}`, `"Hash" : ${hashKV.hash}`, '');
      }
      return lines(out);
    }
    case 'table':
      return await table(['endpoint', 'hash'], list.map(({ endpoint, hashKV }) => [endpoint, String(hashKV.hash)]));
    default:
      throw unsupported(format);
  }
}

// ------------------------------------------------------------------------------------------------
// alarm, move-leader
// ------------------------------------------------------------------------------------------------

/** Go's compact text of an `AlarmMember` (`memberID:123 alarm:NOSPACE `): zero fields left out. */
function alarmText(a: AlarmMember): string {
  let out = '';
  if (a.memberId !== 0n) out += `memberID:${a.memberId} `;
  if (a.alarm !== 'NONE') out += `alarm:${a.alarm.startsWith('UNKNOWN_') ? a.alarm.slice('UNKNOWN_'.length) : a.alarm} `;
  return out;
}

/** Output of `alarm list` and `alarm disarm`. */
export function printAlarms(format: AdminFormat, r: AlarmResponse): string | Buffer {
  switch (format) {
    case 'protobuf':
      return protobufAlarms(r);
    case 'simple':
      return r.alarms.map((a) => `${alarmText(a)}\n`).join('');
    case 'json':
      return `${jsonObject([['header', jsonHeader(r.header)], ['alarms', jsonList(r.alarms.map(jsonAlarm))]])}\n`;
    case 'fields': {
      const out: string[] = [];
      out.push(...fieldsHeader(r.header));
      for (const a of r.alarms) out.push(`"MemberID" : ${a.memberId}`, `"AlarmType" : ${a.alarm}`, '');
      return lines(out);
    }
    default:
      throw unsupported(format);
  }
}

/** Output of `move-leader`. */
export function printMoveLeader(format: AdminFormat, leader: bigint, target: bigint, r: MoveLeaderResponse): string | Buffer {
  switch (format) {
    case 'protobuf':
      return protobufMoveLeader(r);
    case 'simple':
      return `Leadership transferred from ${hex(leader)} to ${hex(target)}\n`;
    case 'json':
      return `${jsonObject([['header', jsonHeader(r.header)]])}\n`;
    default:
      throw unsupported(format);
  }
}

/** `snapshot status` output in `format`, as etcdctl's DBStatus printers. */
export async function printSnapshotStatus(format: AdminFormat, st: SnapshotStatus): Promise<string> {
  const row = [st.hash.toString(16), String(st.revision), String(st.totalKey), humanizeBytes(st.totalSize)];
  switch (format) {
    case 'simple':
      return `${row.join(', ')}\n`;
    case 'json':
      return `{"hash":${st.hash},"revision":${st.revision},"totalKey":${st.totalKey},"totalSize":${st.totalSize}}\n`;
    case 'fields':
      return `"Hash" : ${st.hash}\n"Revision" : ${st.revision}\n"Keys" : ${st.totalKey}\n"Size" : ${st.totalSize}\n`;
    case 'table':
      return await table(['hash', 'revision', 'total keys', 'total size'], [row]);
    case 'protobuf':
      throw unsupported(format);
  }
}
