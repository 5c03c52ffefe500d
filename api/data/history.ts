/**
 * An elevator's telemetry history from InfluxDB, downsampled to the range asked: raw points
 * for an hour or less, the ingest's 1-minute continuous-query aggregates beyond, and in both
 * cases wider `GROUP BY time()` buckets when the points would exceed the cap. Plain fetch to
 * InfluxDB 1.x `/query`; the measurement, policy and field names are the ingest's
 * (ingest/influx-schema.ts, ingest/points.ts), repeated here because parts share InfluxDB,
 * not code. tests/integration/api-history.test.ts checks them against the real schema.
 *
 * The ingest writes telemetry by exception (a keyframe with every field at least every
 * INGEST_KEYFRAME_S, otherwise only the fields that changed), so a point or a 1-minute
 * aggregate without a field means "unchanged": values are carried forward, seeded with each
 * field's last value before `from`. Raw answers keep one row per message (`seq` is on every
 * point), as the devices sent them.
 */
import { LiftWatchError } from '../../lib/errors.ts';

export const RAW_POLICY = 'raw';
export const RAW_MEASUREMENT = 'telemetry';
export const AGGREGATE_POLICY = 'aggregates';
export const AGGREGATE_MEASUREMENT = 'telemetry_1m';
/** Ranges up to this are answered from raw points. */
export const RAW_RANGE_MAX_MS = 3_600_000;
const RAW_STEP_MS = 1000;
const AGGREGATE_STEP_MS = 60_000;

/** Every point carries it, so selecting it returns one row per message. */
const SEQ_FIELD = 'seq';
/**
 * How far before `from` to look for the values to carry in. Keyframes come every 5 minutes
 * by default, so while a device reports, every field is within this; a car silent longer
 * starts its answer empty until its next point (itself a keyframe).
 */
export const SEED_LOOKBACK_MS = 6 * 3_600_000;

/** No mean: with fields written only on change, a mean would weigh changing stretches over steady ones. */
type Fn = 'max' | 'last';

/** Each field the API offers: its raw field, its 1-minute aggregate, and how buckets combine. */
export const HISTORY_FIELDS = {
  speed: { raw: 'speed_mps', aggregate: 'speed_last', fn: 'last' },
  speed_max: { raw: 'speed_mps', aggregate: 'speed_max', fn: 'max' },
  floor: { raw: 'floor', aggregate: 'floor_last', fn: 'last' },
  load: { raw: 'load_kg', aggregate: 'load_max', fn: 'max' },
  vibration: { raw: 'vibration_mg', aggregate: 'vibration_max', fn: 'max' },
  run_count: { raw: 'run_count', aggregate: 'run_count_max', fn: 'max' },
} as const satisfies Record<string, { raw: string; aggregate: string; fn: Fn }>;

export type HistoryField = keyof typeof HISTORY_FIELDS;

export interface HistoryQuery {
  elevatorId: string;
  from: number;
  to: number;
  fields: HistoryField[];
  maxPoints: number;
}

export interface History {
  source: 'raw' | 'aggregates';
  /** Bucket width; null when raw points are returned as written. */
  intervalMs: number | null;
  columns: string[];
  points: (number | null)[][];
  truncated: boolean;
}

/** InfluxQL string literal: backslashes and single quotes escaped. */
const literal = (value: string) => `'${value.replace(/[\\']/g, '\\$&')}'`;
const ident = (value: string) => `"${value.replace(/"/g, '\\"')}"`;

/**
 * Pure: the InfluxQL statements and the shape of the answer for a query. `sql` reads the
 * range (raw rows also select `seq`, a last column dropped from the answer); `seedSql`
 * reads each field's last value before `from`, to carry into the range.
 */
