/**
 * What the monthly SLA report reads (alerts/sla.ts computes it): one month's critical
 * alerts with their response, arrival and resolution times, and one month's resident
 * reports with the residents' feedback, for the principal's estates.
 */
import type { RegistryDb } from '../db.ts';
import type { AlertTable, ResidentReportTable } from '../schema.ts';

export type SlaAlertRow = Pick<
  AlertTable,
  'estate_id' | 'opened_at' | 'acknowledged_at' | 'arrived_at' | 'resolved_at' | 'resolution' | 'sources'
>;
export type SlaReportRow = Pick<ResidentReportTable, 'estate_id' | 'feedback' | 'rating' | 'reopen_count'>;

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
      return db
        .selectFrom('resident_reports')
        .select(['estate_id', 'feedback', 'rating', 'reopen_count'])
        .where('estate_id', 'in', [...estateIds])
        .where('created_at', '>=', from)
        .where('created_at', '<', to)
        .execute();
    },
  };
}
