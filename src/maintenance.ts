/**
 * The Maintenance service: etcd `Maintenance.*`: status, defragment, alarms, hash, snapshot, move-leader, downgrade (issue 5).
 * STUB written by the lead so that the client wiring type-checks; the helper owning this file replaces it.
 */
import type { Rpc } from './rpc/types.js';

/** The Maintenance service of one client. */
export class Maintenance {
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
