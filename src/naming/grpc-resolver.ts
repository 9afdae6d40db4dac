/**
 * A name resolver for @grpc/grpc-js (Go's `clientv3/naming/resolver`): a channel to
 * `etcd:///<target>` connects to the endpoints registered under `<target>/` (by an
 * {@link EndpointManager} here or in Go) and follows them as they change.
 *
 * grpc-js keeps one resolver class per URI scheme, process-wide; {@link registerGrpcResolver}
 * registers one bound to a client. Each channel then makes its own resolver: one
 * `EndpointManager.watch()` (a range read, then a watch on the client's shared stream), reported
 * to grpc-js as the list of addresses after every change. @grpc/grpc-js is an optional peer
 * dependency: nothing here loads it until `registerGrpcResolver` is called.
 */
import { describe } from '../internal/describe-value.js';
import { ClientClosedError, InvalidArgumentError } from '../errors/index.js';
import { startTimer, type TimerHandle } from '../internal/timers.js';
import { loadOptionalModule } from '../rpc/optional-module.js';
import type { Endpoint } from './endpoint-value.js';
import { checkNamingClient, EndpointManager, type EndpointWatch, type NamingClient } from './endpoints.js';
import { grpcAddress, type GrpcTcpAddress } from './grpc-address.js';

/** The URI scheme the resolver registers by default: channels to `etcd:///<target>`, as Go's. */
export const DEFAULT_RESOLVER_SCHEME = 'etcd';
/** Wait before a resolver whose watch failed (other than by a closed client) starts again, in ms. */
export const RESOLVER_RESTART_DELAY_MS = 1_000;

/** gRPC's status code UNAVAILABLE, which a failed resolution reports. */
const UNAVAILABLE = 14;
const RESOLVER_OPTIONS: readonly string[] = ['scheme', 'grpc'];

/**
 * The part of the `@grpc/grpc-js` module the resolver uses (`import * as grpc from
 * '@grpc/grpc-js'` fits it). The resolver class parameter is typed `never` so that every
 * grpc-js version's own types fit.
 */
export interface GrpcJsModule {
  /** grpc-js's `experimental` namespace, which has `registerResolver(scheme, resolverClass)`. */
  experimental: { registerResolver(scheme: string, resolverClass: never): void };
  /** grpc-js's `Metadata` class (a failed resolution carries an empty one). */
  Metadata: new () => unknown;
}

/** Options of {@link registerGrpcResolver}. */
export interface GrpcResolverOptions {
  /**
   * The URI scheme to register: channels to `<scheme>:///<target>` use this resolver. Default
   * {@link DEFAULT_RESOLVER_SCHEME} (`etcd`). grpc-js keeps one resolver per scheme: register a
   * scheme of its own for each client that resolves.
   */
  scheme?: string;
  /**
   * The @grpc/grpc-js module to register with. Default: `require('@grpc/grpc-js')` from where
   * etcd-ts is installed (an `InvalidArgumentError` tells you to install it when it is missing).
   * Pass yours when your application may load another copy than etcd-ts would find.
   */
  grpc?: GrpcJsModule;
}

/** The target URI grpc-js hands a resolver (its `GrpcUri`). */
interface GrpcUri {
  scheme?: string;
  authority?: string;
  path: string;
}

/** A gRPC status as grpc-js's resolver listener takes it (its `StatusObject`). */
interface ResolutionError {
  code: number;
  details: string;
  metadata: unknown;
}

/** grpc-js's resolution result: a list of endpoints (each a list of addresses) or an error. */
type Resolution = { ok: true; value: Array<{ addresses: GrpcTcpAddress[] }> } | { ok: false; error: ResolutionError };

/**
 * grpc-js's resolver listener: a function since grpc-js 1.14, an object with
 * `onSuccessfulResolution` / `onError` before.
 */
type ResolverListener =
  | ((result: Resolution, attributes: Record<string, unknown>, serviceConfig: null, resolutionNote: string) => boolean)
  | {
      onSuccessfulResolution(endpoints: Array<{ addresses: GrpcTcpAddress[] }>, serviceConfig: null, serviceConfigError: null, configSelector: null, attributes: Record<string, unknown>): void;
      onError(error: ResolutionError): void;
    };

