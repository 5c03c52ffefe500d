/**
 * Schema migrations, in order. Kysely records which ran in `kysely_migration`, so
 * opening the registry is idempotent. Add a new entry; never edit one that shipped.
 */
import { type Kysely, type Migration, type MigrationProvider, sql } from 'kysely';
import { columnTypes, dialectOf } from './dialect.ts';

const migrations: Record<string, Migration> = {
  '0001_registry': {
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
        .addColumn('maintenance_company_id', 'text', (c) =>
          c.notNull().references('maintenance_companies.id'),
        )
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
  },
  '0002_alerts_visits': {
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
  },
  '0003_api': {
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
  },
  '0004_ledger': {
    async up(db: Kysely<unknown>) {
      const t = columnTypes(db);
      // The maintenance-fund ledger (ledger/). Money columns are integer fen.
      await db.schema
        .createTable('ledger_funds')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('estate_id', 'text', (c) => c.notNull().references('estates.id'))
        .addColumn('building_id', 'text', (c) => c.references('buildings.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('created_at', t.integer, (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .execute();
      await sql`create unique index ledger_funds_scope on ledger_funds (estate_id, coalesce(building_id, ''))`.execute(
        db,
      );
      await db.schema
        .createTable('ledger_chain')
        .addColumn('fund_id', 'text', (c) => c.notNull().references('ledger_funds.id'))
        .addColumn('seq', t.integer, (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('at', t.integer, (c) => c.notNull())
        .addColumn('data_json', 'text', (c) => c.notNull())
        .addColumn('prev_hash', 'text', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('ledger_chain_pk', ['fund_id', 'seq'])
        .execute();
      await db.schema
        .createTable('ledger_idempotency')
        .addColumn('scope', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('op', 'text', (c) => c.notNull())
        .addColumn('request_hash', 'text', (c) => c.notNull())
        .addColumn('result_json', 'text', (c) => c.notNull())
        .addColumn('created_at', t.integer, (c) => c.notNull())
        .addPrimaryKeyConstraint('ledger_idempotency_pk', ['scope', 'key'])
        .execute();
      await db.schema
        .createTable('ledger_transactions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('fund_id', 'text', (c) => c.notNull().references('ledger_funds.id'))
        .addColumn('seq', t.integer, (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('memo', 'text', (c) => c.notNull())
        .addColumn('period', 'text')
        .addColumn('source', 'text')
        .addColumn('expenditure_id', 'text')
        .addColumn('reverses_id', 'text', (c) => c.unique().references('ledger_transactions.id'))
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('at', t.integer, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('ledger_tx_fund_at')
        .on('ledger_transactions')
        .columns(['fund_id', 'at'])
        .execute();
      await db.schema
        .createTable('ledger_postings')
        .addColumn('id', t.integer, t.identity)
        .addColumn('transaction_id', 'text', (c) => c.notNull().references('ledger_transactions.id'))
        .addColumn('fund_id', 'text', (c) => c.notNull())
        .addColumn('account', 'text', (c) => c.notNull())
        .addColumn('debit_fen', t.integer, (c) => c.notNull())
        .addColumn('credit_fen', t.integer, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('ledger_postings_fund')
        .on('ledger_postings')
        .columns(['fund_id', 'account'])
        .execute();
      await db.schema
        .createTable('ledger_contribution_rules')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('fund_id', 'text', (c) => c.notNull().references('ledger_funds.id'))
        .addColumn('effective_from', 'text', (c) => c.notNull())
        .addColumn('rate_fen_per_m2_month', t.integer, (c) => c.notNull())
        .addColumn('area_centi_m2', t.integer, (c) => c.notNull())
        .addColumn('share_bp', t.integer, (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('at', t.integer, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('ledger_expenditures')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('fund_id', 'text', (c) => c.notNull().references('ledger_funds.id'))
        .addColumn('amount_fen', t.integer, (c) => c.notNull())
        .addColumn('amount_version', t.integer, (c) => c.notNull())
        .addColumn('expense_kind', 'text', (c) => c.notNull())
        .addColumn('purpose', 'text', (c) => c.notNull())
        .addColumn('payee', 'text', (c) => c.notNull())
        .addColumn('elevator_id', 'text')
        .addColumn('links_json', 'text', (c) => c.notNull())
        .addColumn('emergency_alert_id', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('proposed_by', 'text', (c) => c.notNull())
        .addColumn('amended_by', 'text')
        .addColumn('proposed_at', t.integer, (c) => c.notNull())
        .addColumn('paid_transaction_id', 'text')
        .addColumn('paid_at', t.integer)
        .addColumn('ratification_due_at', t.integer)
        .execute();
      await db.schema
        .createTable('ledger_approvals')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('expenditure_id', 'text', (c) => c.notNull().references('ledger_expenditures.id'))
        .addColumn('seq', t.integer, (c) => c.notNull())
        .addColumn('amount_version', t.integer, (c) => c.notNull())
        .addColumn('side', 'text', (c) => c.notNull())
        .addColumn('decision', 'text', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('note', 'text', (c) => c.notNull())
        .addColumn('at', t.integer, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('ledger_votes')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('expenditure_id', 'text', (c) => c.notNull().references('ledger_expenditures.id'))
        .addColumn('seq', t.integer, (c) => c.notNull())
        .addColumn('amount_version', t.integer, (c) => c.notNull())
        .addColumn('tally_json', 'text', (c) => c.notNull())
        .addColumn('passed', t.integer, (c) => c.notNull())
        .addColumn('recorded_by', 'text', (c) => c.notNull())
        .addColumn('at', t.integer, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('ledger_attachments')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('expenditure_id', 'text', (c) => c.notNull().references('ledger_expenditures.id'))
        .addColumn('seq', t.integer, (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('filename', 'text', (c) => c.notNull())
        .addColumn('media_type', 'text', (c) => c.notNull())
        .addColumn('size', t.integer, (c) => c.notNull())
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('content', t.blob, (c) => c.notNull())
        .addColumn('uploaded_by', 'text', (c) => c.notNull())
        .addColumn('at', t.integer, (c) => c.notNull())
        .execute();
      // Append-only in the database too, so a bug or a stray script cannot rewrite history.
      const appendOnly = [
        'ledger_chain',
        'ledger_transactions',
        'ledger_postings',
        'ledger_approvals',
        'ledger_votes',
        'ledger_attachments',
      ];
      if (dialectOf(db) === 'postgres') {
        await sql`create function ledger_append_only() returns trigger language plpgsql as $$ begin raise exception 'ledger is append-only'; end $$`.execute(
          db,
        );
        for (const table of appendOnly) {
          await sql`create trigger ${sql.raw(`${table}_no_update`)} before update on ${sql.table(table)} for each row execute function ledger_append_only()`.execute(
            db,
          );
          await sql`create trigger ${sql.raw(`${table}_no_delete`)} before delete on ${sql.table(table)} for each row execute function ledger_append_only()`.execute(
            db,
          );
          // A row trigger does not see TRUNCATE; PostgreSQL has it, SQLite does not.
          await sql`create trigger ${sql.raw(`${table}_no_truncate`)} before truncate on ${sql.table(table)} for each statement execute function ledger_append_only()`.execute(
            db,
          );
        }
      } else {
        for (const table of appendOnly) {
          await sql`create trigger ${sql.raw(`${table}_no_update`)} before update on ${sql.table(table)} begin select raise(abort, 'ledger is append-only'); end`.execute(
            db,
          );
          await sql`create trigger ${sql.raw(`${table}_no_delete`)} before delete on ${sql.table(table)} begin select raise(abort, 'ledger is append-only'); end`.execute(
            db,
          );
        }
      }
    },
  },
  '0005_webhooks': {
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
      await db.schema
        .createIndex('estate_webhooks_estate')
        .on('estate_webhooks')
        .column('estate_id')
        .execute();
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
  },
  '0006_alert_review_indexes': {
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
  },
  '0007_alert_resolution': {
    async up(db: Kysely<unknown>) {
      // What a resolved alert was: 'fault' | 'false_alarm' (said by a person) |
      // 'auto_cleared' (the detector's clear). Rows resolved before this stay null: their
      // free-text note cannot be read as one or the other.
      await db.schema.alterTable('alerts').addColumn('resolution', 'text').execute();
    },
  },
};

export const migrationProvider: MigrationProvider = {
  async getMigrations() {
    return migrations;
  },
};

/** Lets later issues register their tables without editing this file's shipped entries. */
export function registerMigration(name: string, migration: Migration): void {
  if (migrations[name]) throw new Error(`migration ${name} registered twice`);
  migrations[name] = migration;
}
