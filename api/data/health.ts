/**
 * Lift health as the ingest writes it: one `health_daily` point per lift and device day in
 * InfluxDB's long-kept policy (ingest/health/stage.ts; names and policy in protocol/health.ts). This module reads it back
 * (the newest point per lift of some estates, and one lift's days over a range) and shapes
 * it for the console, the resident page and the committee. It computes no health itself:
 * the score, reasons, bands and recommendation are the ingest's, except that a verified
 * visit made after the newest point moves the routine date (the ingest will too, at its next
 * daily close), which `withVisit` applies.
 */
import { LiftWatchError } from '../../lib/errors.ts';
import {
  BAND_SUFFIX,
  COMPONENT_LABEL,
  type Component,
  type HealthDetail,
  type HealthStatus,
  healthSeries,
  JUDGED,
  type JudgedSignal,
} from '../../protocol/health.ts';

const DAY_MS = 86_400_000;
/** Device days are China Standard Time days (UTC+8), as the ingest counts them. */
const LOCAL_OFFSET_MS = 8 * 3_600_000;

/** `YYYY-MM-DD` of the local (UTC+8) day holding `ms`. */
export function localDate(ms: number): string {
  return new Date(ms + LOCAL_OFFSET_MS).toISOString().slice(0, 10);
}

/** Whole days from local date `a` to local date `b` (both `YYYY-MM-DD`). */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / DAY_MS);
}

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** One lift's day as read back. Numbers the day did not have are null. */
export interface HealthPoint {
  elevatorId: string;
  /** Local midnight that starts the day, epoch ms. */
  t: number;
  date: string;
  status: HealthStatus;
  score: number | null;
  early: boolean;
  latestVisitDate: string;
  component: Component | null;
  intervalDays: number | null;
  trend30: number | null;
  trend90: number | null;
  detail: HealthDetail;
  usage: { trips: number | null; runHours: number | null; doorCycles: number | null };
  values: Record<JudgedSignal, number | null>;
  bands: Record<JudgedSignal, { median: number; floor: number } | null>;
}

interface InfluxSeries {
  tags?: Record<string, string>;
  columns: string[];
  values: unknown[][];
}

interface InfluxAnswer {
  error?: string;
  results?: { error?: string; series?: InfluxSeries[] }[];
}

const literal = (value: string) => `'${value.replace(/[\\']/g, '\\$&')}'`;

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
/**
 * A trend is within ±100 points (ingest/health/score.ts trendPer30Days). Points written by the
 * first formula (a least-squares slope, unbounded: −277.7 was seen) stay in InfluxDB as
 * history until the lift's next daily close writes a new one; such a value is not shown.
 */
const trend = (v: unknown): number | null => {
  const n = num(v);
  return n !== null && Math.abs(n) <= 100 ? n : null;
};

const EMPTY_DETAIL: HealthDetail = { reasons: [], advice: [], stretched: false };

function parseDetail(v: unknown): HealthDetail {
  if (typeof v !== 'string') return EMPTY_DETAIL;
  try {
    const d = JSON.parse(v) as Partial<HealthDetail>;
    return {
      reasons: Array.isArray(d.reasons) ? d.reasons : [],
      advice: Array.isArray(d.advice) ? d.advice : [],
      stretched: d.stretched === true,
    };
  } catch {
    return EMPTY_DETAIL;
  }
}

/** One row of `SELECT *` (columns as InfluxDB names them) → a HealthPoint. Pure. */
export function pointOf(columns: string[], row: unknown[], elevatorId?: string): HealthPoint {
  const at = new Map(columns.map((c, i) => [c, i]));
  const get = (name: string) => {
    const i = at.get(name);
    return i === undefined ? null : row[i];
  };
  const values = {} as HealthPoint['values'];
  const bands = {} as HealthPoint['bands'];
  for (const s of JUDGED) {
    values[s] = num(get(s));
    const median = num(get(`${s}${BAND_SUFFIX.median}`));
    const floor = num(get(`${s}${BAND_SUFFIX.floor}`));
    bands[s] = median !== null && floor !== null ? { median, floor } : null;
  }
  const t = num(get('time')) ?? 0;
  const component = str(get('component'));
  return {
    elevatorId: elevatorId ?? str(get('elevator')) ?? '',
    t,
    date: localDate(t),
    status: get('status') === 'ok' ? 'ok' : 'insufficient',
    score: num(get('score')),
    early: get('early') === true,
    latestVisitDate: str(get('latest_visit')) ?? localDate(t),
    component: component && component in COMPONENT_LABEL ? (component as Component) : null,
    intervalDays: num(get('interval_days')),
    trend30: trend(get('trend_30d')),
    trend90: trend(get('trend_90d')),
    detail: parseDetail(get('detail')),
    usage: { trips: num(get('trips')), runHours: num(get('run_hours')), doorCycles: num(get('door_cycles')) },
    values,
    bands,
  };
}

