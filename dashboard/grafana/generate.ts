/**
 * Grafana as code: four dashboards (fleet overview, one elevator, ingest health, lift health) and the
 * provisioning files for an InfluxDB 1.x datasource (the ingest's database, with its `raw`
 * and `aggregates` retention policies) and a Prometheus datasource scraping the API's
 * /metrics. `renderAll()` is the single source; `npx tsx dashboard/grafana/generate.ts`
 * writes the files and tests/unit/dashboard-grafana.test.ts checks they are up to date.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import * as common from '@grafana/grafana-foundation-sdk/common';
import {
  DashboardBuilder,
  type Panel,
  QueryVariableBuilder,
  type VariableModel,
  VariableRefresh,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder as PromQuery } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatPanel } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TablePanel } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as TimeseriesPanel } from '@grafana/grafana-foundation-sdk/timeseries';
import {
  AGGREGATE_FIELDS,
  AGGREGATES,
  MEASUREMENTS,
  POINT_TAGS,
  RAW_FIELDS,
  RETENTION_POLICIES,
} from '../../protocol/influx.ts';
import { BAND_SUFFIX, HEALTH_MEASUREMENT, HEALTH_POLICY, JUDGED, SIGNAL_LABEL } from '../../protocol/health.ts';
import { InfluxQuery } from './influx-query.ts';
import { alertProvisioning } from './alert-rules.ts';

export const INFLUX: common.DataSourceRef = { type: 'influxdb', uid: 'liftwatch-influx' };
export const PROM: common.DataSourceRef = { type: 'prometheus', uid: 'liftwatch-prom' };
const ROOT = fileURLToPath(new URL('.', import.meta.url));

/**
 * The names the ingest and the embedded broker export on /metrics (ingest/metrics-samples.ts,
 * broker/metrics-samples.ts) and the API adds (api/plugins/metrics.ts; process gauges from
 * lib/prometheus.ts with prefix liftwatch).
 */
export const METRICS = {
  apiRequests: 'liftwatch_api_requests_total',
  apiUptime: 'liftwatch_api_uptime_seconds',
  received: 'liftwatch_ingest_received_total',
  invalid: 'liftwatch_ingest_invalid_total',
  deduplicated: 'liftwatch_ingest_deduplicated_total',
  written: 'liftwatch_ingest_written_total',
  spilled: 'liftwatch_ingest_spilled_total',
  dropped: 'liftwatch_ingest_dropped_total',
  refused: 'liftwatch_ingest_refused_total',
  deadLettered: 'liftwatch_ingest_dead_lettered_total',
  retries: 'liftwatch_ingest_retries_total',
  gaps: 'liftwatch_ingest_gaps',
  buffered: 'liftwatch_ingest_buffered',
  spillPoints: 'liftwatch_ingest_spill_points',
  writesInFlight: 'liftwatch_ingest_writes_in_flight',
  influxHealthy: 'liftwatch_ingest_influx_healthy',
  mqttConnected: 'liftwatch_ingest_mqtt_connected',
  latency: 'liftwatch_ingest_latency_ms',
  writeLatency: 'liftwatch_ingest_write_latency_ms_bucket',
  arrivalLatency: 'liftwatch_ingest_arrival_latency_ms_bucket',
  influxRequest: 'liftwatch_ingest_influx_request_ms_bucket',
  rss: 'liftwatch_process_rss_bytes',
  brokerClients: 'liftwatch_broker_clients_connected',
  brokerQueued: 'liftwatch_broker_bus_queued',
  inflowWaiting: 'liftwatch_broker_inflow_waiting',
} as const;

const influx = (refId: string, query: string, alias?: string) => {
  const q = new InfluxQuery(refId, INFLUX, query);
  return alias ? q.alias(alias) : q;
};
const influxTable = (refId: string, query: string) => new InfluxQuery(refId, INFLUX, query).table();
const prom = (refId: string, expr: string, legendFormat?: string) => {
  const q = new PromQuery().refId(refId).datasource(PROM).expr(expr);
  return legendFormat ? q.legendFormat(legendFormat) : q;
};

type PanelSpec = TimeseriesPanel | TablePanel | StatPanel;

const legend = () => new common.VizLegendOptionsBuilder().displayMode(common.LegendDisplayMode.List).placement(common.LegendPlacement.Bottom).showLegend(true);

function timeseries(title: string, datasource: common.DataSourceRef, targets: cog.Builder<cog.Dataquery>[]) {
  return new TimeseriesPanel().title(title).datasource(datasource).targets(targets).legend(legend());
}
function table(title: string, datasource: common.DataSourceRef, targets: cog.Builder<cog.Dataquery>[]) {
  return new TablePanel().title(title).datasource(datasource).targets(targets).showHeader(true);
}

