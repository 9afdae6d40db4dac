/**
 * The Cluster service: etcd `Cluster.*`: member list/add/remove/update/promote (issue 5).
 * STUB written by the lead so that the client wiring type-checks; the helper owning this file replaces it.
 */
import type { Rpc } from './rpc/types.js';

/** The Cluster service of one client. */
export class Cluster {
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
