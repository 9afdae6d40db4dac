/**
 * Plain HTTP/1.1 probes of an etcd member's client URL: `GET /health` and `GET /metrics`.
 *
 * etcd serves both on its client port next to gRPC. They need no gRPC client, so the launcher can
 * tell whether a member is ready, or is the leader, without any layer of etcd-ts above it.
 */
import { get } from 'node:http';

import { EtcdLaunchError } from '../errors/launcher.js';
import { Status } from '../transport/types.js';

/** Per-probe deadline used when the caller gives none, in ms. */
export const DEFAULT_PROBE_TIMEOUT_MS = 1_000;

/** Largest response body a probe reads, in bytes (`/metrics` of etcd 3.4 is about 100 KiB). */
export const MAX_PROBE_BODY_BYTES = 4 * 1024 * 1024;

/**
 * `GET url` over plain HTTP/1.1 on a fresh connection (no keep-alive).
 *
 * @param url an `http://` URL.
 * @param timeout deadline for the whole exchange, in ms.
 * @returns the status code and the body as UTF-8 text.
 * @throws Error on a connection error, a body over {@link MAX_PROBE_BODY_BYTES}, or when the
 *   deadline passes (`ETIMEDOUT` in the message).
 */
export function httpGetText(url: string, timeout: number = DEFAULT_PROBE_TIMEOUT_MS): Promise<{ status: number; body: string }> {
  return new Promise((resolveGet, reject) => {
    let settled = false;
    const finish = (error: Error | null, value?: { status: number; body: string }): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) {
        request.destroy();
        reject(error);
      } else {
        resolveGet(value!);
      }
    };
    const request = get(url, { agent: false, headers: { connection: 'close' } }, (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_PROBE_BODY_BYTES) {
          finish(new Error(`GET ${url}: body larger than ${MAX_PROBE_BODY_BYTES} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      response.on('end', () => finish(null, { status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', (error) => finish(error));
    });
    request.on('error', (error) => finish(error));
    const timer = setTimeout(() => finish(new Error(`GET ${url}: ETIMEDOUT after ${timeout} ms`)), timeout);
  });
}

/**
 * Whether the member at `clientUrl` reports itself healthy: `GET /health` answers
 * `{"health":"true"}`. In etcd 3.4 that means the member has a leader, no alarm is raised, and a
 * linearizable read went through, so a healthy member is part of a working cluster.
 *
 * @param clientUrl the member's client URL, e.g. `http://127.0.0.1:41234`.
 * @param timeout deadline in ms; default {@link DEFAULT_PROBE_TIMEOUT_MS}.
 * @returns `false` (never throws) on any error, deadline, other status or other body.
 */
export async function checkHealth(clientUrl: string, timeout: number = DEFAULT_PROBE_TIMEOUT_MS): Promise<boolean> {
  try {
    const { status, body } = await httpGetText(`${clientUrl}/health`, timeout);
    if (status !== 200) return false;
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === 'object' && parsed !== null && (parsed as { health?: unknown }).health === 'true';
  } catch {
    return false;
  }
}

/**
 * Whether the member at `clientUrl` is the raft leader, read from its Prometheus metrics
 * (`GET /metrics`, line `etcd_server_is_leader 1`).
 *
 * @param clientUrl the member's client URL.
 * @param timeout deadline in ms; default {@link DEFAULT_PROBE_TIMEOUT_MS}.
 * @throws EtcdLaunchError (UNAVAILABLE) when the member does not answer in time, answers with an
 *   HTTP error status, or lacks the metric; `cause` is the connection error when there is one.
 */
export async function readIsLeader(clientUrl: string, timeout: number = DEFAULT_PROBE_TIMEOUT_MS): Promise<boolean> {
  const url = `${clientUrl}/metrics`;
  let answer: { status: number; body: string };
  try {
    answer = await httpGetText(url, timeout);
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(`GET ${url}: `, '') : String(error);
    throw new EtcdLaunchError(`GET ${url}: ${reason}`, Status.UNAVAILABLE, { cause: error });
  }
  const { status, body } = answer;
  if (status !== 200) throw new EtcdLaunchError(`GET ${url}: HTTP ${status}`, Status.UNAVAILABLE);
  const match = /^etcd_server_is_leader\s+(\S+)\s*$/m.exec(body);
  if (match === null) throw new EtcdLaunchError(`GET ${url}: no etcd_server_is_leader metric`, Status.UNAVAILABLE);
  return Number(match[1]) === 1;
}
