/**
 * The fleet's shapes as every part reads them: estates, buildings, elevators (with their
 * ratings, thresholds and QR token) and technicians. Plain data, no I/O: the fleet
 * repository (store/repositories/fleet.ts) builds them, the directory (fleet/directory.ts)
 * holds them, the rules and the API read them.
 */

/** An elevator as the ingest and the rules need it: where it is, what it is rated for. */
export interface ElevatorInfo {
  id: string;
  estateId: string;
  buildingId: string;
  name: string;
  floors: number;
  floorHeightM: number;
  ratedSpeedMps: number;
  ratedLoadKg: number;
  /** The fleet file's per-elevator overrides of the rules' thresholds. */
  thresholds: Record<string, number>;
}

/** An elevator as the directory holds it: what the rules need plus what people read. */
export interface ElevatorEntry extends ElevatorInfo {
  buildingName: string;
  registrationCode: string;
  /** 检验有效期至 YYYY-MM-DD, from the inspection certificate; null when not given. */
  inspectionDue: string | null;
  publicToken: string;
}

export interface EstateEntry {
  id: string;
  name: string;
  nameEn: string | null;
  propertyFirmId: string;
  maintenanceCompanyId: string;
  emergencyPhone: string;
  companyName: string;
  companyNameEn: string | null;
  companyPhone: string;
  firmName: string;
  firmNameEn: string | null;
  firmPhone: string;
  /** Where the estate is, for the visit checks' travel test. */
  lat: number;
  lon: number;
}

export interface BuildingEntry {
  id: string;
  estateId: string;
  name: string;
}

export interface TechnicianEntry {
  id: string;
  companyId: string;
  name: string;
}

/** The whole fleet at one moment, as the repository reads it. */
export interface FleetSnapshot {
  estates: EstateEntry[];
  buildings: BuildingEntry[];
  elevators: ElevatorEntry[];
  technicians: TechnicianEntry[];
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
