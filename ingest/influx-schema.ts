/**
 * Creates, idempotently, what the ingest writes into: the database, the raw retention
 * policy (default, bounded), a long-kept policy for aggregates and health days, and
 * continuous queries that roll raw points up into 1-minute aggregates there. Safe to run on
 * every start: existing policies are altered to the configured duration, existing queries
 * are left alone, and health days an older ingest wrote into the raw policy are copied to
 * the long one before they age out. The names and the queries' definitions are the
 * protocol's (protocol/influx.ts), which the API's history and health, the ingest's health
 * read-back and the Grafana dashboards read by.
 */
import { InfluxDB } from 'influx';
import type { Logger } from '../lib/logger.ts';
import {
  continuousQueries,
  HEALTH_POLICY,
  influxSeries,
  MEASUREMENTS,
  RETENTION_POLICIES,
} from '../protocol/index.ts';

/** The policy the ingest writes into (protocol/influx.ts names them all). */
export const RAW_POLICY = RETENTION_POLICIES.raw;

export interface InfluxSchemaOptions {
  url: string;
  database: string;
  /** e.g. `30d`, `INF`. */
  rawRetention: string;
  /** Default `INF`: aggregates are small. */
  aggregateRetention?: string;
}

/**
 * InfluxDB returns a query re-printed (quotes dropped, CREATE … BEGIN … END around it), so
 * definitions are compared by what they compute: the list of `fn(field) AS name` terms.
 */
export function sameAggregates(stored: string, wanted: string): boolean {
  const terms = (q: string) =>
    [...q.replace(/"/g, '').matchAll(/(\w+)\((\w+)\) AS (\w+)/gi)].map((m) => m.slice(1).join(' ')).join(',');
  return terms(stored) === terms(wanted);
}

/** `30d` → ms; `INF` → Infinity. */
export function durationMs(duration: string): number {
  if (duration === 'INF') return Number.POSITIVE_INFINITY;
  const match = /^(\d+)([hdw])$/.exec(duration);
  if (!match) throw new Error(`unsupported retention duration ${duration}`);
  const unit = { h: 3_600_000, d: 86_400_000, w: 604_800_000 }[match[2] as 'h' | 'd' | 'w'];
  return Number(match[1]) * unit;
}

export function influxClient(url: string, database: string): InfluxDB {
  const parsed = new URL(url);
  return new InfluxDB({
    host: parsed.hostname,
    port: Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80)),
    protocol: parsed.protocol === 'https:' ? 'https' : 'http',
    database,
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
  });
}

export async function ensureInfluxSchema(options: InfluxSchemaOptions, log: Logger): Promise<void> {
  const influx = influxClient(options.url, options.database);
  const database = options.database;
  await influx.createDatabase(database);
  const policies = await influx.showRetentionPolicies(database);
  const ensurePolicy = async (name: string, duration: string, isDefault: boolean) => {
    const settings = { database, duration, replication: 1, isDefault };
    if (policies.some((p) => p.name === name)) await influx.alterRetentionPolicy(name, settings);
    else await influx.createRetentionPolicy(name, settings);
  };
  await ensurePolicy(RAW_POLICY, options.rawRetention, true);
  await ensurePolicy(RETENTION_POLICIES.aggregates, options.aggregateRetention ?? 'INF', false);
  const moved = await keepOldHealthDays(influx, database);
  if (moved > 0)
    log.info({ database, points: moved }, 'health days of the raw policy copied to the long one');
  const existing = new Map((await influx.showContinousQueries(database)).map((q) => [q.name, q.query]));
  for (const [name, query] of Object.entries(continuousQueries(database))) {
    const current = existing.get(name);
    if (current !== undefined && sameAggregates(current, query)) continue;
    // An older definition (e.g. the mean over every sample, before writing by exception) is replaced.
    if (current !== undefined) await influx.dropContinuousQuery(name, database);
    await influx.createContinuousQuery(name, query, database);
  }
  log.info(
    { database, rawRetention: options.rawRetention },
    'InfluxDB database, retention policies and continuous queries ready',
  );
}

/**
 * Before health days had their own policy (protocol/influx.ts HEALTH_POLICY) the ingest
 * wrote them into the raw one, where they age out after INFLUX_RAW_RETENTION. Those older
 * than the long policy's oldest day are copied there (same time and tags: a copy made twice
 * overwrites itself). Once copied, or once none is left in raw, this reads two empty answers.
 */
export async function keepOldHealthDays(influx: InfluxDB, database: string): Promise<number> {
  const raw = influxSeries(database, RETENTION_POLICIES.raw, MEASUREMENTS.healthDaily);
  const kept = influxSeries(database, HEALTH_POLICY, MEASUREMENTS.healthDaily);
  // `trips` is on every health day (ingest/health/stage.ts); first() answers with its time.
  const [oldest] = await influx.query<{ time: Date }>(`SELECT first("trips") FROM ${kept}`);
  const before = oldest ? ` WHERE time < ${oldest.time.getTime()}ms` : '';
  const [copied] = await influx.query<{ written: number }>(
    `SELECT * INTO ${kept} FROM ${raw}${before} GROUP BY *`,
  );
  return copied?.written ?? 0;
}
