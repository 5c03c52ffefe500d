/**
 * Opening the store on PostgreSQL (the machine's own, a fresh database per case) and what
 * stops the start: a server that does not answer, one that refuses the user or database,
 * and a database migrated by a newer version (on PostgreSQL and on a SQLite file). Also
 * what the dialect returns: 64-bit epoch milliseconds as numbers, and a value past 2^53
 * refused rather than rounded.
 */
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { openRegistry } from '../../store/db.ts';
import { tempDir } from '../helpers/fixtures.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.ts';

const databases: TestDatabase[] = [];
const dir = tempDir('liftwatch-store-open-');
afterAll(async () => {
  for (const d of databases) await d.drop();
  dir.remove();
});

async function fresh(): Promise<TestDatabase> {
  const database = await createTestDatabase();
  databases.push(database);
  return database;
}

function withPart(url: string, change: (u: URL) => void): string {
  const u = new URL(url);
  change(u);
  return u.toString();
}

describe('opening the store', () => {
  it('migrates a fresh PostgreSQL database and returns bigint epoch ms as numbers', async () => {
    const { url } = await fresh();
    const db = await openRegistry({ DATABASE_FILE: 'unused', DATABASE_URL: url });
    try {
      const at = 1_790_000_000_123; // past 2^31 seconds' worth of ms: needs 64 bits
      await db
        .insertInto('dead_letters')
        .values({ received_at: at, topic: 't', client_id: null, stage: 's', reason: 'r', payload: 'p' })
        .execute();
      const row = await db.selectFrom('dead_letters').selectAll().executeTakeFirstOrThrow();
      expect(row).toMatchObject({ id: 1, received_at: at });
      // A 64-bit value a JavaScript number cannot hold exactly is refused, not rounded.
      await expect(sql`select 9007199254740993::bigint as n`.execute(db)).rejects.toThrow(
        /beyond the integers a JavaScript number holds exactly/,
      );
    } finally {
      await db.destroy();
    }
  });

  it('names DATABASE_URL and how to start PostgreSQL when nothing answers', async () => {
    const url = 'postgres://postgres@127.0.0.1:1/liftwatch';
    await expect(openRegistry({ DATABASE_FILE: 'unused', DATABASE_URL: url })).rejects.toMatchObject({
      code: 'DATABASE_UNREACHABLE',
      message: expect.stringMatching(
        /DATABASE_URL \(postgres:\/\/127\.0\.0\.1:1\/liftwatch\).*setup\.sh --postgres/,
      ),
    });
  });

  it('says the server refused a user or a database it does not have, without printing a password', async () => {
    const { url } = await fresh();
    const wrongUser = withPart(url, (u) => {
      u.username = 'nobody_here';
      u.password = 's3cret-pw';
    });
    const error = await openRegistry({ DATABASE_FILE: 'unused', DATABASE_URL: wrongUser }).catch((e) => e);
    expect(error).toMatchObject({ code: 'DATABASE_REFUSED', statusCode: 503 });
    expect(error.message).toMatch(/DATABASE_URL/);
    expect(error.message).not.toMatch(/s3cret-pw/);
    const noDatabase = withPart(url, (u) => {
      u.pathname = '/liftwatch_no_such_database';
    });
    await expect(openRegistry({ DATABASE_FILE: 'unused', DATABASE_URL: noDatabase })).rejects.toMatchObject({
      code: 'DATABASE_REFUSED',
      message: expect.stringMatching(/does not exist/),
    });
  });

  it('refuses a database migrated by a newer version, on PostgreSQL and on SQLite', async () => {
    const { url } = await fresh();
    const file = join(dir.path, 'ahead.sqlite');
    for (const target of [{ DATABASE_FILE: 'unused', DATABASE_URL: url }, { DATABASE_FILE: file }]) {
      const db = await openRegistry(target);
      await sql`insert into kysely_migration (name, timestamp) values ('9999_from_the_future', '2030-01-01')`.execute(
        db,
      );
      await db.destroy();
      const setting = target.DATABASE_URL ? 'DATABASE_URL' : 'DATABASE_FILE';
      await expect(openRegistry(target)).rejects.toMatchObject({
        code: 'DATABASE_AHEAD',
        details: ['9999_from_the_future'],
        message: expect.stringContaining(setting),
      });
    }
  });
});
