/** Small statistics helpers of the benchmark: median, nearest-rank percentiles, a latency recorder. */

/** Median of `values` (mean of the two middle ones for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const mid = v.length >> 1;
  return v.length % 2 === 1 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
}

/** Nearest-rank percentile `p` (0-1) of an ascending-sorted array; NaN for none. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const i = Math.min(n - 1, Math.max(0, Math.ceil(p * n) - 1));
  return sorted[i]!;
}

/** Records latencies (ms) into a growable Float64Array; no allocation per sample. */
export class LatencyRecorder {
  #samples = new Float64Array(1 << 16);
  #count = 0;

  /** Number of samples so far. */
  get count(): number {
    return this.#count;
  }

  /** Adds one latency, in ms. */
  add(ms: number): void {
    if (this.#count === this.#samples.length) {
      const bigger = new Float64Array(this.#samples.length * 2);
      bigger.set(this.#samples);
      this.#samples = bigger;
    }
    this.#samples[this.#count++] = ms;
  }

  /** Drops every sample (end of the warm-up). */
  reset(): void {
    this.#count = 0;
  }

  /** p50 and p99 of the samples, in ms. */
  summary(): { p50: number; p99: number } {
    const sorted = this.#samples.slice(0, this.#count).sort();
    return { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99) };
  }
}
