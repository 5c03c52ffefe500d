/**
 * The elevator history client for GET /api/v1/elevators/:id/history (InfluxDB,
 * downsampled: raw up to an hour, 1-minute aggregates beyond). The answer is columnar:
 * `columns` ('t' then the fields asked) and `points` rows; `toColumns` turns it into the
 * aligned arrays uPlot draws. Trips and door cycles come per row or bucket, as fine as the
 * API answered; `binCounts` adds them up into bars a person can read (a minute each over
 * an hour, a day each over a month). Pure apart from `loadHistory`.
 */
import { api } from './api.ts';

export interface HistoryReply {
  elevator_id: string;
  from: number;
  to: number;
  source: 'raw' | 'aggregates';
  interval_ms: number | null;
  columns: string[];
  points: (number | null)[][];
  truncated: boolean;
}

/** `speed_max`: a bucket's peak, not the speed at its last message (usually 0, the car parked). */
export const HISTORY_FIELDS = ['trips', 'floor', 'door_cycles', 'speed_max', 'run_count'] as const;
export type HistoryField = (typeof HISTORY_FIELDS)[number];
/** Counted per row or bucket: drawn as bars, summed into bins. */
export const COUNT_FIELDS: readonly HistoryField[] = ['trips', 'door_cycles'];

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/**
 * The ranges offered, each with the width of its bars. The API's own buckets (range over
 * its point cap, in whole seconds or minutes) divide the bar widths, so no bucket straddles
 * two bars, except a month's 22 minutes: `bucketMs` asks for 30 instead.
 */
export const RANGES = {
  '1h': { ms: HOUR, binMs: MIN },
  '6h': { ms: 6 * HOUR, binMs: 5 * MIN },
  '24h': { ms: DAY, binMs: 30 * MIN },
  '7d': { ms: 7 * DAY, binMs: 6 * HOUR },
  '30d': { ms: 30 * DAY, binMs: DAY, bucketMs: 30 * MIN },
} as const satisfies Record<string, { ms: number; binMs: number; bucketMs?: number }>;
export type RangeKey = keyof typeof RANGES;
export const RANGE_KEYS = Object.keys(RANGES) as RangeKey[];

export function isRangeKey(value: string): value is RangeKey {
  return value in RANGES;
}

export interface HistoryData {
  range: RangeKey;
  from: number;
  to: number;
  source: HistoryReply['source'];
  truncated: boolean;
  /** Row times, epoch ms, ascending. */
  t: number[];
  /** One array per field, aligned with `t`; null where the API had no value. */
  values: Record<HistoryField, (number | null)[]>;
}

/** Pure: the columnar answer as aligned arrays; a field the answer lacks is all null. */
export function toColumns(
  reply: Pick<HistoryReply, 'columns' | 'points'>,
): Pick<HistoryData, 't' | 'values'> {
  const timeAt = reply.columns.indexOf('t');
  const rows = timeAt < 0 ? [] : reply.points.filter((row) => typeof row[timeAt] === 'number');
  const values = {} as Record<HistoryField, (number | null)[]>;
  for (const field of HISTORY_FIELDS) {
    const at = reply.columns.indexOf(field);
    values[field] = rows.map((row) => (at < 0 ? null : (row[at] ?? null)));
  }
  return { t: rows.map((row) => row[timeAt] as number), values };
}

/** Start of the bin of `time`, bins aligned to local midnight (the time zone's offset at `time`). */
export function binStart(time: number, binMs: number): number {
  const offset = -new Date(time).getTimezoneOffset() * MIN;
  return Math.floor((time + offset) / binMs) * binMs - offset;
}

/**
 * Pure: per-row counts summed into bins of `binMs` covering [from, to). A row before `from`
 * (the API's first bucket starts on its own grid) counts in the first bin. A bin is null
 * only when every row in it was null (unknown), 0 when it had none.
 */
export function binCounts(
  t: number[],
  counts: (number | null)[],
  from: number,
  to: number,
  binMs: number,
): { t: number[]; values: (number | null)[] } {
  const first = binStart(from, binMs);
  const starts: number[] = [];
  for (let start = first; start < to; start += binMs) starts.push(start);
  const sums: (number | null)[] = starts.map(() => 0);
  const known = starts.map(() => false);
  const unknown = starts.map(() => false);
  t.forEach((time, i) => {
    const bin = Math.floor((Math.max(time, from) - first) / binMs);
    if (bin < 0 || bin >= starts.length) return;
    const value = counts[i] ?? null;
    if (value === null) unknown[bin] = true;
    else {
      known[bin] = true;
      sums[bin] = (sums[bin] ?? 0) + value;
    }
  });
  return { t: starts, values: sums.map((sum, i) => (unknown[i] && !known[i] ? null : sum)) };
}

export function total(values: (number | null)[]): number {
  return values.reduce<number>((sum, v) => sum + (v ?? 0), 0);
}

export async function loadHistory(elevatorId: string, range: RangeKey, now: number): Promise<HistoryData> {
  const spec: { ms: number; bucketMs?: number } = RANGES[range];
  const from = now - spec.ms;
  const reply = await api.get<HistoryReply>(`/elevators/${encodeURIComponent(elevatorId)}/history`, {
    from,
    to: now,
    fields: HISTORY_FIELDS.join(','),
    // One more than the range holds: the API's buckets are aligned, a partial one at the start.
    max_points: spec.bucketMs ? spec.ms / spec.bucketMs + 1 : undefined,
  });
  return { range, from, to: now, source: reply.source, truncated: reply.truncated, ...toColumns(reply) };
}
