/**
 * Migration 0090_partition_epochs (issue 14): the fence in the store. One row per log
 * partition with the lease epoch of its current owner, raised by a worker when it takes the
 * partition (`PartitionEpochRepository.claim`, never lowered). A leased worker's alert or visit
 * transition is written only in a transaction that first finds this row still at the worker's
 * epoch (`fence`, a conditional UPDATE, so it holds the row until the commit and a concurrent
 * claim waits behind it): a worker that lost its lease while paused cannot commit afterwards,
 * whatever its own clock and checks said (docs/scale-out.md, "The fence in the store").
 */
import type { Kysely, Migration } from 'kysely';
import { columnTypes } from '../dialect.ts';

export const migration: Migration = {
  async up(db: Kysely<unknown>) {
    const t = columnTypes(db);
    await db.schema
      .createTable('partition_epochs')
      .addColumn('log_partition', 'integer', (c) => c.primaryKey())
      .addColumn('epoch', t.integer, (c) => c.notNull())
      .addColumn('worker', 'text', (c) => c.notNull())
      .addColumn('claimed_at', t.integer, (c) => c.notNull())
      .execute();
  },
};
