/**
 * What the monthly SLA report reads (alerts/sla.ts computes it): one month's critical
 * alerts with their response, arrival and resolution times, and one month's resident
 * reports with the residents' feedback, for the principal's estates. A report comes with
 * the alert it is linked to (a "有人被困" report follows its alert), so the report counts
 * it by its effective status, the rule protocol/alert-steps.ts holds for every screen.
 */
import type { FollowedAlert } from '../../protocol/alert-steps.ts';
import type { RegistryDb } from '../db.ts';
import type { AlertTable, ResidentReportTable } from '../schema.ts';
import { FOLLOWED_ALERT_COLUMNS, splitFollowedAlert } from './reports.ts';

export type SlaAlertRow = Pick<
  AlertTable,
  'estate_id' | 'opened_at' | 'acknowledged_at' | 'arrived_at' | 'resolved_at' | 'resolution' | 'sources'
>;
export type SlaReportRow = Pick<
  ResidentReportTable,
  'estate_id' | 'status' | 'feedback' | 'feedback_at' | 'rating' | 'reopen_count'
> & {
  /** The linked alert, null when the report has none (most have not). */
  alert: FollowedAlert | null;
};

export interface SlaRepository {
  /** Critical alerts opened in [from, to) in these estates. */
  criticalAlerts(estateIds: readonly string[], from: number, to: number): Promise<SlaAlertRow[]>;
  /** Resident reports filed in [from, to) in these estates. */
  reports(estateIds: readonly string[], from: number, to: number): Promise<SlaReportRow[]>;
}

export function slaRepository(db: RegistryDb): SlaRepository {
  return {
    async criticalAlerts(estateIds, from, to) {
      if (estateIds.length === 0) return [];
      return db
        .selectFrom('alerts')
        .select([
          'estate_id',
          'opened_at',
          'acknowledged_at',
          'arrived_at',
          'resolved_at',
          'resolution',
          'sources',
        ])
        .where('estate_id', 'in', [...estateIds])
        .where('severity', '=', 'critical')
        .where('opened_at', '>=', from)
        .where('opened_at', '<', to)
        .execute();
    },
    async reports(estateIds, from, to) {
      if (estateIds.length === 0) return [];
      const rows = await db
        .selectFrom('resident_reports as r')
        .leftJoin('alerts as a', 'a.id', 'r.alert_id')
        .select([
          'r.estate_id',
          'r.status',
          'r.feedback',
          'r.feedback_at',
          'r.rating',
          'r.reopen_count',
          ...FOLLOWED_ALERT_COLUMNS,
        ])
        .where('r.estate_id', 'in', [...estateIds])
        .where('r.created_at', '>=', from)
        .where('r.created_at', '<', to)
        .execute();
      return rows.map((row) => {
        const { report, alert } = splitFollowedAlert(row);
        return { ...report, alert };
      });
    },
  };
}
