/**
 * The rows behind the CSV exports (alerts, maintenance visits, residents' reports): the same
 * tenancy and filters as the console's lists, newest first, at most `limit` + 1 rows so the
 * caller can say the file was cut. Rows are returned as stored; wording is the caller's.
 */
import type { RegistryDb } from '../db.ts';
import type { AlertTable, MaintenanceVisitTable, ResidentReportTable } from '../schema.ts';

export interface ExportFilter {
  /** The principal's estates; null for all (an admin). */
  estateIds: string[] | null;
  estate?: string;
  building?: string;
  elevator?: string;
  from?: number;
  to?: number;
  limit: number;
}

const some = (ids: string[]) => (ids.length ? ids : ['']);

async function exportAlerts(
  db: RegistryDb,
  f: ExportFilter & { state?: string; severity?: string },
): Promise<AlertTable[]> {
  let q = db.selectFrom('alerts').selectAll();
  if (f.estateIds) q = q.where('estate_id', 'in', some(f.estateIds));
  if (f.estate) q = q.where('estate_id', '=', f.estate);
  if (f.elevator) q = q.where('elevator_id', '=', f.elevator);
  if (f.building)
    q = q.where(
      'elevator_id',
      'in',
      db.selectFrom('elevators').select('id').where('building_id', '=', f.building),
    );
  if (f.state) q = q.where('state', '=', f.state as AlertTable['state']);
  if (f.severity) q = q.where('severity', '=', f.severity);
  if (f.from !== undefined) q = q.where('opened_at', '>=', f.from);
  if (f.to !== undefined) q = q.where('opened_at', '<', f.to);
  return q
    .orderBy('opened_at', 'desc')
    .orderBy('id')
    .limit(f.limit + 1)
    .execute();
}

async function exportVisits(
  db: RegistryDb,
  f: ExportFilter & { companyId?: string; verdict?: string },
): Promise<MaintenanceVisitTable[]> {
  let q = db.selectFrom('maintenance_visits').selectAll();
  if (f.estateIds) q = q.where('estate_id', 'in', some(f.estateIds));
  if (f.companyId) q = q.where('company_id', '=', f.companyId);
  if (f.estate) q = q.where('estate_id', '=', f.estate);
  if (f.elevator) q = q.where('elevator_id', '=', f.elevator);
  if (f.building)
    q = q.where(
      'elevator_id',
      'in',
      db.selectFrom('elevators').select('id').where('building_id', '=', f.building),
    );
  if (f.verdict) q = q.where('verdict', '=', f.verdict as MaintenanceVisitTable['verdict']);
  if (f.from !== undefined) q = q.where('check_in_at', '>=', f.from);
  if (f.to !== undefined) q = q.where('check_in_at', '<', f.to);
  return q
    .orderBy('check_in_at', 'desc')
    .orderBy('id')
    .limit(f.limit + 1)
    .execute();
}

async function exportReports(
  db: RegistryDb,
  f: ExportFilter & { status?: string },
): Promise<ResidentReportTable[]> {
  let q = db.selectFrom('resident_reports').selectAll();
  if (f.estateIds) q = q.where('estate_id', 'in', some(f.estateIds));
  if (f.estate) q = q.where('estate_id', '=', f.estate);
  if (f.elevator) q = q.where('elevator_id', '=', f.elevator);
  if (f.building)
    q = q.where(
      'elevator_id',
      'in',
      db.selectFrom('elevators').select('id').where('building_id', '=', f.building),
    );
  if (f.status) q = q.where('status', '=', f.status as ResidentReportTable['status']);
  if (f.from !== undefined) q = q.where('created_at', '>=', f.from);
  if (f.to !== undefined) q = q.where('created_at', '<', f.to);
  return q
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .limit(f.limit + 1)
    .execute();
}

/** The console's CSV exports: the lists' filters, up to the export's row cap. */
export interface ExportRepository {
  alerts(f: ExportFilter & { state?: string; severity?: string }): Promise<AlertTable[]>;
  visits(f: ExportFilter & { companyId?: string; verdict?: string }): Promise<MaintenanceVisitTable[]>;
  reports(f: ExportFilter & { status?: string }): Promise<ResidentReportTable[]>;
}

export function exportRepository(db: RegistryDb): ExportRepository {
  return {
    alerts: (f) => exportAlerts(db, f),
    visits: (f) => exportVisits(db, f),
    reports: (f) => exportReports(db, f),
  };
}
