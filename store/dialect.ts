/**
 * What differs between the registry's two dialects, in one place: SQLite (better-sqlite3,
 * the embedded default) and PostgreSQL (pg). Migrations and the few statements that cannot
 * be written once ask here instead of testing the dialect themselves.
 */
import { type ColumnDefinitionBuilder, type Kysely, PostgresAdapter, sql } from 'kysely';

export type DialectName = 'sqlite' | 'postgres';

// biome-ignore lint/suspicious/noExplicitAny: any schema; only the adapter is read.
export function dialectOf(db: Kysely<any>): DialectName {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

/**
 * Column types of the migrations. SQLite keeps the types its shipped migrations declared
 * (its integers are 64-bit whatever they are called); PostgreSQL gets 64-bit integers for
 * epoch milliseconds and fen, double precision for coordinates and speeds (its `real` is
 * 32-bit), and bytea for file contents.
 */
// biome-ignore lint/suspicious/noExplicitAny: any schema; only the adapter is read.
export function columnTypes(db: Kysely<any>) {
  const pg = dialectOf(db) === 'postgres';
  return {
    integer: pg ? 'bigint' : 'integer',
    real: pg ? 'double precision' : 'real',
    blob: pg ? 'bytea' : 'blob',
    /** A generated integer key: SQLite's autoincrement, PostgreSQL's identity. */
    identity: (c: ColumnDefinitionBuilder) =>
      pg ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement(),
  } as const;
}

/**
 * Call first inside a write transaction: writers of the same key then run one after the
 * other, across processes, until the transaction ends. PostgreSQL takes a transaction-scoped
 * advisory lock on the key; on SQLite the write transaction itself (BEGIN IMMEDIATE, see
 * db.ts) already excludes every other writer.
 */
// biome-ignore lint/suspicious/noExplicitAny: any schema; only the adapter is read.
export async function lockForWrite(trx: Kysely<any>, key: string): Promise<void> {
  if (dialectOf(trx) !== 'postgres') return;
  await sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`.execute(trx);
}
