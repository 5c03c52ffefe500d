/**
 * Who is asking and what they may see. Tenancy is computed once per request as a set
 * of estates; every query and every lookup by id goes through it, so another tenant's
 * id and a missing id take the same path and give the same 404.
 */

import type { Directory } from '../../fleet/directory.ts';
import { LiftWatchError } from '../../lib/errors.ts';
import type { Role } from '../../protocol/index.ts';
import type { UserRow } from '../../store/repositories/users.ts';

export type { UserRow } from '../../store/repositories/users.ts';

export interface Principal {
  username: string;
  displayName: string;
  role: Role;
  propertyFirmId: string | null;
  estateId: string | null;
  companyId: string | null;
  via: 'session' | 'token';
  /** The estates this principal may read; null means all of them (admin). */
  estateIds: ReadonlySet<string> | null;
}

export function principalOf(user: UserRow, via: Principal['via'], directory: Directory): Principal {
  const role = user.role as Role;
  return {
    username: user.username,
    displayName: user.display_name,
    role,
    propertyFirmId: user.property_firm_id,
    estateId: user.estate_id,
    companyId: user.company_id,
    via,
    estateIds: estatesOf(role, user, directory),
  };
}

function estatesOf(role: Role, user: UserRow, directory: Directory): ReadonlySet<string> | null {
  const ids = new Set<string>();
  switch (role) {
    case 'admin':
      return null;
    case 'property_manager':
      for (const e of directory.estates()) if (e.propertyFirmId === user.property_firm_id) ids.add(e.id);
      return ids;
    case 'committee_member':
      if (user.estate_id) ids.add(user.estate_id);
      return ids;
    case 'regulator':
      // The data sets are the regulator's whole view (they name no tenant): no estate through tenancy.
      return ids;
    case 'technician':
      // A technician sees the cars their company maintains, for the visits they make.
      for (const e of directory.estates()) if (e.maintenanceCompanyId === user.company_id) ids.add(e.id);
      return ids;
    default:
      // An unknown role in the database sees nothing rather than everything.
      return ids;
  }
}

export function canSeeEstate(principal: Principal, estateId: string): boolean {
  return principal.estateIds === null || principal.estateIds.has(estateId);
}

/** Estates to filter a query by; null means no filter (admin). */
export function estateFilter(principal: Principal): string[] | null {
  return principal.estateIds === null ? null : [...principal.estateIds];
}

/** Role gate. Checked before any lookup, so a 403 never reveals whether an id exists. */
export function requireRole(principal: Principal | null, roles: readonly Role[]): Principal {
  if (!principal) throw new LiftWatchError('UNAUTHENTICATED');
  if (!roles.includes(principal.role)) throw new LiftWatchError('FORBIDDEN');
  return principal;
}

export const READERS: readonly Role[] = ['admin', 'property_manager', 'committee_member'];
export const WRITERS: readonly Role[] = ['admin', 'property_manager'];
/** Who may stamp "到场" (on site): the firm's duty officer, or the maintenance company's technician. */
export const ARRIVERS: readonly Role[] = ['admin', 'property_manager', 'technician'];
/** The GB/T 24476 data sets: the one thing a `regulator` account may read. */
export const REGULATOR_READERS: readonly Role[] = ['admin', 'regulator'];
export const VISIT_READERS: readonly Role[] = ['admin', 'property_manager', 'committee_member', 'technician'];

export function notFound(what: string): LiftWatchError {
  return new LiftWatchError('NOT_FOUND', `${what} not found`);
}
