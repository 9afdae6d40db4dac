/**
 * The statistics `check perf` and `check datascale` judge by, computed as etcd's `pkg/report` does:
 * each result's latency (end - start) in seconds; failures counted by error text; the
 * requests per second over the whole run; the population standard deviation and the slowest
 * latency.
 */

/** What the run gave. */
export interface CheckStats {
  /** Latencies of the successful requests, in seconds, sorted. */
  latencies: number[];
  /** Number of failed requests per error text. */
  errors: Map<string, number>;
  /** Successful requests per second over the run. */
  rps: number;
  /** Mean latency in seconds (0 without a success). */
  average: number;
  /** Population standard deviation of the latencies, in seconds. */
  stddev: number;
  /** The slowest latency in seconds (0 without a success). */
  slowest: number;
}

/** Collects results; `stats()` summarises them. Times in ms (from `performance.now()`). */
export class CheckReport {
  readonly #latencies: number[] = [];
  readonly #errors = new Map<string, number>();
  readonly #started = performance.now();

  /** One request: its start and end (ms) and, when it failed, its error text. */
  add(startMs: number, endMs: number, error?: string): void {
    if (error !== undefined) this.#errors.set(error, (this.#errors.get(error) ?? 0) + 1);
    else this.#latencies.push((endMs - startMs) / 1000);
  }

  /** The statistics of everything added so far; the run's length is from the report's creation to now. */
  stats(): CheckStats {
    const total = (performance.now() - this.#started) / 1000;
    const lats = [...this.#latencies].sort((a, b) => a - b);
    const n = lats.length;
    const average = n === 0 ? 0 : lats.reduce((a, b) => a + b, 0) / n;
    const variance = n === 0 ? 0 : lats.reduce((acc, l) => acc + (l - average) ** 2, 0) / n;
    return {
      latencies: lats,
      errors: new Map(this.#errors),
      rps: total > 0 ? n / total : 0,
      average,
      stddev: Math.sqrt(variance),
      slowest: n === 0 ? 0 : lats[n - 1]!,
    };
  }
}

/** Go's `%f`: six decimals. */
export function goFloat6(value: number): string {
  return value.toFixed(6);
}

/**
 * `check perf`'s verdict lines and whether it passed, worded as etcdctl's: errors, throughput
 * (above 90% of the load's rate), slowest request (at most 0.5 s), standard deviation (at most 0.1 s),
 * then `PASS` or `FAIL`.
 */
export function perfVerdict(s: CheckStats, limit: number): { lines: string[]; ok: boolean } {
  const lines: string[] = [];
  let ok = true;
  if (s.errors.size !== 0) {
    lines.push('FAIL: too many errors');
    for (const [text, count] of s.errors) lines.push(`FAIL: ERROR(${text}) -> ${count}`);
    ok = false;
  }
  const writes = Math.trunc(s.rps) + 1;
  if (s.rps / limit <= 0.9) {
    lines.push(`FAIL: Throughput too low: ${writes} writes/s`);
    ok = false;
  } else {
    lines.push(`PASS: Throughput is ${writes} writes/s`);
  }
  if (s.slowest > 0.5) {
    lines.push(`Slowest request took too long: ${goFloat6(s.slowest)}s`);
    ok = false;
  } else {
    lines.push(`PASS: Slowest request took ${goFloat6(s.slowest)}s`);
  }
  if (s.stddev > 0.1) {
    lines.push(`Stddev too high: ${goFloat6(s.stddev)}s`);
    ok = false;
  } else {
    lines.push(`PASS: Stddev is ${goFloat6(s.stddev)}s`);
  }
  lines.push(ok ? 'PASS' : 'FAIL');
  return { lines, ok };
}
