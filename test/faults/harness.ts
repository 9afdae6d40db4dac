/**
 * The fault-test harness: a scenario runs *probes* (concurrent activity with invariants) against a
 * 3-member cluster while a fault is injected, then checks every probe's invariants against the final
 * store and reports figures (recovery time ...) through `t.diagnostic`.
 *
 * A probe is anything with `start`, `stop`, `verify` and `figures` (see `Probe`):
 * {@link PutWorkload} (concurrent puts of unique keys), {@link WatchProbe} (a watch on the written
 * prefix that must see exactly the store's history) and {@link LeaseProbe} (a lease kept alive
 * across the fault, or whose loss is reported). Not a test file itself (no `.test.ts`).
 */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';

import type { Client } from '../../src/client.js';
import { EtcdError, LeaseKeepAliveHaltedError, LeaseNotFoundError } from '../../src/errors/index.js';
import type { LeaseKeepAlive } from '../../src/lease/lease.js';
import type { EtcdCluster, EtcdMember } from '../../src/testing/index.js';
import type { KeyValue } from '../../src/types.js';
import type { Watcher } from '../../src/watch/watch.js';

/** Extra time a call may take past its timeout before it counts as hung, in ms (timers, a busy 2-core machine). */
export const HANG_SLACK_MS = 1500;

/** What probes and faults get: the cluster, the client under test, the key prefix, and when the fault began. */
export interface FaultContext {
  readonly cluster: EtcdCluster;
  /** The client under test (the one the probes use). */
  readonly client: Client;
  /** Every key a probe writes starts with it. */
  readonly prefix: string;
  /** `Date.now()` when the fault was injected (set by {@link runScenario}). */
  faultAt: number;
  /** Reports a line through the test's diagnostics. */
  note(message: string): void;
}

/** The store under the prefix after the scenario, read linearizably by a fresh client. */
export interface StoreSnapshot {
  /** The store's revision when read. */
  readonly revision: number;
  /** Every key under the prefix. */
  readonly byKey: ReadonlyMap<string, KeyValue>;
}

/**
 * Concurrent activity with invariants. Later probes (a watch on the prefix that must see exactly
 * the store's history, a lease kept alive across the fault) implement the same four methods.
 */
export interface Probe {
  readonly name: string;
  /** Starts the activity (before the fault). Must not wait for it to end. */
  start(context: FaultContext): void | Promise<void>;
  /** Stops the activity and waits for everything in flight. */
  stop(): Promise<void>;
  /** Checks the invariants after the scenario; throws an AssertionError naming the broken one. */
  verify(context: FaultContext, store: StoreSnapshot): void | Promise<void>;
  /** Figures for the report, e.g. `{ acked: 812, recoveryMs: 31 }`. */
  figures(context: FaultContext): Record<string, number | string>;
  /** Releases what the probe holds (a watch, a lease); runs at the end of every scenario, also a failed one. */
  close?(): Promise<void>;
}

/** One operation as the workload saw it. */
export interface OpRecord {
  readonly key: string;
  readonly value: string;
  readonly started: number;
  ended: number;
  /** The revision of an acknowledged put. */
  revision?: number;
  /** The typed error of a failed put. */
  error?: unknown;
}

/** Options of {@link PutWorkload}. */
export interface PutWorkloadOptions {
  /** Concurrent writers. Default 6. */
  workers?: number;
  /** Timeout of each put, in ms. Default 3000. */
  timeout?: number;
  /** Pause of each writer between two puts, in ms (keeps 2 CPUs from saturating). Default 20. */
  pacing?: number;
}

/**
 * Writers that put unique keys (`<prefix>w<writer>/<n>`) with unique values during the fault.
 * Invariants: every acknowledged put is in the store with its value at its revision; nothing is
 * applied twice (every key has version 1, revisions are distinct); nothing is in the store that was
 * not written; every failure is a typed `EtcdError`; no put took longer than its timeout.
 */
