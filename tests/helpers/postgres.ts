/**
 * A fresh PostgreSQL database per test registry, on the machine's own server
 * (127.0.0.1:5432, user postgres, trust authentication; LIFTWATCH_TEST_PG_ADMIN_URL to
 * point elsewhere), dropped afterwards. When nothing answers the suite fails with how to
 * start it: PostgreSQL is a real part of the product, never silently skipped.
 *
 * `LIFTWATCH_TEST_DATABASE=postgres` makes the shared fixtures (registryWithFleet, the API
 * harness, the live system) put every registry on PostgreSQL instead of a SQLite file;
 * scripts/test.sh runs the suites that touch the store a second time that way.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const ADMIN_URL =
  process.env.LIFTWATCH_TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Which store the shared fixtures open: SQLite files unless the run asks for PostgreSQL. */
export const TEST_STORE: 'sqlite' | 'postgres' =
  process.env.LIFTWATCH_TEST_DATABASE === 'postgres' ? 'postgres' : 'sqlite';

export const HOW_TO_START_POSTGRES =
  'PostgreSQL must answer at 127.0.0.1:5432 (user postgres, trust authentication) for the PostgreSQL tests. ' +
  "Run `bash scripts/setup.sh --postgres` (installs and starts Debian's postgresql), or start an installed one: " +
  '`sudo pg_ctlcluster 15 main start` or `sudo service postgresql start`. ' +
  'Set LIFTWATCH_TEST_PG_ADMIN_URL to use another server.';

async function admin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw new Error(`${HOW_TO_START_POSTGRES} (${(error as Error).message})`, { cause: error });
  }
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

export interface TestDatabase {
  /** postgres://… of the new, empty database. */
  url: string;
  name: string;
  /** Drops it, closing whatever connections are still open to it. */
  drop(): Promise<void>;
}

/**
 * Creates `liftwatch_test_<random>`. C collation, so text sorts by code point as SQLite
 * sorts it and the suites' expected orders hold on both dialects.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `liftwatch_test_${randomBytes(6).toString('hex')}`;
  await admin((c) =>
    c.query(`create database ${name} template template0 encoding 'UTF8' lc_collate 'C' lc_ctype 'C'`),
  );
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () => admin((c) => c.query(`drop database if exists ${name} with (force)`)).then(() => undefined),
  };
}
