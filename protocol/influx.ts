/**
 * The InfluxDB storage names: what the ingest writes and others read (the API's history,
 * the Grafana dashboards, the benchmarks, the tests): the database's default name, the
 * retention policies, the measurements, the continuous queries and the aggregate fields
 * they write, and the tags and fields a reader selects. One module, so a rename is one line
 * and a reader cannot ask for a field the ingest never writes. The ingest's line-protocol
 * writer (ingest/points.ts) spells the raw fields on its hot path; a unit test checks that
 * every field named here is one it writes.
 */

/** INFLUX_DATABASE's default (lib/config.ts). */
export const INFLUX_DEFAULT_DATABASE = 'liftwatch';

export const RETENTION_POLICIES = {
  /** Every point as written; the default policy, bounded by INFLUX_RAW_RETENTION. */
  raw: 'raw',
  /** The continuous queries' roll-ups and the health days, kept long (they are small). */
  aggregates: 'aggregates',
} as const;

/** One raw measurement per device channel, and the health stage's daily point. */
export const MEASUREMENTS = {
  telemetry: 'telemetry',
  event: 'event',
  maintenance: 'maintenance',
  status: 'status',
  healthDaily: 'health_daily',
} as const;

/**
 * Where the health stage's daily points live: with the roll-ups, not in the bounded raw
 * policy. A lift's health is read over 90 days (the trend, the console's chart, the
 * ingest's read-back at start) and summed over its whole life (run hours), while raw points
 * are kept INFLUX_RAW_RETENTION (30 days by default): a day point in `raw` would be gone
 * before its 90-day chart could show it. One point per lift and day is small enough.
 */
export const HEALTH_POLICY = RETENTION_POLICIES.aggregates;

/** The tags on every point, in the order they are written. */
export const POINT_TAGS = { estate: 'estate', building: 'building', elevator: 'elevator' } as const;

/** Raw fields others read (the API's history, Grafana); their types are fixed by ingest/points.ts. */
export const RAW_FIELDS = {
  telemetry: {
    /** On every point: one row per message. */
    seq: 'seq',
    mode: 'mode',
    floor: 'floor',
    speed: 'speed_mps',
    runCount: 'run_count',
    load: 'load_kg',
    vibration: 'vibration_mg',
    doorClosed: 'door_closed',
    /** `1i` on the point where the doors opened (ingest/points.ts). */
    doorOpens: 'door_opens',
  },
  event: { seq: 'seq', code: 'code', detail: 'detail' },
  maintenance: {
    seq: 'seq',
    action: 'action',
    visitId: 'visit_id',
    technicianId: 'technician_id',
    kind: 'kind',
    method: 'method',
  },
  status: { state: 'state' },
} as const;

/** The 1-minute roll-ups: each is a continuous query of this name writing a measurement of this name. */
export const AGGREGATES = {
  telemetry1m: 'telemetry_1m',
  event1m: 'event_1m',
} as const;

/** The fields the continuous queries write. */
export const AGGREGATE_FIELDS = {
  telemetry1m: {
    speedLast: 'speed_last',
    speedMax: 'speed_max',
    floorLast: 'floor_last',
    runCountMax: 'run_count_max',
    loadMax: 'load_max',
    vibrationMax: 'vibration_max',
    /** count(seq): every message, written by exception or not. */
    samples: 'samples',
    doorOpens: 'door_opens',
  },
  event1m: { events: 'events' },
} as const;

/** `"database"."policy"."measurement"`, quoted for InfluxQL. */
export function influxSeries(database: string, policy: string, measurement: string): string {
  const ident = (value: string) => `"${value.replace(/"/g, '\\"')}"`;
  return `${ident(database)}.${ident(policy)}.${ident(measurement)}`;
}

/**
 * The 1-minute roll-ups; `GROUP BY *` keeps the estate/building/elevator tags. Telemetry
 * fields are written only when they change (ingest/points.ts), so a minute holds the values
 * that changed in it: a mean over them would weigh a car by how often its speed changes,
 * hence last/max only. A minute in which a field did not change has no aggregate for it;
 * readers carry the previous one forward (`fill(previous)`). `count(seq)` is still every
 * message; `sum(door_opens)` the door openings the ingest marked, absent in a minute without.
 */
export function continuousQueries(database: string): Record<string, string> {
  const from = (m: string) => influxSeries(database, RETENTION_POLICIES.raw, m);
  const into = (m: string) => influxSeries(database, RETENTION_POLICIES.aggregates, m);
  const t = RAW_FIELDS.telemetry;
  const a = AGGREGATE_FIELDS.telemetry1m;
  return {
    [AGGREGATES.telemetry1m]: `SELECT last("${t.speed}") AS ${a.speedLast}, max("${t.speed}") AS ${a.speedMax}, last("${t.floor}") AS ${a.floorLast}, max("${t.runCount}") AS ${a.runCountMax}, max("${t.load}") AS ${a.loadMax}, max("${t.vibration}") AS ${a.vibrationMax}, count("${t.seq}") AS ${a.samples}, sum("${t.doorOpens}") AS ${a.doorOpens} INTO ${into(AGGREGATES.telemetry1m)} FROM ${from(MEASUREMENTS.telemetry)} GROUP BY time(1m), *`,
    [AGGREGATES.event1m]: `SELECT count("${RAW_FIELDS.event.code}") AS ${AGGREGATE_FIELDS.event1m.events} INTO ${into(AGGREGATES.event1m)} FROM ${from(MEASUREMENTS.event)} GROUP BY time(1m), *`,
  };
}
