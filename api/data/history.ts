/**
 * An elevator's telemetry history from InfluxDB, downsampled to the range asked: raw points
 * for an hour or less, the ingest's 1-minute continuous-query aggregates beyond, and in both
 * cases wider `GROUP BY time()` buckets when the points would exceed the cap. Plain fetch to
 * InfluxDB 1.x `/query`; the measurement, policy and field names are the protocol's storage
 * names (protocol/influx.ts), the ones the ingest writes by and its continuous query rolls up.
 * tests/integration/api-history.test.ts reads them back from a real influxd.
 *
 * The ingest writes telemetry by exception (a keyframe with every field at least every
 * INGEST_KEYFRAME_S, otherwise only the fields that changed), so a point or a 1-minute
 * aggregate without a field means "unchanged": values are carried forward, seeded with each
 * field's last value before `from`. Raw answers keep one row per message (`seq` is on every
 * point), as the devices sent them. Two fields are per row or bucket rather than readings:
 * `trips` (the rise of the run counter) and `door_cycles` (door openings the ingest marked).
 */
import { LiftWatchError } from '../../lib/errors.ts';
import {
  AGGREGATE_FIELDS,
  AGGREGATES,
  influxSeries,
  MEASUREMENTS,
  POINT_TAGS,
  RAW_FIELDS,
  RETENTION_POLICIES,
} from '../../protocol/index.ts';

/** Ranges up to this are answered from raw points. */
export const RAW_RANGE_MAX_MS = 3_600_000;
const RAW_STEP_MS = 1000;
const AGGREGATE_STEP_MS = 60_000;

/** Every point carries it, so selecting it returns one row per message. */
const SEQ_FIELD = RAW_FIELDS.telemetry.seq;
const T = RAW_FIELDS.telemetry;
const A = AGGREGATE_FIELDS.telemetry1m;
/**
 * How far before `from` to look for the values to carry in. Keyframes come every 5 minutes
 * by default, so while a device reports, every field is within this; a car silent longer
 * starts its answer empty until its next point (itself a keyframe).
 */
export const SEED_LOOKBACK_MS = 6 * 3_600_000;

/** No mean: with fields written only on change, a mean would weigh changing stretches over steady ones. */
type Fn = 'max' | 'last';

/** A reading that holds until it changes: carried forward into empty rows and buckets. */
interface LevelField {
  kind: 'level';
  raw: string;
  aggregate: string;
  fn: Fn;
}
/** Events counted per row or bucket (summed); a row or bucket without any is 0, never carried. */
interface CountField {
  kind: 'count';
  raw: string;
  aggregate: string;
}
/** How much a level field (a lifetime counter) rose since the previous row or bucket. */
interface IncreaseField {
  kind: 'increase';
  of: 'run_count';
}
/**
 * The highest value in a bucket: the most written in it, or the level `of` held into it
 * when that was higher or nothing was written. Carrying a bucket's max forward instead
 * would hold a trip's top speed over the idle minutes after it. A raw row is the reading.
 */
interface PeakField {
  kind: 'peak';
  raw: string;
  aggregate: string;
  of: 'speed';
}
type FieldSpec = LevelField | CountField | IncreaseField | PeakField;

const level = (raw: string, aggregate: string, fn: Fn): LevelField => ({ kind: 'level', raw, aggregate, fn });

/** Each field the API offers: where it comes from raw and in the 1-minute aggregates, and how buckets combine. */
export const HISTORY_FIELDS = {
  speed: level(T.speed, A.speedLast, 'last'),
  speed_max: { kind: 'peak', raw: T.speed, aggregate: A.speedMax, of: 'speed' },
  floor: level(T.floor, A.floorLast, 'last'),
  load: level(T.load, A.loadMax, 'max'),
  vibration: level(T.vibration, A.vibrationMax, 'max'),
  run_count: level(T.runCount, A.runCountMax, 'max'),
  /**
   * Runs started: the rise of the device's lifetime run counter (one per run) from the row
   * or bucket before, the first from the counter's last value before `from`. A counter that
   * goes down (a replaced controller, a late point) counts 0 there, never a negative.
   */
  trips: { kind: 'increase', of: 'run_count' },
  /**
   * Door openings (closed and locked → open). The ingest marks the point where the doors
   * opened since the car's previous point with `door_opens=1i` (ingest/points.ts): a count
   * cannot be recovered from `door_closed` itself, which keyframes repeat. The continuous
   * query sums it per minute.
   */
  door_cycles: { kind: 'count', raw: T.doorOpens, aggregate: A.doorOpens },
} as const satisfies Record<string, FieldSpec>;

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

/** A field the statements read: a level (carried), a count (summed), a peak. Increases read their level. */
type ReadField = {
  [K in HistoryField]: (typeof HISTORY_FIELDS)[K] extends IncreaseField ? never : K;
}[HistoryField];

/** The fields the statements read to answer `fields`, each once, in the order first needed. */
export function readFields(fields: HistoryField[]): ReadField[] {
  const read = new Set<ReadField>();
  for (const name of fields) {
    const f: FieldSpec = HISTORY_FIELDS[name];
    if (f.kind !== 'increase') read.add(name as ReadField);
    // A peak also needs the level held into each bucket.
    if (f.kind === 'increase' || f.kind === 'peak') read.add(f.of);
  }
  return [...read];
}

const isLevel = (name: ReadField) => HISTORY_FIELDS[name].kind === 'level';

