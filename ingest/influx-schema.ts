/**
 * Creates, idempotently, what the ingest writes into: the database, the raw retention
 * policy (default, bounded), a long-kept policy for aggregates, and continuous queries that
 * roll raw points up into 1-minute aggregates there. Safe to run on every start: existing
 * policies are altered to the configured duration, existing queries are left alone. The
 * names and the queries' definitions are the protocol's (protocol/influx.ts), which the
 * API's history and the Grafana dashboards read by.
 */
import { InfluxDB } from 'influx';
import type { Logger } from '../lib/logger.ts';
import { continuousQueries, RETENTION_POLICIES } from '../protocol/index.ts';

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