/** The service name of a target URI: its path without leading slashes (`etcd:///my-service` -> `my-service`). */
function serviceName(target: GrpcUri): string {
  const name = typeof target.path === 'string' ? target.path.replace(/^\/+/, '') : '';
  if (name === '') {
    throw new InvalidArgumentError(`etcd resolver: the target names no service; use ${target.scheme ?? DEFAULT_RESOLVER_SCHEME}:///<target>`);
  }
  return name;
}

/**
 * Makes channels of @grpc/grpc-js resolve `etcd:///<target>` (or `<scheme>:///<target>`) from
 * the endpoints registered under `<target>/` in etcd through `client` (Go's
 * `resolver.NewBuilder(client)` with `grpc.WithResolvers`). A channel connects to their `addr`s
 * (`host:port`; others are left out) and follows every change: registrations, deletions,
 * expired leases. grpc-js's load-balancing policy applies: `pick_first` (the default) moves to
 * another address when its own is no longer listed; `round_robin` (`{ 'grpc.service_config':
 * JSON.stringify({ loadBalancingConfig: [{ round_robin: {} }] }) }`) spreads calls over every
 * listed endpoint. While no endpoint is registered the resolution fails (UNAVAILABLE, `no
 * endpoint registered under '<target>/' in etcd`), as gRPC's policies take an empty list in Go
 * too: a channel without a connection fails its calls at once (with `waitForReady` they wait),
 * one with connections keeps them.
 *
 * ```ts
 * import * as grpc from '@grpc/grpc-js';
 * import { registerGrpcResolver } from 'etcd-ts/naming';
 *
 * registerGrpcResolver(client, { grpc });
 * const channel = new grpc.Client('etcd:///my-service', grpc.credentials.createInsecure());
 * ```
 *
 * Each channel reads the endpoints (etcd `KV.Range`, serializable) and watches them (etcd
 * `Watch.Watch`, on the client's shared stream). A watch that fails is reported to grpc-js
 * (UNAVAILABLE; a channel keeps the addresses it has) and started again after
 * {@link RESOLVER_RESTART_DELAY_MS}; once the client is closed, a channel's resolution fails
 * with its `ClientClosedError` text.
 *
 * @param client a `Client` (or a namespace view of one) to read the endpoints with
 * @param options `scheme` (default `etcd`), `grpc` (default: the installed @grpc/grpc-js)
 * @throws InvalidArgumentError for bad options, for a `grpc` that is not a grpc-js module, and
 *   when @grpc/grpc-js is not installed (naming the package)
 */
export function registerGrpcResolver(client: NamingClient, options?: GrpcResolverOptions): void {
  if (options !== undefined && (typeof options !== 'object' || options === null || Array.isArray(options))) {
    throw new InvalidArgumentError(`registerGrpcResolver: options must be an object, got ${describe(options)}`);
  }
  for (const name of Object.keys(options ?? {})) {
    if (!RESOLVER_OPTIONS.includes(name)) throw new InvalidArgumentError(`unknown option '${name}' for registerGrpcResolver; known options: ${RESOLVER_OPTIONS.join(', ')}`);
  }
  const scheme = options?.scheme ?? DEFAULT_RESOLVER_SCHEME;
  if (typeof scheme !== 'string' || !/^[A-Za-z][A-Za-z0-9+.-]*$/.test(scheme)) {
    throw new InvalidArgumentError(`registerGrpcResolver: scheme must be a URI scheme (a letter, then letters, digits, '+', '-', '.'), got ${describe(scheme)}`);
  }
  checkNamingClient(client, 'registerGrpcResolver');
  const grpc = options?.grpc ?? loadOptionalModule<GrpcJsModule>('@grpc/grpc-js', 'registerGrpcResolver');
  if (typeof grpc?.experimental?.registerResolver !== 'function' || typeof grpc.Metadata !== 'function') {
    throw new InvalidArgumentError(`registerGrpcResolver: grpc must be the @grpc/grpc-js module (with experimental.registerResolver and Metadata), got ${describe(grpc)}`);
  }
  grpc.experimental.registerResolver(scheme, resolverClass(client, grpc) as never);
}

