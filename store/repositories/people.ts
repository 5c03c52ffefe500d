/**
 * People's names as screens show them: the display name of each user and the name of each
 * technician a principal may meet in their estates' records (who acknowledged an alert,
 * who checked in), so a screen never shows a username or a technician id.
 */
import type { RegistryDb } from '../db.ts';

export interface PeopleScope {
  /** null: every user and technician (an admin). */
  estateIds: string[] | null;
  /** The firms whose staff are in scope: the principal's own, or the firms managing its estates. */
  propertyFirmIds: string[];
  /** The maintenance companies of the estates in scope, and the principal's own. */
  companyIds: string[];
}

export interface PeopleNames {
  users: Record<string, string>;
  technicians: Record<string, string>;
}

const none = (ids: string[]) => (ids.length ? ids : ['']);

async function peopleNames(db: RegistryDb, scope: PeopleScope): Promise<PeopleNames> {
  let users = db.selectFrom('users').select(['username', 'display_name']);
  let technicians = db.selectFrom('technicians').select(['id', 'name']);
  if (scope.estateIds) {
    const estates = none(scope.estateIds);
    const companies = none(scope.companyIds);
    users = users.where((eb) =>
      eb.or([
        eb('estate_id', 'in', estates),
        eb('company_id', 'in', companies),
        ...(scope.propertyFirmIds.length ? [eb('property_firm_id', 'in', scope.propertyFirmIds)] : []),
      ]),
    );
    technicians = technicians.where('company_id', 'in', companies);
  }
  const [u, tech] = await Promise.all([users.execute(), technicians.execute()]);
  return {
    users: Object.fromEntries(u.map((r) => [r.username, r.display_name])),
    technicians: Object.fromEntries(tech.map((r) => [r.id, r.name])),
  };
}

export interface PeopleRepository {
  /** The display names behind usernames and technician ids, within the scope. */
  names(scope: PeopleScope): Promise<PeopleNames>;
}

export function peopleRepository(db: RegistryDb): PeopleRepository {
  return { names: (scope) => peopleNames(db, scope) };
}
