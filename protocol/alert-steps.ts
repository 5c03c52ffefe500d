/**
 * Where an alert stands for someone following it from elsewhere (a resident report linked to
 * it): its state, with "到场" (someone on site) as its own step between acknowledged and
 * resolved, as the duty officer moves it. No schema library here: the console bundles it.
 */
export const ALERT_STEPS = ['open', 'acknowledged', 'arrived', 'resolved'] as const;
export type AlertStep = (typeof ALERT_STEPS)[number];

export function alertStepOf(alert: {
  state: 'open' | 'acknowledged' | 'resolved';
  arrived_at: number | null;
}): AlertStep {
  if (alert.state === 'resolved') return 'resolved';
  return alert.arrived_at !== null ? 'arrived' : alert.state;
}

export type ReportStatus = 'received' | 'in_progress' | 'resolved' | 'rejected';

/** How far along a report's status is: resolved and rejected both end it. */
export const REPORT_STATUS_RANK: Record<ReportStatus, number> = {
  received: 0,
  in_progress: 1,
  resolved: 2,
  rejected: 2,
};

export interface FollowedAlert {
  state: 'open' | 'acknowledged' | 'resolved';
  acknowledged_at: number | null;
  arrived_at: number | null;
  resolved_at: number | null;
}

export interface FollowingReport {
  status: ReportStatus;
  feedback: 'fixed' | 'not_fixed' | null;
  feedback_at: number | null;
}

/**
 * A linked report ("有人被困") is handled through its alert, until the resident says "not
 * fixed" after the alert's resolution: that reopens the report as a queue item of its own.
 */
export function followsAlert(report: FollowingReport, alert: FollowedAlert | null | undefined): boolean {
  if (!alert) return false;
  const reopenedAfterAlert =
    alert.resolved_at !== null &&
    report.feedback === 'not_fixed' &&
    report.feedback_at !== null &&
    report.feedback_at >= alert.resolved_at;
  return !reopenedAfterAlert;
}

/** What the followed alert says of the report (resolved → resolved, answered → in progress). */
export function statusByAlert(
  report: FollowingReport,
  alert: FollowedAlert | null | undefined,
): ReportStatus | null {
  if (!alert || !followsAlert(report, alert)) return null;
  if (alert.state === 'resolved') return 'resolved';
  return alert.acknowledged_at !== null || alert.arrived_at !== null ? 'in_progress' : 'received';
}

/**
 * Where a report stands: its own status or its followed alert's, whichever is further along,
 * so a report whose alert was resolved counts as closed although nobody moved it. The store
 * says the same in SQL to filter by it (store/repositories/reports.ts).
 */
export function effectiveReportStatus(
  report: FollowingReport,
  alert: FollowedAlert | null | undefined,
): ReportStatus {
  const byAlert = statusByAlert(report, alert);
  return byAlert !== null && REPORT_STATUS_RANK[byAlert] > REPORT_STATUS_RANK[report.status]
    ? byAlert
    : report.status;
}
