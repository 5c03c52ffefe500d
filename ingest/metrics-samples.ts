/**
 * The ingest's counters as Prometheus samples: served by a standalone ingest on
 * INGEST_METRICS_PORT and merged into the API's /metrics when both run in one process.
 */
import { createServer, type Server } from 'node:http';
import { formatPrometheus, type MetricSample, processSamples } from '../lib/prometheus.ts';
import type { IngestMetrics } from './ingest.ts';

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
  return samples;
}

/** A bare /metrics endpoint for an ingest running alone (no API beside it). */
export function serveIngestMetrics(
  port: number,
  host: string,
  metrics: () => IngestMetrics,
): Promise<Server> {
  const server = createServer((request, response) => {
    if (request.url !== '/metrics') {
      response.writeHead(404).end('only /metrics here\n');
      return;
    }
    const body = formatPrometheus([...ingestMetricSamples(metrics()), ...processSamples('liftwatch_ingest')]);
    response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(body);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
