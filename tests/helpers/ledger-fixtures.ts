/**
 * Test support for the ledger suites: the actors of the small fleet's estate and a
 * helper to add estates and critical alerts. Tests only; nothing in production imports it.
 */
import type { Kysely } from 'kysely';
import type { Actor } from '../../ledger/types.ts';
import type { AlertResolution, Database } from '../../store/schema.ts';
import { alertRow } from './api-harness.ts';

/** Matches tests/helpers/fixtures.ts smallFleet(): estate 'te' of property firm 'pf'. */
export const ACTORS = {
  proposer: { username: 'pm-alice', role: 'property_manager', propertyFirmId: 'pf', estateId: null },
  manager: { username: 'pm-bob', role: 'property_manager', propertyFirmId: 'pf', estateId: null },
  committee: { username: 'cm-carol', role: 'committee_member', propertyFirmId: null, estateId: 'te' },
  committee2: { username: 'cm-dan', role: 'committee_member', propertyFirmId: null, estateId: 'te' },
  otherCommittee: { username: 'cm-eve', role: 'committee_member', propertyFirmId: null, estateId: 'other' },
  otherFirm: { username: 'pm-frank', role: 'property_manager', propertyFirmId: 'pf-other', estateId: null },
  technician: { username: 'tech-gus', role: 'technician', propertyFirmId: null, estateId: null },
  admin: { username: 'admin-hal', role: 'admin', propertyFirmId: null, estateId: null },
} as const satisfies Record<string, Actor>;

export async function addEstate(db: Kysely<Database>, id: string, propertyFirmId = 'pf'): Promise<void> {
  await db
    .insertInto('estates')
    .values({
      id,
      name: id,
      name_en: null,
      property_firm_id: propertyFirmId,
      maintenance_company_id: 'mc',
      address: null,
      lat: 22.5,
      lon: 114,
      emergency_phone: '1',
    })
    .execute();
}

export async function addAlert(
  db: Kysely<Database>,
  alert: {
    id: string;
    elevatorId: string;
    estateId: string;
    severity: string;
    code?: string;
    /**
     * Resolved with this note and outcome (null: resolved before outcomes were recorded);
     * acknowledged; or open (the default).
     */
    resolvedNote?: string;
    resolution?: AlertResolution | null;
    acknowledged?: boolean;
  },
): Promise<void> {
  await db
    .insertInto('alerts')
    .values(
      alertRow({
        id: alert.id,
        elevator_id: alert.elevatorId,
        estate_id: alert.estateId,
        code: alert.code ?? 'passenger_trapped',
        severity: alert.severity,
        opened_at: 1_700_000_000_000,
        last_seen_at: 1_700_000_000_000,
        evidence_json: '{}',
        ...(alert.acknowledged
          ? { state: 'acknowledged' as const, acknowledged_by: 'duty', acknowledged_at: 1_700_000_060_000 }
          : {}),
        ...(alert.resolvedNote !== undefined
          ? {
              state: 'resolved' as const,
              resolved_by: 'duty',
              resolved_at: 1_700_000_600_000,
              resolve_note: alert.resolvedNote,
              resolution: alert.resolution ?? null,
            }
          : {}),
      }),
    )
    .execute();
}

/** A deterministic clock tests can move. */
export function manualClock(start = Date.UTC(2025, 2, 3, 4, 0, 0)) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms), set: (at: number) => (now = at) };
}

/** Deterministic ids, so a failing property-test seed replays to the same hashes. */
export function sequentialIds(prefix = 'id') {
  let n = 0;
  return () => `${prefix}-${String(++n).padStart(6, '0')}`;
}
