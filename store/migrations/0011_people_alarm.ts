/**
 * Migration 0011_people_alarm (issue 15): arrival as its own step, the alarm's sources,
 * and the resident's loop on a report. Never edit it once shipped; add a new file instead.
 *
 * - alerts.arrived_at / arrived_by / arrive_note: "到场", stamped by a duty officer or a
 *   technician; the 30-minute arrival clock stops there, not at resolution.
 * - alerts.sources: who raised it, comma-separated ('detector', 'resident'): a resident's
 *   "有人被困" and the detector's passenger_trapped for one car are one alert.
 * - resident_reports.alert_id: the alert a report opened or joined.
 * - resident_reports.feedback / feedback_at / rating / reopen_count: the resident confirms
 *   the fix ('fixed') or reopens it ('not_fixed') and rates the handling 1–5.
 */
import type { Kysely, Migration } from 'kysely';
import { sql } from 'kysely';
import { columnTypes } from '../dialect.ts';

export const migration: Migration = {
  async up(db: Kysely<unknown>) {
    const t = columnTypes(db);
    // One ALTER per column: SQLite adds one column per statement.
    await db.schema.alterTable('alerts').addColumn('arrived_at', t.integer).execute();
    await db.schema.alterTable('alerts').addColumn('arrived_by', 'text').execute();
    await db.schema.alterTable('alerts').addColumn('arrive_note', 'text').execute();
    await db.schema
      .alterTable('alerts')
      .addColumn('sources', 'text', (c) => c.notNull().defaultTo(sql`'detector'`))
      .execute();
    await db.schema.alterTable('resident_reports').addColumn('alert_id', 'text').execute();
    await db.schema.alterTable('resident_reports').addColumn('feedback', 'text').execute();
    await db.schema.alterTable('resident_reports').addColumn('feedback_at', t.integer).execute();
    await db.schema.alterTable('resident_reports').addColumn('rating', t.integer).execute();
    await db.schema
      .alterTable('resident_reports')
      .addColumn('reopen_count', t.integer, (c) => c.notNull().defaultTo(0))
      .execute();
    // The receipt page and the console find an alert's reports by it.
    await db.schema.createIndex('resident_reports_alert').on('resident_reports').column('alert_id').execute();
  },
};
