/**
 * Opening an HTTP/2 stream without node:http2's most expensive per-request step on Node 20.
 *
 * `ClientHttp2Session.request()` wraps its connect callback with `AsyncResource.prototype.bind`,
 * and on Node 20 `bind` decorates every bound function with a deprecated `asyncResource` accessor
 * built from two fresh `util.deprecate()` wrappers (DEP0172). Measured here: about 25 µs of CPU
 * per request on this VM, 10-12% of a small unary call's client CPU (docs/design/performance.md).
 *
 * {@link openStream} installs, for the duration of that one synchronous `request()` call only, a
 * `bind` that does the same thing without the deprecated accessor: the callback still runs in the
 * resource's async scope (`runInAsyncScope`), so async context (AsyncLocalStorage, async_hooks)
 * is unchanged. The original is restored in `finally` before `request()` returns or throws; no
 * user code runs in between (request() calls only node:http2 internals synchronously). Where
 * `bind` has no such accessor (other Node versions) `request()` is called as is.
 */
import { AsyncResource } from 'node:async_hooks';
import type { ClientHttp2Session, ClientHttp2Stream, OutgoingHttpHeaders } from 'node:http2';

type Bind = AsyncResource['bind'];

const originalBind: Bind = AsyncResource.prototype.bind;

/** `AsyncResource.prototype.bind` without the deprecated `asyncResource` property (exported for tests). @internal */
export function lightBind(this: AsyncResource, fn: (...args: unknown[]) => unknown, thisArg?: unknown): (...args: unknown[]) => unknown {
  const resource = this;
  if (thisArg === undefined) {
    return function bound(this: unknown, ...args: unknown[]): unknown {
      return resource.runInAsyncScope(fn, this, ...args);
    };
  }
  return (...args: unknown[]): unknown => resource.runInAsyncScope(fn, thisArg, ...args);
}

/** True when this Node's `bind` builds the costly deprecated accessor (checked once, at load). */
export const COSTLY_ASYNC_BIND: boolean = (() => {
  const bound = new AsyncResource('etcd-ts.probe').bind(() => undefined) as unknown as Record<string, unknown>;
  return Object.getOwnPropertyDescriptor(bound, 'asyncResource')?.get !== undefined;
})();

/**
 * `session.request(headers)`, minus the Node 20 `bind` cost (see the file comment).
 * @throws whatever `request()` throws (ERR_HTTP2_INVALID_SESSION, ERR_HTTP2_GOAWAY_SESSION, ...).
 */
export function openStream(session: ClientHttp2Session, headers: OutgoingHttpHeaders): ClientHttp2Stream {
  if (!COSTLY_ASYNC_BIND) return session.request(headers);
  const prototype = AsyncResource.prototype as { bind: Bind };
  prototype.bind = lightBind as Bind;
  try {
    return session.request(headers);
  } finally {
    prototype.bind = originalBind;
  }
}
