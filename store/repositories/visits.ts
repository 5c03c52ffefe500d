/**
 * Maintenance visits as people read them: the firms' and technicians' filtered lists, one
 * visit with its evidence, and the open visits the API starts from. (The ingest writes
 * them; a car's QR page reads its recent ones through resident-card.ts.)
 */
import type { RegistryDb } from '../db.ts';
import type { MaintenanceVisitTable, VisitVerdict } from '../schema.ts';

export interface VisitFilter {
  /** Null: every estate (admin). */
  estateIds: string[] | null;
  /** Technicians see their own company's visits only. */
  companyId?: string;
  estate?: string;
  building?: string;
  elevator?: string;
  verdict?: VisitVerdict;
  from?: number;
  to?: number;
  limit: number;
  offset: number;
}

export interface VisitRepository {
  /** Newest first; one row more than `limit` when more follow. */
  list(filter: VisitFilter): Promise<MaintenanceVisitTable[]>;
  byId(id: string): Promise<MaintenanceVisitTable | undefined>;
  /** Visits checked in and not yet out. */
  open(): Promise<MaintenanceVisitTable[]>;
}

export function visitRepository(db: RegistryDb): VisitRepository {
  return {
    list(f) {
      let q = db.selectFrom('maintenance_visits as v').selectAll('v');
      if (f.estateIds) q = q.where('v.estate_id', 'in', f.estateIds.length ? f.estateIds : ['']);
      if (f.companyId) q = q.where('v.company_id', '=', f.companyId);
      if (f.estate) q = q.where('v.estate_id', '=', f.estate);
      if (f.elevator) q = q.where('v.elevator_id', '=', f.elevator);
      if (f.building)
        q = q.where(
          'v.elevator_id',
          'in',
          db.selectFrom('elevators').select('id').where('building_id', '=', f.building),
        );
      if (f.verdict) q = q.where('v.verdict', '=', f.verdict);
      if (f.from !== undefined) q = q.where('v.check_in_at', '>=', f.from);
      if (f.to !== undefined) q = q.where('v.check_in_at', '<', f.to);
      return q
        .orderBy('v.check_in_at', 'desc')
        .orderBy('v.id')
        .limit(f.limit + 1)
        .offset(f.offset)
        .execute();
    },
    byId: (id) => db.selectFrom('maintenance_visits').selectAll().where('id', '=', id).executeTakeFirst(),
    open: () => db.selectFrom('maintenance_visits').selectAll().where('status', '=', 'open').execute(),
  };
}
