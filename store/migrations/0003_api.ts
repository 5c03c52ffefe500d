/** Migration 0003_api: shipped; never edit it, add a new file instead. */
import type { Kysely, Migration } from 'kysely';
import { columnTypes } from '../dialect.ts';

export const migration: Migration = {
  async up(db: Kysely<unknown>) {
    const t = columnTypes(db);
    // Sessions and tokens are stored as SHA-256 of the secret: a copy of the database
    // does not let anyone log in.
    await db.schema
      .createTable('api_sessions')
      .addColumn('id_hash', 'text', (c) => c.primaryKey())
      .addColumn('username', 'text', (c) => c.notNull().references('users.username'))
      .addColumn('created_at', t.integer, (c) => c.notNull())
      .addColumn('expires_at', t.integer, (c) => c.notNull())
      .addColumn('ip', 'text')
      .execute();
    await db.schema
      .createTable('api_tokens')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('username', 'text', (c) => c.notNull().references('users.username'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('created_at', t.integer, (c) => c.notNull())
      .addColumn('last_used_at', t.integer)
      .addColumn('revoked_at', t.integer)
      .execute();
    await db.schema
      .createTable('audit_log')
      .addColumn('id', t.integer, t.identity)
      .addColumn('at', t.integer, (c) => c.notNull())
      .addColumn('actor', 'text', (c) => c.notNull())
      .addColumn('role', 'text')
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('target_type', 'text', (c) => c.notNull())
      .addColumn('target_id', 'text')
      .addColumn('estate_id', 'text')
      .addColumn('ip', 'text')
      .addColumn('detail_json', 'text')
      .execute();
    await db.schema.createIndex('audit_log_at').on('audit_log').column('at').execute();
    await db.schema
      .createTable('resident_reports')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('receipt', 'text', (c) => c.notNull().unique())
      .addColumn('elevator_id', 'text', (c) => c.notNull().references('elevators.id'))
      .addColumn('estate_id', 'text', (c) => c.notNull().references('estates.id'))
      .addColumn('category', 'text', (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('created_at', t.integer, (c) => c.notNull())
      .addColumn('updated_at', t.integer, (c) => c.notNull())
      .addColumn('handled_by', 'text')
      .addColumn('reply', 'text')
      .execute();
    await db.schema
      .createIndex('resident_reports_estate_created')
      .on('resident_reports')
      .columns(['estate_id', 'created_at'])
      .execute();
  },
};
