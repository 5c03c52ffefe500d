/** Migration 0005_webhooks: shipped; never edit it, add a new file instead. */
import type { Kysely, Migration } from 'kysely';
import { columnTypes } from '../dialect.ts';

export const migration: Migration = {
  async up(db: Kysely<unknown>) {
    const t = columnTypes(db);
    // The secret is kept as given: signing needs it. Deleting a webhook sets deleted_at so
    // its delivery log stays readable.
    await db.schema
      .createTable('estate_webhooks')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('estate_id', 'text', (c) => c.notNull().references('estates.id'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('format', 'text', (c) => c.notNull())
      .addColumn('url', 'text', (c) => c.notNull())
      .addColumn('secret', 'text', (c) => c.notNull())
      .addColumn('events_json', 'text', (c) => c.notNull())
      .addColumn('enabled', t.integer, (c) => c.notNull())
      .addColumn('created_at', t.integer, (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('deleted_at', t.integer)
      .execute();
    await db.schema.createIndex('estate_webhooks_estate').on('estate_webhooks').column('estate_id').execute();
    await db.schema
      .createTable('webhook_deliveries')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('webhook_id', 'text', (c) => c.notNull().references('estate_webhooks.id'))
      .addColumn('estate_id', 'text', (c) => c.notNull())
      .addColumn('event', 'text', (c) => c.notNull())
      .addColumn('subject_id', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('attempts', t.integer, (c) => c.notNull())
      .addColumn('response_status', t.integer)
      .addColumn('error', 'text')
      .addColumn('created_at', t.integer, (c) => c.notNull())
      .addColumn('finished_at', t.integer)
      .execute();
    await db.schema
      .createIndex('webhook_deliveries_webhook_created')
      .on('webhook_deliveries')
      .columns(['webhook_id', 'created_at'])
      .execute();
  },
};
