/** Migration 0085_elevator_inspection: shipped; never edit it, add a new file instead. */
import type { Kysely, Migration } from 'kysely';

export const migration: Migration = {
  async up(db: Kysely<unknown>) {
    // 检验有效期: the date on the lift's periodic inspection certificate, which residents'
    // QR pages in Chinese cities show (issue 15). The fleet file may give it: nullable.
    await db.schema.alterTable('elevators').addColumn('inspection_due', 'text').execute();
  },
};
