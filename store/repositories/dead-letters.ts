/**
 * Rejected messages kept for inspection (`dead_letters`). Written in batches, one
 * transaction per batch, so a flood of bad messages costs one write per flush.
 */

import type { Selectable } from 'kysely';
import type { RegistryDb } from '../db.ts';
import type { DeadLetterTable } from '../schema.ts';

export interface DeadLetterRow {
  receivedAt: number;
  topic: string;
  clientId: string | null;
  stage: string;
  reason: string;
  payload: string;
}

/** Rows per INSERT: well under SQLite's bound-parameter limit (6 columns each). */
const ROWS_PER_INSERT = 500;

export interface DeadLetterRepository {
  /** Stores every row or none. */
  insertBatch(rows: readonly DeadLetterRow[]): Promise<void>;
  /** Newest first. */
  latest(limit: number): Promise<Selectable<DeadLetterTable>[]>;
}

export function deadLetterRepository(db: RegistryDb): DeadLetterRepository {
  return {
    async insertBatch(rows) {
      if (rows.length === 0) return;
      await db.transaction().execute(async (trx) => {
        for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
          await trx
            .insertInto('dead_letters')
            .values(
              rows.slice(i, i + ROWS_PER_INSERT).map((r) => ({
                received_at: r.receivedAt,
                topic: r.topic,
                client_id: r.clientId,
                stage: r.stage,
                reason: r.reason,
                payload: r.payload,
              })),
            )
            .execute();
        }
      });
    },
    latest: (limit) => db.selectFrom('dead_letters').selectAll().orderBy('id', 'desc').limit(limit).execute(),
  };
}
