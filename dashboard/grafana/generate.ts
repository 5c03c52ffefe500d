/**
 * Grafana as code: three dashboards (fleet overview, one elevator, ingest health) and the
 * provisioning files for an InfluxDB 1.x datasource (the ingest's database, with its `raw`
 * and `aggregates` retention policies) and a Prometheus datasource scraping the API's
 * /metrics. `renderAll()` is the single source; `npx tsx dashboard/grafana/generate.ts`
 * writes the files and tests/unit/dashboard-grafana.test.ts checks they are up to date.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Dashboard, DatasourceRef, Panel, QueryVariable, Target } from './model.ts';

export const INFLUX: DatasourceRef = { type: 'influxdb', uid: 'liftwatch-influx' };
export const PROM: DatasourceRef = { type: 'prometheus', uid: 'liftwatch-prom' };
const ROOT = fileURLToPath(new URL('.', import.meta.url));

/**
 * Ingest metric names as the ingest's stats() fields would be exported on /metrics
 * (liftwatch_ingest_<field>). Only `received_total` is exported today; AWAITING the
 * lead's wiring of the rest in main.ts — rename here in one place if it differs.
 */
export const METRICS = {
  apiRequests: 'liftwatch_api_requests_total',
  apiUptime: 'liftwatch_api_uptime_seconds',
  received: 'liftwatch_ingest_received_total',
  written: 'liftwatch_ingest_written_total',
  dropped: 'liftwatch_ingest_dropped_total',
  deadLettered: 'liftwatch_ingest_dead_lettered_total',
  buffered: 'liftwatch_ingest_buffered',
  spillPoints: 'liftwatch_ingest_spill_points',
  latencyP99: 'liftwatch_ingest_latency_p99_ms',
} as const;

const influx = (refId: string, query: string, alias?: string, table = false): Target => ({
  refId,
  datasource: INFLUX,
  query,
  rawQuery: true,
  resultFormat: table ? 'table' : 'time_series',
  ...(alias ? { alias } : {}),
});
const prom = (refId: string, expr: string, legendFormat?: string): Target => ({
  refId,
  datasource: PROM,
  expr,
  ...(legendFormat ? { legendFormat } : {}),
});

/** Panels are laid out in rows of `perRow`, ids in order: stable output, stable diffs. */
function layout(specs: Omit<Panel, 'id' | 'gridPos' | 'fieldConfig' | 'options'>[], perRow = 2, height = 8): Panel[] {
  const w = 24 / perRow;
  return specs.map((spec, i) => ({
    id: i + 1,
    gridPos: { x: (i % perRow) * w, y: Math.floor(i / perRow) * height, w, h: height },
    fieldConfig: { defaults: {}, overrides: [] },
    options: spec.type === 'table' ? { showHeader: true } : { legend: { displayMode: 'list', placement: 'bottom' } },
    ...spec,
  }));
}

function variable(name: string, label: string, query: string, multi: boolean): QueryVariable {
  return { type: 'query', name, label, datasource: INFLUX, query, refresh: 2, multi, includeAll: multi, current: {} };
}

function dashboard(uid: string, title: string, description: string, panels: Panel[], vars: QueryVariable[] = []): Dashboard {
  return {
    uid,
    title,
    description,
    tags: ['liftwatch'],
    timezone: 'browser',
    schemaVersion: 39,
    version: 1,
    editable: false,
    refresh: '30s',
    time: { from: 'now-6h', to: 'now' },
    templating: { list: vars },
    annotations: { list: [] },
    panels,
  };
}

const ESTATE = variable('estate', 'Estate 小区', 'SHOW TAG VALUES FROM "telemetry" WITH KEY = "estate"', true);
const ELEVATOR = variable('elevator', 'Elevator 电梯', 'SHOW TAG VALUES FROM "telemetry" WITH KEY = "elevator" WHERE "estate" =~ /^$estate$/', false);
const inEstate = `"estate" =~ /^$estate$/ AND $timeFilter`;
const inElevator = `"elevator" =~ /^$elevator$/ AND $timeFilter`;

export function fleetOverview(): Dashboard {
  return dashboard('liftwatch-fleet', 'Lift Watch — fleet overview', 'Every elevator of the chosen estates: runs, events and latest state.', layout([
    { type: 'table', title: 'Latest state per elevator', datasource: INFLUX, targets: [influx('A', `SELECT last("floor") AS "floor", last("mode") AS "mode", last("speed_mps") AS "speed", last("run_count") AS "runs" FROM "raw"."telemetry" WHERE ${inEstate} GROUP BY "elevator"`, undefined, true)] },
    { type: 'timeseries', title: 'Runs per hour', datasource: INFLUX, targets: [influx('A', `SELECT non_negative_difference(max("run_count_max")) FROM "aggregates"."telemetry_1m" WHERE ${inEstate} GROUP BY time(1h), "elevator" fill(none)`, '$tag_elevator')] },
    { type: 'timeseries', title: 'Device events per minute', datasource: INFLUX, targets: [influx('A', `SELECT sum("events") FROM "aggregates"."event_1m" WHERE ${inEstate} GROUP BY time($__interval), "elevator" fill(none)`, '$tag_elevator')] },
    { type: 'timeseries', title: 'Telemetry samples per minute (silence = offline)', datasource: INFLUX, targets: [influx('A', `SELECT sum("samples") FROM "aggregates"."telemetry_1m" WHERE ${inEstate} GROUP BY time(1m), "elevator" fill(0)`, '$tag_elevator')] },
  ]), [ESTATE]);
}

