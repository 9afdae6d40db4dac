/**
 * What the benchmark asks of a client: the same few operations, written once per library
 * (bench/clients/etcd-ts.ts, bench/clients/etcd3.ts), each the plainest use of that library's
 * public API, with the full response decoded and checked.
 */

/** Thrown by an adapter when the library cannot do the workload (the row is then skipped with a note). */
export class WorkloadUnsupported extends Error {
  override readonly name = 'WorkloadUnsupported';
}

/** A connected client under test. */
export interface BenchClient {
  /** Puts `value` at `key` (etcd `KV.Put`). */
  put(key: string, value: Buffer): Promise<void>;
  /** Linearizable get of one key (etcd `KV.Range`); resolves with the value's length (-1 when missing). */
  get(key: string): Promise<number>;
  /** `if version(key) > 0 then put(key, value) else put(key, value)` (etcd `KV.Txn`). */
  txn(key: string, value: Buffer): Promise<void>;
  /** Linearizable prefix get (etcd `KV.Range`); resolves with the number of keys returned. */
  getPrefix(prefix: string): Promise<number>;
  /**
   * Watches every key under `prefix` (etcd `Watch.Watch`); resolves once etcd confirmed the watch.
   * `onValue` receives the value of every put event, in order; `first` for the first of its
   * response (the watcher reads the clock once per response, as the Go program does).
   * Resolves with a function that cancels.
   * @throws WorkloadUnsupported when the library has no watch (yet).
   */
  watchPrefix(prefix: string, onValue: (value: Buffer, first: boolean) => void): Promise<() => Promise<void>>;
  /**
   * Creates a watch of one key and resolves once etcd confirmed it; the watch stays open with a
   * consumer waiting for its events (etcd-ts: one pending `next()`; etcd3: a `put` listener).
   */
  createWatch(key: string): Promise<void>;
  /**
   * Reads a snapshot of the member (etcd `Maintenance.Snapshot`), handing each chunk to `consume`
   * and waiting for it before taking the next; stops (cancelling the stream) when `consume` returns false.
   * @throws WorkloadUnsupported when the library has no snapshot.
   */
  readSnapshot(consume: (chunk: Buffer) => Promise<boolean>): Promise<void>;
  /** Closes the client. */
  close(): Promise<void>;
}
