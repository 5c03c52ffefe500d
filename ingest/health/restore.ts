/**
 * The health state across restarts (issue 16): the table lives in memory, and every closed
 * day is already in InfluxDB as its `health_daily` point, so a starting ingest reads those
 * points back (the judged signals and the score of each day) and rebuilds each lift's
 * baseline ring and score history, then replays the stored visit verdicts for the
 * verified-visit history. Nothing new is persisted: the points are the state.
 * Owns the read-back query and the replay; the table (table.ts) owns what restoring means.
 */
import { healthSeries, JUDGED } from '../../protocol/health.ts';
import { POINT_TAGS } from '../../protocol/influx.ts';
import type { VisitRepository } from '../../store/repositories/visits.ts';
import { deviceDay } from './signals.ts';
import type { HealthStage } from './stage.ts';
import { SCORE_DAYS } from './table.ts';

const DAY_MS = 86_400_000;

export interface HealthRestoreDeps {
  influx: { url: string; database: string; auth?: string };
  visits: Pick<VisitRepository, 'list'>;
  /** Wall clock; default now. */
  now?: number;
  signal?: AbortSignal;
}

export interface HealthRestoreResult {
  lifts: number;
  days: number;
  visits: number;
}

/** Reads the last SCORE_DAYS days of every lift back into the stage's table. */
export async function restoreHealthState(
  stage: HealthStage,
  deps: HealthRestoreDeps,
): Promise<HealthRestoreResult> {
  const now = deps.now ?? Date.now();
  const since = now - (SCORE_DAYS + 1) * DAY_MS;
  const byLift = await readHealthDays(deps.influx, since, deps.signal);
  let lifts = 0;
  let days = 0;
  for (const [elevatorId, list] of byLift) {
    const i = stage.table.indexOf(elevatorId);
    if (i < 0) continue;
    const n = stage.table.restore(i, list);
    if (n > 0) lifts += 1;
    days += n;
  }
  // The visit history is replayed whole (idempotent): what the detector judged before the restart.
  const stored = await deps.visits.list({ estateIds: null, from: since, limit: 1_000_000, offset: 0 });
  const judged = stored
    .filter((v) => v.status !== 'open' && v.verdict !== null)
    .sort((a, b) => (a.check_out_at ?? a.check_in_at) - (b.check_out_at ?? b.check_in_at));
  for (let i = 0; i < stage.table.size; i++) stage.table.clearVisits(i);
  for (const v of judged) {
    const i = stage.table.indexOf(v.elevator_id);
    if (i >= 0) stage.table.onVisit(i, v.check_out_at ?? v.check_in_at, v.verdict, v.kind);
  }
  return { lifts, days, visits: judged.length };
}

interface Series {
  tags?: Record<string, string>;
  columns: string[];
  values: (number | null)[][];
}

/** Every lift's written days since `sinceMs`, oldest first, from the health policy (protocol/influx.ts). */
export async function readHealthDays(
  influx: HealthRestoreDeps['influx'],
  sinceMs: number,
  signal?: AbortSignal,
): Promise<Map<string, { day: number; judged: Float64Array; score: number | null }[]>> {
  const fields = [...JUDGED, 'score'].map((f) => `"${f}"`).join(', ');
  const q = `SELECT ${fields} FROM ${healthSeries(influx.database)} WHERE time >= ${sinceMs}ms GROUP BY "${POINT_TAGS.elevator}"`;
  const url = new URL('/query', influx.url);
  url.search = new URLSearchParams({ db: influx.database, q, epoch: 'ms' }).toString();
  const headers: Record<string, string> = {};
  if (influx.auth) headers.authorization = `Basic ${Buffer.from(influx.auth).toString('base64')}`;
  const res = await fetch(url, { headers, ...(signal ? { signal } : {}) });
  if (!res.ok)
    throw new Error(`InfluxDB answered ${res.status} to the health read-back: ${await res.text()}`);
  const body = (await res.json()) as { results: { series?: Series[]; error?: string }[] };
  const result = body.results[0];
  if (result?.error) throw new Error(`InfluxDB refused the health read-back: ${result.error}`);
  const out = new Map<string, { day: number; judged: Float64Array; score: number | null }[]>();
  for (const series of result?.series ?? []) {
    const elevatorId = series.tags?.[POINT_TAGS.elevator];
    if (!elevatorId) continue;
    const column = new Map(series.columns.map((c, k) => [c, k]));
    const days = series.values.map((row) => {
      const judged = new Float64Array(JUDGED.length);
      for (const [k, name] of JUDGED.entries()) {
        const v = row[column.get(name)!];
        judged[k] = typeof v === 'number' ? v : Number.NaN;
      }
      const score = row[column.get('score')!];
      return { day: deviceDay(row[0] as number), judged, score: typeof score === 'number' ? score : null };
    });
    out.set(
      elevatorId,
      days.sort((a, b) => a.day - b.day),
    );
  }
  return out;
}
