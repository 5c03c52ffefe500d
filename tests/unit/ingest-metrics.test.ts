import { describe, expect, it } from 'vitest';
import { intervalQuantile } from '../../bench/processes.ts';
import type { IngestMetrics } from '../../ingest/ingest.ts';
import { LATENCY_BOUNDS_MS, LatencyHistogram, type LatencySummary, summarise } from '../../ingest/metrics.ts';
import { ingestMetricSamples } from '../../ingest/metrics-samples.ts';
import { formatPrometheus, parsePrometheus as parse } from '../../lib/prometheus.ts';

function exposition(latency: LatencySummary): string {
  const metrics = new Proxy(
    { latencyMs: latency, arrivalMs: latency, influxRequestMs: latency } as Record<string, unknown>,
    {
      get: (target, key) => target[key as string] ?? 0,
    },
  ) as unknown as IngestMetrics;
  return formatPrometheus(ingestMetricSamples(metrics));
}

describe('ingest latency histograms', () => {
  it('counts samples at or below each bound, cumulatively', () => {
    const h = new LatencyHistogram();
    for (const ms of [3, 5, 7, 120, 999, 1000, 1001, 70_000]) h.record(ms);
    const cumulative = h.cumulative(LATENCY_BOUNDS_MS);
    const at = (bound: number) => cumulative[LATENCY_BOUNDS_MS.indexOf(bound as never)];
    expect(at(5)).toBe(2);
    expect(at(10)).toBe(3);
    expect(at(150)).toBe(4);
    expect(at(1000)).toBe(6);
    expect(at(1250)).toBe(7);
    expect(at(60_000)).toBe(7);
    expect(h.count).toBe(8);
  });

  it('exposes one histogram family per latency, +Inf equal to the count', () => {
    const h = new LatencyHistogram();
    for (let i = 0; i < 100; i++) h.record(i * 20);
    const text = exposition(summarise(h));
    expect(text.match(/# TYPE liftwatch_ingest_write_latency_ms histogram/g)).toHaveLength(1);
    const values = parse(text);
    expect(values.get('liftwatch_ingest_write_latency_ms_bucket{le="+Inf"}')).toBe(100);
    expect(values.get('liftwatch_ingest_write_latency_ms_count')).toBe(100);
    expect(values.get('liftwatch_ingest_write_latency_ms_bucket{le="1000"}')).toBe(51);
    expect(values.get('liftwatch_ingest_arrival_latency_ms_count')).toBe(100);
    expect(values.get('liftwatch_ingest_influx_request_ms_count')).toBe(100);
  });

  it('records a whole batch at once: one request time for each of its points', () => {
    const h = new LatencyHistogram();
    h.record(300, 5);
    h.record(40);
    expect(h.count).toBe(6);
    expect(h.sum).toBe(1540);
    expect(h.cumulative([50, 300])).toEqual([1, 6]);
    expect(h.percentile(0.5)).toBe(300);
  });

  it('gives the quantile of the interval between two scrapes, as an upper bucket bound', () => {
    const h = new LatencyHistogram();
    for (let i = 0; i < 1000; i++) h.record(5_000); // before the interval: slow
    const before = parse(exposition(summarise(h)));
    for (let i = 0; i < 1000; i++) h.record(i < 990 ? 40 : 700); // the interval: fast, a slow tail
    const after = parse(exposition(summarise(h)));
    const family = 'liftwatch_ingest_write_latency_ms';
    expect(intervalQuantile(before, after, family, 0.5)).toBe(50);
    expect(intervalQuantile(before, after, family, 0.99)).toBe(50);
    expect(intervalQuantile(before, after, family, 0.999)).toBe(700);
    expect(intervalQuantile(after, after, family, 0.99)).toBeNull();
  });
});
