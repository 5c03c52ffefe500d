/** Migration 0002_alerts_visits: shipped; never edit it, add a new file instead. */
import { type Kysely, type Migration, sql } from 'kysely';
import { columnTypes } from '../dialect.ts';

export const migration: Migration = {
  async up(db: Kysely<unknown>) {
    const t = columnTypes(db);
    await db.schema
      .createTable('alerts')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('elevator_id', 'text', (c) => c.notNull().references('elevators.id'))
      .addColumn('estate_id', 'text', (c) => c.notNull().references('estates.id'))
      .addColumn('code', 'text', (c) => c.notNull())
      .addColumn('severity', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('opened_at', t.integer, (c) => c.notNull())
      .addColumn('last_seen_at', t.integer, (c) => c.notNull())
      .addColumn('count', t.integer, (c) => c.notNull().defaultTo(1))
      .addColumn('acknowledged_by', 'text')
      .addColumn('acknowledged_at', t.integer)
      .addColumn('ack_note', 'text')
      .addColumn('resolved_by', 'text')
      .addColumn('resolved_at', t.integer)
      .addColumn('resolve_note', 'text')
      .addColumn('evidence_json', 'text', (c) => c.notNull())
      .addColumn('escalated_at', t.integer)
      .addColumn('escalation_reason', 'text')
      .execute();
    // One open alert per (elevator, code): repeats bump `count` instead.
    await sql`create unique index alerts_one_open on alerts (elevator_id, code) where state != 'resolved'`.execute(
      db,
    );
    await db.schema
      .createIndex('alerts_estate_opened')
      .on('alerts')
      .columns(['estate_id', 'opened_at'])
      .execute();
    await db.schema
      .createTable('maintenance_visits')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('elevator_id', 'text', (c) => c.notNull().references('elevators.id'))
      .addColumn('estate_id', 'text', (c) => c.notNull().references('estates.id'))
      .addColumn('technician_id', 'text', (c) => c.notNull())
      .addColumn('company_id', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('method', 'text', (c) => c.notNull())
      .addColumn('check_in_at', t.integer, (c) => c.notNull())
      .addColumn('check_out_at', t.integer)
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('location_json', 'text')
      .addColumn('items_json', 'text')
      .addColumn('evidence_score', t.integer)
      .addColumn('verdict', 'text')
      .addColumn('reasons_json', 'text')
      .addColumn('evidence_json', 'text')
      .execute();
    await db.schema
      .createIndex('visits_elevator_checkin')
      .on('maintenance_visits')
      .columns(['elevator_id', 'check_in_at'])
      .execute();
  },
};
