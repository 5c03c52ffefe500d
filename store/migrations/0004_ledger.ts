/** Migration 0004_ledger: shipped; never edit it, add a new file instead. */
import { type Kysely, type Migration, sql } from 'kysely';
import { columnTypes, dialectOf } from '../dialect.ts';

export const migration: Migration = {
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
};