/**
 * A verified routine visit after the point's day restarts the routine interval from that
 * visit (the ingest applies it at its next close); an early visit asked for stays asked.
 * Never later than the point's date when the point asked for an early visit. Pure.
 */
export function withVisit(point: HealthPoint, lastVerifiedVisitAt: number | null): HealthPoint {
  if (lastVerifiedVisitAt === null || point.early || point.intervalDays === null) return point;
  const visitDate = localDate(lastVerifiedVisitAt);
  if (daysBetween(point.date, visitDate) <= 0) return point;
  return { ...point, latestVisitDate: addDays(visitDate, point.intervalDays) };
}

/** Need of attention: higher first. Early visits and overdue lifts lead, then low scores. Pure. */
export function attentionOf(point: HealthPoint | null, today: string): number {
  if (!point) return 0;
  const due = daysBetween(today, point.latestVisitDate);
  let a = 0;
  if (point.early) a += 2000;
  if (due < 0) a += 1000;
  if (point.score !== null) a += 100 - point.score;
  else a += 1;
  // Sooner dates break ties.
  return a + Math.max(0, 60 - due) / 100;
}

export class InfluxHealth {
  readonly #url: string;
  readonly #database: string;
  readonly #timeoutMs: number;

  constructor(options: { url: string; database: string; timeoutMs?: number }) {
    this.#url = options.url;
    this.#database = options.database;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** The newest point of every lift of `estateIds` (null: every estate), by elevator id. */
  async latest(estateIds: readonly string[] | null, timeoutMs?: number): Promise<Map<string, HealthPoint>> {
    const out = new Map<string, HealthPoint>();
    if (estateIds !== null && estateIds.length === 0) return out;
    const where =
      estateIds === null ? '' : ` WHERE (${estateIds.map((e) => `"estate" = ${literal(e)}`).join(' OR ')})`;
    // LIMIT applies per series: the newest row of each elevator.
    const [series] = await this.#query(
      `SELECT * FROM ${healthSeries(this.#database)}${where} GROUP BY "elevator" ORDER BY time DESC LIMIT 1`,
      timeoutMs,
    );
    for (const s of series ?? []) {
      const id = s.tags?.elevator;
      const row = s.values[0];
      if (id && row) out.set(id, pointOf(s.columns, row, id));
    }
    return out;
  }

  /** Run hours summed over every day the ingest closed, by elevator id (GB/T 24476 statistics). */
  async runHours(estateIds: readonly string[] | null): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    if (estateIds !== null && estateIds.length === 0) return out;
    const where =
      estateIds === null ? '' : ` WHERE (${estateIds.map((e) => `"estate" = ${literal(e)}`).join(' OR ')})`;
    const [series] = await this.#query(
      `SELECT sum("run_hours") AS run_hours FROM ${healthSeries(this.#database)}${where} GROUP BY "elevator"`,
    );
    for (const s of series ?? []) {
      const id = s.tags?.elevator;
      const value = num(s.values[0]?.[1]);
      if (id && value !== null) out.set(id, value);
    }
    return out;
  }

  /** One lift's newest point, or null when the ingest has written none. */
  async latestOf(elevatorId: string, timeoutMs?: number): Promise<HealthPoint | null> {
    const [series] = await this.#query(
      `SELECT * FROM ${healthSeries(this.#database)} WHERE "elevator" = ${literal(elevatorId)} ORDER BY time DESC LIMIT 1`,
      timeoutMs,
    );
    const s = series?.[0];
    return s?.values[0] ? pointOf(s.columns, s.values[0], elevatorId) : null;
  }

  /** One lift's days in [from, to), oldest first. */
  async days(elevatorId: string, from: number, to: number): Promise<HealthPoint[]> {
    const [series] = await this.#query(
      `SELECT * FROM ${healthSeries(this.#database)} WHERE "elevator" = ${literal(elevatorId)} AND time >= ${from}ms AND time < ${to}ms ORDER BY time ASC LIMIT 400`,
    );
    const s = series?.[0];
    return s ? s.values.map((row) => pointOf(s.columns, row, elevatorId)) : [];
  }

  async #query(statements: string, timeoutMs = this.#timeoutMs): Promise<(InfluxSeries[] | undefined)[]> {
    const url = new URL('/query', this.#url);
    url.search = new URLSearchParams({ db: this.#database, q: statements, epoch: 'ms' }).toString();
    let answer: InfluxAnswer;
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
      answer = (await response.json()) as InfluxAnswer;
    } catch (error) {
      throw new LiftWatchError('INFLUX_UNREACHABLE', undefined, { cause: error });
    }
    const error = answer.error ?? answer.results?.find((r) => r.error)?.error;
    // No database yet, or no health point yet: no health, not an error.
    if (error && !/database not found/.test(error))
      throw new LiftWatchError('INFLUX_REJECTED', `InfluxDB refused the health query: ${error}`);
    return (answer.results ?? []).map((r) => r.series);
  }
}
