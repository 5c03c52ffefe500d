/** Migration 0013_demo_seed: shipped; never edit it, add a new file instead. */
import type { Kysely, Migration } from 'kysely';
import { columnTypes } from '../dialect.ts';

export const migration: Migration = {
  async up(db: Kysely<unknown>) {
    const t = columnTypes(db);
    // Which steps of the demo's seed (demo/seed.ts) are done: each is written once, so a
    // second start of `npm run demo` adds nothing, and an interrupted seed resumes.
    await db.schema
      .createTable('demo_seed_steps')
      .addColumn('step', 'text', (c) => c.primaryKey())
      .addColumn('done_at', t.integer, (c) => c.notNull())
      .addColumn('detail', 'text')
      .execute();
  },
};
