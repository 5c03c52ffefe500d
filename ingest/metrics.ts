/**
 * Ingest counters and the publish→write latency histogram. Plain numbers incremented in
 * place (no per-message allocation); `snapshot()` copies them for callers.
 */

/** Millisecond buckets up to 60 s, one overflow bucket: percentiles without keeping samples. */
export class LatencyHistogram {
  private readonly buckets = new Uint32Array(60_002);
  count = 0;
  max = 0;

  record(ms: number): void {
    const value = Math.max(ms, 0);
    const index = value > 60_000 ? 60_001 : Math.floor(value);
    this.buckets[index] = (this.buckets[index] ?? 0) + 1;
    this.count += 1;
    if (value > this.max) this.max = value;
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
    this.max = 0;
  }
}

export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export function summarise(histogram: LatencyHistogram): LatencySummary {
  return {
    count: histogram.count,
    p50: histogram.percentile(0.5),
    p90: histogram.percentile(0.9),
    p99: histogram.percentile(0.99),
    max: Math.round(histogram.max),
  };
}
