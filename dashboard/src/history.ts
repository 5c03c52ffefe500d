/**
 * The elevator history client for GET /api/v1/elevators/:id/history (InfluxDB,
 * downsampled: raw up to an hour, 1-minute aggregates beyond). The answer is columnar:
 * `columns` ('t' then the fields asked) and `points` rows; `toSeries` turns it into one
 * series per field. Door cycles are not among the route's fields yet (AWAITING API).
 */
import { api } from './api.ts';
import type { Series } from './types.ts';

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

export const HISTORY_FIELDS = ['floor', 'speed', 'run_count'] as const;
export type HistoryField = (typeof HISTORY_FIELDS)[number];

export interface History {
  series: Record<HistoryField, Series>;
  source: HistoryReply['source'];
  truncated: boolean;
}

/** Pure, for tests: rows with a null in a column are skipped for that column only. */
export function toSeries(reply: Pick<HistoryReply, 'columns' | 'points'>): Record<HistoryField, Series> {
  const timeAt = reply.columns.indexOf('t');
  const out = {} as Record<HistoryField, Series>;
  for (const field of HISTORY_FIELDS) {
    const at = reply.columns.indexOf(field);
    const series: Series = [];
    if (at >= 0 && timeAt >= 0)
      for (const row of reply.points) {
        const time = row[timeAt];
        const value = row[at];
        if (typeof time === 'number' && typeof value === 'number') series.push([time, value]);
      }
    out[field] = series;
  }
  return out;
}

export async function loadHistory(elevatorId: string, from: number, to: number): Promise<History> {
  const reply = await api.get<HistoryReply>(`/elevators/${encodeURIComponent(elevatorId)}/history`, {
    from,
    to,
    fields: HISTORY_FIELDS.join(','),
  });
  return { series: toSeries(reply), source: reply.source, truncated: reply.truncated };
}