/** The resolver class grpc-js instantiates per channel, bound to `client`. */
function resolverClass(client: NamingClient, grpc: GrpcJsModule) {
  return class EtcdResolver {
    readonly #target: string;
    readonly #manager: EndpointManager;
    readonly #listener: ResolverListener;
    /** The current watch; undefined while stopped (destroyed, failed, waiting to restart). */
    #watch: EndpointWatch | undefined;
    #restart: TimerHandle | undefined;
    /** The target's endpoints by key, as the current watch last reported them. */
    readonly #endpoints = new Map<string, Endpoint>();

    /** The authority of a channel's calls: the service name. Throws for a target without one. */
    static getDefaultAuthority(target: GrpcUri): string {
      return serviceName(target);
    }

    constructor(target: GrpcUri, listener: ResolverListener) {
      this.#target = serviceName(target);
      this.#manager = new EndpointManager(client, this.#target);
      this.#listener = listener;
    }

    /** grpc-js asks for addresses: start following the target unless already doing so. */
    updateResolution(): void {
      if (this.#watch === undefined && this.#restart === undefined) this.#start();
    }

    /** The channel is done with it (or idle): stop following; `updateResolution` starts again. */
    destroy(): void {
      this.#restart?.cancel();
      this.#restart = undefined;
      const watch = this.#watch;
      this.#watch = undefined;
      void watch?.cancel();
    }

    #start(): void {
      const watch = this.#manager.watch();
      this.#watch = watch;
      void this.#follow(watch);
    }

    async #follow(watch: EndpointWatch): Promise<void> {
      let first = true;
      try {
        for await (const batch of watch) {
          if (this.#watch !== watch) return;
          if (first) this.#endpoints.clear(); // the first batch is the whole list
          first = false;
          for (const update of batch) {
            if (update.op === 'add') this.#endpoints.set(update.key, update.endpoint);
            else this.#endpoints.delete(update.key);
          }
          this.#report();
        }
      } catch (error) {
        if (this.#watch !== watch) return;
        this.#watch = undefined;
        this.#fail(error);
        if (error instanceof ClientClosedError) return;
        this.#later();
        return;
      }
      // Ended without an error while still wanted (its watch cancelled from outside, e.g. by
      // client.cancelWatches()): follow again.
      if (this.#watch === watch) {
        this.#watch = undefined;
        this.#later();
      }
    }

    #later(): void {
      this.#restart = startTimer(() => {
        this.#restart = undefined;
        this.#start();
      }, RESOLVER_RESTART_DELAY_MS).unref();
    }

    /** Hands grpc-js the addresses of the endpoints (each once, in key order). */
    #report(): void {
      const seen = new Set<string>();
      const endpoints: Array<{ addresses: GrpcTcpAddress[] }> = [];
      for (const { addr } of this.#endpoints.values()) {
        const address = seen.has(addr) ? undefined : grpcAddress(addr);
        seen.add(addr);
        if (address !== undefined) endpoints.push({ addresses: [address] });
      }
      // No address: a failed resolution, as gRPC's policies take an empty list (in Go too). A
      // channel without a connection then fails its calls at once; with an empty list grpc-js
      // would hold them until their deadline.
      if (endpoints.length === 0) {
        this.#fail(`no endpoint registered under '${this.#target}/' in etcd`);
        return;
      }
      const listener = this.#listener;
      if (typeof listener === 'function') listener({ ok: true, value: endpoints }, {}, null, '');
      else listener.onSuccessfulResolution(endpoints, null, null, null, {});
    }

    /** Reports a failed resolution: `error` (or a text) as UNAVAILABLE. */
    #fail(error: unknown): void {
      const status: ResolutionError = {
        code: UNAVAILABLE,
        details: `etcd resolver for '${this.#target}': ${error instanceof Error ? error.message : String(error)}`,
        metadata: new grpc.Metadata(),
      };
      const listener = this.#listener;
      if (typeof listener === 'function') listener({ ok: false, error: status }, {}, null, '');
      else listener.onError(status);
    }
  };
}