/** Panels laid out in rows of `perRow`, ids in order: stable output, stable diffs. */
function layout(panels: PanelSpec[], perRow = 2, height = 8): cog.Builder<Panel>[] {
  const w = 24 / perRow;
  return panels.map((p, i) =>
    p.id(i + 1).gridPos({ x: (i % perRow) * w, y: Math.floor(i / perRow) * height, w, h: height }),
  );
}

function variable(name: string, label: string, query: string, multi: boolean): cog.Builder<VariableModel> {
  return new QueryVariableBuilder(name)
    .label(label)
    .datasource(INFLUX)
    .query(query)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .multi(multi)
    .includeAll(multi);
}

function dashboard(uid: string, title: string, description: string, panels: cog.Builder<Panel>[], vars: cog.Builder<VariableModel>[] = []) {
  const builder = new DashboardBuilder(title)
    .uid(uid)
    .description(description)
    .tags(['liftwatch'])
    .timezone('browser')
    .readonly()
    .refresh('30s')
    .time({ from: 'now-6h', to: 'now' })
    .version(1)
    .variables(vars);
  for (const panel of panels) builder.withPanel(panel);
  return builder.build();
}

/** InfluxQL names, all from protocol/influx.ts: a rename there reaches every panel. */
const f = (name: string) => `"${name}"`;
const T = RAW_FIELDS.telemetry;
const E = RAW_FIELDS.event;
const M = RAW_FIELDS.maintenance;
const A = AGGREGATE_FIELDS.telemetry1m;
const RAW_TELEMETRY = `${f(RETENTION_POLICIES.raw)}.${f(MEASUREMENTS.telemetry)}`;
const RAW_EVENT = `${f(RETENTION_POLICIES.raw)}.${f(MEASUREMENTS.event)}`;
const RAW_MAINTENANCE = `${f(RETENTION_POLICIES.raw)}.${f(MEASUREMENTS.maintenance)}`;
const TELEMETRY_1M = `${f(RETENTION_POLICIES.aggregates)}.${f(AGGREGATES.telemetry1m)}`;
const EVENT_1M = `${f(RETENTION_POLICIES.aggregates)}.${f(AGGREGATES.event1m)}`;

const ESTATE = () => variable('estate', 'Estate 小区', `SHOW TAG VALUES FROM ${f(MEASUREMENTS.telemetry)} WITH KEY = ${f(POINT_TAGS.estate)}`, true);
const ELEVATOR = () => variable('elevator', 'Elevator 电梯', `SHOW TAG VALUES FROM ${f(MEASUREMENTS.telemetry)} WITH KEY = ${f(POINT_TAGS.elevator)} WHERE ${f(POINT_TAGS.estate)} =~ /^$estate$/`, false);
const inEstate = `${f(POINT_TAGS.estate)} =~ /^$estate$/ AND $timeFilter`;
const inElevator = `${f(POINT_TAGS.elevator)} =~ /^$elevator$/ AND $timeFilter`;

export function fleetOverview() {
  return dashboard('liftwatch-fleet', 'Lift Watch — fleet overview', 'Every elevator of the chosen estates: runs, events and latest state.', layout([
    table('Latest state per elevator', INFLUX, [influxTable('A', `SELECT last(${f(T.floor)}) AS "floor", last(${f(T.mode)}) AS "mode", last(${f(T.speed)}) AS "speed", last(${f(T.runCount)}) AS "runs" FROM ${RAW_TELEMETRY} WHERE ${inEstate} GROUP BY ${f(POINT_TAGS.elevator)}`)]),
    timeseries('Runs per hour', INFLUX, [influx('A', `SELECT non_negative_difference(max(${f(A.runCountMax)})) FROM ${TELEMETRY_1M} WHERE ${inEstate} GROUP BY time(1h), ${f(POINT_TAGS.elevator)} fill(none)`, '$tag_elevator')]),
    timeseries('Device events per minute', INFLUX, [influx('A', `SELECT sum(${f(AGGREGATE_FIELDS.event1m.events)}) FROM ${EVENT_1M} WHERE ${inEstate} GROUP BY time($__interval), ${f(POINT_TAGS.elevator)} fill(none)`, '$tag_elevator')]),
    timeseries('Telemetry samples per minute (silence = offline)', INFLUX, [influx('A', `SELECT sum(${f(A.samples)}) FROM ${TELEMETRY_1M} WHERE ${inEstate} GROUP BY time(1m), ${f(POINT_TAGS.elevator)} fill(0)`, '$tag_elevator')]),
  ]), [ESTATE()]);
}

