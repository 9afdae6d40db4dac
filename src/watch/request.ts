/**
 * `client.watch(key, options)`: the checks of its arguments and the etcd `WatchCreateRequest` they
 * make. Everything here throws before anything is sent.
 */
import { checkCallOption, checkOptionsObject, toFlag, unknownOption } from '../internal/validation.js';
import { describe } from '../internal/describe-value.js';
import { toBytes, toCount } from '../internal/wire.js';
import { InvalidArgumentError } from '../errors/index.js';
import { WatchCreateRequest_FilterType } from '../proto/index.js';
import type { Init, WatchCreateRequest } from '../proto/index.js';
import { setKeyRange } from '../kv/range.js';
import type { Bytes } from '../types.js';
import { DEFAULT_WATCH_MAX_BUFFERED_BYTES } from './defaults.js';

/** etcd `WatchCreateRequest` as a plain object. */
export type WatchCreateRequestInit = Init<WatchCreateRequest>;

/** Names `client.watch` accepts in its options. */
export const WATCH_OPTION_NAMES: readonly string[] = [
  'prefix',
  'rangeEnd',
  'fromKey',
  'startRevision',
  'prevKv',
  'progressNotify',
  'noPut',
  'noDelete',
  'fragment',
  'maxBufferedBytes',
  'requireLeader',
  'signal',
];

/** A checked watch: the create request (without its start revision) and the client-side settings. */
export interface WatchPlan {
  /** The create request, without its start revision (each (re)creation adds the resume point). */
  request: WatchCreateRequestInit;
  /** First revision asked for; 0 = from the store's next revision. */
  startRevision: number;
  /** Bound of the watch's buffer, in bytes. */
  maxBufferedBytes: number;
  /** The caller's signal, if any. */
  signal: AbortSignal | undefined;
  /** The watch's own `requireLeader`, undefined when not given (the client's option applies). */
  requireLeader: boolean | undefined;
}

/** A non-negative safe integer option as a number; throws `InvalidArgumentError` naming `what`. */
function toRevision(value: unknown, what: string): number {
  return Number(toCount(value, what));
}

/**
 * Checks `key` and `options` of `client.watch` and builds the watch's create request (etcd
 * `WatchCreateRequest`). Throws `EmptyKeyError` for an empty key without `prefix` / `fromKey`, and
 * `InvalidArgumentError` naming any other problem: an unknown option, a wrong type, conflicting
 * range options, a `rangeEnd` not after `key`, `noPut` with `noDelete`, a bad `maxBufferedBytes`.
 */
export function watchPlan(key: Bytes, options: object | undefined): WatchPlan {
  const k = toBytes(key, 'key');
  const request: WatchCreateRequestInit = {};
  const plan: WatchPlan = {
    request,
    startRevision: 0,
    maxBufferedBytes: DEFAULT_WATCH_MAX_BUFFERED_BYTES,
    signal: undefined,
    requireLeader: undefined,
  };
  let prefix = false;
  let fromKey = false;
  let rangeEnd: Uint8Array | undefined;
  let noPut = false;
  let noDelete = false;
  if (options !== undefined) {
    checkOptionsObject(options, 'watch options');
    for (const name in options) {
      const value: unknown = (options as Record<string, unknown>)[name];
      if (value === undefined) continue;
      switch (name) {
        case 'prefix':
          prefix = toFlag(value, name);
          break;
        case 'fromKey':
          fromKey = toFlag(value, name);
          break;
        case 'rangeEnd':
          rangeEnd = toBytes(value as Bytes, name);
          break;
        case 'startRevision':
          plan.startRevision = toRevision(value, name);
          break;
        case 'prevKv':
          if (toFlag(value, name)) request.prevKv = true;
          break;
        case 'progressNotify':
          if (toFlag(value, name)) request.progressNotify = true;
          break;
        case 'fragment':
          if (toFlag(value, name)) request.fragment = true;
          break;
        case 'noPut':
          noPut = toFlag(value, name);
          break;
        case 'noDelete':
          noDelete = toFlag(value, name);
          break;
        case 'maxBufferedBytes':
          if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
            throw new InvalidArgumentError(`maxBufferedBytes must be a positive integer number of bytes, got ${describe(value)}`);
          }
          plan.maxBufferedBytes = value;
          break;
        case 'requireLeader':
          plan.requireLeader = toFlag(value, name);
          break;
        case 'signal':
          checkCallOption('signal', value);
          plan.signal = value as AbortSignal;
          break;
        default:
          throw unknownOption(name, 'watch', WATCH_OPTION_NAMES);
      }
    }
  }
  if (noPut && noDelete) {
    throw new InvalidArgumentError('watch: noPut and noDelete together would filter out every event');
  }
  if (noPut || noDelete) {
    request.filters = noPut ? [WatchCreateRequest_FilterType.NOPUT] : [WatchCreateRequest_FilterType.NODELETE];
  }
  setKeyRange(request, k, prefix, rangeEnd, fromKey, 'watch');
  const end = request.rangeEnd;
  if (end !== undefined && !(end.length === 1 && end[0] === 0) && Buffer.compare(request.key!, end) >= 0) {
    throw new InvalidArgumentError(`watch: rangeEnd must sort after key (an empty range watches nothing), got key ${describe(key)} and rangeEnd ${describe(options === undefined ? undefined : (options as { rangeEnd?: unknown }).rangeEnd)}`);
  }
  return plan;
}