export function planHistoryQuery(
  database: string,
  q: HistoryQuery,
): { sql: string; seedSql: string; history: Omit<History, 'points' | 'truncated'> } {
  const range = q.to - q.from;
  const raw = range <= RAW_RANGE_MAX_MS;
  const step = raw ? RAW_STEP_MS : AGGREGATE_STEP_MS;
  // The smallest whole multiple of the native step that keeps the answer under the cap.
  const interval = Math.max(step, Math.ceil(range / q.maxPoints / step) * step);
  const grouped = !raw || interval > step;
  const from = `${ident(database)}.${ident(raw ? RAW_POLICY : AGGREGATE_POLICY)}.${ident(raw ? RAW_MEASUREMENT : AGGREGATE_MEASUREMENT)}`;
  const selects = q.fields.map((name) => {
    const f = HISTORY_FIELDS[name];
    const column = ident(raw ? f.raw : f.aggregate);
    return grouped ? `${f.fn}(${column}) AS ${ident(name)}` : `${column} AS ${ident(name)}`;
  });
  if (!grouped) selects.push(ident(SEQ_FIELD));
  const elevator = `${ident('elevator')} = ${literal(q.elevatorId)}`;
  const where = `${elevator} AND time >= ${q.from}ms AND time < ${q.to}ms`;
  const group = grouped ? ` GROUP BY time(${interval}ms) fill(previous)` : '';
  // One more than the cap tells us the answer was cut.
  const sql = `SELECT ${selects.join(', ')} FROM ${from} WHERE ${where}${group} ORDER BY time ASC LIMIT ${q.maxPoints + 1}`;
  const seeds = q.fields.map((name) => {
    const f = HISTORY_FIELDS[name];
    return `last(${ident(raw ? f.raw : f.aggregate)}) AS ${ident(name)}`;
  });
  const seedSql = `SELECT ${seeds.join(', ')} FROM ${from} WHERE ${elevator} AND time >= ${q.from - SEED_LOOKBACK_MS}ms AND time < ${q.from}ms`;
  return {
    sql,
    seedSql,
    history: {
      source: raw ? 'raw' : 'aggregates',
      intervalMs: grouped ? interval : null,
      columns: ['t', ...q.fields],
    },
  };
}

interface InfluxSeries {
  columns: string[];
  values: (number | null)[][];
}

interface InfluxAnswer {
  error?: string;
  results?: { error?: string; series?: InfluxSeries[] }[];
}

export class InfluxHistory {
  readonly #url: string;
  readonly #database: string;
  readonly #timeoutMs: number;

  constructor(options: { url: string; database: string; timeoutMs?: number }) {
    this.#url = options.url;
    this.#database = options.database;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
  }

  async read(q: HistoryQuery): Promise<History> {
    const { sql, seedSql, history } = planHistoryQuery(this.#database, q);
    // Both statements in one request: InfluxDB answers them in order.
    const [range, seed] = await this.#query(`${sql}; ${seedSql}`);
    const values = range?.values ?? [];
    const truncated = values.length > q.maxPoints;
    const rows = truncated ? values.slice(0, q.maxPoints) : values;
    const carried = seed?.values?.[0]?.slice(1) ?? [];
    return { ...history, points: carryForward(rows, q.fields.length, carried), truncated };
  }

  async #query(statements: string): Promise<(InfluxSeries | undefined)[]> {
    const url = new URL('/query', this.#url);
    url.search = new URLSearchParams({ db: this.#database, q: statements, epoch: 'ms' }).toString();
    let answer: InfluxAnswer;
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(this.#timeoutMs) });
      answer = (await response.json()) as InfluxAnswer;
    } catch (error) {
      throw new LiftWatchError('INFLUX_UNREACHABLE', undefined, { cause: error });
    }
    const error = answer.error ?? answer.results?.find((r) => r.error)?.error;
    // A database that does not exist yet has no history: an empty answer, not an error.
    if (error && !/database not found/.test(error))
      throw new LiftWatchError('INFLUX_REJECTED', `InfluxDB refused the history query: ${error}`);
    return (answer.results ?? []).map((r) => r.series?.[0]);
  }
}

/**
 * Rows `[t, ...fields(, seq)]` → `[t, ...fields]` with each null replaced by the field's
 * last value, starting from `seed` (the values before the range). Pure.
 */
export function carryForward(
  rows: (number | null)[][],
  fieldCount: number,
  seed: (number | null)[],
): (number | null)[][] {
  const last: (number | null)[] = Array.from({ length: fieldCount }, (_, i) => seed[i] ?? null);
  return rows.map((row) => {
    const out: (number | null)[] = [row[0] ?? null];
    for (let i = 0; i < fieldCount; i++) {
      const value = row[i + 1] ?? null;
      if (value !== null) last[i] = value;
      out.push(last[i]!);
    }
    return out;
  });
}
