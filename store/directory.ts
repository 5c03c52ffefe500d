/**
 * The elevator directory (estate, building, ratings) the ingest tags points with. (Who a
 * machine credential belongs to is store/repositories/credentials.ts.)
 */
import type { RegistryDb } from './db.ts';

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
