/**
 * Where a resident's report stands, as the receipt page shows it: the report's own status
 * moved by the firm, or, for a "有人被困" report, the alert it opened or joined
 * (acknowledged → being handled; resolved → handled), whichever is further along. A
 * resident who said "not fixed" after the alert's resolution reopened the report: that
 * resolution no longer counts. The status is protocol/alert-steps.ts's rule, the one the
 * console's list and count read; pure, so the receipt page, the feedback route and the tests
 * read one rule.
 */
import {
  effectiveReportStatus,
  REPORT_STATUS_RANK as RANK,
  statusByAlert,
} from '../../protocol/alert-steps.ts';
import type { AlertTable, ResidentReportStatus, ResidentReportTable } from '../../store/schema.ts';

export type ProgressReport = Pick<
  ResidentReportTable,
  'status' | 'updated_at' | 'feedback' | 'feedback_at' | 'rating'
>;
export type ProgressAlert = Pick<
  AlertTable,
  'state' | 'opened_at' | 'acknowledged_at' | 'arrived_at' | 'resolved_at'
>;

export interface ReportProgress {
  status: ResidentReportStatus;
  /** When the handling ended (the firm's or the alert's resolution); null while it goes on. */
  doneAt: number | null;
  /** The resident may now confirm the fix, or say it is not fixed, and rate the handling. */
  canGiveFeedback: boolean;
}

export function reportProgress(
  report: ProgressReport,
  alert: ProgressAlert | null | undefined,
): ReportProgress {
  const byAlert = statusByAlert(report, alert);
  const status = effectiveReportStatus(report, alert);
  const done = RANK[status] === 2;
  const doneAt = !done
    ? null
    : byAlert === 'resolved' && RANK[report.status] < 2
      ? (alert?.resolved_at ?? report.updated_at)
      : report.updated_at;
  // Once after each end of handling: a "not fixed" reopens it, and the next end asks again.
  const canGiveFeedback =
    done &&
    (report.feedback_at === null ||
      (report.feedback === 'not_fixed' && doneAt !== null && doneAt > report.feedback_at));
  return { status, doneAt, canGiveFeedback };
}