export function elevatorDashboard() {
  const panels = layout([
    timeseries('Floor over time', INFLUX, [influx('A', `SELECT last(${f(T.floor)}) FROM ${RAW_TELEMETRY} WHERE ${inElevator} GROUP BY time($__interval) fill(previous)`, 'floor')]),
    // Telemetry is written by exception (only changed fields between keyframes): carry the
    // last value forward, and never average change-only samples.
    timeseries('Speed (m/s)', INFLUX, [influx('A', `SELECT last(${f(T.speed)}) FROM ${RAW_TELEMETRY} WHERE ${inElevator} GROUP BY time($__interval) fill(previous)`, 'speed'), influx('B', `SELECT max(${f(T.speed)}) FROM ${RAW_TELEMETRY} WHERE ${inElevator} GROUP BY time($__interval) fill(previous)`, 'max')]),
    timeseries('Run count', INFLUX, [influx('A', `SELECT max(${f(A.runCountMax)}) FROM ${TELEMETRY_1M} WHERE ${inElevator} GROUP BY time($__interval) fill(none)`, 'runs')]),
    // Trips: the counter's rise per bucket; door cycles: the openings the ingest marks (door_opens).
    timeseries('Trips and door cycles per interval', INFLUX, [influx('A', `SELECT non_negative_difference(max(${f(A.runCountMax)})) FROM ${TELEMETRY_1M} WHERE ${inElevator} GROUP BY time($__interval) fill(none)`, 'trips'), influx('B', `SELECT sum(${f(A.doorOpens)}) FROM ${TELEMETRY_1M} WHERE ${inElevator} GROUP BY time($__interval) fill(0)`, 'door cycles')]),
    timeseries('Load (kg) and vibration (mg)', INFLUX, [influx('A', `SELECT max(${f(T.load)}) FROM ${RAW_TELEMETRY} WHERE ${inElevator} GROUP BY time($__interval) fill(previous)`, 'load'), influx('B', `SELECT max(${f(T.vibration)}) FROM ${RAW_TELEMETRY} WHERE ${inElevator} GROUP BY time($__interval) fill(previous)`, 'vibration')]),
    table('Device events', INFLUX, [influxTable('A', `SELECT ${f(E.code)}, ${f(E.detail)} FROM ${RAW_EVENT} WHERE ${inElevator} ORDER BY time DESC LIMIT 200`)]),
    table('Maintenance check-ins and check-outs', INFLUX, [influxTable('A', `SELECT ${[M.action, M.visitId, M.technicianId, M.kind, M.method].map(f).join(', ')} FROM ${RAW_MAINTENANCE} WHERE ${inElevator} ORDER BY time DESC LIMIT 100`)]),
  ]);
  return dashboard('liftwatch-elevator', 'Lift Watch — one elevator', 'One car: floor, speed, runs, trips and door cycles, load, events and maintenance visits.', panels, [ESTATE(), ELEVATOR()]);
}

/**
 * Condition-based maintenance (issue 16): the ingest's `health_daily` points (one per lift and
 * device day; names in protocol/health.ts). The latest state per lift, scores over time, and
 * for one lift each judged signal with its usual band (median and median + judgement floor,
 * as the ingest computed them that day) and its daily use.
 */
export function liftHealth() {
  // The long-kept policy: a 90-day dashboard over the raw one would show 30 days.
  const from = `${f(HEALTH_POLICY)}.${f(HEALTH_MEASUREMENT)}`;
  const daily = 'GROUP BY time(1d) fill(none)';
  const signal = (name: (typeof JUDGED)[number]) => {
    const label = SIGNAL_LABEL[name];
    const median = `${name}${BAND_SUFFIX.median}`;
    const floor = `${name}${BAND_SUFFIX.floor}`;
    return timeseries(`${label.en} ${label.zh}${label.unit ? ` (${label.unit})` : ''}: day and usual band`, INFLUX, [
      influx('A', `SELECT last("${name}") FROM ${from} WHERE ${inElevator} ${daily}`, 'day'),
      influx('B', `SELECT last("${median}") FROM ${from} WHERE ${inElevator} ${daily}`, 'usual'),
      influx('C', `SELECT last("${median}") + last("${floor}") FROM ${from} WHERE ${inElevator} ${daily}`, 'band top'),
    ]);
  };
  const panels = layout([
    table('Latest health per lift (early visits first: sort by early)', INFLUX, [influxTable('A', `SELECT "score", "status", "early", "latest_visit", "component", "reasons" FROM ${from} WHERE ${inEstate} GROUP BY "elevator" ORDER BY time DESC LIMIT 1`)]),
    timeseries('Health score per lift (0–100)', INFLUX, [influx('A', `SELECT last("score") FROM ${from} WHERE ${inEstate} GROUP BY time(1d), "elevator" fill(none)`, '$tag_elevator')]),
    timeseries('Trips and door cycles per day (selected lift)', INFLUX, [influx('A', `SELECT last("trips") FROM ${from} WHERE ${inElevator} ${daily}`, 'trips'), influx('B', `SELECT last("door_cycles") FROM ${from} WHERE ${inElevator} ${daily}`, 'door cycles')]),
    timeseries('Run hours per day and days to the next visit (selected lift)', INFLUX, [influx('A', `SELECT last("run_hours") FROM ${from} WHERE ${inElevator} ${daily}`, 'run hours'), influx('B', `SELECT last("due_in_days") FROM ${from} WHERE ${inElevator} ${daily}`, 'days to next visit')]),
    ...JUDGED.map(signal),
  ]);
  const built = dashboard('liftwatch-health', 'Lift Watch — lift health', 'Condition-based maintenance: each lift judged against its own baseline (docs/detection.md).', panels, [ESTATE(), ELEVATOR()]);
  return { ...built, time: { from: 'now-90d', to: 'now' }, refresh: '1h' };
}