export interface HistoryPlan {
  /** The range: `t`, then `read` (raw rows as written also select `seq`, a last column dropped). */
  sql: string;
  /** The last value of each level field of `read` before `from`; null when there is none to carry. */
  seedSql: string | null;
  read: ReadField[];
  history: Omit<History, 'points' | 'truncated'>;
}

/** How many buckets `GROUP BY time(interval)` answers for [from, to). */
export function bucketCount(from: number, to: number, interval: number): number {
  return Math.floor((to - 1) / interval) - Math.floor(from / interval) + 1;
}

/** Pure: the InfluxQL statements for a query and the shape of its answer. */
export function planHistoryQuery(database: string, q: HistoryQuery): HistoryPlan {
  const range = q.to - q.from;
  const raw = range <= RAW_RANGE_MAX_MS;
  const step = raw ? RAW_STEP_MS : AGGREGATE_STEP_MS;
  // The smallest whole multiple of the native step that keeps the answer under the cap:
  // buckets are aligned to the epoch, so a range off the grid has a partial one at each end.
  let interval = Math.max(step, Math.ceil(range / q.maxPoints / step) * step);
  while (bucketCount(q.from, q.to, interval) > q.maxPoints) interval += step;
  const grouped = !raw || interval > step;
  const from = raw
    ? influxSeries(database, RETENTION_POLICIES.raw, MEASUREMENTS.telemetry)
    : influxSeries(database, RETENTION_POLICIES.aggregates, AGGREGATES.telemetry1m);
  const read = readFields(q.fields);
  const column = (name: ReadField) => {
    const f = HISTORY_FIELDS[name];
    return ident(raw ? f.raw : f.aggregate);
  };
  const selects = read.map((name) => {
    const f = HISTORY_FIELDS[name];
    if (!grouped) return `${column(name)} AS ${ident(name)}`;
    // Counts add up across rows and minutes; levels take the bucket's last or max.
    const fn = f.kind === 'count' ? 'sum' : f.kind === 'peak' ? 'max' : f.fn;
    return `${fn}(${column(name)}) AS ${ident(name)}`;
  });
  if (!grouped) selects.push(ident(SEQ_FIELD));
  const elevator = `${ident(POINT_TAGS.elevator)} = ${literal(q.elevatorId)}`;
  const where = `${elevator} AND time >= ${q.from}ms AND time < ${q.to}ms`;
  // fill(null): levels are carried forward here, from the seed; counts and peaks must not be.
  const group = grouped ? ` GROUP BY time(${interval}ms) fill(null)` : '';
  // One more than the cap tells us the answer was cut.
  const sql = `SELECT ${selects.join(', ')} FROM ${from} WHERE ${where}${group} ORDER BY time ASC LIMIT ${q.maxPoints + 1}`;
  const seeds = read.filter(isLevel).map((name) => `last(${column(name)}) AS ${ident(name)}`);
  const seedSql =
    seeds.length === 0
      ? null
      : `SELECT ${seeds.join(', ')} FROM ${from} WHERE ${elevator} AND time >= ${q.from - SEED_LOOKBACK_MS}ms AND time < ${q.from}ms`;
  return {
    sql,
    seedSql,
    read,
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
    const { sql, seedSql, read, history } = planHistoryQuery(this.#database, q);
    // Both statements in one request: InfluxDB answers them in order.
    const [range, seed] = await this.#query(seedSql ? `${sql}; ${seedSql}` : sql);
    const values = range?.values ?? [];
    const truncated = values.length > q.maxPoints;
    const rows = truncated ? values.slice(0, q.maxPoints) : values;
    const seedRow = seed?.values?.[0]?.slice(1) ?? [];
    const grouped = history.intervalMs !== null;
    return { ...history, points: shapeRows(rows, read, seedRow, q.fields, grouped), truncated };
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
 * Rows `[t, ...read(, seq)]` → `[t, ...fields]`. Pure. Levels are carried forward over
 * nulls, starting from `seed` (their last values before the range, in `read` order, levels
 * only); counts read null as 0; an increase is its level's rise from the row before (from
 * the seed for the first row), null while either side is unknown, 0 when it fell; a peak
 * is its bucket's max or the level held into the bucket, whichever is higher (`grouped`),
 * or the reading at a raw row.
 */
export function shapeRows(
  rows: (number | null)[][],
  read: ReadField[],
  seed: (number | null)[],
  fields: HistoryField[],
  grouped: boolean,
): (number | null)[][] {
  const levels = read.filter(isLevel);
  const last = new Map<ReadField, number | null>(levels.map((name, i) => [name, seed[i] ?? null]));
  const at = new Map<ReadField, number>(read.map((name, i) => [name, i + 1]));
  const cell = (row: (number | null)[], name: ReadField) => row[at.get(name)!] ?? null;
  return rows.map((row) => {
    const before = new Map(last);
    for (const name of levels) {
      const value = cell(row, name);
      if (value !== null) last.set(name, value);
    }
    const out: (number | null)[] = [row[0] ?? null];
    for (const name of fields) {
      const f: FieldSpec = HISTORY_FIELDS[name];
      const own = name as ReadField;
      if (f.kind === 'increase') {
        const now = last.get(f.of) ?? null;
        const prev = before.get(f.of) ?? null;
        out.push(now === null || prev === null ? null : Math.max(0, now - prev));
      } else if (f.kind === 'count') out.push(cell(row, own) ?? 0);
      else if (f.kind === 'peak') {
        const held = (grouped ? before : last).get(f.of) ?? null;
        const written = cell(row, own);
        out.push(grouped && written !== null ? Math.max(written, held ?? written) : held);
      } else out.push(last.get(own) ?? null);
    }
    return out;
  });
}
