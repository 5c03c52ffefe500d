/** Migration 0001_registry: shipped; never edit it, add a new file instead. */
import type { Kysely, Migration } from 'kysely';
import { columnTypes } from '../dialect.ts';

export const migration: Migration = {
  async up(db: Kysely<unknown>) {
    const t = columnTypes(db);
    await db.schema
      .createTable('maintenance_companies')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('name_en', 'text')
      .addColumn('phone', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('property_firms')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('name_en', 'text')
      .addColumn('phone', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('estates')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('name_en', 'text')
      .addColumn('property_firm_id', 'text', (c) => c.notNull().references('property_firms.id'))
      .addColumn('maintenance_company_id', 'text', (c) => c.notNull().references('maintenance_companies.id'))
      .addColumn('address', 'text')
      .addColumn('lat', t.real, (c) => c.notNull())
      .addColumn('lon', t.real, (c) => c.notNull())
      .addColumn('emergency_phone', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('buildings')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('estate_id', 'text', (c) => c.notNull().references('estates.id'))
      .addColumn('name', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('elevators')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('building_id', 'text', (c) => c.notNull().references('buildings.id'))
      .addColumn('estate_id', 'text', (c) => c.notNull().references('estates.id'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('registration_code', 'text', (c) => c.notNull().unique())
      .addColumn('floors', t.integer, (c) => c.notNull())
      .addColumn('floor_height_m', t.real, (c) => c.notNull())
      .addColumn('rated_speed_mps', t.real, (c) => c.notNull())
      .addColumn('rated_load_kg', t.real, (c) => c.notNull())
      .addColumn('thresholds_json', 'text')
      .addColumn('public_token', 'text', (c) => c.notNull().unique())
      .execute();
    await db.schema.createIndex('elevators_estate').on('elevators').column('estate_id').execute();
    await db.schema
      .createTable('device_credentials')
      .addColumn('username', 'text', (c) => c.primaryKey())
      .addColumn('elevator_id', 'text', (c) => c.notNull().unique().references('elevators.id'))
      .addColumn('password_hash', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('service_credentials')
      .addColumn('username', 'text', (c) => c.primaryKey())
      .addColumn('role', 'text', (c) => c.notNull())
      .addColumn('password_hash', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('technicians')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('company_id', 'text', (c) => c.notNull().references('maintenance_companies.id'))
      .addColumn('name', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('users')
      .addColumn('username', 'text', (c) => c.primaryKey())
      .addColumn('display_name', 'text', (c) => c.notNull())
      .addColumn('role', 'text', (c) => c.notNull())
      .addColumn('property_firm_id', 'text', (c) => c.references('property_firms.id'))
      .addColumn('estate_id', 'text', (c) => c.references('estates.id'))
      .addColumn('company_id', 'text', (c) => c.references('maintenance_companies.id'))
      .addColumn('password_hash', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('dead_letters')
      .addColumn('id', t.integer, t.identity)
      .addColumn('received_at', t.integer, (c) => c.notNull())
      .addColumn('topic', 'text', (c) => c.notNull())
      .addColumn('client_id', 'text')
      .addColumn('stage', 'text', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('payload', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('dead_letters_received').on('dead_letters').column('received_at').execute();
  },
};
