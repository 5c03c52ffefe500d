/**
 * Ingest counters and the publish→write latency histogram. Plain numbers incremented in
 * place (no per-message allocation); `snapshot()` copies them for callers.
 */

/** Millisecond buckets up to 60 s, one overflow bucket: percentiles without keeping samples. */
export class LatencyHistogram {
  private readonly buckets = new Uint32Array(60_002);
  count = 0;
  sum = 0;
  max = 0;

  /** One sample, or `times` samples of the same value (every point of a batch). */
  record(ms: number, times = 1): void {
    const value = Math.max(ms, 0);
    const index = value > 60_000 ? 60_001 : Math.floor(value);
    this.buckets[index] = (this.buckets[index] ?? 0) + times;
    this.count += times;
    this.sum += value * times;
    if (value > this.max) this.max = value;
  }

  /** Samples at or below each bound (ms), cumulative, as a Prometheus histogram counts them. */
  cumulative(bounds: readonly number[]): number[] {
    const counts: number[] = [];
    let seen = 0;
    let i = 0;
    for (const bound of bounds) {
      for (; i <= Math.min(bound, 60_000); i++) seen += this.buckets[i] ?? 0;
      counts.push(seen);
    }
    return counts;
  }

  /** The smallest bucket at or below which `q` (0..1) of the samples fall; 0 when empty. */
  percentile(q: number): number {
    if (this.count === 0) return 0;
    const target = Math.ceil(q * this.count);
    let seen = 0;
    for (let i = 0; i < this.buckets.length; i++) {
      seen += this.buckets[i] ?? 0;
      if (seen >= target) return i;
    }
    return this.max;
  }

  reset(): void {
    this.buckets.fill(0);
    this.count = 0;
    this.sum = 0;
    this.max = 0;
  }
}

/**
 * Bucket bounds of the exported histogram (ms). Quantiles since start cannot say how a
 * stretch of time went; cumulative buckets can: a scraper (Prometheus, the benchmark)
 * subtracts two scrapes and reads the percentiles of the interval between them.
 */
export const LATENCY_BOUNDS_MS = [
  5, 10, 25, 50, 75, 100, 150, 200, 250, 300, 400, 500, 600, 700, 800, 900, 1000, 1250, 1500, 2000, 3000,
  5000, 10_000, 30_000, 60_000,
] as const;

export interface LatencySummary {
  count: number;
  sum: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  /** Cumulative counts at LATENCY_BOUNDS_MS. */
  cumulative: number[];
}

export function summarise(histogram: LatencyHistogram): LatencySummary {
  return {
    count: histogram.count,
    sum: Math.round(histogram.sum),
    p50: histogram.percentile(0.5),
    p90: histogram.percentile(0.9),
    p99: histogram.percentile(0.99),
    max: Math.round(histogram.max),
    cumulative: histogram.cumulative(LATENCY_BOUNDS_MS),
  };
}
