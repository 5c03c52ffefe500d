/**
 * The broker's flow as Prometheus samples: served by a standalone broker on
 * BROKER_METRICS_PORT and merged into the API's /metrics when both run in one process.
 * `inflow_waiting` above zero means the ingest is behind and devices are being slowed.
 */
import type { MetricSample } from '../lib/prometheus.ts';
import type { BrokerMetrics } from './broker.ts';

export function brokerMetricSamples(metrics: BrokerMetrics): MetricSample[] {
  return [
    {
      name: 'liftwatch_broker_clients_connected',
      help: 'MQTT clients connected (devices and services)',
      type: 'gauge',
      value: metrics.clientsConnected,
    },
    {
      name: 'liftwatch_broker_bus_queued',
      help: 'Messages acknowledged to their publisher and waiting for delivery to subscribers',
      type: 'gauge',
      value: metrics.busQueued,
    },
    {
      name: 'liftwatch_broker_inflow_waiting',
      help: 'Device publishes held before their PUBACK while the delivery queue is long',
      type: 'gauge',
      value: metrics.inflowWaiting,
    },
    {
      name: 'liftwatch_broker_inflow_held_total',
      help: 'Device publishes ever held at the inflow gate',
      type: 'counter',
      value: metrics.inflowHeldTotal,
    },
    ...Object.entries(metrics.publishesRefused).map(
      ([reason, value]): MetricSample => ({
        name: 'liftwatch_broker_publishes_refused_total',
        help: 'Publishes refused and their connection closed, by reason (topic not granted, retain not allowed)',
        type: 'counter',
        value,
        labels: { reason },
      }),
    ),
    ...(metrics.logWaiting === undefined
      ? []
      : [
          {
            name: 'liftwatch_broker_log_waiting',
            help: 'Device publishes waiting for the log (NATS JetStream) to store them before their PUBACK',
            type: 'gauge' as const,
            value: metrics.logWaiting,
          },
          {
            name: 'liftwatch_broker_log_append_failures_total',
            help: 'Appends to the log that failed and were retried (the device was not acknowledged meanwhile)',
            type: 'counter' as const,
            value: metrics.logAppendFailures ?? 0,
          },
        ]),
  ];
}
