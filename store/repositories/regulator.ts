/**
 * What the regulator's fault records need from the store: alerts of the fault codes the
 * standard numbers, and the technicians' check-ins that mark arrival on site (GB/T 24476
 * state 04). The query lives here, not in the API's routes or the push adapter.
 */
import type { RegistryDb } from '../db.ts';
import type { AlertTable } from '../schema.ts';

export interface FaultRecordRow {
  alert: AlertTable;
  /**
   * The "到场" stamp (migration 0011), or the first technician check-in on the lift between
   * the fault and its resolution, whichever came first; null when neither.
   */
  arrivedAt: number | null;
}

export interface FaultRecordFilter {
  /** Null: every estate. */
  estateIds: readonly string[] | null;
  codes: readonly string[];
  /** Alerts opened, seen, acknowledged or resolved at or after this (epoch ms). */
  since: number;
  limit: number;
  /** Only this alert (a push on one transition). */
  alertId?: string;
}

async function faultRecords(db: RegistryDb, f: FaultRecordFilter): Promise<FaultRecordRow[]> {
  if ((f.estateIds !== null && f.estateIds.length === 0) || f.codes.length === 0) return [];
  let q = db
    .selectFrom('alerts')
    .selectAll()
    .where('code', 'in', [...f.codes]);
  if (f.estateIds !== null) q = q.where('estate_id', 'in', [...f.estateIds]);
  if (f.alertId !== undefined) q = q.where('id', '=', f.alertId);
  else
    q = q.where((eb) =>
      eb.or([
        eb('state', '!=', 'resolved'),
        eb('last_seen_at', '>=', f.since),
        eb('acknowledged_at', '>=', f.since),
        eb('resolved_at', '>=', f.since),
      ]),
    );
  const alerts = await q.orderBy('opened_at', 'desc').orderBy('id').limit(f.limit).execute();
  if (alerts.length === 0) return [];
  const earliest = Math.min(...alerts.map((a) => a.opened_at));
  const checkIns = await db
    .selectFrom('maintenance_visits')
    .select(['elevator_id', 'check_in_at'])
    .where('elevator_id', 'in', [...new Set(alerts.map((a) => a.elevator_id))])
    .where('check_in_at', '>=', earliest)
    .orderBy('check_in_at')
    .execute();
  return alerts.map((alert) => {
    const until = alert.resolved_at ?? Number.POSITIVE_INFINITY;
    const arrival = checkIns.find(
      (v) =>
        v.elevator_id === alert.elevator_id && v.check_in_at >= alert.opened_at && v.check_in_at <= until,
    );
    const checkedIn = arrival?.check_in_at ?? null;
    const stamped = alert.arrived_at ?? null;
    const arrivedAt =
      stamped === null ? checkedIn : checkedIn === null ? stamped : Math.min(stamped, checkedIn);
    return { alert, arrivedAt };
  });
}

/** Rated speed and load per elevator (basic information), for some estates or all. */
async function elevatorRatings(
  db: RegistryDb,
  estateIds: readonly string[] | null,
): Promise<Map<string, ElevatorRating>> {
  if (estateIds !== null && estateIds.length === 0) return new Map();
  let q = db
    .selectFrom('elevators')
    .select(['id', 'rated_speed_mps', 'rated_load_kg', 'manufacturer', 'install_date']);
  if (estateIds !== null) q = q.where('estate_id', 'in', [...estateIds]);
  const rows = await q.execute();
  return new Map(
    rows.map((r) => [
      r.id,
      {
        ratedSpeedMps: r.rated_speed_mps,
        ratedLoadKg: r.rated_load_kg,
        manufacturer: r.manufacturer,
        installDate: r.install_date,
      },
    ]),
  );
}

/** What basic information reads from the stored elevator beyond the directory. */
export interface ElevatorRating {
  ratedSpeedMps: number;
  ratedLoadKg: number;
  manufacturer: string | null;
  installDate: string | null;
}

export interface RegulatorRepository {
  faultRecords(filter: FaultRecordFilter): Promise<FaultRecordRow[]>;
  elevatorRatings(estateIds: readonly string[] | null): Promise<Map<string, ElevatorRating>>;
}

export function regulatorRepository(db: RegistryDb): RegulatorRepository {
  return {
    faultRecords: (filter) => faultRecords(db, filter),
    elevatorRatings: (estateIds) => elevatorRatings(db, estateIds),
  };
}
