/** Migration 0014_demo_elevator_identity: shipped; never edit it, add a new file instead. */
import type { Kysely, Migration } from 'kysely';

export const migration: Migration = {
  async up(db: Kysely<unknown>) {
    // GB/T 24476 basic information names the maker and the install date of each lift
    // (issue 16); the fleet file may give them, so both are nullable.
    await db.schema.alterTable('elevators').addColumn('manufacturer', 'text').execute();
    await db.schema.alterTable('elevators').addColumn('install_date', 'text').execute();
  },
};
