/**
 * Loads a fleet file into the registry: validate everything, check every reference,
 * then upsert in one transaction. Running it twice changes nothing; a password that
 * still verifies keeps its stored hash; an elevator keeps its public QR token.
 */
import { readFileSync } from 'node:fs';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { LiftWatchError } from '../lib/errors.ts';
import { FleetFile } from '../protocol/index.ts';
import type { RegistryDb } from './db.ts';
import { hashMachineSecret, hashUserPassword, randomSecret, verifySecret } from './passwords.ts';
import { userRow } from './users.ts';

const checkFleet = TypeCompiler.Compile(FleetFile);

export function parseFleet(text: string, source = 'fleet file'): FleetFile {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new LiftWatchError('FLEET_INVALID', `${source} is not JSON: ${(error as Error).message}`);
  }
  if (!checkFleet.Check(value)) {
    const problems = [...checkFleet.Errors(value)].slice(0, 20).map((e) => `${e.path}: ${e.message}`);
    throw new LiftWatchError('FLEET_INVALID', `${source} is invalid:\n  ${problems.join('\n  ')}`, {
      details: problems,
    });
  }
  checkReferences(value);
  return value;
}

function checkReferences(fleet: FleetFile): void {
  const problems: string[] = [];
  const ids = (rows: { id: string }[]) => new Set(rows.map((r) => r.id));
  const companies = ids(fleet.maintenance_companies);
  const firms = ids(fleet.property_firms);
  const estates = ids(fleet.estates);
  const buildings = ids(fleet.buildings);
  const need = (set: Set<string>, id: string | undefined, where: string) => {
    if (id !== undefined && !set.has(id)) problems.push(`${where} refers to unknown id '${id}'`);
  };
  for (const e of fleet.estates) {
    need(firms, e.property_firm_id, `estate ${e.id}`);
    need(companies, e.maintenance_company_id, `estate ${e.id}`);
  }
  for (const b of fleet.buildings) need(estates, b.estate_id, `building ${b.id}`);
  const deviceUsers = new Set<string>();
  for (const el of fleet.elevators) {
    need(buildings, el.building_id, `elevator ${el.id}`);
    if (!el.device.password && !el.device.password_hash)
      problems.push(`elevator ${el.id} has no device secret`);
    if (deviceUsers.has(el.device.username))
      problems.push(`device username '${el.device.username}' used twice`);
    deviceUsers.add(el.device.username);
  }
  for (const t of fleet.technicians ?? []) need(companies, t.company_id, `technician ${t.id}`);
  for (const u of fleet.users) {
    need(firms, u.property_firm_id, `user ${u.username}`);
    need(estates, u.estate_id, `user ${u.username}`);
    need(companies, u.company_id, `user ${u.username}`);
    if (!u.password && !u.password_hash) problems.push(`user ${u.username} has no password`);
  }
  for (const s of fleet.service_credentials) {
    if (!s.password && !s.password_hash) problems.push(`service ${s.username} has no secret`);
  }
  if (problems.length > 0) {
    throw new LiftWatchError(
      'FLEET_REFERENCE',
      `fleet file references are broken:\n  ${problems.join('\n  ')}`,
      {
        details: problems,
      },
    );
  }
}

export function readFleetFile(path: string): FleetFile {
  return parseFleet(readFileSync(path, 'utf8'), path);
}

type Secret = { password?: string | undefined; password_hash?: string | undefined };

/** Keeps the stored hash when the given password still verifies, so reloading is a no-op. */
function chooseHash(given: Secret, stored: string | undefined, hash: (s: string) => string): string {
  if (given.password_hash) return given.password_hash;
  const password = given.password!;
  if (stored && verifySecret(password, stored)) return stored;
  return hash(password);
}

export interface FleetLoadSummary {
  estates: number;
  buildings: number;
  elevators: number;
  users: number;
}

export async function loadFleet(db: RegistryDb, fleet: FleetFile): Promise<FleetLoadSummary> {
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
