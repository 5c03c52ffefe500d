/** Kysely table types of the SQLite registry. One interface per table, named as in SQL. */
import type { Generated } from 'kysely';

export interface MaintenanceCompanyTable {
  id: string;
  name: string;
  name_en: string | null;
  phone: string;
}

export interface PropertyFirmTable {
  id: string;
  name: string;
  name_en: string | null;
  phone: string;
}

export interface EstateTable {
  id: string;
  name: string;
  name_en: string | null;
  property_firm_id: string;
  maintenance_company_id: string;
  address: string | null;
  lat: number;
  lon: number;
  emergency_phone: string;
}

export interface BuildingTable {
  id: string;
  estate_id: string;
  name: string;
}

export interface ElevatorTable {
  id: string;
  building_id: string;
  estate_id: string;
  name: string;
  registration_code: string;
  floors: number;
  floor_height_m: number;
  rated_speed_mps: number;
  rated_load_kg: number;
  thresholds_json: string | null;
  /** Opaque token of the resident QR page: random, never derived from the id. */
  public_token: string;
}

export interface DeviceCredentialTable {
  username: string;
  elevator_id: string;
  password_hash: string;
}

export interface ServiceCredentialTable {
  username: string;
  role: string;
  password_hash: string;
}

export interface TechnicianTable {
  id: string;
  company_id: string;
  name: string;
}

export interface UserTable {
  username: string;
  display_name: string;
  role: string;
  property_firm_id: string | null;
  estate_id: string | null;
  company_id: string | null;
  password_hash: string;
}

export interface DeadLetterTable {
  id: Generated<number>;
  received_at: number;
  topic: string;
  client_id: string | null;
  stage: string;
  reason: string;
  payload: string;
}

export interface Database {
  maintenance_companies: MaintenanceCompanyTable;
  property_firms: PropertyFirmTable;
  estates: EstateTable;
  buildings: BuildingTable;
  elevators: ElevatorTable;
  device_credentials: DeviceCredentialTable;
  service_credentials: ServiceCredentialTable;
  technicians: TechnicianTable;
  users: UserTable;
  dead_letters: DeadLetterTable;
}
