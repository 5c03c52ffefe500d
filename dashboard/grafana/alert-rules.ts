/**
 * Grafana alert rules as code (issue 15), provisioned from
 * `provisioning/alerting/liftwatch-rules.yaml`: the business metrics the API exports
 * (api/plugins/business-metrics.ts) turned into the alerts an operator needs: escalation
 * steps waiting with nobody sending them, escalation steps or webhook deliveries failing,
 * escalated alerts still open, critical alerts open too long, many lifts offline. Each rule
 * is a Prometheus query (A), reduced to its last value (B) and compared with a threshold (C),
 * the shape Grafana's own exported rules take. JSON is YAML, so the file is written as JSON
 * under a comment.
 */

/** The API's metric names (api/plugins/business-metrics.ts; the unit test holds them equal). */
export const M = {
  openAlerts: 'liftwatch_open_alerts',
  escalatedAlerts: 'liftwatch_open_alerts_escalated',
  offlineLifts: 'liftwatch_lifts_offline',
  webhookDeliveries: 'liftwatch_webhook_deliveries_total',
  escalationSteps: 'liftwatch_escalation_steps_total',
  escalationBacklog: 'liftwatch_escalation_steps',
} as const;

interface Rule {
  uid: string;
  title: string;
  expr: string;
  /** Fires when the last value is above this. */
  above: number;
  for: string;
  severity: 'critical' | 'warning';
  summary: string;
}

export const ALERT_RULES: readonly Rule[] = [
  {
    uid: 'liftwatch-escalation-backlog',
    title: '升级通知积压 Escalation steps not being sent',
    expr: `max(${M.escalationBacklog}{status="pending"})`,
    above: 0,
    for: '2m',
    severity: 'critical',
    summary: '有升级通知超过 2 分钟未发出：没有 API 进程在发送（检查 API 是否运行）。',
  },
  {
    uid: 'liftwatch-escalation-failed',
    title: '升级通知发送失败 Escalation steps failing',
    expr: `sum(increase(${M.escalationSteps}{status="failed"}[10m]))`,
    above: 0,
    for: '0s',
    severity: 'critical',
    summary: '升级通知未送达值班人员：检查值班表中的通知渠道。',
  },
  {
    uid: 'liftwatch-webhook-failures',
    title: '通知渠道发送失败 Webhook deliveries failing',
    expr: `sum(increase(${M.webhookDeliveries}{status="failed"}[15m]))`,
    above: 3,
    for: '0s',
    severity: 'warning',
    summary: '15 分钟内多次通知发送失败：检查企业微信/钉钉机器人或接收地址。',
  },
  {
    uid: 'liftwatch-escalated-open',
    title: '已升级告警未处理 Escalated alerts open',
    expr: `max(${M.escalatedAlerts})`,
    above: 0,
    for: '1m',
    severity: 'critical',
    summary: '有告警已升级仍未解决：值班人员未及时确认或未到场。',
  },
  {
    uid: 'liftwatch-critical-open',
    title: '紧急告警持续 Critical alerts open',
    expr: `max(${M.openAlerts}{severity="critical"})`,
    above: 0,
    for: '15m',
    severity: 'warning',
    summary: '紧急告警已持续 15 分钟以上。',
  },
  {
    uid: 'liftwatch-lifts-offline',
    title: '大量电梯离线 Many lifts offline',
    expr: `max(${M.offlineLifts})`,
    above: 10,
    for: '10m',
    severity: 'warning',
    summary: '超过 10 台电梯离线 10 分钟：检查网络、消息服务器或采集进程。',
  },
];

/** The provisioning file's object: one group in the Lift Watch folder, evaluated every minute. */
export function alertProvisioning(datasourceUid: string) {
  return {
    apiVersion: 1,
    groups: [
      {
        orgId: 1,
        name: 'liftwatch-operations',
        folder: 'Lift Watch',
        interval: '1m',
        rules: ALERT_RULES.map((r) => ({
          uid: r.uid,
          title: r.title,
          condition: 'C',
          data: [
            {
              refId: 'A',
              relativeTimeRange: { from: 600, to: 0 },
              datasourceUid,
              model: { refId: 'A', expr: r.expr, instant: true, intervalMs: 60_000, maxDataPoints: 43_200 },
            },
            {
              refId: 'B',
              datasourceUid: '__expr__',
              model: { refId: 'B', type: 'reduce', expression: 'A', reducer: 'last' },
            },
            {
              refId: 'C',
              datasourceUid: '__expr__',
              model: {
                refId: 'C',
                type: 'threshold',
                expression: 'B',
                conditions: [{ evaluator: { type: 'gt', params: [r.above] } }],
              },
            },
          ],
          for: r.for,
          noDataState: 'OK',
          execErrState: 'Error',
          labels: { severity: r.severity, service: 'liftwatch' },
          annotations: { summary: r.summary },
        })),
      },
    ],
  };
}
