/**
 * Migration 0040_field_visits (issue 15, the technician's phone): what the technician records
 * on site, beside the visit the device channel's messages open and the ingest judges.
 * - `field_visits`: one per check-in. Its `id` is the visit id handed to the ingest in the
 *   check-in's maintenance message, so it is also the `maintenance_visits` row's id once the
 *   ingest stores the visit: the technician's record links to the judged visit, never replaces it.
 *   `check_in_key` and `check_out_key` are the phone's idempotency keys: unique, so a queued
 *   action replayed after a lost answer finds its first result instead of acting twice.
 * - `field_visit_photos`: photos taken on the visit (JPEG or PNG, size-limited by the API),
 *   with the checklist item they show, keyed by the phone's upload key.
 */
import type { Kysely, Migration } from 'kysely';
import { columnTypes } from '../dialect.ts';

export const migration: Migration = {
  async up(db: Kysely<unknown>) {
    const t = columnTypes(db);
    await db.schema
      .createTable('field_visits')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('elevator_id', 'text', (c) => c.notNull().references('elevators.id'))
      .addColumn('estate_id', 'text', (c) => c.notNull())
      .addColumn('company_id', 'text', (c) => c.notNull())
      .addColumn('technician', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('method', 'text', (c) => c.notNull())
      .addColumn('check_in_key', 'text', (c) => c.notNull().unique())
      .addColumn('check_in_at', t.integer, (c) => c.notNull())
      .addColumn('lat', t.real)
      .addColumn('lon', t.real)
      .addColumn('accuracy_m', t.real)
      .addColumn('items_json', 'text', (c) => c.notNull())
      .addColumn('check_out_key', 'text', (c) => c.unique())
      .addColumn('check_out_at', t.integer)
      .execute();
    await db.schema
      .createIndex('field_visits_technician')
      .on('field_visits')
      .columns(['technician', 'check_in_at'])
      .execute();
    await db.schema
      .createIndex('field_visits_elevator')
      .on('field_visits')
      .columns(['elevator_id', 'check_in_at'])
      .execute();
    await db.schema
      .createTable('field_visit_photos')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('visit_id', 'text', (c) => c.notNull().references('field_visits.id'))
      .addColumn('upload_key', 'text', (c) => c.notNull().unique())
      .addColumn('item', t.integer)
      .addColumn('media_type', 'text', (c) => c.notNull())
      .addColumn('size', t.integer, (c) => c.notNull())
      .addColumn('content', t.blob, (c) => c.notNull())
      .addColumn('taken_at', t.integer, (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('field_visit_photos_visit')
      .on('field_visit_photos')
      .column('visit_id')
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('field_visit_photos').execute();
    await db.schema.dropTable('field_visits').execute();
  },
};
