/**
 * `EtcdCluster` of `etcd-ts/testing`: the cluster of etcd processes (process-cluster.ts) with
 * clients connected to it, closed before its members stop. The one file of src/testing/ that
 * imports the client.
 */
import { Client, type ClientOptions } from '../client.js';
import { EtcdProcessCluster } from './process-cluster.js';

/**
 * A running etcd cluster (members, `leader()`, `close()`: see `EtcdProcessCluster`), plus
 * {@link EtcdCluster.client} to get a client connected to it.
 */
export class EtcdCluster extends EtcdProcessCluster {
  readonly #clients = new Set<Client>();

  /**
   * A new {@link Client} for this cluster: `new Client({ endpoints: cluster.endpoints, ...options })`.
   * It connects lazily, on its first call. Clients made here are closed by {@link close} before
   * the members are stopped, so a test that forgets one does not hang on it.
   *
   * @param options any client options; `endpoints` defaults to every member's client URL (the
   *   proxies' with `proxy`); on a TLS cluster `tls` defaults to the cluster's CA and client
   *   certificate (pass `tls` to replace it).
   */
  client(options: ClientOptions = {}): Client {
    const tls = this.tls === undefined ? undefined : { ca: this.tls.ca.cert, cert: this.tls.client.cert, key: this.tls.client.key };
    const client = new Client({ endpoints: this.endpoints, ...(tls === undefined ? {} : { tls }), ...options });
    this.#clients.add(client);
    return client;
  }

  /** Closes the clients made by {@link client} (errors ignored). */
  protected override async beforeClose(): Promise<void> {
    const clients = [...this.#clients];
    this.#clients.clear();
    await Promise.allSettled(clients.map((c) => c.close()));
  }
}
