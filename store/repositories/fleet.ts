/**
 * The fleet repository: the only place that queries or writes the fleet's tables (companies,
 * firms, estates, buildings, elevators, technicians) and, when a fleet file is loaded, the
 * device, service and user credentials it declares. Reads return the fleet's own shapes
 * (fleet/types.ts); the directory (fleet/directory.ts) holds them in memory for every part.
 *
 * Loading is an idempotent upsert in one transaction: running it twice changes nothing; a
 * password that still verifies keeps its stored hash; an elevator keeps its public QR token.
 */
import type { FleetSnapshot } from '../../fleet/types.ts';
import type { FleetFile } from '../../protocol/index.ts';
import type { RegistryDb } from '../db.ts';
import { hashMachineSecret, hashUserPassword, randomSecret, verifySecret } from '../passwords.ts';
import { userRow } from '../users.ts';

export interface FleetLoadSummary {
  estates: number;
  buildings: number;
  elevators: number;
  users: number;
}

export interface FleetRepository {
  /** Estates (with their firm and company), buildings, elevators and technicians, read at once. */
  snapshot(): Promise<FleetSnapshot>;
  /** Upserts a validated fleet file (fleet/fleet-file.ts) in one transaction. */
  load(fleet: FleetFile): Promise<FleetLoadSummary>;
}

export function createFleetRepository(db: RegistryDb): FleetRepository {
  return {
    snapshot: () => readSnapshot(db),
    load: (fleet) => loadFleetFile(db, fleet),
  };
}

async function readSnapshot(db: RegistryDb): Promise<FleetSnapshot> {
  // No transaction: on SQLite it would take the write lock (store/db.ts). Elevators come
  // joined to their building, so each one is whole; a row added between two reads shows up
  // on the next refresh.
  const estates = await db
    .selectFrom('estates as e')
    .innerJoin('maintenance_companies as c', 'c.id', 'e.maintenance_company_id')
    .innerJoin('property_firms as f', 'f.id', 'e.property_firm_id')
    .select([
      'e.id',
      'e.name',
      'e.name_en',
      'e.property_firm_id',
      'e.maintenance_company_id',
      'e.emergency_phone',
      'e.lat',
      'e.lon',
      'c.name as company_name',
      'c.name_en as company_name_en',
      'c.phone as company_phone',
      'f.name as firm_name',
      'f.name_en as firm_name_en',
      'f.phone as firm_phone',
    ])
    .orderBy('e.id')
    .execute();
  const buildings = await db.selectFrom('buildings').selectAll().orderBy('id').execute();
  const elevators = await db
    .selectFrom('elevators as l')
    .innerJoin('buildings as b', 'b.id', 'l.building_id')
    .select([
      'l.id',
      'l.name',
      'l.estate_id',
      'l.building_id',
      'b.name as building_name',
      'l.registration_code',
      'l.inspection_due',
      'l.floors',
      'l.floor_height_m',
      'l.rated_speed_mps',
      'l.rated_load_kg',
      'l.thresholds_json',
      'l.public_token',
    ])
    .orderBy('l.id')
    .execute();
  const technicians = await db.selectFrom('technicians').selectAll().orderBy('id').execute();
  return {
    estates: estates.map((e) => ({
      id: e.id,
      name: e.name,
      nameEn: e.name_en,
      propertyFirmId: e.property_firm_id,
      maintenanceCompanyId: e.maintenance_company_id,
      emergencyPhone: e.emergency_phone,
      companyName: e.company_name,
      companyNameEn: e.company_name_en,
      companyPhone: e.company_phone,
      firmName: e.firm_name,
      firmNameEn: e.firm_name_en,
      firmPhone: e.firm_phone,
      lat: Number(e.lat),
      lon: Number(e.lon),
    })),
    buildings: buildings.map((b) => ({ id: b.id, estateId: b.estate_id, name: b.name })),
    elevators: elevators.map((r) => ({
      id: r.id,
      estateId: r.estate_id,
      buildingId: r.building_id,
      name: r.name,
      floors: r.floors,
      floorHeightM: Number(r.floor_height_m),
      ratedSpeedMps: Number(r.rated_speed_mps),
      ratedLoadKg: Number(r.rated_load_kg),
      thresholds: r.thresholds_json ? (JSON.parse(r.thresholds_json) as Record<string, number>) : {},
      buildingName: r.building_name,
      registrationCode: r.registration_code,
      inspectionDue: r.inspection_due,
      publicToken: r.public_token,
    })),
    technicians: technicians.map((t) => ({ id: t.id, companyId: t.company_id, name: t.name })),
  };
}

type Secret = { password?: string | undefined; password_hash?: string | undefined };

