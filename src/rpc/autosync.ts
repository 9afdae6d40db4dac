/**
 * `autoSyncInterval`: keeps the client's endpoint list in step with the cluster's members. Every
 * interval it asks the cluster for its members (etcd `Cluster.MemberList`) and replaces the
 * endpoint list with the client URLs of the started, voting members (as Go's `Client.Sync`: members
 * with a name, not learners). A failed refresh is logged and leaves the list as it is.
 *
 * A client that uses TLS never moves to plaintext: an `http://` URL a member advertises is used as
 * `https://` to the same host and port, with a warning naming it (the Go client also keeps the TLS
 * credentials of its first endpoint for every endpoint it learns).
 */
import { Cluster } from '../proto/index.js';
import type { Member } from '../proto/index.js';
import type { Method } from '../proto/method-descriptor.js';
import type { Endpoint } from '../transport/types.js';
import type { CallOptions } from './types.js';
import type { Logger } from './logger.js';
import { AUTO_SYNC_TIMEOUT_MS } from './defaults.js';
import { startTimer, type TimerHandle } from '../internal/timers.js';

/** What the endpoint refresh needs of the rpc client. */
export interface SyncTarget {
  /** Makes one unary call (the rpc client's `unary`). */
  unary<Req, Res>(method: Method<Req, Res>, request: Req, options?: CallOptions): Promise<Res>;
  /** Replaces the endpoint list (throws InvalidArgumentError for a bad list). */
  setEndpoints(endpoints: readonly string[]): void;
  /** The endpoints in use (all TLS or all plain: the first one tells which). */
  readonly endpoints: readonly Endpoint[];
}

/**
 * The member URLs a client that uses TLS may move to: each `http://` URL as `https://` to the
 * same host and port (a warning names it), so the client never drops to plaintext; the others
 * unchanged.
 */
export function keepTls(urls: readonly string[], logger: Logger | undefined): string[] {
  return urls.map((url) => {
    if (!/^http:\/\//i.test(url)) return url;
    const secure = `https://${url.slice('http://'.length)}`;
    logger?.warn('etcd member advertises a plain http:// client URL; this TLS client keeps TLS to it', { url, used: secure });
    return secure;
  });
}

/**
 * The client URLs a member list should give the client: every client URL of each member that has
 * a name (it has started) and is not a learner (learners serve almost nothing), in member order,
 * without duplicates.
 */
export function memberClientUrls(members: readonly Member[]): string[] {
  const urls: string[] = [];
  for (const member of members) {
    if (member.name === '' || member.isLearner) continue;
    for (const url of member.clientURLs) if (!urls.includes(url)) urls.push(url);
  }
  return urls;
}

/**
 * Refreshes `target`'s endpoints from `Cluster.MemberList` once.
 *
 * @param options.timeout deadline of the MemberList call in ms; default {@link AUTO_SYNC_TIMEOUT_MS}
 * @param options.signal aborting rejects with its reason
 * @param logger receives a warning for each `http://` URL a TLS client keeps TLS to (see {@link keepTls})
 * @returns the new endpoint list, or undefined when the cluster named no usable client URL (the
 *   list is then left as it is)
 * @throws the MemberList call's typed error; InvalidArgumentError when the URLs cannot be used
 *   (e.g. they mix http and https)
 */
export async function syncEndpoints(target: SyncTarget, options: CallOptions = {}, logger?: Logger): Promise<string[] | undefined> {
  const response = await target.unary(Cluster.memberList, {}, { timeout: options.timeout ?? AUTO_SYNC_TIMEOUT_MS, signal: options.signal });
  let urls = memberClientUrls(response.members);
  if (urls.length === 0) return undefined;
  if (target.endpoints[0]?.tls === true) urls = keepTls(urls, logger);
  target.setEndpoints(urls);
  return urls;
}

/** The periodic refresh: started by the rpc client when `autoSyncInterval > 0`, stopped by `close()`. */
export class AutoSync {
  readonly #target: SyncTarget;
  readonly #interval: number;
  readonly #logger: Logger | undefined;
  readonly #stop = new AbortController();
  #timer: TimerHandle | undefined;

  /**
   * Schedules the first refresh `interval` ms from now. The timer does not keep the process alive.
   * @param interval milliseconds between refreshes, > 0
   */
  constructor(target: SyncTarget, interval: number, logger: Logger | undefined) {
    this.#target = target;
    this.#interval = interval;
    this.#logger = logger;
    this.#schedule();
  }

  /** Stops refreshing; a refresh in flight is abandoned. */
  stop(): void {
    this.#stop.abort();
    this.#timer?.cancel();
    this.#timer = undefined;
  }

  #schedule(): void {
    if (this.#stop.signal.aborted) return;
    this.#timer = startTimer(() => void this.#run(), this.#interval).unref();
  }

  async #run(): Promise<void> {
    this.#timer = undefined;
    try {
      const urls = await syncEndpoints(this.#target, { signal: this.#stop.signal }, this.#logger);
      this.#logger?.debug('etcd endpoints synced from the member list', { endpoints: urls ?? 'unchanged (no usable client URLs)' });
    } catch (error) {
      if (!this.#stop.signal.aborted) {
        this.#logger?.info('etcd endpoint auto-sync failed; keeping the current endpoints', {
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
    this.#schedule();
  }
}
