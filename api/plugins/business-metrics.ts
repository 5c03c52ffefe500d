/**
 * What an operator alerts on, on `/metrics` beside the request counters (issue 15): open
 * alerts by severity and how many of them escalated, offline lifts (read from the state
 * source's memory: no query per scrape), webhook deliveries and escalation steps by outcome
 * in this process, and the escalation steps waiting in the store (one grouped count: a
 * backlog there means no API is sending). Grafana's alert rules on these names are
 * provisioned by dashboard/grafana/alert-rules.ts.
 */
import fp from 'fastify-plugin';
import type { MetricSample } from '../../lib/prometheus.ts';

export const BUSINESS_METRICS = {
  openAlerts: 'liftwatch_open_alerts',
  escalatedAlerts: 'liftwatch_open_alerts_escalated',
  offlineLifts: 'liftwatch_lifts_offline',
  webhookDeliveries: 'liftwatch_webhook_deliveries_total',
  escalationSteps: 'liftwatch_escalation_steps_total',
  escalationBacklog: 'liftwatch_escalation_steps',
} as const;

const SEVERITIES = ['critical', 'major', 'minor', 'info'] as const;

export default fp(
  async (app) => {
    app.addMetrics(async () => {
      const now = app.clock();
      const bySeverity = new Map<string, number>(SEVERITIES.map((s) => [s, 0]));
      let escalated = 0;
      let offline = 0;
      for (const elevator of app.directory.elevators()) {
        if (app.stateSource.conditionOf(elevator.id, now) === 'offline') offline++;
        for (const alert of app.stateSource.get(elevator.id)?.openAlerts.values() ?? []) {
          bySeverity.set(alert.severity, (bySeverity.get(alert.severity) ?? 0) + 1);
          if (alert.escalated_at !== null) escalated++;
        }
      }
      const samples: MetricSample[] = [];
      for (const [severity, n] of bySeverity)
        samples.push({
          name: BUSINESS_METRICS.openAlerts,
          help: 'Alerts not resolved, by severity',
          type: 'gauge',
          value: n,
          labels: { severity },
        });
      samples.push(
        {
          name: BUSINESS_METRICS.escalatedAlerts,
          help: 'Alerts not resolved that escalated',
          type: 'gauge',
          value: escalated,
        },
        {
          name: BUSINESS_METRICS.offlineLifts,
          help: 'Lifts offline (no message within their offline window, or a Last Will)',
          type: 'gauge',
          value: offline,
        },
      );
      for (const [status, n] of Object.entries(app.webhooks.counts))
        samples.push({
          name: BUSINESS_METRICS.webhookDeliveries,
          help: 'Webhook deliveries finished by this process, by outcome',
          type: 'counter',
          value: n,
          labels: { status },
        });
      for (const [status, n] of Object.entries(app.escalations.counts))
        samples.push({
          name: BUSINESS_METRICS.escalationSteps,
          help: 'Escalation steps this process finished, by outcome (sent, failed, skipped)',
          type: 'counter',
          value: n,
          labels: { status },
        });
      const stored = new Map((await app.store.onCall.countsByStatus()).map((r) => [r.status, r.n]));
      for (const status of ['pending', 'sending', 'sent', 'failed', 'skipped'])
        samples.push({
          name: BUSINESS_METRICS.escalationBacklog,
          help: 'Escalation steps in the store, by status (pending: not sent yet)',
          type: 'gauge',
          value: stored.get(status) ?? 0,
          labels: { status },
        });
      return samples;
    });
  },
  { name: 'lift-business-metrics', dependencies: ['lift-metrics', 'lift-webhooks'] },
);
