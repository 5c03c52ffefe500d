/**
 * An elevator's telemetry history from InfluxDB, downsampled to the range asked: raw points
 * for an hour or less, the ingest's 1-minute continuous-query aggregates beyond, and in both
 * cases wider `GROUP BY time()` buckets when the points would exceed the cap. Plain fetch to
 * InfluxDB 1.x `/query`; the measurement, policy and field names are the ingest's
 * (ingest/influx-schema.ts, ingest/points.ts), repeated here because parts share InfluxDB,
 * not code. tests/integration/api-history.test.ts checks them against the real schema.
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

type Fn = 'mean' | 'max' | 'last';

/** Each field the API offers: its raw field, its 1-minute aggregate, and how buckets combine. */
export const HISTORY_FIELDS = {
  speed: { raw: 'speed_mps', aggregate: 'speed_mean', fn: 'mean' },
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

/** Pure: the InfluxQL statement and the shape of its answer for a query. */
export function planHistoryQuery(
  database: string,
  q: HistoryQuery,
): { sql: string; history: Omit<History, 'points' | 'truncated'> } {
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
  const where = `${ident('elevator')} = ${literal(q.elevatorId)} AND time >= ${q.from}ms AND time < ${q.to}ms`;
  const group = grouped ? ` GROUP BY time(${interval}ms) fill(none)` : '';
  // One more than the cap tells us the answer was cut.
  const sql = `SELECT ${selects.join(', ')} FROM ${from} WHERE ${where}${group} ORDER BY time ASC LIMIT ${q.maxPoints + 1}`;
  return {
    sql,
    history: {
      source: raw ? 'raw' : 'aggregates',
      intervalMs: grouped ? interval : null,
      columns: ['t', ...q.fields],
    },
  };
}

interface InfluxAnswer {
  error?: string;
  results?: { error?: string; series?: { columns: string[]; values: (number | null)[][] }[] }[];
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
    const { sql, history } = planHistoryQuery(this.#database, q);
    const url = new URL('/query', this.#url);
    url.search = new URLSearchParams({ db: this.#database, q: sql, epoch: 'ms' }).toString();
    let answer: InfluxAnswer;
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(this.#timeoutMs) });
      answer = (await response.json()) as InfluxAnswer;
    } catch (error) {
      throw new LiftWatchError('INFLUX_UNREACHABLE', undefined, { cause: error });
    }
    const error = answer.error ?? answer.results?.[0]?.error;
    // A database that does not exist yet has no history: an empty answer, not an error.
    if (error && !/database not found/.test(error))
      throw new LiftWatchError('INFLUX_REJECTED', `InfluxDB refused the history query: ${error}`);
    const series = answer.results?.[0]?.series?.[0];
    const values = series?.values ?? [];
    const truncated = values.length > q.maxPoints;
    return { ...history, points: truncated ? values.slice(0, q.maxPoints) : values, truncated };
  }
}
