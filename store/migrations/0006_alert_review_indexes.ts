/** Migration 0006_alert_review_indexes: shipped; never edit it, add a new file instead. */
import { type Kysely, type Migration, sql } from 'kysely';

export const migration: Migration = {
  async up(db: Kysely<unknown>) {
    // The console lists alerts newest first (ties by id) within the caller's estates.
    // With `id` in the index and `opened_at` descending, one estate's page is read in
    // order and stops at the limit; a firm's page sorts only these narrow index entries,
    // not whole rows. It replaces alerts_estate_opened, its prefix.
    await sql`create index alerts_estate_opened_id on alerts (estate_id, opened_at desc, id)`.execute(db);
    await sql`drop index alerts_estate_opened`.execute(db);
    // The console's "open" (and acknowledged) filters.
    await sql`create index alerts_estate_state_opened on alerts (estate_id, state, opened_at desc, id)`.execute(
      db,
    );
    // One car's alerts: the console's elevator filter and the QR card's 90 days of incidents.
    await sql`create index alerts_elevator_opened on alerts (elevator_id, opened_at desc)`.execute(db);
    // An admin's list has no estate filter: newest first across the fleet.
    await sql`create index alerts_opened on alerts (opened_at desc, id)`.execute(db);
  },
};
