/**
 * The fleet file: parse, validate against the schema (protocol/fleet.ts) and check every
 * reference, all before anything is stored. No SQL here; the fleet repository
 * (store/repositories/fleet.ts) stores what this accepts.
 */
import { readFileSync } from 'node:fs';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { LiftWatchError } from '../lib/errors.ts';
import { FleetFile } from '../protocol/index.ts';

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
  const dates = value.elevators.flatMap((el) => {
    const problems: string[] = [];
    const install = el.install_date === undefined ? null : installDateProblem(el.install_date, Date.now());
    if (install) problems.push(`/elevators/${el.id}/install_date ${el.install_date}: ${install}`);
    // The next inspection lies ahead, or has lapsed (the QR page then says so): only the calendar is checked.
    if (el.inspection_due !== undefined && !isCalendarDate(el.inspection_due))
      problems.push(`/elevators/${el.id}/inspection_due ${el.inspection_due}: not a calendar date`);
    return problems;
  });
  if (dates.length > 0)
    throw new LiftWatchError('FLEET_INVALID', `${source} is invalid:\n  ${dates.join('\n  ')}`, {
      details: dates,
    });
  checkReferences(value);
  return value;
}

/**
 * The schema's pattern admits 2024-02-30; a date must exist on the calendar and not lie in
 * the future (with a day's grace for time zones), or the regulator's data set would carry it.
 */
export function installDateProblem(date: string, nowMs: number): string | null {
  if (!isCalendarDate(date)) return 'not a calendar date';
  if (Date.parse(`${date}T00:00:00Z`) > nowMs + 86_400_000) return 'in the future';
  return null;
}

function isCalendarDate(date: string): boolean {
  const ms = Date.parse(`${date}T00:00:00Z`);
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === date;
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