export function elevatorDashboard(): Dashboard {
  const panels = layout([
    { type: 'timeseries', title: 'Floor over time', datasource: INFLUX, targets: [influx('A', `SELECT last("floor") FROM "raw"."telemetry" WHERE ${inElevator} GROUP BY time($__interval) fill(previous)`, 'floor')] },
    { type: 'timeseries', title: 'Speed (m/s)', datasource: INFLUX, targets: [influx('A', `SELECT mean("speed_mps") FROM "raw"."telemetry" WHERE ${inElevator} GROUP BY time($__interval) fill(none)`, 'mean'), influx('B', `SELECT max("speed_mps") FROM "raw"."telemetry" WHERE ${inElevator} GROUP BY time($__interval) fill(none)`, 'max')] },
    { type: 'timeseries', title: 'Run count', datasource: INFLUX, targets: [influx('A', `SELECT max("run_count_max") FROM "aggregates"."telemetry_1m" WHERE ${inElevator} GROUP BY time($__interval) fill(none)`, 'runs')] },
    { type: 'timeseries', title: 'Load (kg) and vibration (mg)', datasource: INFLUX, targets: [influx('A', `SELECT max("load_kg") FROM "raw"."telemetry" WHERE ${inElevator} GROUP BY time($__interval) fill(none)`, 'load'), influx('B', `SELECT max("vibration_mg") FROM "raw"."telemetry" WHERE ${inElevator} GROUP BY time($__interval) fill(none)`, 'vibration')] },
    { type: 'table', title: 'Device events', datasource: INFLUX, targets: [influx('A', `SELECT "code", "detail" FROM "raw"."event" WHERE ${inElevator} ORDER BY time DESC LIMIT 200`, undefined, true)] },
    { type: 'table', title: 'Maintenance check-ins and check-outs', datasource: INFLUX, targets: [influx('A', `SELECT "action", "visit_id", "technician_id", "kind", "method" FROM "raw"."maintenance" WHERE ${inElevator} ORDER BY time DESC LIMIT 100`, undefined, true)] },
  ]);
  return dashboard('liftwatch-elevator', 'Lift Watch — one elevator', 'One car: floor, speed, runs, load, events and maintenance visits.', panels, [ESTATE, ELEVATOR]);
}

export function ingestHealth(): Dashboard {
  const rate = (m: string) => `sum(rate(${m}[5m]))`;
  return dashboard('liftwatch-ingest', 'Lift Watch — ingest health', 'From /metrics: messages in, points written, losses, buffers and latency.', layout([
    { type: 'timeseries', title: 'Messages received and points written (/s)', datasource: PROM, targets: [prom('A', rate(METRICS.received), 'received'), prom('B', rate(METRICS.written), 'written')] },
    { type: 'timeseries', title: 'Dropped and dead-lettered (/s)', datasource: PROM, targets: [prom('A', rate(METRICS.dropped), 'dropped'), prom('B', rate(METRICS.deadLettered), 'dead-lettered')] },
    { type: 'timeseries', title: 'Writer buffer and spill (points)', datasource: PROM, targets: [prom('A', METRICS.buffered, 'buffered'), prom('B', METRICS.spillPoints, 'spilled')] },
    { type: 'timeseries', title: 'Publish → write latency p99 (ms)', datasource: PROM, targets: [prom('A', METRICS.latencyP99, 'p99')] },
    { type: 'timeseries', title: 'API requests (/s)', datasource: PROM, targets: [prom('A', `sum by (status) (rate(${METRICS.apiRequests}[5m]))`, '{{status}}')] },
    { type: 'stat', title: 'API uptime', datasource: PROM, targets: [prom('A', METRICS.apiUptime)] },
  ]));
}

const DATASOURCES = `# Generated by dashboard/grafana/generate.ts — do not edit by hand.
apiVersion: 1
datasources:
  - name: Lift Watch InfluxDB
    uid: ${INFLUX.uid}
    type: influxdb
    access: proxy
    url: \${LIFTWATCH_INFLUX_URL}
    jsonData:
      dbName: liftwatch
      httpMode: GET
  - name: Lift Watch metrics
    uid: ${PROM.uid}
    type: prometheus
    access: proxy
    url: \${LIFTWATCH_PROMETHEUS_URL}
`;

const PROVIDER = `# Generated by dashboard/grafana/generate.ts — do not edit by hand.
apiVersion: 1
providers:
  - name: liftwatch
    folder: Lift Watch
    type: file
    disableDeletion: true
    allowUiUpdates: false
    options:
      path: /etc/grafana/dashboards/liftwatch
`;

/** Every generated file, by path under dashboard/grafana/. */
export function renderAll(): Record<string, string> {
  const json = (d: Dashboard) => `${JSON.stringify(d, null, 2)}\n`;
  return {
    'dashboards/fleet-overview.json': json(fleetOverview()),
    'dashboards/elevator.json': json(elevatorDashboard()),
    'dashboards/ingest-health.json': json(ingestHealth()),
    'provisioning/datasources/liftwatch.yaml': DATASOURCES,
    'provisioning/dashboards/liftwatch.yaml': PROVIDER,
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const [path, content] of Object.entries(renderAll())) {
    await mkdir(dirname(join(ROOT, path)), { recursive: true });
    await writeFile(join(ROOT, path), content);
    console.log(`wrote dashboard/grafana/${path}`);
  }
}
