/**
 * What a car's QR page shows beyond its live state, read together: its latest maintenance
 * visits, the last one judged verified, and its recent incidents (alerts). A read model
 * over the visits and alerts tables; the API caches it per car (api/resident/card.ts).
 */
import type { RegistryDb } from '../db.ts';
import type { AlertTable, MaintenanceVisitTable } from '../schema.ts';

export type RecentVisit = Pick<
  MaintenanceVisitTable,
  'kind' | 'check_in_at' | 'check_out_at' | 'verdict' | 'evidence_score' | 'evidence_json'
> & {
  /** The technician's name from the fleet; null when the visit's technician is not in it. */
  technician_name: string | null;
};

export type Incident = Pick<
  AlertTable,
  'code' | 'severity' | 'opened_at' | 'acknowledged_at' | 'arrived_at' | 'resolved_at'
>;

export interface ResidentCardRepository {
  /** The car's latest visits, newest first. */
  recentVisits(elevatorId: string, limit: number): Promise<RecentVisit[]>;
  /** Check-in of the car's latest visit judged 'verified'; null when none was. */
  lastVerifiedAt(elevatorId: string): Promise<number | null>;
  /** The car's alerts of `codes` opened since `since`, newest first. */
  incidents(elevatorId: string, since: number, codes: readonly string[], limit: number): Promise<Incident[]>;
}

export function residentCardRepository(db: RegistryDb): ResidentCardRepository {
  return {
    recentVisits: (elevatorId, limit) =>
      db
        .selectFrom('maintenance_visits as v')
        .leftJoin('technicians as t', 't.id', 'v.technician_id')
        .select([
          'v.kind',
          'v.check_in_at',
          'v.check_out_at',
          'v.verdict',
          'v.evidence_score',
          'v.evidence_json',
          't.name as technician_name',
        ])
        .where('v.elevator_id', '=', elevatorId)
        .orderBy('v.check_in_at', 'desc')
        .limit(limit)
        .execute(),
    async lastVerifiedAt(elevatorId) {
      const row = await db
        .selectFrom('maintenance_visits')
        .select('check_in_at')
        .where('elevator_id', '=', elevatorId)
        .where('verdict', '=', 'verified')
        .orderBy('check_in_at', 'desc')
        .executeTakeFirst();
      return row?.check_in_at ?? null;
    },
    incidents: (elevatorId, since, codes, limit) =>
      db
        .selectFrom('alerts')
        .select(['code', 'severity', 'opened_at', 'acknowledged_at', 'arrived_at', 'resolved_at'])
        .where('elevator_id', '=', elevatorId)
        .where('opened_at', '>=', since)
        .where('code', 'in', [...codes])
        .orderBy('opened_at', 'desc')
        .limit(limit)
        .execute(),
  };
}
