/**
 * Migration 0041_field_visit_claims (issue 15): when each boundary of a technician's visit
 * reached the ingest. The API stores a check-in or check-out, then publishes it on the car's
 * maintenance channel; when that send fails the phone retries with the same key, and the
 * replay must send again rather than answer "already applied" to a boundary the ingest never
 * heard. `check_in_sent_at` / `check_out_sent_at` are stamped after the broker acknowledged the
 * send (QoS 1); a replay sends while its stamp is null. Rows from before this migration were
 * sent when they were stored (no replay could tell otherwise), so they are stamped then.
 */
import { type Kysely, type Migration, sql } from 'kysely';
import { columnTypes } from '../dialect.ts';

export const migration: Migration = {
  async up(db: Kysely<unknown>) {
    const t = columnTypes(db);
    await db.schema.alterTable('field_visits').addColumn('check_in_sent_at', t.integer).execute();
    await db.schema.alterTable('field_visits').addColumn('check_out_sent_at', t.integer).execute();
    await sql`UPDATE field_visits SET check_in_sent_at = check_in_at, check_out_sent_at = check_out_at`.execute(
      db,
    );
  },
  async down(db: Kysely<unknown>) {
    await db.schema.alterTable('field_visits').dropColumn('check_out_sent_at').execute();
    await db.schema.alterTable('field_visits').dropColumn('check_in_sent_at').execute();
  },
};
