/**
 * Alerts as the firm reviews them: filtered lists and the acknowledge / resolve
 * transitions. alerts/lifecycle.ts offers the same update
 * lives here; each transition is conditional on the current state, so two people
 * acknowledging at once cannot both succeed.
 */

import type { PersonResolution } from '../../protocol/index.ts';
import type { RegistryDb } from '../../store/db.ts';
import type { AlertState, AlertTable } from '../../store/schema.ts';

export interface AlertFilter {
  estateIds: string[] | null;
  estate?: string;
  building?: string;
  elevator?: string;
  code?: string;
  severity?: string;
  state?: AlertState;
  from?: number;
  to?: number;
  limit: number;
  offset: number;
}

/**
 * One page of alerts, newest first. In two steps, both on indexes (migration 0006): the
 * page's ids from the narrow (estate, [state,] opened_at, id) index entries, then those
 * rows by primary key. So a firm's page never sorts whole rows, and a single estate's page
 * reads no more entries than offset + limit. No COUNT: the page says only whether more follow.
 */
export async function listAlerts(db: RegistryDb, f: AlertFilter): Promise<AlertTable[]> {
  // The tenancy filter stays in every query; a pinned estate (the route has checked it
  // is visible) narrows it to one value, which the index then reads in order.
  let estates = f.estateIds;
  if (f.estate !== undefined) {
    if (estates && !estates.includes(f.estate)) return [];
    estates = [f.estate];
  }
  let q = db.selectFrom('alerts as a').select('a.id');
  if (estates)
    q =
      estates.length === 1
        ? q.where('a.estate_id', '=', estates[0]!)
        : q.where('a.estate_id', 'in', estates.length ? estates : ['']);
  if (f.elevator) q = q.where('a.elevator_id', '=', f.elevator);
  if (f.building)
    q = q.where(
      'a.elevator_id',
      'in',
      db.selectFrom('elevators').select('id').where('building_id', '=', f.building),
    );
  if (f.code) q = q.where('a.code', '=', f.code);
  if (f.severity) q = q.where('a.severity', '=', f.severity);
  if (f.state) q = q.where('a.state', '=', f.state);
  if (f.from !== undefined) q = q.where('a.opened_at', '>=', f.from);
  if (f.to !== undefined) q = q.where('a.opened_at', '<', f.to);
  const pageIds = q
    .orderBy('a.opened_at', 'desc')
    .orderBy('a.id')
    .limit(f.limit + 1)
    .offset(f.offset);
  return db
    .selectFrom('alerts')
    .selectAll()
    .where('id', 'in', pageIds)
    .orderBy('opened_at', 'desc')
    .orderBy('id')
    .execute();
}

export async function alertById(db: RegistryDb, id: string): Promise<AlertTable | undefined> {
  return db.selectFrom('alerts').selectAll().where('id', '=', id).executeTakeFirst();
}

/** open → acknowledged. Returns the updated row, or null when the alert was not open. */
export async function acknowledgeAlert(
  db: RegistryDb,
  input: { id: string; by: string; note: string; at: number },
): Promise<AlertTable | null> {
  const result = await db
    .updateTable('alerts')
    .set({
      state: 'acknowledged',
      acknowledged_by: input.by,
      acknowledged_at: input.at,
      ack_note: input.note,
    })
    .where('id', '=', input.id)
    .where('state', '=', 'open')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0 ? ((await alertById(db, input.id)) ?? null) : null;
}

/**
 * open | acknowledged → resolved, saying what it was. Returns the updated row, or null when
 * already resolved.
 */
export async function resolveAlert(
  db: RegistryDb,
  input: { id: string; by: string; note: string; resolution: PersonResolution; at: number },
): Promise<AlertTable | null> {
  const result = await db
    .updateTable('alerts')
    .set({
      state: 'resolved',
      resolved_by: input.by,
      resolved_at: input.at,
      resolve_note: input.note,
      resolution: input.resolution,
    })
    .where('id', '=', input.id)
    .where('state', '!=', 'resolved')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0 ? ((await alertById(db, input.id)) ?? null) : null;
}
