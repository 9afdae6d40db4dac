/**
 * The running part of `etcdts make-mirror` (make-mirror.ts registers it and checks its flags): the
 * destination client, the mirroring (the `Syncer` of the source, one destination txn per source
 * revision) and the counts printed.
 */
import { Client, type ClientOptions } from '../client.js';
import { Syncer } from '../mirror/mirror.js';
import { op, type Op } from '../kv/op.js';
import { CliError, EXIT_BAD_CONNECTION } from './exit.js';
import { keepAliveClientOptions, normalizeEndpoint } from './global.js';
import { DEFAULT_PROGRESS_INTERVAL_MS, type MakeMirrorFlags } from './make-mirror.js';
import { securityClientOptions, wantsTls, type SecurityOptions } from './security.js';
import type { CliSession } from './session.js';

/**
 * The destination client's options: its one endpoint, the dial timeout and keep-alive flags, the
 * `--dest-*` TLS settings and `--dest-user`/`--dest-password` (asking `Destination Password: `
 * when `--dest-user` has no password, as etcdctl 3.5).
 */
function destinationOptions(session: CliSession, destination: string, flags: MakeMirrorFlags): ClientOptions {
  const security: SecurityOptions = {};
  if (flags.destUser !== undefined) security.user = flags.destUser;
  if (flags.destPassword !== undefined) security.password = flags.destPassword;
  if (flags.destCacert !== undefined) security.cacert = flags.destCacert;
  if (flags.destCert !== undefined) security.cert = flags.destCert;
  if (flags.destKey !== undefined) security.key = flags.destKey;
  if (flags.destInsecureTransport === false) security.insecureTransport = false;
  const endpoint = normalizeEndpoint(destination, wantsTls(security) ? 'https' : 'http');
  const dial = session.options.dialTimeoutMs;
  const base: ClientOptions = dial > 0 ? { endpoints: [endpoint], dialTimeout: Math.max(1, Math.ceil(dial)) } : { endpoints: [endpoint] };
  return { ...base, ...keepAliveClientOptions(session.options), ...securityClientOptions(security, 'Destination Password: ') };
}

/** The key at the destination: the source prefix replaced by the destination's (etcdctl's `modifyPrefix`). */
function destinationKey(key: Buffer, prefixLength: number, destPrefix: Buffer): Buffer {
  return Buffer.concat([destPrefix, key.subarray(prefixLength)]);
}

/**
 * Mirrors `source` under `prefix` to `destination` under `destPrefix` until the watch ends (never,
 * unless it fails): the base state page by page, then the changes, one destination txn per source
 * revision. `onCount` is called with each copied key or change.
 */
export async function mirror(source: Client, destination: Client, prefix: Buffer, destPrefix: Buffer, onCount: () => void): Promise<void> {
  const syncer = new Syncer(source, prefix);
  for await (const page of syncer.syncBase()) {
    for (const kv of page.kvs) {
      await destination.put(destinationKey(kv.key, prefix.length, destPrefix), kv.value);
      onCount();
    }
  }
  for await (const response of syncer.syncUpdates()) {
    let ops: Op[] = [];
    let lastRevision = 0;
    for (const event of response.events) {
      const revision = event.kv.modRevision;
      if (lastRevision !== 0 && revision > lastRevision) {
        await destination.txn().then(...ops).commit();
        ops = [];
      }
      lastRevision = revision;
      const key = destinationKey(event.kv.key, prefix.length, destPrefix);
      ops.push(event.type === 'put' ? op.put(key, event.kv.value) : op.delete(key));
      onCount();
    }
    if (ops.length > 0) await destination.txn().then(...ops).commit();
  }
}

/**
 * Mirrors the session's cluster under `prefix` to `destinationArg` under `destPrefix` until
 * interrupted, printing the count every `--progress-interval`. Throws `CliError` (exit 2) when the
 * destination client cannot be made from the flags.
 */
export async function runMirror(session: CliSession, destinationArg: string, flags: MakeMirrorFlags, prefix: Buffer, destPrefix: Buffer): Promise<void> {
  let destination: Client;
  try {
    destination = new Client(destinationOptions(session, destinationArg, flags));
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(EXIT_BAD_CONNECTION, err instanceof Error ? err.message : String(err));
  }
  let total = 0;
  const interval = flags.progressInterval ?? DEFAULT_PROGRESS_INTERVAL_MS;
  const timer = setInterval(() => session.write(`${total}\n`), Math.max(1, interval));
  try {
    await mirror(session.client(), destination, prefix, destPrefix, () => {
      total++;
    });
  } finally {
    clearInterval(timer);
    await destination.close().catch(() => undefined);
  }
}
