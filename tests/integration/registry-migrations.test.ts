/**
 * Upgrading a registry that already holds alerts: migration 0007 adds the resolution
 * column and leaves the rows resolved before it null (their free-text note cannot be read
 * as a real fault or a false alarm), so nothing downstream mistakes them for either.
 */
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { openRegistry } from '../../store/db.ts';
import { migrationProvider } from '../../store/migrations/index.ts';
import type { Database } from '../../store/schema.ts';
import { alertRow } from '../helpers/api-harness.ts';
import { tempDir } from '../helpers/fixtures.ts';

const dir = tempDir('liftwatch-migrate-');
afterAll(() => dir.remove());

describe('registry migrations', () => {
  it('0007 adds alerts.resolution, null on alerts resolved before it', async () => {
    const file = join(dir.path, 'registry.db');
    // A registry as it was before 0007, with one resolved alert (no fleet: foreign keys off).
    const sqlite = new BetterSqlite3(file);
    sqlite.pragma('foreign_keys = OFF');
    const old = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
    const before = await new Migrator({ db: old, provider: migrationProvider }).migrateTo(
      '0006_alert_review_indexes',
    );
    expect(before.error).toBeUndefined();
    // Columns of later migrations (0011, 0080) are not there yet either.
    const {
      resolution: _,
      arrived_at: _a,
      arrived_by: _b,
      arrive_note: _c,
      sources: _d,
      lease_epoch: _e,
      ...legacy
    } = alertRow({
      id: 'legacy-1',
      elevator_id: 'e1',
      estate_id: 's1',
      state: 'resolved',
      resolved_by: 'duty',
      resolved_at: 1_700_000_000_000,
      resolve_note: '误报',
    });
    await old
      .insertInto('alerts')
      .values(legacy as never)
      .execute();
    await old.destroy();

    const db = await openRegistry(file);
    try {
      const row = await db
        .selectFrom('alerts')
        .selectAll()
        .where('id', '=', 'legacy-1')
        .executeTakeFirstOrThrow();
      expect(row).toMatchObject({ state: 'resolved', resolve_note: '误报', resolution: null });
    } finally {
      await db.destroy();
    }
  });

  it('0011 gives earlier alerts the detector as source and earlier reports no feedback', async () => {
    const file = join(dir.path, 'registry-0011.db');
    const sqlite = new BetterSqlite3(file);
    sqlite.pragma('foreign_keys = OFF');
    const old = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
    const before = await new Migrator({ db: old, provider: migrationProvider }).migrateTo(
      '0007_alert_resolution',
    );
    expect(before.error).toBeUndefined();
    const {
      arrived_at: _a,
      arrived_by: _b,
      arrive_note: _c,
      sources: _d,
      lease_epoch: _e,
      ...legacy
    } = alertRow({
      id: 'legacy-2',
      elevator_id: 'e1',
      estate_id: 's1',
    });
    await old
      .insertInto('alerts')
      .values(legacy as never)
      .execute();
    await old
      .insertInto('resident_reports')
      .values({
        id: 'r1',
        receipt: 'AAAAA-BBBBB',
        elevator_id: 'e1',
        estate_id: 's1',
        category: 'door',
        description: 'x',
        status: 'resolved',
        created_at: 1,
        updated_at: 2,
        handled_by: null,
        reply: null,
      } as never)
      .execute();
    await old.destroy();

    const db = await openRegistry(file);
    try {
      const alert = await db
        .selectFrom('alerts')
        .selectAll()
        .where('id', '=', 'legacy-2')
        .executeTakeFirstOrThrow();
      expect(alert).toMatchObject({ sources: 'detector', arrived_at: null, arrived_by: null });
      const report = await db.selectFrom('resident_reports').selectAll().executeTakeFirstOrThrow();
      expect(report).toMatchObject({ alert_id: null, feedback: null, rating: null, reopen_count: 0 });
    } finally {
      await db.destroy();
    }
  });
  it('runs a migration numbered below ones already run (branches add them in parallel)', async () => {
    const file = join(dir.path, 'parallel.db');
    // A database migrated by a release that did not have 0041 yet, but had 0080 and 0085.
    const all = await migrationProvider.getMigrations();
    const { '0041_field_visit_claims': missing, ...earlier } = all;
    expect(missing).toBeDefined();
    const sqlite = new BetterSqlite3(file);
    const old = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
    const before = await new Migrator({
      db: old,
      provider: { getMigrations: async () => earlier },
    }).migrateToLatest();
    expect(before.error).toBeUndefined();
    await old.destroy();

    const db = await openRegistry(file);
    try {
      const ran = await db
        .selectFrom('kysely_migration' as never)
        .select('name' as never)
        .execute();
      expect(ran.map((r) => (r as { name: string }).name)).toContain('0041_field_visit_claims');
      // Its columns are there.
      const rows = await db
        .selectFrom('field_visits')
        .select(['check_in_sent_at', 'check_out_sent_at'])
        .execute();
      expect(rows).toEqual([]);
    } finally {
      await db.destroy();
    }
  });
});