/** Keeps the stored hash when the given password still verifies, so reloading is a no-op. */
function chooseHash(given: Secret, stored: string | undefined, hash: (s: string) => string): string {
  if (given.password_hash) return given.password_hash;
  const password = given.password!;
  if (stored && verifySecret(password, stored)) return stored;
  return hash(password);
}

async function loadFleetFile(db: RegistryDb, fleet: FleetFile): Promise<FleetLoadSummary> {
  const storedDevices = new Map(
    (await db.selectFrom('device_credentials').select(['username', 'password_hash']).execute()).map((r) => [
      r.username,
      r.password_hash,
    ]),
  );
  const storedServices = new Map(
    (await db.selectFrom('service_credentials').select(['username', 'password_hash']).execute()).map((r) => [
      r.username,
      r.password_hash,
    ]),
  );
  const storedUsers = new Map(
    (await db.selectFrom('users').select(['username', 'password_hash']).execute()).map((r) => [
      r.username,
      r.password_hash,
    ]),
  );
  const estateOfBuilding = new Map(fleet.buildings.map((b) => [b.id, b.estate_id]));

  await db.transaction().execute(async (trx) => {
    for (const c of fleet.maintenance_companies) {
      const row = { id: c.id, name: c.name, name_en: c.name_en ?? null, phone: c.phone };
      await trx
        .insertInto('maintenance_companies')
        .values(row)
        .onConflict((oc) => oc.column('id').doUpdateSet(row))
        .execute();
    }
    for (const f of fleet.property_firms) {
      const row = { id: f.id, name: f.name, name_en: f.name_en ?? null, phone: f.phone };
      await trx
        .insertInto('property_firms')
        .values(row)
        .onConflict((oc) => oc.column('id').doUpdateSet(row))
        .execute();
    }
    for (const e of fleet.estates) {
      const row = { ...e, name_en: e.name_en ?? null, address: e.address ?? null };
      await trx
        .insertInto('estates')
        .values(row)
        .onConflict((oc) => oc.column('id').doUpdateSet(row))
        .execute();
    }
    for (const b of fleet.buildings) {
      await trx
        .insertInto('buildings')
        .values(b)
        .onConflict((oc) => oc.column('id').doUpdateSet(b))
        .execute();
    }
    for (const el of fleet.elevators) {
      const row = {
        id: el.id,
        building_id: el.building_id,
        estate_id: estateOfBuilding.get(el.building_id)!,
        name: el.name,
        registration_code: el.registration_code,
        manufacturer: el.manufacturer ?? null,
        install_date: el.install_date ?? null,
        inspection_due: el.inspection_due ?? null,
        floors: el.floors,
        floor_height_m: el.floor_height_m,
        rated_speed_mps: el.rated_speed_mps,
        rated_load_kg: el.rated_load_kg,
        thresholds_json: el.thresholds ? JSON.stringify(el.thresholds) : null,
      };
      await trx
        .insertInto('elevators')
        .values({ ...row, public_token: randomSecret(16) })
        .onConflict((oc) => oc.column('id').doUpdateSet(row))
        .execute();
      const credential = {
        username: el.device.username,
        elevator_id: el.id,
        password_hash: chooseHash(el.device, storedDevices.get(el.device.username), hashMachineSecret),
      };
      await trx
        .deleteFrom('device_credentials')
        .where('elevator_id', '=', el.id)
        .where('username', '!=', credential.username)
        .execute();
      await trx
        .insertInto('device_credentials')
        .values(credential)
        .onConflict((oc) => oc.column('username').doUpdateSet(credential))
        .execute();
    }
    for (const t of fleet.technicians ?? []) {
      await trx
        .insertInto('technicians')
        .values(t)
        .onConflict((oc) => oc.column('id').doUpdateSet(t))
        .execute();
    }
    for (const s of fleet.service_credentials) {
      const row = {
        username: s.username,
        role: s.role,
        password_hash: chooseHash(s, storedServices.get(s.username), hashMachineSecret),
      };
      await trx
        .insertInto('service_credentials')
        .values(row)
        .onConflict((oc) => oc.column('username').doUpdateSet(row))
        .execute();
    }
    for (const u of fleet.users) {
      const row = userRow(u, chooseHash(u, storedUsers.get(u.username), hashUserPassword));
      await trx
        .insertInto('users')
        .values(row)
        .onConflict((oc) => oc.column('username').doUpdateSet(row))
        .execute();
    }
  });
  return {
    estates: fleet.estates.length,
    buildings: fleet.buildings.length,
    elevators: fleet.elevators.length,
    users: fleet.users.length,
  };
}
