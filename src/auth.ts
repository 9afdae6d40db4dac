/**
 * The Auth service: etcd `Auth.*`: enable/disable, users, roles, permissions (issue 5).
 * STUB written by the lead so that the client wiring type-checks; the helper owning this file replaces it.
 */
import type { Rpc } from './rpc/types.js';

/** The Auth service of one client. */
export class Auth {
  readonly #rpc: Rpc;

  /** `rpc`: the client's call layer. */
  constructor(rpc: Rpc) {
    this.#rpc = rpc;
  }

  /** @internal */
  protected get rpc(): Rpc {
    return this.#rpc;
  }
}
