/**
 * Opens the registry and runs pending migrations, on one of two dialects chosen by
 * configuration: PostgreSQL through `pg` when DATABASE_URL is set (any number of processes
 * may write), else the embedded SQLite file DATABASE_FILE (WAL, so the API reads while the
 * ingest writes). The same migrations and queries serve both; store/dialect.ts holds
 * what differs. A database that cannot be reached, refuses the credentials or was migrated
 * by a newer version stops the start with a coded error naming the setting.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  Kysely,
  Migrator,
  PostgresDialect,
  SqliteDialect,
  type SqliteDialectConfig,
  SqliteDriver,
  sql,
} from 'kysely';
import pg from 'pg';
import { LiftWatchError } from '../lib/errors.ts';
import { migrationProvider } from './migrations/index.ts';
import type { Database } from './schema.ts';

export type RegistryDb = Kysely<Database>;

/** The settings that choose the store (lib/config.ts's Config satisfies it). */
export interface RegistryTarget {
  readonly DATABASE_FILE: string;
  readonly DATABASE_URL?: string | undefined;
}

/** A file path (SQLite) or the configuration's DATABASE_URL / DATABASE_FILE. */
export async function openRegistry(target: string | RegistryTarget): Promise<RegistryDb> {
  const url = typeof target === 'string' ? undefined : target.DATABASE_URL;
  if (url) return migrated(await openPostgres(url), 'DATABASE_URL');
  return migrated(openSqlite(typeof target === 'string' ? target : target.DATABASE_FILE), 'DATABASE_FILE');
}

function openSqlite(file: string): RegistryDb {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const sqlite = new BetterSqlite3(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  return new Kysely<Database>({ dialect: new WriteLockingSqliteDialect({ database: preparedOnce(sqlite) }) });
}

/** How many distinct statements stay prepared; a list filter's `in (?, …)` of each length is one. */
const PREPARED_STATEMENTS = 500;

/**
 * Kysely's SQLite driver prepares every query anew, and better-sqlite3's prepare (parse
 * and plan) cost as much as running a console page's query: about a tenth of the alert
 * list's CPU. Statements are reusable, so each SQL text is prepared once and kept, the
 * least recently used dropped past PREPARED_STATEMENTS. Safe because the driver runs a
 * statement to completion before the next query (`all`/`run`); a stream (`iterate`) could
 * not share one, and the store streams nothing.
 */
function preparedOnce(sqlite: BetterSqlite3.Database): SqliteDialectConfig['database'] {
  const prepared = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sqlText: string) {
      let statement = prepared.get(sqlText);
      if (statement) prepared.delete(sqlText);
      else statement = sqlite.prepare(sqlText);
      prepared.set(sqlText, statement);
      if (prepared.size > PREPARED_STATEMENTS) prepared.delete(prepared.keys().next().value!);
      return statement;
    },
  };
}

/**
 * Kysely begins SQLite transactions DEFERRED: two processes that both read and then write
 * fail the upgrade to a write lock at once (SQLITE_BUSY, no wait). IMMEDIATE takes the
 * write lock at BEGIN, so a second writer waits its busy_timeout and then reads what the
 * first one wrote: a read-then-append (the ledger's chain head) is serialized across
 * processes as it is inside one.
 */
class WriteLockingSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class WriteLockingSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;
  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }
  override createDriver(): Driver {
    return new WriteLockingSqliteDriver(this.#config);
  }
}

const INT8_OID = 20;
const NUMERIC_OID = 1700;

/**
 * bigint (epoch ms, fen, counts) comes back as a number, as SQLite gives it; a value past
 * 2^53 would be silently rounded, so it is refused instead. numeric (what sum() of a
 * bigint is) likewise.
 */
function exactNumber(text: string): number {
  const n = Number(text);
  if (/^-?\d+$/.test(text) && !Number.isSafeInteger(n))
    throw new RangeError(`${text} is beyond the integers a JavaScript number holds exactly`);
  return n;
}

const numberTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if ((oid === INT8_OID || oid === NUMERIC_OID) && format !== 'binary') return exactNumber;
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

/** Host, port and database of a URL, never its password: what an error may print. */
export function describeDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.hostname}:${u.port || '5432'}${u.pathname}`;
  } catch {
    return '(an unparsable URL)';
  }
}

async function openPostgres(url: string): Promise<RegistryDb> {
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    connectionTimeoutMillis: 5000,
    types: numberTypes,
  });
  // An idle connection the server dropped is discarded by the pool; the next query opens a
  // new one or fails with its own error. Without a listener it would crash the process.
  pool.on('error', () => undefined);
  try {
    const client = await pool.connect();
    client.release();
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw connectionError(error, url);
  }
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

/** Wrong user or password, or no such database: the server answered and said no. */
const REFUSALS = new Set(['28P01', '28000', '3D000']);

function connectionError(error: unknown, url: string): LiftWatchError {
  const code = (error as { code?: string }).code ?? '';
  const reason = error instanceof Error ? error.message : String(error);
  const where = describeDatabaseUrl(url);
  if (REFUSALS.has(code))
    return new LiftWatchError(
      'DATABASE_REFUSED',
      `PostgreSQL at DATABASE_URL (${where}) refused the connection: ${reason}. Fix the user, password or database name in DATABASE_URL, or create the database (createdb -h HOST -U USER NAME).`,
      { cause: error },
    );
  return new LiftWatchError(
    'DATABASE_UNREACHABLE',
    `PostgreSQL does not answer at DATABASE_URL (${where}): ${reason}. Start it (bash scripts/setup.sh --postgres installs and starts the machine's own; or: sudo service postgresql start), check the host and port in DATABASE_URL, or unset DATABASE_URL to use SQLite.`,
    { cause: error },
  );
}

async function migrated(db: RegistryDb, setting: 'DATABASE_URL' | 'DATABASE_FILE'): Promise<RegistryDb> {
  try {
    await refuseNewerDatabase(db, setting);
    // Branches add migrations in parallel, each with a number range of its own, so a database
    // that ran 0080 may later meet a new 0041: it runs the ones it misses, in name order, instead
    // of refusing them as "corrupted". A migration it does not know still refuses (above).
    const { error } = await new Migrator({
      db,
      provider: migrationProvider,
      allowUnorderedMigrations: true,
    }).migrateToLatest();
    if (error) throw error;
    return db;
  } catch (error) {
    await db.destroy();
    throw error;
  }
}

/**
 * Kysely's Migrator meets a migration it does not know as "corrupted migrations"; here it
 * means a newer Lift Watch migrated this database, and this one must not write to it.
 */
async function refuseNewerDatabase(db: RegistryDb, setting: string): Promise<void> {
  const known = new Set(Object.keys(await migrationProvider.getMigrations()));
  let executed: string[];
  try {
    const { rows } = await sql<{ name: string }>`select name from kysely_migration`.execute(db);
    executed = rows.map((r) => r.name);
  } catch (error) {
    // No migration table yet: a new, empty database.
    if (/kysely_migration/.test(String((error as Error).message))) return;
    throw error;
  }
  const unknown = executed.filter((name) => !known.has(name));
  if (unknown.length > 0)
    throw new LiftWatchError(
      'DATABASE_AHEAD',
      `The database at ${setting} was migrated by a newer Lift Watch (migrations this version does not know: ${unknown.join(', ')}). Run the newer version, or point ${setting} at a database of this version.`,
      { details: unknown },
    );
}
