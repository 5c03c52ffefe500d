/**
 * What the detector reads back from the stored maintenance visits at start: the newest
 * verified visit per elevator, so "overdue" survives a restart. (The API's visit queries
 * live in their own repository; this file holds the detector's one read.)
 */
import type { RegistryDb } from '../db.ts';

export interface VisitRecords {
  /** Elevator id → check-out time (epoch ms) of its newest verified, non-repair visit. */
  lastVerifiedAt(): Promise<Record<string, number>>;
}

export function createVisitRecords(db: RegistryDb): VisitRecords {
  return {
    async lastVerifiedAt() {
      const rows = await db
        .selectFrom('maintenance_visits')
        .select(['elevator_id', (eb) => eb.fn.max('check_out_at').as('last')])
        .where('verdict', '=', 'verified')
        .where('kind', '!=', 'repair')
        .groupBy('elevator_id')
        .execute();
      const out: Record<string, number> = {};
      for (const row of rows) if (row.last !== null) out[row.elevator_id] = Number(row.last);
      return out;
    },
  };
}
