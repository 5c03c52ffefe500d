/** Maintenance visits with their verdicts and evidence, as firms and technicians read them. */
import type { RegistryDb } from '../../store/db.ts';
import type { MaintenanceVisitTable, VisitVerdict } from '../../store/schema.ts';

export interface VisitFilter {
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

export async function listVisits(db: RegistryDb, f: VisitFilter): Promise<MaintenanceVisitTable[]> {
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
}

export async function visitById(db: RegistryDb, id: string): Promise<MaintenanceVisitTable | undefined> {
  return db.selectFrom('maintenance_visits').selectAll().where('id', '=', id).executeTakeFirst();
}
