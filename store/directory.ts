/**
 * Read-side queries other parts need from the registry: who a credential belongs to,
 * and the elevator directory (estate, building, ratings) the ingest tags points with.
 */
import type { RegistryDb } from './db.ts';
import { verifySecret } from './passwords.ts';

export type Principal =
  | { kind: 'device'; username: string; elevatorId: string }
  | { kind: 'service'; username: string; role: string };

/** Checks an MQTT username/password against device then service credentials. */
export async function authenticateMachine(
  db: RegistryDb,
  username: string,
  password: string,
): Promise<Principal | null> {
  const device = await db
    .selectFrom('device_credentials')
    .select(['elevator_id', 'password_hash'])
    .where('username', '=', username)
    .executeTakeFirst();
  if (device) {
    return verifySecret(password, device.password_hash)
      ? { kind: 'device', username, elevatorId: device.elevator_id }
      : null;
  }
  const service = await db
    .selectFrom('service_credentials')
    .select(['role', 'password_hash'])
    .where('username', '=', username)
    .executeTakeFirst();
  if (service && verifySecret(password, service.password_hash)) {
    return { kind: 'service', username, role: service.role };
  }
  return null;
}

export interface ElevatorInfo {
  id: string;
  estateId: string;
  buildingId: string;
  name: string;
  floors: number;
  floorHeightM: number;
  ratedSpeedMps: number;
  ratedLoadKg: number;
  thresholds: Record<string, number>;
}

/**
 * The fleet file's per-elevator silence before "offline" (its `thresholds.deviceOfflineS`), or
 * undefined to use DEVICE_OFFLINE_AFTER_S. One reading for the detector's device_offline alert
 * and the API's offline state, so the two never disagree about a lift.
 */
export function deviceOfflineOverrideS(elevator: Pick<ElevatorInfo, 'thresholds'>): number | undefined {
  const value = elevator.thresholds.deviceOfflineS;
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : undefined;
}

export async function listElevators(db: RegistryDb): Promise<ElevatorInfo[]> {
  const rows = await db.selectFrom('elevators').selectAll().orderBy('id').execute();
  return rows.map((r) => ({
    id: r.id,
    estateId: r.estate_id,
    buildingId: r.building_id,
    name: r.name,
    floors: r.floors,
    floorHeightM: r.floor_height_m,
    ratedSpeedMps: r.rated_speed_mps,
    ratedLoadKg: r.rated_load_kg,
    thresholds: r.thresholds_json ? (JSON.parse(r.thresholds_json) as Record<string, number>) : {},
  }));
}