export function ingestHealth() {
  const rate = (m: string) => `sum(rate(${m}[5m]))`;
  const p99 = (buckets: string) => `histogram_quantile(0.99, sum by (le) (rate(${buckets}[5m])))`;
  return dashboard('liftwatch-ingest', 'Lift Watch — ingest health', 'From /metrics: messages in, points written, losses, buffers, connections, broker flow and latency.', layout([
    timeseries('Messages received, invalid and deduplicated (/s)', PROM, [prom('A', rate(METRICS.received), 'received'), prom('B', rate(METRICS.invalid), 'invalid'), prom('C', rate(METRICS.deduplicated), 'deduplicated')]),
    timeseries('Points written and spilled (/s)', PROM, [prom('A', rate(METRICS.written), 'written'), prom('B', rate(METRICS.spilled), 'spilled')]),
    timeseries('Points lost: dropped, refused, dead-lettered (/s)', PROM, [prom('A', rate(METRICS.dropped), 'dropped'), prom('B', rate(METRICS.refused), 'refused'), prom('C', rate(METRICS.deadLettered), 'dead-lettered')]),
    timeseries('InfluxDB write retries (/s) and writes in flight', PROM, [prom('A', rate(METRICS.retries), 'retries'), prom('B', METRICS.writesInFlight, 'in flight')]),
    timeseries('Writer buffer and spill (points)', PROM, [prom('A', METRICS.buffered, 'buffered'), prom('B', METRICS.spillPoints, 'on disk')]),
    timeseries('Sequence gaps (messages not arrived)', PROM, [prom('A', METRICS.gaps, 'gaps')]),
    timeseries('Publish → write latency (ms)', PROM, [prom('A', METRICS.latency, 'p{{quantile}}')]).unit('ms'),
    timeseries('p99 over 5 min by stage (ms): publish → written, publish → received, InfluxDB request', PROM, [prom('A', p99(METRICS.writeLatency), 'written'), prom('B', p99(METRICS.arrivalLatency), 'received'), prom('C', p99(METRICS.influxRequest), 'InfluxDB request')]).unit('ms'),
    timeseries('Connections (1 = up)', PROM, [prom('A', METRICS.influxHealthy, 'InfluxDB'), prom('B', METRICS.mqttConnected, 'MQTT')]),
    timeseries('Broker: queued for delivery, device publishes held (> 0: the ingest is behind)', PROM, [prom('A', METRICS.brokerQueued, 'queued'), prom('B', METRICS.inflowWaiting, 'held')]),
    timeseries('Broker: clients connected', PROM, [prom('A', METRICS.brokerClients, 'clients')]),
    timeseries('API requests (/s)', PROM, [prom('A', `sum by (status) (rate(${METRICS.apiRequests}[5m]))`, '{{status}}')]),
    timeseries('Memory (RSS)', PROM, [prom('A', METRICS.rss, 'rss')]).unit('bytes'),
    new StatPanel().title('API uptime').datasource(PROM).targets([prom('A', METRICS.apiUptime)]).unit('s'),
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
  const json = (d: unknown) => `${JSON.stringify(d, null, 2)}\n`;
  return {
    'dashboards/fleet-overview.json': json(fleetOverview()),
    'dashboards/elevator.json': json(elevatorDashboard()),
    'dashboards/ingest-health.json': json(ingestHealth()),
    'dashboards/lift-health.json': json(liftHealth()),
    'provisioning/datasources/liftwatch.yaml': DATASOURCES,
    'provisioning/dashboards/liftwatch.yaml': PROVIDER,
    'provisioning/alerting/liftwatch-rules.yaml': `# Generated by dashboard/grafana/generate.ts (alert-rules.ts) — do not edit by hand.\n${json(alertProvisioning(PROM.uid ?? "liftwatch-prom"))}`,
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const [path, content] of Object.entries(renderAll())) {
    await mkdir(dirname(join(ROOT, path)), { recursive: true });
    await writeFile(join(ROOT, path), content);
    console.log(`wrote dashboard/grafana/${path}`);
  }
}
