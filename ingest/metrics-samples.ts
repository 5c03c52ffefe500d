/**
 * The ingest's counters as Prometheus samples: served by a standalone ingest on
 * INGEST_METRICS_PORT and merged into the API's /metrics when both run in one process.
 */
import type { MetricSample } from '../lib/prometheus.ts';
import type { IngestMetrics } from './ingest.ts';
import { LATENCY_BOUNDS_MS, type LatencySummary } from './metrics.ts';

const COUNTERS: [keyof IngestMetrics, string][] = [
  ['received', 'MQTT messages received'],
  ['invalid', 'Messages rejected (bad topic, JSON, schema, unknown elevator) and dead-lettered'],
  ['deduplicated', 'QoS 1 resends recognised by (elevator, seq)'],
  ['written', 'Points acknowledged by InfluxDB'],
  ['spilled', 'Points ever spilled to disk during an InfluxDB outage'],
  ['dropped', 'Points lost over the spill disk cap'],
  ['refused', 'Points InfluxDB refused for good (dead-lettered)'],
  ['deadLettered', 'Dead letters stored'],
  ['retries', 'InfluxDB write retries'],
  ['detectErrors', 'Detection steps that threw'],
];

const GAUGES: [keyof IngestMetrics, string][] = [
  ['gaps', 'Sequence numbers skipped and not (yet) arrived, all devices'],
  ['buffered', 'Points held in memory for InfluxDB'],
  ['spillPoints', 'Points on disk waiting for InfluxDB'],
  ['writesInFlight', 'InfluxDB writes in flight'],
];

const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

export function ingestMetricSamples(metrics: IngestMetrics): MetricSample[] {
  const samples: MetricSample[] = [];
  for (const [key, help] of COUNTERS) {
    samples.push({
      name: `liftwatch_ingest_${snake(key)}_total`,
      help,
      type: 'counter',
      value: metrics[key] as number,
    });
  }
  for (const [key, help] of GAUGES) {
    samples.push({
      name: `liftwatch_ingest_${snake(key)}`,
      help,
      type: 'gauge',
      value: metrics[key] as number,
    });
  }
  samples.push(
    {
      name: 'liftwatch_ingest_influx_healthy',
      help: 'InfluxDB answering',
      type: 'gauge',
      value: metrics.influxHealthy ? 1 : 0,
    },
    {
      name: 'liftwatch_ingest_mqtt_connected',
      help: 'Connected to the broker',
      type: 'gauge',
      value: metrics.mqttConnected ? 1 : 0,
    },
  );
  if (metrics.log) {
    const log = metrics.log;
    samples.push(
      {
        name: 'liftwatch_ingest_log_connected',
        help: 'Connected to the log (NATS JetStream)',
        type: 'gauge',
        value: log.connected ? 1 : 0,
      },
      {
        name: 'liftwatch_ingest_log_acked_total',
        help: 'Log messages acknowledged after their write',
        type: 'counter',
        value: log.acked,
      },
      {
        name: 'liftwatch_ingest_log_replayed_total',
        help: "Log messages read again after a takeover that the partition's earlier owner had acknowledged (state rebuilt, nothing raised)",
        type: 'counter',
        value: log.replayed,
      },
      {
        name: 'liftwatch_ingest_log_unacked',
        help: 'Log messages handled and waiting for their write before being acknowledged',
        type: 'gauge',
        value: log.unacked,
      },
      {
        name: 'liftwatch_ingest_log_settle_failures_total',
        help: 'Settles (write, dead letters, alert commits) that failed or timed out; nothing was acknowledged',
        type: 'counter',
        value: log.settleFailures,
      },
    );
    if (log.leases)
      samples.push({
        name: 'liftwatch_ingest_log_partitions_owned',
        help: 'Log partitions this worker holds the lease of',
        type: 'gauge',
        value: log.leases.owned.length,
      });
  }
  for (const [quantile, value] of [
    ['0.5', metrics.latencyMs.p50],
    ['0.9', metrics.latencyMs.p90],
    ['0.99', metrics.latencyMs.p99],
  ] as const) {
    samples.push({
      name: 'liftwatch_ingest_latency_ms',
      help: 'Device publish to InfluxDB write acknowledged, milliseconds',
      type: 'gauge',
      value,
      labels: { quantile },
    });
  }
  samples.push(
    ...histogramSamples(
      'liftwatch_ingest_write_latency_ms',
      'Device publish to InfluxDB write acknowledged, milliseconds (histogram)',
      metrics.latencyMs,
    ),
    ...histogramSamples(
      'liftwatch_ingest_arrival_latency_ms',
      'Device publish to received by the ingest, milliseconds (histogram)',
      metrics.arrivalMs,
    ),
    ...histogramSamples(
      'liftwatch_ingest_influx_request_ms',
      'InfluxDB write request sent to acknowledged, per point, milliseconds (histogram)',
      metrics.influxRequestMs,
    ),
  );
  return samples;
}

function histogramSamples(
  family: string,
  help: string,
  summary: Partial<LatencySummary> | undefined,
): MetricSample[] {
  const { cumulative = [], count = 0, sum = 0 } = summary ?? {};
  const sample = (suffix: string, value: number, le?: string): MetricSample => ({
    name: `${family}${suffix}`,
    family,
    help,
    type: 'histogram',
    value,
    ...(le ? { labels: { le } } : {}),
  });
  return [
    ...LATENCY_BOUNDS_MS.map((le, i) => sample('_bucket', cumulative[i] ?? 0, String(le))),
    sample('_bucket', count, '+Inf'),
    sample('_sum', sum),
    sample('_count', count),
  ];
}
