/**
 * Figures the spine's benchmarks share (`npm run bench`, `npm run bench:cluster`): what reached
 * InfluxDB, sums and latency quantiles over several ingest workers' /metrics, and the ingest's
 * memory per elevator.
 */
import { influxSeries, MEASUREMENTS, RAW_FIELDS, RETENTION_POLICIES } from '../protocol/influx.ts';
import { intervalQuantile } from './processes.ts';

/** What the simulator reports on stdout (simulators/main.ts). */
export interface SimStats {
  devices: number;
  connected: number;
  sent: number;
  acked: number;
  failed: number;
  /** Messages the target rate asked for that the simulator could not offer in time. */
  shortfall?: number;
}

/** Points stored, over every channel: one count per channel of a field each of its points carries. */
export async function countStored(influxUrl: string, database: string): Promise<number> {
  const series = (m: string) => influxSeries(database, RETENTION_POLICIES.raw, m);
  const q = [
    `SELECT count("${RAW_FIELDS.telemetry.seq}") FROM ${series(MEASUREMENTS.telemetry)}`,
    `SELECT count("${RAW_FIELDS.event.seq}") FROM ${series(MEASUREMENTS.event)}`,
    `SELECT count("${RAW_FIELDS.maintenance.seq}") FROM ${series(MEASUREMENTS.maintenance)}`,
    `SELECT count("${RAW_FIELDS.status.state}") FROM ${series(MEASUREMENTS.status)}`,
  ].join(';');
  const response = await fetch(`${influxUrl}/query?db=${database}&q=${encodeURIComponent(q)}`);
  const body = (await response.json()) as { results: { series?: { values: [string, number][] }[] }[] };
  return body.results.reduce((sum, r) => sum + (r.series?.[0]?.values[0]?.[1] ?? 0), 0);
}

/** A sample summed over several scrapes (one per worker). */
export function sumOver(scrapes: Map<string, number>[], key: string): number {
  return scrapes.reduce((sum, m) => sum + (m.get(key) ?? 0), 0);
}

/** Several workers' scrapes as one: counters and histogram buckets add up. */
function merged(scrapes: Map<string, number>[]): Map<string, number> {
  const all = new Map<string, number>();
  for (const m of scrapes) for (const [key, value] of m) all.set(key, (all.get(key) ?? 0) + value);
  return all;
}

/** `intervalQuantile` over every worker's histogram together. */
export function intervalQuantileOver(
  before: Map<string, number>[],
  after: Map<string, number>[],
  family: string,
  q: number,
): number | null {
  return intervalQuantile(merged(before), merged(after), family, q);
}

/**
 * The ingest's memory per elevator, two ways: the heap it grew by between "started, no device
 * yet" and the end of the run (per-elevator state, plus whatever garbage the last GC left:
 * an upper bound), and its whole resident set divided by the fleet (the runtime included).
 * The goal is at most 2 KB per elevator of state.
 */
export function ingestMemoryPerElevator(
  beforeDevices: Map<string, number>[],
  atEnd: Map<string, number>[],
  elevators: number,
): { ingest_heap_growth_per_elevator_bytes: number; ingest_rss_per_elevator_bytes: number } {
  const heap = (s: Map<string, number>[]) => sumOver(s, 'liftwatch_ingest_process_heap_used_bytes');
  return {
    ingest_heap_growth_per_elevator_bytes: Math.round(
      Math.max(heap(atEnd) - heap(beforeDevices), 0) / elevators,
    ),
    ingest_rss_per_elevator_bytes: Math.round(
      sumOver(atEnd, 'liftwatch_ingest_process_rss_bytes') / elevators,
    ),
  };
}