export class PutWorkload implements Probe {
  readonly name = 'puts';
  readonly ops: OpRecord[] = [];
  readonly #workers: number;
  readonly #timeout: number;
  readonly #pacing: number;
  #running: Promise<void>[] = [];
  #stopping = false;
  #wake: Array<() => void> = [];

  constructor(options: PutWorkloadOptions = {}) {
    this.#workers = options.workers ?? 6;
    this.#timeout = options.timeout ?? 3000;
    this.#pacing = options.pacing ?? 20;
  }

  /** Acknowledged puts so far. */
  get acked(): number {
    return this.ops.filter((op) => op.revision !== undefined).length;
  }

  start(context: FaultContext): void {
    this.#running = Array.from({ length: this.#workers }, (_, w) => this.#writer(context, w));
  }

  async #writer(context: FaultContext, writer: number): Promise<void> {
    for (let n = 0; !this.#stopping; n++) {
      const key = `${context.prefix}w${writer}/${String(n).padStart(6, '0')}`;
      const op: OpRecord = { key, value: `v-${writer}-${n}-${Math.random().toString(36).slice(2, 8)}`, started: Date.now(), ended: 0 };
      this.ops.push(op);
      try {
        const response = await context.client.put(op.key, op.value, { timeout: this.#timeout });
        op.revision = response.header.revision;
      } catch (error) {
        op.error = error;
      }
      op.ended = Date.now();
      for (const wake of this.#wake.splice(0)) wake();
      if (this.#pacing > 0) await new Promise((r) => setTimeout(r, this.#pacing));
    }
  }

  /**
   * Waits until `count` puts that *started* after `since` were acknowledged.
   * @returns the time of the first such acknowledgement (`Date.now()` ms)
   * @throws when it does not happen within `timeout` ms
   */
  async acksAfter(since: number, count: number, timeout: number): Promise<number> {
    const deadline = Date.now() + timeout;
    for (;;) {
      const after = this.ops.filter((op) => op.revision !== undefined && op.started >= since);
      if (after.length >= count) return Math.min(...after.map((op) => op.ended));
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(`${this.name}: only ${after.length} of ${count} puts acknowledged within ${timeout} ms (errors: ${this.#errorSummary(since)})`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 200));
        this.#wake.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    await Promise.all(this.#running);
  }

  /** The start of the last failed put among those started in [`from`, `to`), in ms from `from`; 0 when none failed. */
  lastFailureStart(from: number, to: number): number {
    let last = from;
    for (const op of this.ops) if (op.error !== undefined && op.started >= from && op.started < to) last = Math.max(last, op.started);
    return last - from;
  }

  verify(_context: FaultContext, store: StoreSnapshot): void {
    const byKey = new Map(this.ops.map((op) => [op.key, op] as const));
    for (const op of this.ops) {
      const hung = op.ended - op.started;
      assert.ok(hung <= this.#timeout + HANG_SLACK_MS, `put ${op.key} took ${hung} ms, past its ${this.#timeout} ms timeout`);
      if (op.error !== undefined) {
        assert.ok(op.error instanceof EtcdError, `put ${op.key} failed with an untyped error: ${String(op.error)}`);
        continue;
      }
      const kv = store.byKey.get(op.key);
      assert.ok(kv !== undefined, `acknowledged put ${op.key} (revision ${op.revision}) is missing from the store`);
      assert.equal(kv.value.toString(), op.value, `value of acknowledged put ${op.key}`);
      assert.equal(kv.modRevision, op.revision, `revision of acknowledged put ${op.key}`);
    }
    const revisions = new Set<number>();
    for (const [key, kv] of store.byKey) {
      const op = byKey.get(key);
      assert.ok(op !== undefined, `the store holds ${key}, which no put wrote`);
      assert.equal(kv.value.toString(), op.value, `value of ${key}`);
      assert.equal(kv.version, 1, `${key} was applied ${kv.version} times`);
      assert.equal(kv.createRevision, kv.modRevision, `${key} was modified after its creation`);
      assert.ok(!revisions.has(kv.modRevision), `two puts share revision ${kv.modRevision}`);
      revisions.add(kv.modRevision);
    }
  }

  figures(context: FaultContext): Record<string, number | string> {
    const acked = this.ops.filter((op) => op.revision !== undefined);
    const firstAfter = acked.filter((op) => op.started >= context.faultAt).map((op) => op.ended);
    const recovery = firstAfter.length === 0 ? Number.NaN : Math.min(...firstAfter) - context.faultAt;
    return {
      puts: this.ops.length,
      acked: acked.length,
      failed: this.ops.length - acked.length,
      recoveryMs: recovery,
      longestGapMs: longestGap(acked.map((op) => op.ended), context.faultAt),
      errors: this.#errorSummary(0) || 'none',
    };
  }

  #errorSummary(since: number): string {
    const counts = new Map<string, number>();
    for (const op of this.ops) {
      if (op.error === undefined || op.started < since) continue;
      const name = op.error instanceof Error ? op.error.name : typeof op.error;
      counts.set(name, (counts.get(name) ?? 0) + 1);
    }
    return [...counts].map(([name, n]) => `${name} x${n}`).join(', ');
  }
}

/** Longest time without an acknowledgement from `from` on, in ms. */
function longestGap(times: number[], from: number): number {
  const sorted = times.filter((t) => t >= from).sort((a, b) => a - b);
  let gap = 0;
  let last = from;
  for (const t of sorted) {
    gap = Math.max(gap, t - last);
    last = t;
  }
  return gap;
}

/** One event as a watch delivered it. */
export interface SeenEvent {
  readonly key: string;
  readonly value: string;
  readonly revision: number;
  readonly type: 'put' | 'delete';
  /** `Date.now()` when the loop received it. */
  readonly at: number;
}

/** Options of {@link WatchProbe}. */
export interface WatchProbeOptions {
  /** Watched prefix below the scenario's prefix, e.g. `w0/`. Default '' (the whole prefix). */
  sub?: string;
  /** How long `verify` waits for the watch to catch up with the store, in ms. Default 15000. */
  catchUpTimeout?: number;
}

/**
 * A watch on the scenario's prefix (or a part of it), started before the fault from the revision
 * after the store's then, consumed during the whole scenario. Invariants: the watch never ends with
 * an error; its events are exactly the store's history of its prefix from its start revision (the
 * workload only creates unique keys, so that history is the keys whose `modRevision` is at or after
 * the start, in revision order): no gap, no duplicate, in order, with the right values.
 */
export class WatchProbe implements Probe {
  readonly name: string;
  readonly events: SeenEvent[] = [];
  readonly #sub: string;
  readonly #catchUpTimeout: number;
  #watcher: Watcher | undefined;
  #consuming: Promise<void> | undefined;
  #error: unknown = undefined;
  #ended = false;
  #startRevision = 0;

  constructor(options: WatchProbeOptions = {}) {
    this.#sub = options.sub ?? '';
    this.#catchUpTimeout = options.catchUpTimeout ?? 15_000;
    this.name = `watch(${this.#sub === '' ? '*' : this.#sub})`;
  }

  async start(context: FaultContext): Promise<void> {
    const key = context.prefix + this.#sub;
    const now = await context.client.get(key, { prefix: true, countOnly: true, timeout: 5000 });
    this.#startRevision = now.header.revision + 1;
    const watcher = context.client.watch(key, { prefix: true, startRevision: this.#startRevision });
    this.#watcher = watcher;
    this.#consuming = (async () => {
      try {
        for await (const r of watcher) {
          const at = Date.now();
          for (const e of r.events) {
            this.events.push({ key: e.kv.key.toString(), value: e.kv.value.toString(), revision: e.kv.modRevision, type: e.type, at });
          }
        }
      } catch (error) {
        this.#error = error;
      } finally {
        this.#ended = true;
      }
    })();
  }

  /** The watch goes on until `verify` has seen it catch up (see `close`). */
  async stop(): Promise<void> {}

  async verify(_context: FaultContext, store: StoreSnapshot): Promise<void> {
    const prefix = _context.prefix + this.#sub;
    const expected = [...store.byKey.values()]
      .filter((kv) => kv.key.toString().startsWith(prefix) && kv.modRevision >= this.#startRevision)
      .sort((a, b) => a.modRevision - b.modRevision);
    const last = expected.at(-1)?.modRevision ?? 0;
    const deadline = Date.now() + this.#catchUpTimeout;
    while (!this.#ended && (this.events.at(-1)?.revision ?? 0) < last && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(this.#error, undefined, `${this.name} ended with ${String(this.#error)}`);
    assert.ok(!this.#ended, `${this.name} ended by itself`);
    const seen = this.events;
    for (let i = 0; i < Math.max(seen.length, expected.length); i++) {
      const got = seen[i];
      const want = expected[i];
      const where = `${this.name}: event ${i} of ${expected.length} (received ${seen.length})`;
      assert.ok(want !== undefined, `${where}: extra event ${got?.revision} ${got?.key} (a duplicate or not in the store)`);
      assert.ok(got !== undefined, `${where}: missing ${want.modRevision} ${want.key.toString()} (a gap, or not caught up within ${this.#catchUpTimeout} ms)`);
      assert.equal(`${got.revision} ${got.type} ${got.key} ${got.value}`, `${want.modRevision} put ${want.key.toString()} ${want.value.toString()}`, where);
    }
  }

  figures(context: FaultContext): Record<string, number | string> {
    const after = this.events.filter((e) => e.at >= context.faultAt);
    return {
      events: this.events.length,
      firstEventAfterFaultMs: after.length === 0 ? Number.NaN : after[0]!.at - context.faultAt,
      longestGapMs: longestGap(this.events.map((e) => e.at), context.faultAt),
    };
  }

  async close(): Promise<void> {
    await this.#watcher?.cancel();
    await this.#consuming;
  }
}

/** What {@link LeaseProbe} expects at the end. */
export type LeaseExpectation = 'alive' | 'lost' | 'either';

/** Options of {@link LeaseProbe}. */
export interface LeaseProbeOptions {
  /** TTL of the lease, in seconds. Default 10. */
  ttl?: number;
  /**
   * `alive`: the keep-alive must go on and the lease exist at the end; `lost`: the fault outlasts
   * the TTL, so the keep-alive must report the loss; `either`. Default `alive`.
   */
  expect?: LeaseExpectation;
}

/** Time past a lease's TTL within which its loss must be reported, in ms (the keep-alive's scan, a busy machine). */
export const LEASE_REPORT_SLACK_MS = 2000;

/**
 * A lease granted before the fault and kept alive with `client.lease.keepAlive` during it.
 * Invariant: the lease is alive at the end (etcd `LeaseTimeToLive` by a fresh client gives a TTL > 0)
 * and its keep-alive still running, renewed since the fault, or the keep-alive reported the loss with a typed error
 * (`LeaseKeepAliveHaltedError` or `LeaseNotFoundError`) no later than TTL (+ slack) after its last
 * renewal: never a silently lost lease. `expect` narrows this to one of the two outcomes.
 */
export class LeaseProbe implements Probe {
  readonly name: string;
  readonly #ttl: number;
  readonly #expect: LeaseExpectation;
  #id = 0n;
  #keepAlive: LeaseKeepAlive | undefined;
  #consuming: Promise<void> | undefined;
  #renewals = 0;
  #lastRenewalAt = 0;
  #error: unknown = undefined;
  #errorAt = 0;
  #remainingTtl = Number.NaN;

  constructor(options: LeaseProbeOptions = {}) {
    this.#ttl = options.ttl ?? 10;
    this.#expect = options.expect ?? 'alive';
    this.name = `lease(ttl=${this.#ttl}s)`;
  }

  async start(context: FaultContext): Promise<void> {
    const granted = await context.client.lease.grant(this.#ttl, { timeout: 5000 });
    this.#id = granted.id;
    this.#lastRenewalAt = Date.now();
    const keepAlive = context.client.lease.keepAlive(granted.id);
    this.#keepAlive = keepAlive;
    this.#consuming = (async () => {
      try {
        for await (const _ of keepAlive) {
          this.#renewals++;
          this.#lastRenewalAt = Date.now();
        }
      } catch (error) {
        this.#error = error;
        this.#errorAt = Date.now();
      }
    })();
  }

  /** The keep-alive goes on until `close`, so `verify` sees it alive. */
  async stop(): Promise<void> {}

  async verify(context: FaultContext): Promise<void> {
    if (this.#expect !== 'lost') {
      // A keep-alive that still works renews after the fault: wait up to one renewal period (TTL/3) and slack.
      const deadline = Date.now() + (this.#ttl * 1000) / 3 + LEASE_REPORT_SLACK_MS;
      while (this.#error === undefined && this.#lastRenewalAt <= context.faultAt && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    const reader = context.cluster.client({ dialTimeout: 5000 });
    try {
      this.#remainingTtl = (await reader.lease.timeToLive(this.#id, { timeout: 10_000 })).ttl;
    } finally {
      await reader.close();
    }
    const alive = this.#remainingTtl > 0;
    const error = this.#error;
    if (error === undefined) {
      assert.ok(alive, `${this.name}: the lease is gone (TTL ${this.#remainingTtl}) but its keep-alive reported nothing`);
      assert.notEqual(this.#expect, 'lost', `${this.name}: the fault outlasted the TTL, yet no loss was reported and the lease is alive`);
      assert.ok(this.#lastRenewalAt > context.faultAt, `${this.name}: not renewed since the fault (${this.#renewals} renewals before it)`);
      return;
    }
    assert.ok(
      error instanceof LeaseKeepAliveHaltedError || error instanceof LeaseNotFoundError,
      `${this.name}: the keep-alive ended with ${String(error)}, not a reported loss`,
    );
    const late = this.#errorAt - this.#lastRenewalAt;
    assert.ok(late <= this.#ttl * 1000 + LEASE_REPORT_SLACK_MS, `${this.name}: loss reported ${late} ms after the last renewal (TTL ${this.#ttl} s)`);
    assert.notEqual(this.#expect, 'alive', `${this.name}: lost during the fault: ${String(error)}`);
  }

  figures(context: FaultContext): Record<string, number | string> {
    return {
      renewals: this.#renewals,
      outcome: this.#error === undefined ? 'alive' : (this.#error as Error).name,
      reportedMsAfterFault: this.#error === undefined ? Number.NaN : this.#errorAt - context.faultAt,
      remainingTtl: this.#remainingTtl,
    };
  }

  async close(): Promise<void> {
    this.#keepAlive?.close();
    await this.#consuming;
  }
}

/** Options of {@link runScenario}. */
export interface ScenarioOptions {
  t: TestContext;
  cluster: EtcdCluster;
  client: Client;
  /** The put workload (also a probe); its acknowledgements pace the scenario. */
  workload: PutWorkload;
  /** Further probes (watch, lease ...). */
  probes?: Probe[];
  /** Key prefix of this scenario. */
  prefix: string;
  /** Acknowledged puts to wait for before the fault, and again after the repair. Default 20. */
  acks?: number;
  /**
   * Injects the fault (resolves once it is in place: a kill done, a pause begun, ...). Recovery is
   * measured from when it is called.
   */
  inject(context: FaultContext): Promise<void>;
  /** Undoes the fault (restart, SIGCONT, heal); runs after the client recovered, or failed to. */
  repair(context: FaultContext): Promise<void>;
  /** How long the client may take to recover, in ms. Default 15000. */
  recoveryTimeout?: number;
  /**
   * Keeps the fault in place at least this long (ms from the injection) before the repair, e.g. a
   * SIGSTOP that lasts 20 s. Default 0: repair once the client recovered.
   */
  faultDuration?: number;
}

/** What {@link runScenario} measured. */
export interface ScenarioResult {
  /** First acknowledged put that started after the fault, in ms from the fault. */
  recoveryMs: number;
  /**
   * Start of the last put that failed while the fault was in place, in ms from the fault (0: none
   * failed): how long the fault cost calls. Under the round-robin balancer the first put after a
   * fault of one member is usually acknowledged at once by another, while the puts that land on the
   * failed member fail until the client leaves it: this, not `recoveryMs`, says when it did.
   */
  settledMs: number;
  figures: Record<string, Record<string, number | string>>;
}

/**
 * Runs one fault scenario: start the probes, wait for `acks` acknowledged puts, inject the fault,
 * wait for the first acknowledgement of a put started after it (the recovery), repair, wait for
 * `acks` more, stop the probes, read the store with a fresh client, verify every probe, report.
 */
export async function runScenario(options: ScenarioOptions): Promise<ScenarioResult> {
  const { t, cluster, client, workload, prefix } = options;
  const acks = options.acks ?? 20;
  const probes: Probe[] = [workload, ...(options.probes ?? [])];
  const context: FaultContext = {
    cluster,
    client,
    prefix,
    faultAt: Number.POSITIVE_INFINITY,
    note: (message) => t.diagnostic(message),
  };
  for (const probe of probes) await probe.start(context);
  let repaired = false;
  try {
    await workload.acksAfter(0, acks, 10_000);
    context.faultAt = Date.now();
    await options.inject(context);
    const recoveredAt = await workload.acksAfter(context.faultAt, 1, options.recoveryTimeout ?? 15_000);
    const recoveryMs = recoveredAt - context.faultAt;
    const hold = context.faultAt + (options.faultDuration ?? 0) - Date.now();
    if (hold > 0) await new Promise((r) => setTimeout(r, hold));
    const repairAt = Date.now();
    repaired = true;
    await options.repair(context);
    await workload.acksAfter(Date.now(), acks, 20_000);
    for (const probe of probes) await probe.stop();
    const store = await snapshot(cluster, prefix);
    for (const probe of probes) await probe.verify(context, store);
    const figures: Record<string, Record<string, number | string>> = {};
    for (const probe of probes) {
      figures[probe.name] = probe.figures(context);
      t.diagnostic(`${probe.name}: ${Object.entries(figures[probe.name]!).map(([k, v]) => `${k}=${v}`).join(' ')}`);
    }
    const settledMs = workload.lastFailureStart(context.faultAt, repairAt);
    t.diagnostic(`recovery: first acknowledged put ${recoveryMs} ms after the fault; last failed put started ${settledMs} ms after it`);
    return { recoveryMs, settledMs, figures };
  } finally {
    if (!repaired) await options.repair(context).catch(() => {});
    await Promise.all(probes.map((p) => p.stop().catch(() => {})));
    await Promise.all(probes.map((p) => p.close?.().catch(() => {})));
  }
}

/** Every key under `prefix`, read linearizably by a fresh client to all members. */
export async function snapshot(cluster: EtcdCluster, prefix: string): Promise<StoreSnapshot> {
  const reader = cluster.client({ dialTimeout: 5000 });
  try {
    const response = await reader.get(prefix, { prefix: true, timeout: 10_000 });
    return { revision: response.header.revision, byKey: new Map(response.kvs.map((kv) => [kv.key.toString(), kv] as const)) };
  } finally {
    await reader.close();
  }
}

/** The member behind the endpoint `client` calls now. */
export function memberInUse(cluster: EtcdCluster, client: Client): EtcdMember {
  const url = (client.rpc as { pinnedEndpoint?: { url: string } }).pinnedEndpoint?.url;
  const member = cluster.members.find((m) => m.endpoint === url);
  assert.ok(member !== undefined, `no member serves ${String(url)}`);
  return member;
}

/** Every member running and unpaused, proxies healed, the cluster healthy with a leader. */
export async function restoreCluster(cluster: EtcdCluster): Promise<void> {
  for (const m of cluster.members) {
    m.proxy?.heal();
    if (m.paused) await m.resume();
    if (!m.running) await m.start({ wait: false });
  }
  await cluster.waitHealthy({ timeout: 30_000 });
  await cluster.leader({ timeout: 15_000 });
}
