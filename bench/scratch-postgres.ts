/**
 * A throwaway PostgreSQL database for a bench run: created empty on the machine's own server
 * (127.0.0.1:5432, user postgres, trust authentication; BENCH_PG_ADMIN_URL to point
 * elsewhere) and dropped afterwards, so a bench never touches a database someone uses.
 * C collation, as the tests' databases, so text sorts as SQLite sorts it.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

const ADMIN_URL = process.env.BENCH_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function asAdmin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw new Error(
      `PostgreSQL must answer at ${new URL(ADMIN_URL).host} (user postgres, trust authentication) for the bench: ` +
        'run `bash scripts/setup.sh --postgres`, or set BENCH_PG_ADMIN_URL to another server ' +
        `(${(error as Error).message})`,
      { cause: error },
    );
  }
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

export interface ScratchDatabase {
  /** postgres://… of the new, empty database: a DATABASE_URL. */
  url: string;
  /** Drops it, closing whatever connections are still open to it. */
  drop(): Promise<void>;
}

export async function createScratchDatabase(prefix: string): Promise<ScratchDatabase> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await asAdmin(`create database ${name} template template0 encoding 'UTF8' lc_collate 'C' lc_ctype 'C'`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => asAdmin(`drop database if exists ${name} with (force)`) };
}
