/** Migration 0007_alert_resolution: shipped; never edit it, add a new file instead. */
import type { Kysely, Migration } from 'kysely';

export const migration: Migration = {
  async up(db: Kysely<unknown>) {
    // What a resolved alert was: 'fault' | 'false_alarm' (said by a person) |
    // 'auto_cleared' (the detector's clear). Rows resolved before this stay null: their
    // free-text note cannot be read as one or the other.
    await db.schema.alterTable('alerts').addColumn('resolution', 'text').execute();
  },
};
